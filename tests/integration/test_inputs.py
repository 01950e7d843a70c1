"""The ways manifests reach hostpods.core.pod (src, template, definition forms), bad input, check/diff mode,
force, and a Galaxy-style offline install of the collection."""

import json
import os
import re
import subprocess

import pytest
import yaml

from harness import BIN, BUSYBOX, PAUSE, ansible_env, containers, docker, inspect, ok, pod, sleeper


# ----------------------------------------------------------------------------- helpers

def pod_names(prefix):
    """Names of the pods (with the prefix) whose sandbox is running."""
    found = set()
    for name, state in containers(prefix).items():
        parts = name.split('_')
        if parts[1] == 'POD' and state == 'running':
            found.add(parts[2])
    return found


def container_ids(prefix):
    out = docker('ps', '-a', '--no-trunc', '--filter', 'label=io.kubernetes.pod.name', '--format',
                 '{{.ID}} {{.Label "io.kubernetes.pod.name"}}')
    return {line.split(' ', 1)[0] for line in out.splitlines() if line.split(' ', 1)[1].startswith(prefix)}


def volumes(prefix):
    return [v for v in docker('volume', 'ls', '-q').splitlines() if prefix in v]


def to_yaml(doc):
    return yaml.safe_dump(doc, sort_keys=False)


def names_of(result):
    return [p['metadata']['name'] for p in result['pods']]


def four_step_args(pods, args, **kwargs):
    """check -> apply -> apply again -> check again with any module args (src, template...)."""
    before = containers(pods.prefix)
    checked = ok(pods.run(args, check=True, **kwargs))
    assert checked['changed'] is True
    assert {p['action'] for p in checked['pods']} == {'created'}
    assert containers(pods.prefix) == before, 'check mode changed the host'
    applied = ok(pods.run(args, **kwargs))
    assert applied['changed'] is True
    assert {p['action'] for p in applied['pods']} == {'created'}
    again = ok(pods.run(args, **kwargs))
    assert again['changed'] is False, again['pods']
    assert again['docker_calls']['write'] == 0
    assert {p['action'] for p in again['pods']} == {'unchanged'}
    checked_again = ok(pods.run(args, check=True, **kwargs))
    assert checked_again['changed'] is False
    return applied


# ----------------------------------------------------------------------------- 1. the input forms

def test_src_directory_reads_manifest_files_in_name_order(pods):
    a, b, c1, c2 = (pods.name(s) for s in ('a', 'b', 'c1', 'c2'))
    files = {
        'manifests/b-web.yaml': to_yaml(pod(b, [sleeper()])),
        'manifests/a-api.json': json.dumps(pod(a, [sleeper()])),
        'manifests/c-pair.yml': yaml.safe_dump_all([pod(c1, [sleeper()]), pod(c2, [sleeper()])]),
        # not manifests: would fail the batch if they were read
        'manifests/README.md': '# notes: {{ not yaml\n',
        'manifests/notes.txt': 'apiVersion: apps/v1\nkind: Deployment\n',
        'manifests/old.yaml.bak': 'apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\n',
    }
    result = four_step_args(pods, {'src': 'manifests/'}, files=files)
    assert names_of(result) == [a, b, c1, c2]
    assert pod_names(pods.prefix) == {a, b, c1, c2}


def test_src_directory_does_not_descend_into_subdirectories(pods):
    """``kubectl apply -f dir/`` reads only the directory's own files (subdirectories need -R)."""
    top, nested = pods.name('top'), pods.name('nested')
    files = {'manifests/top.yaml': to_yaml(pod(top, [sleeper()])),
             'manifests/archive/nested.yaml': to_yaml(pod(nested, [sleeper()]))}
    result = ok(pods.run({'src': 'manifests/'}, check=True, files=files))
    assert names_of(result) == [top]


def test_src_single_file(pods):
    name = pods.name('one')
    result = ok(pods.run({'src': 'web.yaml'}, files={'web.yaml': to_yaml(pod(name, [sleeper()]))}))
    assert result['changed'] is True
    assert names_of(result) == [name]
    assert pod_names(pods.prefix) == {name}
    # a relative src is also found in the play's files/ directory, like the copy module's src
    other = pods.name('two')
    planned = ok(pods.run({'src': 'other.yaml'}, check=True,
                          files={'files/other.yaml': to_yaml(pod(other, [sleeper()]))}))
    assert names_of(planned) == [other]
    assert planned['pods'][0]['action'] == 'created'


def test_definition_as_a_dict(pods):
    name = pods.name('dict')
    result = pods.four_step(pod(name, [sleeper()]))
    assert names_of(result) == [name]
    assert pod_names(pods.prefix) == {name}


def test_definition_as_a_list(pods):
    first, second = pods.name('l1'), pods.name('l2')
    result = ok(pods.apply([pod(first, [sleeper()]), pod(second, [sleeper()])]))
    assert names_of(result) == [first, second]
    assert pod_names(pods.prefix) == {first, second}


def test_definition_as_multi_document_yaml_text(pods):
    first, second = pods.name('m1'), pods.name('m2')
    text = '---\n# leading comment and an empty document\n---\n' + yaml.safe_dump_all(
        [pod(first, [sleeper()]), pod(second, [sleeper()])], explicit_start=True)
    result = ok(pods.apply(text))
    assert names_of(result) == [first, second]
    assert pod_names(pods.prefix) == {first, second}
    again = ok(pods.apply(text))
    assert again['changed'] is False


def test_definition_kind_list(pods):
    first, second = pods.name('k1'), pods.name('k2')
    listing = {'apiVersion': 'v1', 'kind': 'List', 'items': [pod(first, [sleeper()]), pod(second, [sleeper()])]}
    result = ok(pods.apply(listing))
    assert names_of(result) == [first, second]
    assert pod_names(pods.prefix) == {first, second}
    # the same List as JSON text is the same pods: nothing to do
    again = ok(pods.apply(json.dumps(listing)))
    assert again['changed'] is False
    assert {p['action'] for p in again['pods']} == {'unchanged'}


# ----------------------------------------------------------------------------- 2. template

TEMPLATE = '''\
{% for pod_name in pod_names %}
---
apiVersion: v1
kind: Pod
metadata:
  name: {{ pod_name }}
  labels:
    app: {{ app_label }}
spec:
  containers:
    - name: main
      image: {{ image }}
      command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
{% endfor %}
'''


def test_template_rendered_with_play_variables(pods):
    first, second = pods.name('t1'), pods.name('t2')
    extra = {'pod_names': [first, second], 'image': BUSYBOX, 'app_label': 'from-vars'}
    result = four_step_args(pods, {'template': 'templates/pods.yaml.j2'}, extra_vars=extra,
                            files={'templates/pods.yaml.j2': TEMPLATE})
    assert names_of(result) == [first, second]
    assert pod_names(pods.prefix) == {first, second}
    for obj in result['pods']:
        uid = obj['metadata']['uid']
        assert obj['metadata']['labels'] == {'app': 'from-vars'}
        main = inspect('k8s_main_%s_default_%s_0' % (obj['metadata']['name'], uid))
        assert main['Config']['Image'] == BUSYBOX
        sandbox = inspect('k8s_POD_%s_default_%s_0' % (obj['metadata']['name'], uid))
        assert sandbox['Config']['Labels']['app'] == 'from-vars'


def test_template_with_undefined_variable_fails_and_touches_nothing(pods):
    result = pods.run({'template': 'templates/pods.yaml.j2'}, extra_vars={'image': BUSYBOX, 'app_label': 'x'},
                      files={'templates/pods.yaml.j2': TEMPLATE})
    assert result.get('failed') is True
    assert 'pod_names' in result['msg']
    assert containers(pods.prefix) == {}


# ----------------------------------------------------------------------------- 3. bad input

def _bad_api_version(name):
    return dict(pod(name, [sleeper()]), apiVersion='apps/v1'), ['apiVersion', 'apps/v1']


def _bad_kind(name):
    doc = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': name},
           'spec': {'selector': {'matchLabels': {'app': 'x'}},
                    'template': {'metadata': {'labels': {'app': 'x'}}, 'spec': {'containers': [sleeper()]}}}}
    return doc, ['kind', 'Deployment']


def _bad_name(_name):
    return pod('Web_1', [sleeper()]), ['metadata.name', 'Web_1', 'RFC 1123']


def _duplicate_containers(name):
    return pod(name, [sleeper('main'), sleeper('main')]), ['spec.containers[1].name', 'Duplicate', '"main"']


def _unknown_field(name):
    return pod(name, [sleeper(imagePullPolice='IfNotPresent')]), ['spec.containers[0].imagePullPolice', 'unknown']


def _unsupported_field(name):
    device = {'name': 'v', 'devicePath': '/dev/xvda'}
    return pod(name, [sleeper(volumeDevices=[device])]), ['spec.containers[0].volumeDevices', 'not supported']


def _mount_without_volume(name):
    return (pod(name, [sleeper(volumeMounts=[{'name': 'data', 'mountPath': '/data'}])]),
            ['spec.containers[0].volumeMounts[0].name', 'Not found', '"data"'])


def _every_problem_at_once(name):
    """A schema error, a field hostpods refuses and an API server rule, reported together in one round."""
    device = {'name': 'v', 'devicePath': '/x'}
    bad = pod(name, [sleeper('main', env={'A': 'b'}), sleeper('main', volumeDevices=[device])])
    return bad, ['spec.containers[0].env: Invalid value: a map: must be a list',
                 'spec.containers[1].volumeDevices: field not supported by hostpods yet',
                 'spec.containers[1].name: Duplicate value: "main"']


@pytest.mark.parametrize('case', [_bad_api_version, _bad_kind, _bad_name, _duplicate_containers, _unknown_field,
                                  _unsupported_field, _mount_without_volume, _every_problem_at_once],
                         ids=['apiVersion', 'kind-Deployment', 'name-Web_1', 'duplicate-container', 'unknown-field',
                              'unsupported-field', 'mount-without-volume', 'every-problem-at-once'])
def test_bad_manifest_is_refused_before_anything_is_touched(pods, case):
    good = pod(pods.name('good'), [sleeper()])
    bad, expected = case(pods.name('bad'))
    try:
        result = pods.apply([good, bad])
        assert result.get('failed') is True, result
        for piece in expected:
            assert piece in result['msg'], (piece, result['msg'])
        assert containers(pods.prefix) == {}
        assert volumes(pods.prefix) == []
        assert docker('ps', '-aq', '--filter', 'label=io.kubernetes.pod.name=Web_1') == ''
        # the error is about the bad manifest only
        assert pods.name('good') not in result['msg']
    finally:
        leaked = docker('ps', '-aq', '--filter', 'label=io.kubernetes.pod.name=Web_1').split()
        if leaked:
            docker('rm', '-f', *leaked, check=False)


def test_unparsable_yaml_names_file_and_line(pods):
    broken = ('apiVersion: v1\n'
              'kind: Pod\n'
              'metadata:\n'
              '  name: %s\n'
              '    labels: x\n'
              'spec: {}\n' % pods.name('broken'))
    files = {
        'manifests/a-good.yaml': to_yaml(pod(pods.name('a'), [sleeper()])),
        'manifests/b-bad.yaml': broken,
        'manifests/c-good.yaml': to_yaml(pod(pods.name('c'), [sleeper()])),
    }
    result = pods.run({'src': 'manifests'}, files=files)
    assert result.get('failed') is True, result
    assert 'b-bad.yaml' in result['msg'], result['msg']
    assert re.search(r'b-bad\.yaml:5\b|line 5\b', result['msg']), result['msg']
    assert 'a-good.yaml' not in result['msg'] and 'c-good.yaml' not in result['msg']
    assert containers(pods.prefix) == {}


def test_batch_with_one_bad_manifest_creates_no_pod(pods):
    first, bad, second = pods.name('first'), pods.name('bad'), pods.name('second')
    invalid = {'exec': {'command': ['true']}, 'successThreshold': 2}
    batch = [pod(first, [sleeper()]), pod(bad, [sleeper(livenessProbe=invalid)]),
             pod(second, [sleeper()])]
    result = pods.apply(batch)
    assert result.get('failed') is True, result
    assert bad in result['msg']
    assert first not in result['msg'] and second not in result['msg']
    assert containers(pods.prefix) == {}
    assert volumes(pods.prefix) == []


def test_batch_with_one_bad_manifest_leaves_existing_pods_alone(pods):
    name = pods.name('live')
    ok(pods.apply(pod(name, [sleeper()])))
    ids = container_ids(pods.prefix)
    assert len(ids) == 2
    changed = pod(name, [sleeper(env=[{'name': 'V', 'value': '2'}])])
    result = pods.apply([changed, pod(pods.name('new'), [sleeper()]),
                         pod(pods.name('bad'), [sleeper(), sleeper()])])
    assert result.get('failed') is True, result
    assert container_ids(pods.prefix) == ids
    assert pod_names(pods.prefix) == {name}


# ----------------------------------------------------------------------------- 4. check and diff mode

def test_check_mode_on_a_new_pod_plans_and_touches_nothing(pods):
    name = pods.name('plan')
    manifest = pod(name, [sleeper(volumeMounts=[{'name': 'scratch', 'mountPath': '/scratch'}])],
                   volumes=[{'name': 'scratch', 'emptyDir': {}}])
    result = ok(pods.apply(manifest, check=True, diff=True))
    assert result['changed'] is True
    assert len(result['pods']) == 1
    entry = result['pods'][0]
    assert entry['action'] == 'created'
    assert entry['metadata']['name'] == name
    steps = entry['planned_steps']
    assert isinstance(steps, list) and steps and all(isinstance(s, str) for s in steps)
    assert containers(pods.prefix) == {}
    assert volumes(pods.prefix) == []
    assert len(result['diff']) == 1
    assert result['diff'][0]['before'] == {}
    assert result['diff'][0]['after']['metadata']['name'] == name


def test_diff_mode_shows_before_and_after_per_pod(pods):
    name, other = pods.name('diff'), pods.name('other')
    v1 = pod(name, [sleeper(env=[{'name': 'V', 'value': '1'}])])
    v2 = pod(name, [sleeper(env=[{'name': 'V', 'value': '2'}])])
    created = ok(pods.apply([v1, pod(other, [sleeper()])], diff=True))
    assert [d['after']['metadata']['name'] for d in created['diff']] == [name, other]
    assert all(d['before'] == {} for d in created['diff'])
    updated = ok(pods.apply([v2, pod(other, [sleeper()])], diff=True))
    assert updated['changed'] is True
    assert len(updated['diff']) == 1, updated['diff']
    entry = updated['diff'][0]
    assert entry['before']['metadata']['name'] == name
    assert entry['before']['spec']['containers'][0]['env'] == [{'name': 'V', 'value': '1'}]
    assert entry['after']['spec']['containers'][0]['env'] == [{'name': 'V', 'value': '2'}]
    assert name in entry['before_header'] and name in entry['after_header']
    again = ok(pods.apply([v2, pod(other, [sleeper()])], diff=True))
    assert again['changed'] is False
    assert again.get('diff', []) == []


# ----------------------------------------------------------------------------- 5. force

def test_force_recreates_an_unchanged_pod(pods):
    name = pods.name('force')
    manifest = pod(name, [sleeper()])
    ok(pods.apply(manifest))
    ids = container_ids(pods.prefix)
    planned = ok(pods.apply(manifest, force=True, check=True))
    assert planned['changed'] is True
    assert planned['pods'][0]['action'] == 'recreated'
    assert container_ids(pods.prefix) == ids
    forced = ok(pods.apply(manifest, force=True))
    assert forced['changed'] is True
    assert forced['pods'][0]['action'] == 'recreated'
    now = container_ids(pods.prefix)
    assert len(now) == 2 and not now & ids
    assert pod_names(pods.prefix) == {name}
    assert set(containers(pods.prefix).values()) == {'running'}
    again = ok(pods.apply(manifest))
    assert again['changed'] is False


# ----------------------------------------------------------------------------- 6. Galaxy-style install

def test_offline_galaxy_build_install_and_use(pods, tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = tmp_path / 'build'
    build.mkdir()
    proc = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(build),
                           root], capture_output=True, text=True, cwd=root, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tarballs = list(build.glob('hostpods-core-*.tar.gz'))
    assert len(tarballs) == 1
    collections = tmp_path / 'collections'
    env = ansible_env()
    env['ANSIBLE_COLLECTIONS_PATH'] = str(collections)
    env['ANSIBLE_COLLECTIONS_SCAN_SYS_PATH'] = 'false'
    proc = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', str(tarballs[0]),
                           '-p', str(collections)], capture_output=True, text=True, env=env, cwd=str(tmp_path), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = collections / 'ansible_collections' / 'hostpods' / 'core'
    assert (installed / 'MANIFEST.json').is_file()
    assert (installed / 'plugins' / 'action' / 'pod.py').is_file()
    assert not os.path.islink(str(installed))
    proc = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'list', 'hostpods.core'],
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), check=False)
    assert str(collections) in proc.stdout and root not in proc.stdout, proc.stdout + proc.stderr

    play_dir = tmp_path / 'play'
    play_dir.mkdir()
    name = pods.name('galaxy')

    def playbook(state, out):
        task = {'hostpods.core.pod': {'definition': pod(name, [sleeper()]), 'state': state, 'wait': state == 'present',
                                      'wait_timeout': 60, 'sandbox_image': PAUSE},
                'register': 'result'}
        dump = {'ansible.builtin.copy': {'content': '{{ result | to_json }}', 'dest': str(play_dir / out)}}
        path = play_dir / ('%s.yml' % state)
        path.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [task, dump]}]))
        proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', str(path)],
                              capture_output=True, text=True, env=env, cwd=str(play_dir), check=False)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
        return json.loads((play_dir / out).read_text())

    applied = playbook('present', 'applied.json')
    assert applied['changed'] is True
    assert applied['pods'][0]['action'] == 'created'
    assert applied['pods'][0]['status']['phase'] == 'Running'
    uid = applied['pods'][0]['metadata']['uid']
    assert containers(pods.prefix) == {'k8s_POD_%s_default_%s_0' % (name, uid): 'running',
                                       'k8s_main_%s_default_%s_0' % (name, uid): 'running'}
    removed = playbook('absent', 'removed.json')
    assert removed['changed'] is True
    assert removed['pods'][0]['action'] == 'deleted'
    assert containers(pods.prefix) == {}
