"""A pod's sandbox, containers, names and labels on the real engine."""

from harness import BUSYBOX, containers, docker, inspect, labels, pod, sleeper


def test_sandbox_and_containers_follow_the_contract(pods):
    name = pods.name('web')
    manifest = pod(name, [sleeper('a'), sleeper('b')], labels={'app': 'web'}, annotations={'team': 'x'})
    result = pods.four_step(manifest)
    obj = result['pods'][0]
    uid = obj['metadata']['uid']
    assert obj['action'] == 'created'
    found = containers(pods.prefix)
    assert found == {
        'k8s_POD_%s_default_%s_0' % (name, uid): 'running',
        'k8s_a_%s_default_%s_0' % (name, uid): 'running',
        'k8s_b_%s_default_%s_0' % (name, uid): 'running',
    }
    sandbox = inspect('k8s_POD_%s_default_%s_0' % (name, uid))
    assert sandbox['HostConfig']['IpcMode'] == 'shareable'
    assert sandbox['Config']['Hostname'] == name
    sandbox_labels = sandbox['Config']['Labels']
    assert sandbox_labels['app'] == 'web'
    assert sandbox_labels['annotation.team'] == 'x'
    assert sandbox_labels['io.kubernetes.container.name'] == 'POD'
    assert sandbox_labels['io.kubernetes.pod.uid'] == uid
    app = inspect('k8s_a_%s_default_%s_0' % (name, uid))
    assert app['HostConfig']['NetworkMode'] == 'container:' + sandbox['Id']
    assert app['HostConfig']['IpcMode'] == 'container:' + sandbox['Id']
    assert app['Config']['Labels']['io.kubernetes.container.name'] == 'a'
    assert 'annotation.io.kubernetes.container.hash' in app['Config']['Labels']
    assert obj['status']['phase'] == 'Running'
    assert obj['status']['podIP'] == sandbox['NetworkSettings']['IPAddress']
    assert docker('exec', 'k8s_a_%s_default_%s_0' % (name, uid), 'hostname') == name


def test_containers_of_a_pod_talk_over_localhost(pods):
    name = pods.name('pair')
    server = {'name': 'server', 'image': BUSYBOX,
              'command': ['sh', '-c', 'mkdir -p /w && echo pong > /w/index.html && exec httpd -f -p 8080 -h /w']}
    client = {'name': 'client', 'image': BUSYBOX,
              'command': ['sh', '-c', 'until wget -qO /tmp/got http://localhost:8080/; do sleep 0.2; done; sleep 3600']}
    result = pods.apply(pod(name, [server, client]))
    assert not result.get('failed'), result.get('msg')
    uid = result['pods'][0]['metadata']['uid']
    out = docker('exec', 'k8s_client_%s_default_%s_0' % (name, uid), 'sh', '-c',
                 'for i in $(seq 50); do [ -s /tmp/got ] && break; sleep 0.1; done; cat /tmp/got')
    assert out == 'pong'


def test_same_name_in_two_namespaces_gives_two_pods(pods):
    name = pods.name('twin')
    result = pods.four_step([pod(name, [sleeper()]), pod(name, [sleeper()], namespace='other')])
    uids = {p['metadata']['namespace']: p['metadata']['uid'] for p in result['pods']}
    assert set(uids) == {'default', 'other'} and uids['default'] != uids['other']
    found = containers(pods.prefix)
    assert 'k8s_POD_%s_other_%s_0' % (name, uids['other']) in found
    assert 'k8s_POD_%s_default_%s_0' % (name, uids['default']) in found
    assert labels('k8s_main_%s_other_%s_0' % (name, uids['other']))['io.kubernetes.pod.namespace'] == 'other'
