"""ConfigMaps, Secrets and PersistentVolumeClaims on the real engine, observed from inside the pod."""

import base64
import os
import stat
import subprocess

import yaml

from harness import BIN, PAUSE, ansible_env, containers, docker, ok, pod, shell_container, sleeper


def objects_of(prefix, color='red'):
    return [
        {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': prefix + '-cfg'},
         'data': {'color': color, 'size': 'large'}},
        {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': prefix + '-creds'},
         'stringData': {'password': 'pw-' + prefix}},
    ]


def consumer(pods, name):
    p = pods.prefix
    return pod(name, [sleeper('app', env=[
        {'name': 'COLOR', 'valueFrom': {'configMapKeyRef': {'name': p + '-cfg', 'key': 'color'}}},
        {'name': 'PASSWORD', 'valueFrom': {'secretKeyRef': {'name': p + '-creds', 'key': 'password'}}},
        {'name': 'MAYBE', 'valueFrom': {'configMapKeyRef': {'name': p + '-none', 'key': 'x', 'optional': True}}},
    ], envFrom=[{'configMapRef': {'name': p + '-cfg'}, 'prefix': 'CFG_'}], volumeMounts=[
        {'name': 'config', 'mountPath': '/etc/config'}, {'name': 'secret', 'mountPath': '/etc/secret'},
        {'name': 'pinned', 'mountPath': '/etc/pinned.txt', 'subPath': 'color'},
        {'name': 'info', 'mountPath': '/etc/info'}])],
        labels={'app': 'shop'}, terminationGracePeriodSeconds=1, volumes=[
            {'name': 'config', 'configMap': {'name': p + '-cfg', 'items': [{'key': 'color', 'path': 'dir/color.txt',
                                                                            'mode': 0o600}]}},
            {'name': 'secret', 'secret': {'secretName': p + '-creds', 'defaultMode': 0o400}},
            {'name': 'pinned', 'configMap': {'name': p + '-cfg'}},
            {'name': 'info', 'projected': {'sources': [
                {'configMap': {'name': p + '-cfg', 'items': [{'key': 'size', 'path': 'size'}]}},
                {'downwardAPI': {'items': [{'path': 'labels', 'fieldRef': {'fieldPath': 'metadata.labels'}}]}}]}}])


def test_config_maps_and_secrets_feed_env_and_volumes(pods):
    name = pods.name('cfg')
    batch = [consumer(pods, name)] + objects_of(pods.prefix)   # any order in the batch
    try:
        applied = pods.four_step(batch)
        assert [o['action'] for o in applied['objects']] == ['created', 'created']
        assert 'pw-' + pods.prefix not in str(applied)            # a Secret's values never show
        container = 'k8s_app_%s_default_%s_0' % (name, applied['pods'][0]['metadata']['uid'])

        def sh(script):
            return docker('exec', container, 'sh', '-c', script)
        env = dict(line.split('=', 1) for line in sh('env').splitlines() if '=' in line)
        assert (env['COLOR'], env['PASSWORD'], env['CFG_color'], env['CFG_size']) == (
            'red', 'pw-' + pods.prefix, 'red', 'large')
        assert 'MAYBE' not in env                                 # optional and missing: left out
        assert sh('cat /etc/config/dir/color.txt; echo; stat -L -c %a /etc/config/dir/color.txt') == 'red\n600'
        assert sh('cat /etc/secret/password; echo; stat -L -c %a /etc/secret/password') == 'pw-%s\n400' % pods.prefix
        assert sh('cat /etc/info/size; echo; cat /etc/info/labels') == 'large\napp="shop"'
        assert 'Read-only file system' in sh('touch /etc/config/x 2>&1; true')
        # the node keeps the Secret where only root can read it
        store = '/var/lib/hostpods/objects/default/secrets/%s-creds.json' % pods.prefix
        assert stat.S_IMODE(os.stat(store).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(store)).st_mode) == 0o700

        # A changed ConfigMap updates mounted files in place (not subPath), env stays until a restart;
        # check mode shows the refresh as a step of the pod's plan and changes nothing
        checked = ok(pods.apply([consumer(pods, name)] + objects_of(pods.prefix, color='blue'), check=True))
        assert checked['pods'][0]['action'] == 'updated'
        assert [step for step in checked['pods'][0]['planned_steps'] if step.startswith('refresh ')]
        assert sh('cat /etc/config/dir/color.txt') == 'red'
        updated = ok(pods.apply([consumer(pods, name)] + objects_of(pods.prefix, color='blue')))
        assert [o['action'] for o in updated['objects']] == ['updated', 'unchanged']
        assert updated['pods'][0]['action'] == 'updated'   # the refresh is a step of its plan
        assert sh('cat /etc/config/dir/color.txt') == 'blue'
        assert sh('cat /etc/pinned.txt') == 'red'
        assert sh('echo $COLOR') == 'red'
    finally:
        pods.apply([consumer(pods, name)] + objects_of(pods.prefix), state='absent')
    assert not os.path.exists('/var/lib/hostpods/objects/default/secrets/%s-creds.json' % pods.prefix)


def test_a_missing_reference_is_create_container_config_error(pods):
    name = pods.name('missing')
    manifest = pod(name, [sleeper('a', env=[{'name': 'X', 'valueFrom': {'secretKeyRef': {'name': 'nope', 'key': 'k'}}}]),
                          sleeper('b')], terminationGracePeriodSeconds=1)
    result = pods.apply(manifest)
    assert result.get('failed') and 'CreateContainerConfigError: secret "nope" not found' in result['msg']
    listed = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))
    waiting = {s['name']: s['state'] for s in listed['pods'][0]['status']['containerStatuses']}['a']['waiting']
    assert waiting == {'reason': 'CreateContainerConfigError', 'message': 'secret "nope" not found'}
    assert listed['rows'][0]['status'] == 'CreateContainerConfigError'
    assert {n.split('_')[1] for n in containers(pods.prefix)} == {'POD', 'b'}


def test_persistent_volume_claim_objects(pods):
    claim = {'apiVersion': 'v1', 'kind': 'PersistentVolumeClaim', 'metadata': {'name': pods.prefix + '-data'},
             'spec': {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}}}
    volume = 'k8s_pvc_%s-data_default' % pods.prefix
    user = pod(pods.name('user'), [sleeper('a', volumeMounts=[{'name': 'd', 'mountPath': '/d'}])],
               volumes=[{'name': 'd', 'persistentVolumeClaim': {'claimName': pods.prefix + '-data'}}],
               terminationGracePeriodSeconds=1)
    try:
        created = pods.four_step(claim)
        assert created['objects'][0]['action'] == 'created'
        labels = docker('volume', 'inspect', '--format', '{{json .Labels}}', volume)
        assert 'persistentVolumeClaim' in labels
        ok(pods.apply(user))
        refused = pods.apply(claim, state='absent')              # in use: kept, as pvc-protection keeps it
        assert refused.get('failed') and 'is in use' in refused['msg']
        ok(pods.apply(user, state='absent'))
        assert volume in docker('volume', 'ls', '-q').splitlines()   # the pod's deletion keeps the claim
        deleted = ok(pods.apply(claim, state='absent'))
        assert deleted['objects'][0]['action'] == 'deleted'
        assert volume not in docker('volume', 'ls', '-q').splitlines()
    finally:
        pods.apply(user, state='absent')
        docker('volume', 'rm', '-f', volume, check=False)


def test_the_last_object_of_a_namespace_takes_its_directories_with_it(pods):
    """``objects/<namespace>/<kind>`` goes with the last object in it, and the namespace's directory with its last kind."""
    store = '/var/lib/hostpods/objects/' + pods.prefix
    cfg = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'a', 'namespace': pods.prefix}, 'data': {'k': 'v'}}
    other = dict(cfg, metadata={'name': 'b', 'namespace': pods.prefix})
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 's', 'namespace': pods.prefix},
              'stringData': {'k': 'v'}}
    try:
        ok(pods.apply([cfg, other, secret]))
        assert sorted(os.listdir(store)) == ['configmaps', 'secrets']
        ok(pods.apply([cfg], state='absent'))
        assert sorted(os.listdir(store + '/configmaps')) == ['b.json']
        ok(pods.apply([secret], state='absent'))
        assert sorted(os.listdir(store)) == ['configmaps']
        ok(pods.apply([other], state='absent'))
        assert not os.path.exists(store)
        assert os.path.isdir('/var/lib/hostpods/objects')   # the store itself stays
    finally:
        pods.apply([cfg, other, secret], state='absent')


def _verbose_play(tmp_path, tasks):
    """Run ``tasks`` in one ``ansible-playbook -vvv --diff``: its whole output (stdout and stderr)."""
    path = tmp_path / 'play.yml'
    path.write_text(yaml.safe_dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]))
    proc = subprocess.run([BIN + '/ansible-playbook', '-vvv', '--diff', '-i', 'localhost,', '-c', 'local', str(path)],
                          capture_output=True, text=True, env=ansible_env(), check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_secret_values_never_show_and_nothing_else_is_masked(pods, tmp_path):
    """Apply, re-apply, check, a failing init container that prints its Secret, pod_info and delete, at -vvv
    with --diff: the values and their base64 are nowhere in the output, and the namespace, names and ``v1``
    that the Secret shares with the other pods read as they are (Ansible masks only the values)."""
    p, password, token = pods.prefix, 'pw-value-' + pods.prefix, 'token-value-' + pods.prefix
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': p + '-creds', 'namespace': 'default'},
              'stringData': {'password': password}, 'data': {'token': base64.b64encode(token.encode()).decode()}}
    env = [{'name': 'PASSWORD', 'valueFrom': {'secretKeyRef': {'name': p + '-creds', 'key': 'password'}}}]
    user = pod(p + '-user', [sleeper('app', env=env, volumeMounts=[{'name': 's', 'mountPath': '/s'}])],
               terminationGracePeriodSeconds=1, volumes=[{'name': 's', 'secret': {'secretName': p + '-creds'}}])
    other = pod(p + '-other', [sleeper('app')], terminationGracePeriodSeconds=1)
    leaky = pod(p + '-leaky', [sleeper('app')], restartPolicy='Never', terminationGracePeriodSeconds=1,
                initContainers=[shell_container('init', 'echo "pw=$PASSWORD"; exit 3', env=env)])
    apply_ = {'hostpods.core.pod': {'definition': [secret, user, other], 'sandbox_image': PAUSE}, 'register': 'r'}
    tasks = [apply_, apply_, dict(apply_, check_mode=True),
             {'hostpods.core.pod': {'definition': [leaky], 'sandbox_image': PAUSE}, 'ignore_errors': True},
             {'hostpods.core.pod_info': {'namespace': 'default', 'label_selectors': []}},
             {'hostpods.core.pod': {'definition': [secret, user, other, leaky], 'sandbox_image': PAUSE,
                                    'state': 'absent'}}]
    try:
        rc, output = _verbose_play(tmp_path, tasks)
        assert rc == 0, output[-3000:]
        assert 'changed=3' in output and 'ignored=1' in output, output[-1500:]
        for value in (password, token):
            for form in (value, base64.b64encode(value.encode()).decode()):
                assert form not in output, form
        assert 'log tail: pw=<redacted>' in output                   # the init container's own output, scrubbed
        assert '"password": "<redacted>"' in output                  # the Secret's diff and result show keys only
        banners = ('PLAY', 'TASK', 'PLAYBOOK')
        assert not [line for line in output.splitlines() if '********' in line and not line.startswith(banners)]
        masked = [line.strip() for line in output.splitlines() if 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in line]
        assert masked and set(masked) <= {'"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"',
                                          '"token": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"',
                                          '"password": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER",',
                                          '"token": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER",'}, masked
        for text in ('+++ after: pod default/%s-other (created)' % p, '+++ after: Secret default/%s-creds (created)' % p,
                     '"namespace": "default"', '"apiVersion": "v1"', '"name": "%s-creds"' % p):
            assert text in output, text
    finally:
        pods.apply([secret, user, other, leaky], state='absent')


def test_downward_api_volume(pods):
    name = pods.name('dapivol')
    manifest = pod(name, [sleeper('app', resources={'limits': {'memory': '32Mi'}},
                                  volumeMounts=[{'name': 'info', 'mountPath': '/etc/podinfo'}])],
                   labels={'app': 'shop', 'tier': 'web'}, annotations={'note': 'hi'}, terminationGracePeriodSeconds=1,
                   volumes=[{'name': 'info', 'downwardAPI': {'items': [
                       {'path': 'labels', 'fieldRef': {'fieldPath': 'metadata.labels'}},
                       {'path': 'annotations', 'fieldRef': {'fieldPath': 'metadata.annotations'}},
                       {'path': 'name', 'fieldRef': {'fieldPath': 'metadata.name'}},
                       {'path': 'mem', 'resourceFieldRef': {'containerName': 'app', 'resource': 'limits.memory',
                                                            'divisor': '1Mi'}}]}}])
    obj = pods.four_step(manifest)['pods'][0]
    container = 'k8s_app_%s_default_%s_0' % (name, obj['metadata']['uid'])
    assert docker('exec', container, 'cat', '/etc/podinfo/labels') == 'app="shop"\ntier="web"'
    assert docker('exec', container, 'cat', '/etc/podinfo/annotations') == 'note="hi"'
    assert docker('exec', container, 'cat', '/etc/podinfo/name') == name
    assert docker('exec', container, 'cat', '/etc/podinfo/mem') == '32'
