"""The hostpods.core.pod connection against a stand-in docker CLI (hostpods_fake_docker): how it finds the
container of a pod (kubectl's default container, the newest running instance), what it sends, directly or
chained through a node container, and what makes a pod host unreachable."""

import pytest

from ansible.errors import AnsibleConnectionFailure

from ansible_collections.hostpods.core.plugins.connection import pod as pod_connection
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

import hostpods_fake_docker as fake
from hostpods_fakes import SANDBOX_IMAGE, T0, T1, UID, container, exited, inspected, pod, with_uid
from plugin_loading import load

SCRIPT = 'echo "in $0"; read line; echo "got $line"; echo oops >&2; exit 3'


def infos(pod_, instances=None, uid=UID):
    """``docker inspect`` dicts of a pod's sandbox and containers; ``instances``: ``{name: [status, ...]}``
    (attempts 0, 1, ...), by default one running instance of every app container."""
    applied = with_uid(pod_, uid)
    meta = applied['metadata']
    sandbox = inspected('sandbox-%s' % uid[:4], labels=naming.sandbox_labels(applied, 0, SANDBOX_IMAGE), created=T0)
    sandbox['Name'] = '/' + naming.sandbox_name(meta['name'], meta['namespace'], uid, 0)
    out = [sandbox]
    specs = {c['name']: c for c in (applied['spec'].get('initContainers') or []) + applied['spec']['containers']}
    for name, states in (instances or {c['name']: ['running'] for c in applied['spec']['containers']}).items():
        for attempt, state in enumerate(states):
            labels = naming.container_labels(applied, specs[name], 'container', attempt, sandbox['Id'], SANDBOX_IMAGE)
            maker = exited if state == 'exited' else inspected
            info = maker('%s-%d' % (name, attempt), attempt=attempt, labels=labels, created=T1 if attempt else T0)
            info['Name'] = '/' + naming.container_name(name, meta['name'], meta['namespace'], uid, attempt)
            out.append(info)
    return out


def two_containers(**kwargs):
    return pod('web', containers=[container('app'), container('side')], **kwargs)


def connect(docker, **options):
    conn = load(pod_connection, **dict({'remote_addr': 'web', 'docker_cli': docker[0]}, **options))
    conn._connect()
    return conn


def execs(docker):
    return [argv for argv in fake.calls(docker[1]) if 'exec' in argv and 'sh' in ' '.join(argv)]


def test_default_container_is_the_first_app_container(tmp_path, monkeypatch):
    docker = fake.install(tmp_path, monkeypatch, infos(two_containers()))
    conn = connect(docker)
    assert conn.exec_command(SCRIPT, in_data=b'hello\n') == (3, b'in /bin/sh\ngot hello\n', b'oops\n')
    lookups = fake.calls(docker[1])[:2]
    assert lookups == [['ps', '--all', '--quiet', '--no-trunc', '--filter', 'label=io.kubernetes.pod.name=web',
                        '--filter', 'label=io.kubernetes.pod.namespace=default'],
                       ['inspect', 'sandbox-6a1f', 'app-0', 'side-0']]
    assert execs(docker) == [['exec', '-i', 'app-0', '/bin/sh', '-c', SCRIPT]]
    conn.exec_command('true')
    assert len(fake.calls(docker[1])) == 4, 'the container is looked up once a connection'


def test_default_container_annotation_and_named_containers(tmp_path, monkeypatch):
    annotated = two_containers(annotations={'kubectl.kubernetes.io/default-container': 'side'})
    docker = fake.install(tmp_path, monkeypatch, infos(annotated))
    connect(docker).exec_command('true')
    connect(docker, remote_addr='default/web/app').exec_command('true')
    connect(docker, remote_addr='default/web/app', container='side').exec_command('true')
    assert [argv[2] for argv in execs(docker)] == ['side-0', 'app-0', 'side-0']


def test_the_newest_running_instance_and_the_namespace(tmp_path, monkeypatch):
    shop = pod('web', 'shop', containers=[container('app')])
    docker = fake.install(tmp_path, monkeypatch, infos(shop, {'app': ['exited', 'running']}))
    connect(docker, remote_addr='shop/web').exec_command('true')
    connect(docker, namespace='shop').exec_command('true')
    assert [argv[2] for argv in execs(docker)] == ['app-1', 'app-1']
    assert fake.calls(docker[1])[0][-1] == 'label=io.kubernetes.pod.namespace=shop'


@pytest.mark.parametrize('options, instances, message', [
    ({'remote_addr': 'nope'}, None, 'pods "nope" not found in namespace "default"'),
    ({'namespace': 'other'}, None, 'pods "web" not found in namespace "other"'),
    ({'container': 'db'}, None, 'container db is not valid for pod web'),
    ({}, {'app': ['exited'], 'side': ['running']}, 'cannot exec in a container that is not running: container app of pod web'),
    ({'remote_addr': 'a/b/c/d'}, None, 'is not a pod address'),
])
def test_unreachable_pods(tmp_path, monkeypatch, options, instances, message):
    docker = fake.install(tmp_path, monkeypatch, infos(two_containers(), instances))
    with pytest.raises(AnsibleConnectionFailure, match=message):
        connect(docker, **options).exec_command('true')
    assert execs(docker) == []


def test_chained_through_a_node_container(tmp_path, monkeypatch):
    docker = fake.install(tmp_path, monkeypatch, infos(two_containers()), nodes=['node1'])
    conn = connect(docker, node_container='node1', remote_user='nobody', docker_host='tcp://10.0.0.1:2375')
    assert conn.exec_command('echo hi') == (0, b'hi\n', b'')
    node = ['--host', 'tcp://10.0.0.1:2375', 'exec', '-i', 'node1', 'docker']
    logged = fake.calls(docker[1])
    assert logged[0][:6] == node and logged[0][6] == 'ps'
    assert logged[2] == node + ['inspect', 'sandbox-6a1f', 'app-0', 'side-0']
    assert logged[4] == node + ['exec', '-i', '--user', 'nobody', 'app-0', '/bin/sh', '-c', 'echo hi']


def test_put_and_fetch_through_a_node_container(tmp_path, monkeypatch):
    docker = fake.install(tmp_path, monkeypatch, infos(two_containers()), nodes=['node1'])
    conn = connect(docker, node_container='node1')
    source = tmp_path / 'in.bin'
    source.write_bytes(bytes(range(256)) * 50)
    conn.put_file(str(source), str(tmp_path / 'in pod.bin'))
    assert (tmp_path / 'in pod.bin').read_bytes() == source.read_bytes()
    conn.fetch_file(str(tmp_path / 'in pod.bin'), str(tmp_path / 'back.bin'))
    assert (tmp_path / 'back.bin').read_bytes() == source.read_bytes()


def test_a_missing_node_container_makes_the_pod_unreachable(tmp_path, monkeypatch):
    docker = fake.install(tmp_path, monkeypatch, infos(two_containers()))
    with pytest.raises(AnsibleConnectionFailure, match='cannot look up pod default/web on node container missing: '
                                                       'Error response from daemon: No such container: missing'):
        connect(docker, node_container='missing').exec_command('true')
