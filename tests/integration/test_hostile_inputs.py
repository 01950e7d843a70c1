"""Hostile manifests through ansible-playbook (issue 10, item 4): each is sent in a batch with a valid pod and must
be refused before anything is touched, with a short message naming the field; parsing is bounded, so an alias bomb
fails within seconds; a Secret's values never appear; a valid pod whose names the engine can take is applied whole."""

import json
import time

import yaml

from harness import containers, docker, ok, pod, sleeper

KIB = 1024
SECRET_VALUE = 'hunter2-in-the-clear'
MAX_MESSAGE = 4096


def volumes(prefix):
    return [v for v in docker('volume', 'ls', '-q').splitlines() if prefix in v]


def laughs(name, levels):
    """A Pod manifest (YAML text) whose labels hold a "billion laughs" of ``levels`` levels of 9 aliases."""
    lines = ['    l0: &l0 [%s]' % ','.join(['"lol"'] * 9)]
    lines += ['    l%d: &l%d [%s]' % (i, i, ','.join(['*l%d' % (i - 1)] * 9)) for i in range(1, levels)]
    return ('apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  labels:\n%s\nspec:\n  containers:\n'
            '  - {name: main, image: hostpods/busybox:1.35}\n' % (name, '\n'.join(lines)))


def with_empty_dir(name):
    return pod(name, [sleeper(volumeMounts=[{'name': 'cache', 'mountPath': '/cache'}])],
               volumes=[{'name': 'cache', 'emptyDir': {}}], terminationGracePeriodSeconds=1)


def refused(result, *pieces):
    """The task failed with a short message holding every piece; returns the message."""
    assert result.get('failed') is True, result
    msg = result['msg']
    for piece in pieces:
        assert piece in msg, (piece, msg[:2000])
    assert len(msg) < MAX_MESSAGE, len(msg)
    return msg


def assert_nothing_created(prefix):
    assert containers(prefix) == {}
    assert volumes(prefix) == []


# ----------------------------------------------------------------------------- parsing is bounded

def test_alias_bomb_of_a_kilobyte_fails_within_seconds_with_a_short_message(pods):
    good = pods.name('good')
    bomb = laughs(pods.name('bomb'), 10)
    assert len(bomb) < 1400
    files = {'manifests/a-good.yaml': yaml.safe_dump(pod(good, [sleeper()])), 'manifests/b-bomb.yaml': bomb}
    started = time.monotonic()
    result = pods.run({'src': 'manifests/'}, files=files)
    elapsed = time.monotonic() - started
    msg = refused(result, 'b-bomb.yaml:', 'once its aliases are expanded')
    assert 'a-good.yaml' not in msg
    assert elapsed < 30, elapsed          # ansible-playbook's own start included; it used to exhaust memory
    assert_nothing_created(pods.prefix)


def test_manifest_text_bombs_and_oversized_files(pods):
    """A smaller bomb that expands within the bound gives a short error (it used to print 240 MB); a 10 MB file is
    refused by name; so are deep nesting and a recursive alias."""
    good = yaml.safe_dump(pod(pods.name('good'), [sleeper()]))
    big = yaml.safe_dump(pod(pods.name('big'), [sleeper()], annotations={'big': 'x' * (10 * KIB * KIB)}))
    cases = [
        ('small-bomb.yaml', laughs(pods.name('small'), 5), ['small-bomb.yaml (document 1) Pod', 'metadata.labels']),
        ('big.yaml', big, ['big.yaml: Too long: %d bytes: hostpods reads at most 8388608 bytes' % len(big)]),
        ('deep.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec: ' + '[' * 5000 + ']' * 5000 + '\n',
         ['deep.yaml:4:', 'nested deeper than 100 levels']),
        ('loop.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: &m {name: loop, labels: *m}\n',
         ['loop.yaml:3:', 'a recursive alias']),
    ]
    tasks, files = [], {}
    for index, (name, text, _pieces) in enumerate(cases):
        files['case%d/a-good.yaml' % index] = good
        files['case%d/%s' % (index, name)] = text
        tasks.append(('hostpods.core.pod', {'src': 'case%d/' % index}))
    # the full bomb as a definition string too (Ansible hands it over as its own kind of string)
    tasks.append(('hostpods.core.pod', {'definition': [pod(pods.name('good'), [sleeper()]), laughs(pods.name('b'), 10)]}))
    cases.append(('definition', None, ['definition[1]:', 'once its aliases are expanded']))
    started = time.monotonic()
    results = pods.play(*tasks, files=files)
    assert time.monotonic() - started < 60
    for (_name, _text, pieces), result in zip(cases, results):
        refused(result, *pieces)
    assert_nothing_created(pods.prefix)


# ----------------------------------------------------------------------------- the API server's rules

def test_manifests_the_api_server_refuses_are_refused_before_anything_is_touched(pods):
    name = pods.name('bad')
    long_name = pods.name('n' * (253 - len(pods.prefix) - 1))
    cases = [
        (pod(name, [sleeper()], annotations={'a': 'x' * (300 * KIB)}),
         ['metadata.annotations: Too long: must have at most 262144 bytes']),
        (pod(name, [sleeper()], labels={'app': 'v' * 64}),
         ['metadata.labels: Invalid value: "%s": must be no more than 63 characters' % ('v' * 64)]),
        (pod(name, [sleeper()], labels={'bad key!': 'x'}), ['metadata.labels: Invalid value: "bad key!": name part']),
        (pod(name, [sleeper(env=[{'name': 'A=B', 'value': '1'}])]),
         ['spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name']),
        (pod(name, [sleeper(envFrom=[{'prefix': '1_', 'configMapRef': {'name': 'cm'}}])]),
         ['spec.containers[0].envFrom[0].prefix: Invalid value: "1_"']),
        (pod(name, [sleeper(ports=[{'name': 'Web_Port', 'containerPort': 80}, {'containerPort': 70000}])]),
         ['spec.containers[0].ports[0].name: Invalid value: "Web_Port"',
          'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']),
        (pod(name, [sleeper(resources={'limits': {'memory': 'lots'}})]),
         ['spec.containers[0].resources.limits[memory]: Invalid value: invalid quantity "lots"']),
        (pod(name, [sleeper()], hostAliases=[{'ip': '10.1.2.3', 'hostnames': ['db\n10.6.6.6 evil']}]),
         ['spec.hostAliases[0].hostnames[0]: Invalid value']),
        (pod(name, [sleeper()], terminationGracePeriodSeconds='x' * (100 * KIB)),
         ['spec.terminationGracePeriodSeconds: Invalid value: "%s...(102400 characters)"' % ('x' * 64)]),
        (pod(name, [sleeper(image='BusyBox:1.35')]),     # it used to fail half-way, the other pod created
         ['spec.containers[0].image: Invalid value: "BusyBox:1.35": InvalidImageName']),
        (with_empty_dir(long_name),
         ['metadata.name: Invalid value', 'too long for hostpods (a limit of hostpods on Docker, not of Kubernetes)',
          'k8s_emptydir_<pod>_<namespace>_<uid>_cache']),
    ]
    good = pod(pods.name('good'), [sleeper()])
    results = pods.play(*[('hostpods.core.pod', {'definition': [good, bad]}) for bad, _pieces in cases])
    for (_bad, pieces), result in zip(cases, results):
        msg = refused(result, *pieces)
        assert pods.name('good') not in msg
    assert_nothing_created(pods.prefix)


def test_a_secret_value_of_the_wrong_type_is_never_shown(pods):
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': pods.name('creds')},
              'stringData': {'password': [SECRET_VALUE]}, 'data': {'token': 12345678}}
    good = pod(pods.name('good'), [sleeper()])
    [as_data, as_file] = pods.play(('hostpods.core.pod', {'definition': [good, secret]}),
                                   ('hostpods.core.pod', {'src': 'creds.yaml'}),
                                   files={'creds.yaml': yaml.safe_dump_all([good, secret])})
    for result in (as_data, as_file):
        msg = refused(result, 'stringData.password', 'data.token', '(the values of a Secret are never shown)')
        everything = json.dumps(result)
        assert SECRET_VALUE not in everything and '12345678' not in everything
        assert msg
    assert_nothing_created(pods.prefix)


# ----------------------------------------------------------------------------- what the engine can take, it takes

def test_a_253_character_pod_name_without_volumes_is_applied_whole(pods):
    name = pods.name('n' * (253 - len(pods.prefix) - 1))
    assert len(name) == 253
    manifest = pod(name, [sleeper()], terminationGracePeriodSeconds=1)
    applied = ok(pods.apply(manifest))
    uid = applied['pods'][0]['metadata']['uid']
    assert containers(pods.prefix) == {'k8s_POD_%s_default_%s_0' % (name, uid): 'running',
                                       'k8s_main_%s_default_%s_0' % (name, uid): 'running'}
    again = ok(pods.apply(manifest))
    assert again['changed'] is False
    removed = ok(pods.apply(manifest, state='absent'))
    assert removed['pods'][0]['action'] == 'deleted'
    assert containers(pods.prefix) == {}


def test_a_pod_at_the_api_servers_limits_is_applied_whole(pods):
    """256 KiB of annotations, 63-character label values, the longest name an emptyDir allows: all accepted, applied,
    re-applied without change and deleted."""
    name = pods.name('e' * (203 - len('default') - len('cache') - len(pods.prefix) - 1))
    manifest = with_empty_dir(name)
    manifest['metadata']['labels'] = {'example.com/' + 'k' * 63: 'v' * 63}
    manifest['metadata']['annotations'] = {'a': 'x' * (256 * KIB - 1)}
    manifest['spec']['containers'][0]['env'] = [{'name': 'my.env-name', 'value': '1'}]
    applied = ok(pods.apply(manifest))
    assert applied['pods'][0]['action'] == 'created'
    assert len(volumes(pods.prefix)) == 1 and len(volumes(pods.prefix)[0]) == 255
    again = ok(pods.apply(manifest))
    assert again['changed'] is False
    ok(pods.apply(manifest, state='absent'))
    assert_nothing_created(pods.prefix)
