"""The hostpods command and the modules against ANOTHER machine's Docker engine (``--docker-host``, ``DOCKER_HOST``,
the modules' ``docker_host``), for real: one node container of the cluster role (its own dockerd), reached over TCP
through a small proxy to its socket, so ``tcp://127.0.0.1:PORT`` is a genuine engine of another host.

Reads work from here and see that node (its name in NODE and ``spec.nodeName``, its containers' logs, execs and
statistics). What writes a pod (apply, delete, the module's reconcile) is refused before anything is touched: a pod's
files and its record for the node agent live on the node that runs it (before, this machine's agent ran the pod
here); port-forward is refused too (it relays to the pod IP, on that node's bridge)."""

import json
import os
import socket
import subprocess
import threading
import uuid

import pytest

from harness import BIN, BUSYBOX, PAUSE, Pods, ansible_env, cleanup, docker, free_subnet, new_prefix
from hostpods_paths import ROOT
from test_cli import HTTPD, hostpods, write_manifest

CLUSTER_SUBNET = '10.213.45.0/24'   # no other test prefers it (another free /24 if a network has it)
POD_SUBNET = '10.239.0.0/16'   # the node's pods: 10.239.1.x
LIBRARY = '/usr/local/lib/hostpods/ansible_collections/hostpods/core'
REFUSED = 'error: cannot %s through the Docker engine at %s: it runs on %s, not on this host (%s): '


class Proxy:
    """``127.0.0.1:<free port>`` relaying each connection to a unix socket (an engine's API over TCP)."""

    def __init__(self, path):
        self.path = path
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(32)
        self.url = 'tcp://127.0.0.1:%d' % self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _peer = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self.path)
            for pair in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=pair, daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.listener.close()


class Remote:
    """The node, its engine's URL, and the namespace of this file's pods."""

    def __init__(self, workdir):
        self.name = 'rm%s' % uuid.uuid4().hex[:6]
        self.workdir = workdir
        self.node = 'hostpods-%s-node1' % self.name
        self.namespace = new_prefix()
        self.proxy = None

    def cluster(self, state):
        argv = [os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.cluster', '-e', 'cluster_state=%s' % state,
                '-e', 'cluster_name=%s' % self.name, '-e', 'cluster_inventory_dir=%s' % os.path.join(self.workdir, 'inv')]
        if state == 'present':
            argv += ['-e', 'cluster_nodes=1', '-e', 'cluster_subnet=%s' % free_subnet(CLUSTER_SUBNET),
                     '-e', 'cluster_pod_subnet=%s' % POD_SUBNET, '-e', 'cluster_provision=false']
        proc = subprocess.run(argv, capture_output=True, text=True, env=ansible_env(), cwd=self.workdir, timeout=900,
                              check=False)
        assert proc.returncode == 0 or state == 'absent', proc.stdout[-4000:] + proc.stderr[-2000:]

    def install_command(self):
        """The hostpods command on the node, as the node role's tools.yml installs it (library and launcher)."""
        root = ROOT
        docker('exec', self.node, 'mkdir', '-p', LIBRARY)
        tar = subprocess.run('tar -C %s -cf - --exclude=__pycache__ plugins/module_utils | docker exec -i %s tar -C %s -xf -'
                             % (root, self.node, LIBRARY), shell=True, capture_output=True, text=True, check=False)
        assert tar.returncode == 0, tar.stderr
        docker('cp', os.path.join(root, 'roles', 'node', 'files', 'hostpods'), '%s:/usr/local/bin/hostpods' % self.node)

    def on_node(self, *args):
        """``hostpods ARGS`` run on the node itself (where writes belong)."""
        proc = subprocess.run(['docker', 'exec', self.node, 'hostpods'] + list(args), capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr[-3000:])
        return proc.stdout

    def there(self, *args):
        """``hostpods --docker-host tcp://... ARGS`` from this machine."""
        return hostpods('--docker-host', self.proxy.url, *args)

    def engine_containers(self):
        return docker('-H', self.proxy.url, 'ps', '-a', '--filter', 'label=io.kubernetes.pod.namespace=%s' % self.namespace,
                      '--format', '{{.Names}}').split()


@pytest.fixture(scope='module')
def remote(tmp_path_factory):
    made = Remote(str(tmp_path_factory.mktemp('remote')))
    try:
        made.cluster('present')
        made.install_command()
        pid = docker('inspect', '--format', '{{.State.Pid}}', made.node)
        made.proxy = Proxy('/proc/%s/root/run/docker.sock' % pid)  # /var/run is a link the kernel resolves here
        made.on_node('run', 'web', '-n', made.namespace, '--image=%s' % BUSYBOX, '--sandbox-image=%s' % PAUSE,
                     '--port=80', '--labels=app=web', '--command', '--', 'sh', '-c', 'echo started; ' + HTTPD)
        yield made
    finally:
        if made.proxy:
            made.proxy.close()
        made.cluster('absent')
        cleanup(made.namespace)


def test_reads_see_the_other_engines_pods_and_node(remote):
    ns, url = remote.namespace, remote.proxy.url
    assert remote.engine_containers() and {name.split('_')[1] for name in remote.engine_containers()} == {'POD', 'web'}
    assert docker('ps', '-a', '--filter', 'label=io.kubernetes.pod.namespace=%s' % ns, '--format', '{{.Names}}') == ''
    assert docker('-H', url, 'info', '--format', '{{.Name}}') == remote.node != socket.gethostname()
    # get pods: the table, -o wide with the node's name, -o json; DOCKER_HOST as well as --docker-host
    code, out, err = remote.there('get', 'pods', '-n', ns)
    assert code == 0, err
    assert [line.split()[:3] for line in out.splitlines()] == [['NAME', 'READY', 'STATUS'], ['web', '1/1', 'Running']]
    _code, out, _err = remote.there('get', 'pods', '-n', ns, '-o', 'wide')
    row = out.splitlines()[1].split()
    assert row[0] == 'web' and row[6] == remote.node and row[5].startswith('10.239.')
    _code, out, _err = hostpods('get', 'pods', '-n', ns, '-o', 'json', check=0, DOCKER_HOST=url)
    [obj] = json.loads(out)['items']
    assert (obj['spec']['nodeName'], obj['metadata']['labels'], obj['status']['phase']) == (remote.node, {'app': 'web'}, 'Running')
    # this machine's engine and records know nothing of it
    assert hostpods('get', 'pods', '-n', ns, check=0)[2] == 'No resources found in %s namespace.\n' % ns
    # describe, logs, exec (its exit code passed on), top
    _code, out, _err = remote.there('describe', 'pod', 'web', '-n', ns)
    assert 'Node:         %s/' % remote.node in out and 'Status:       Running' in out
    assert remote.there('logs', 'web', '-n', ns) == (0, 'started\n', '')
    code, out, err = remote.there('exec', 'web', '-n', ns, '--', 'sh', '-c', 'hostname; wget -qO- 127.0.0.1:80; exit 3')
    assert (code, out, err) == (3, 'web\nhello from web\n', 'command terminated with exit code 3\n')
    code, out, err = remote.there('top', 'pod', '-n', ns)
    assert code == 0 and out.splitlines()[0].split() == ['NAME', 'CPU(cores)', 'MEMORY(bytes)'], err
    assert out.splitlines()[1].split()[0] == 'web'


def test_writes_are_refused_before_anything_is_touched(remote, tmp_path):
    ns, url = remote.namespace, remote.proxy.url
    refused = REFUSED % ('%s', url, remote.node, socket.gethostname())
    other = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'other', 'namespace': ns},
             'spec': {'containers': [{'name': 'app', 'image': BUSYBOX, 'command': ['sleep', '3600']}]}}
    path = write_manifest(tmp_path, 'other.yaml', other)
    before = remote.engine_containers()
    for args in (('apply', '-f', path, '--sandbox-image', PAUSE), ('apply', '-f', path, '--dry-run=server'),
                 ('delete', 'pod', 'web', '-n', ns, '--now'), ('delete', '-f', path)):
        code, out, err = remote.there(*args)
        verb = args[0]
        assert (code, out) == (1, ''), (args, out, err)
        assert err.startswith(refused % ('%s pods' % verb)) and 'live on the node that runs it: %s there' % verb in err, err
    code, out, err = remote.there('port-forward', 'pod/web', '-n', ns, ':80')
    assert (code, out) == (1, '') and err.startswith(refused % 'forward ports') and "on that node's bridge" in err
    # nothing changed there, nothing was made here (no container, no record of this machine's agent to run)
    assert remote.engine_containers() == before
    assert docker('ps', '-a', '--filter', 'label=io.kubernetes.pod.namespace=%s' % ns, '--format', '{{.Names}}') == ''
    assert hostpods('get', 'pods', '-n', ns, check=0)[2] == 'No resources found in %s namespace.\n' % ns
    # on the node itself the same delete works, and the engine over TCP sees it done
    assert remote.on_node('delete', 'pod', 'web', '-n', ns, '--now') == 'pod "web" deleted\n'
    assert remote.engine_containers() == []
    remote.on_node('run', 'web', '-n', ns, '--image=%s' % BUSYBOX, '--sandbox-image=%s' % PAUSE, '--port=80',
                   '--labels=app=web', '--command', '--', 'sh', '-c', 'echo started; ' + HTTPD)


def test_modules_with_docker_host_read_there_and_refuse_to_reconcile(remote, tmp_path):
    ns, url = remote.namespace, remote.proxy.url
    runner = Pods(str(tmp_path), ns)
    other = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'other', 'namespace': ns},
             'spec': {'containers': [{'name': 'app', 'image': BUSYBOX, 'command': ['sleep', '3600']}]}}
    before = remote.engine_containers()
    checked, applied, deleted, info = runner.play(
        ('hostpods.core.pod', {'definition': other, 'docker_host': url}, {'check_mode': True}),
        ('hostpods.core.pod', {'definition': other, 'docker_host': url, 'sandbox_image': PAUSE}),
        ('hostpods.core.pod', {'definition': other, 'docker_host': url, 'state': 'absent'}),
        ('hostpods.core.pod_info', {'namespace': ns, 'docker_host': url}))
    for result, verb in ((checked, 'apply'), (applied, 'apply'), (deleted, 'delete')):
        assert result['failed'] and result['changed'] is False, result
        assert result['msg'].startswith(REFUSED[len('error: '):] % ('%s pods' % verb, url, remote.node, socket.gethostname()))
    assert remote.engine_containers() == before
    assert docker('ps', '-a', '--filter', 'label=io.kubernetes.pod.namespace=%s' % ns, '--format', '{{.Names}}') == ''
    assert not info.get('failed'), info.get('msg')
    assert [(row['name'], row['status'], row['node']) for row in info['rows']] == [('web', 'Running', remote.node)]
    assert info['pods'][0]['spec']['nodeName'] == remote.node and info['node']['name'] == remote.node
    assert info['agent']['running'] is None and remote.node in info['agent']['msg'] and not info.get('warnings')
