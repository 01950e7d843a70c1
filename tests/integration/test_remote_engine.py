"""The hostpods command and the modules against ANOTHER machine's Docker engine (``--docker-host``, ``DOCKER_HOST``,
the modules' ``docker_host``), for real: one node container of the cluster role (its own dockerd), reached over TCP
through a small proxy to its socket, so ``tcp://127.0.0.1:PORT`` is a genuine engine of another host.

Reads work from here and see that node (its name in NODE and ``spec.nodeName``, its containers' logs, execs and
statistics). The command's writes (apply, delete, diff) run the node's own ``hostpods`` there, through its engine
(a helper container in the node's namespaces), and port-forward relays each connection through a helper in the pod
there. The module's reconcile through ``docker_host`` is refused before anything is touched: a pod's files and its
record for the node agent live on the node that runs it."""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import urllib.request
import uuid

import pytest

from harness import BIN, BUSYBOX, PAUSE, Pods, ansible_env, cleanup, docker, free_subnet, new_prefix, wait_until
from hostpods_paths import ROOT
from test_cli import HTTPD, hostpods, read_until, started, write_manifest

from ansible_collections.hostpods.core.plugins.module_utils._spec.naming import VERSION

CLUSTER_SUBNET = '10.213.45.0/24'   # no other test prefers it (another free /24 if a network has it)
POD_SUBNET = '10.239.0.0/16'   # the node's pods: 10.239.1.x
LIBRARY_ROOT = '/usr/local/lib/hostpods'
LIBRARY = LIBRARY_ROOT + '/ansible_collections/hostpods/core'
YAML_DIR = '/usr/lib/python3/dist-packages'  # python3-yaml of this machine
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
        """The hostpods command on the node, as the node role's tools.yml installs it (library and launcher, and
        PyYAML, which the node image lacks: this machine's, for the same Debian python3, beside the library)."""
        root = ROOT
        docker('exec', self.node, 'mkdir', '-p', LIBRARY)
        for source, what, target in ((root, 'plugins/module_utils', LIBRARY), (YAML_DIR, 'yaml', LIBRARY_ROOT)):
            tar = subprocess.run('tar -C %s -cf - --exclude=__pycache__ %s | docker exec -i %s tar -C %s -xf -'
                                 % (source, what, self.node, target), shell=True, capture_output=True, text=True,
                                 check=False)
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

    def helpers(self):
        """The helper containers of ``hostpods --docker-host`` on the node."""
        return docker('-H', self.proxy.url, 'ps', '-a', '--filter', 'label=io.hostpods.node-shell', '--format',
                      '{{.Names}}').split()

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


def test_writes_run_the_nodes_own_command_there(remote, tmp_path):
    ns = remote.namespace
    other = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'other', 'namespace': ns},
             'spec': {'terminationGracePeriodSeconds': 1,
                      'containers': [{'name': 'app', 'image': BUSYBOX, 'command': ['sleep', '3600']}]}}
    path = write_manifest(tmp_path, 'other.yaml', other)
    # diff: the whole pod to come (exit 1), a server dry run changes nothing
    code, out, err = remote.there('diff', '-f', path, '--sandbox-image', PAUSE)
    assert code == 1 and 'diff -u -N LIVE/v1.Pod.%s.other MERGED/v1.Pod.%s.other' % (ns, ns) in out, (out, err)
    assert remote.there('apply', '-f', path, '--sandbox-image=%s' % PAUSE, '--dry-run=server') == (
        0, 'pod/other created (server dry run)\n', '')
    assert 'other' not in {name.split('_')[2] for name in remote.engine_containers()}
    # apply: made ON THAT NODE by its own command (its record for its agent there), nothing here
    assert remote.there('apply', '-f', str(tmp_path), '-R', '--sandbox-image', PAUSE) == (0, 'pod/other created\n', '')
    assert {name.split('_')[1] for name in remote.engine_containers() if name.split('_')[2] == 'other'} == {'POD', 'app'}
    assert docker('ps', '-a', '--filter', 'label=io.kubernetes.pod.namespace=%s' % ns, '--format', '{{.Names}}') == ''
    uid = json.loads(remote.on_node('get', 'pod', 'other', '-n', ns, '-o', 'json'))['metadata']['uid']
    docker('exec', remote.node, 'test', '-f', '/var/lib/hostpods/pods/%s/pod.json' % uid)
    assert remote.there('apply', '-f', path, '--sandbox-image', PAUSE) == (0, 'pod/other unchanged\n', '')
    assert remote.there('diff', '-f', path, '--sandbox-image', PAUSE) == (0, '', '')
    # the node's errors and exit codes come back unchanged; options are passed as given (-n, --grace-period)
    bad = write_manifest(tmp_path, 'bad.yaml', dict(other, spec={'containers': [{'name': 'app'}]}))
    code, out, err = remote.there('apply', '-f', bad)   # checked here first, as a local run: the error names the file
    assert (code, out) == (1, '') and err.startswith('error: ') and 'image' in err and bad in err, err
    assert 'STDIN' not in err, err   # (the node would name its input)
    code, out, err = remote.there('delete', 'pod', 'nothere', '-n', ns)
    assert (code, out, err) == (1, '', 'Error from server (NotFound): pods "nothere" not found\n')
    assert remote.there('delete', 'pod', 'other', '-n', ns, '--grace-period', '1') == (0, 'pod "other" deleted\n', '')
    assert {name.split('_')[2] for name in remote.engine_containers()} == {'web'}
    # run: its options and the arguments after -- reach the node's command as given
    assert remote.there('run', 'tiny', '-n', ns, '--image=%s' % BUSYBOX, '--sandbox-image=%s' % PAUSE, '--labels=a=b,c=d',
                        '--command', '--', 'sh', '-c', 'echo "one two" > /tmp/said; sleep 3600') == \
        (0, 'pod/tiny created\n', '')
    tiny = json.loads(remote.on_node('get', 'pod', 'tiny', '-n', ns, '-o', 'json'))
    assert tiny['metadata']['labels'] == {'a': 'b', 'c': 'd'} and tiny['spec']['containers'][0]['command'] == [
        'sh', '-c', 'echo "one two" > /tmp/said; sleep 3600'], tiny
    assert remote.there('delete', 'pod', 'tiny', '-n', ns, '--now') == (0, 'pod "tiny" deleted\n', '')
    assert remote.helpers() == []  # each helper removed


def test_writes_need_the_nodes_command_of_this_version(remote, tmp_path):
    launcher = '/usr/local/bin/hostpods'
    docker('exec', remote.node, 'mv', launcher, launcher + '.away')
    try:
        code, out, err = remote.there('delete', 'pod', 'web', '-n', remote.namespace)
    finally:
        docker('exec', remote.node, 'mv', launcher + '.away', launcher)
    assert (code, out) == (1, '') and err == (
        'error: the hostpods command on the node %s is missing or not of version %s (this one\'s): run the '
        'hostpods.core.node role on %s (found: missing)\n' % (remote.node, VERSION, remote.node))
    assert {name.split('_')[2] for name in remote.engine_containers()} == {'web'}


def test_port_forward_relays_through_the_node(remote):
    forwarder = started(['--docker-host', remote.proxy.url, 'port-forward', 'pod/web', '-n', remote.namespace, ':80'])
    try:
        out = read_until(forwarder.stdout, r'Forwarding from 127\.0\.0\.1:\d+ -> 80\n')
        port = int(re.search(r'Forwarding from 127\.0\.0\.1:(\d+) -> 80\n', out).group(1))
        for _time in range(2):  # each connection its own relay
            with urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=30) as answer:
                assert answer.read().decode() == 'hello from web\n'
        assert read_until(forwarder.stdout, r'Handling connection for %d\n' % port)
    finally:
        forwarder.send_signal(signal.SIGINT)
        assert forwarder.wait(30) == 0
    assert wait_until(lambda: not remote.helpers(), 30)  # each relay's helper removed


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
