"""Pods as Ansible hosts (issue 14 item 3), with real pods: the hostpods.core.pods inventory lists them with
their groups and variables, and the hostpods.core.pod connection runs raw commands, scripts and modules in
their containers and moves files in and out, on this machine's engine and on the nodes of a
hostpods.core.cluster cluster (through the node containers).

This machine's pods carry a label with the test's prefix, and every inventory here selects it: other pods
on the engine (other tests') stay out. The Python pod runs the node image (Debian with python3), the only
local image with Python. The cluster (three nodes, about a minute to make) is made once, for the cluster
tests only.
"""

import ipaddress
import json
import os
import subprocess
import sys
import uuid

import pytest
import yaml

from ansible_collections.hostpods.core.plugins.connection import pod as pod_connection

from harness import BIN, BUSYBOX, PAUSE, Pods, ansible_env, cleanup, docker, free_subnet, new_prefix, ok, pod, sleeper
from plugin_loading import load

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TEST_LABEL = 'hostpods.io/test'
CLUSTER_SUBNET = '10.213.44.0/24'   # no other test uses it (else a free /24 beside it)
POD_SUBNET = '10.157.0.0/16'        # node N's pods get 10.157.N.0/24


def run(argv, cwd, env=None, timeout=600):
    proc = subprocess.run(argv, capture_output=True, text=True, env=env or ansible_env(), cwd=cwd, timeout=timeout,
                          check=False)
    return proc.returncode, proc.stdout, proc.stderr


def plain(value):
    """``ansible-inventory --list`` output without its ``__ansible_unsafe`` wrappers."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class Sources:
    """Inventory sources written in a work directory, and the ansible commands run against them."""

    def __init__(self, workdir):
        self.workdir = workdir

    def source(self, name, **config):
        path = os.path.join(self.workdir, '%s.hostpods.yml' % name)
        with open(path, 'w') as handle:
            yaml.safe_dump(dict({'plugin': 'hostpods.core.pods'}, **config), handle)
        return path

    def listing(self, *sources, warnings=False):
        """``{'hosts': {name: vars}, 'groups': {group: sorted hosts}}`` of ``ansible-inventory --list`` (and its
        standard error with ``warnings``; without, there must be none)."""
        argv = [os.path.join(BIN, 'ansible-inventory'), '--list']
        for source in sources:
            argv += ['-i', source]
        code, out, err = run(argv, self.workdir)
        assert code == 0, err[-3000:]
        assert warnings or 'WARNING' not in err, err
        data = plain(json.loads(out))
        groups = {name: sorted(body.get('hosts') or []) for name, body in data.items() if name != '_meta'}
        listed = {'hosts': data['_meta']['hostvars'], 'groups': {k: v for k, v in groups.items() if v}}
        return (listed, ' '.join(err.split())) if warnings else listed

    def ansible(self, sources, pattern, module, args):
        """``ansible <pattern> -m module -a args``: ``(rc, {host: result})``, each result with its ``status``
        (the callback of the tests records them)."""
        record = os.path.join(self.workdir, 'record-%s.json' % uuid.uuid4().hex[:6])
        argv = [os.path.join(BIN, 'ansible'), pattern, '-m', module, '-a', args]
        for source in sources:
            argv += ['-i', source]
        env = ansible_env()
        env.update({'ANSIBLE_LOAD_CALLBACK_PLUGINS': '1', 'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
                    'ANSIBLE_CALLBACKS_ENABLED': 'hostpods_record', 'HOSTPODS_RECORD': record})
        code, out, err = run(argv, self.workdir, env=env)
        assert os.path.exists(record), out[-3000:] + err[-3000:]
        with open(record) as handle:
            return code, {item['host']: dict(item['result'], status=item['status']) for item in json.load(handle)}

    def playbook(self, sources, plays):
        path = os.path.join(self.workdir, 'play-%s.yml' % uuid.uuid4().hex[:6])
        with open(path, 'w') as handle:
            yaml.safe_dump(plays, handle, sort_keys=False)
        argv = [os.path.join(BIN, 'ansible-playbook'), path]
        for source in sources:
            argv += ['-i', source]
        return run(argv, self.workdir)


def node_image():
    """The node image (Debian with python3), built or found as the cluster role finds it (cached)."""
    code, out, err = run(['bash', os.path.join(ROOT, 'scripts', 'build-node-image.sh')], ROOT, env=dict(os.environ),
                         timeout=1800)
    assert code == 0, err[-3000:]
    return dict(part.split('=', 1) for part in out.strip().splitlines()[-1].split())['HOSTPODS_NODE_IMAGE']


def who(name, **extra):
    """A busybox sleeper that knows its container's name ($WHO)."""
    return sleeper(name, env=[{'name': 'WHO', 'value': name}], **extra)


# ---------------------------------------------------------------------------------------------- this machine

@pytest.fixture(scope='module')
def local(tmp_path_factory):
    """Three pods on this machine's engine: web (two app containers and a sidecar) and a finished job in
    default, a Python pod in the namespace <prefix>-ns."""
    prefix = new_prefix()
    workdir = str(tmp_path_factory.mktemp('pod-hosts'))
    runner = Pods(workdir, prefix)
    labels = {TEST_LABEL: prefix}
    web = pod(runner.name('web'), [who('main'), who('log')], initContainers=[who('proxy', restartPolicy='Always')],
              labels=dict(labels, app='web', **{'app.kubernetes.io/part-of': 'shop'}), terminationGracePeriodSeconds=1)
    job = pod(runner.name('job'), [{'name': 'job', 'image': BUSYBOX, 'command': ['true']}], restartPolicy='Never',
              labels=dict(labels, app='job'))
    python = pod(runner.name('py'), [{'name': 'py', 'image': node_image(), 'imagePullPolicy': 'Never',
                                      'command': ['sleep', 'infinity']}],
                 namespace='%s-ns' % prefix, labels=dict(labels, app='py'), terminationGracePeriodSeconds=1)
    try:
        [applied] = runner.play(('hostpods.core.pod', {'definition': [web, job, python], 'wait': True, 'wait_timeout': 120}))
        ok(applied)
        yield {'prefix': prefix, 'sources': Sources(workdir), 'pods': {p['metadata']['name']: p for p in applied['pods']},
               'selector': ['%s=%s' % (TEST_LABEL, prefix)]}
    finally:
        # The node image declares a volume: its containers have anonymous volumes, which go with them here.
        ids = docker('ps', '-aq', '--filter', 'label=io.kubernetes.pod.name=%s' % runner.name('py')).split()
        volumes = docker('inspect', '--format', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}',
                         *ids).split() if ids else []
        cleanup(prefix)
        for volume in volumes:
            docker('volume', 'rm', '-f', volume, check=False)


def test_inventory_lists_pods_with_groups_and_variables(local):
    prefix, sources = local['prefix'], local['sources']
    web, job, python = (local['pods']['%s-%s' % (prefix, name)] for name in ('web', 'job', 'py'))
    node = web['spec']['nodeName']
    path = sources.source('local', label_selectors=local['selector'], compose={'pod_ip': 'hostpods_pod.ip'},
                          keyed_groups=[{'key': 'hostpods_pod.phase', 'prefix': 'phase'},
                                        {'key': 'hostpods_pod.labels.app', 'prefix': 'app'}])
    listed = sources.listing(path)
    names = {'web': 'default/%s-web' % prefix, 'job': 'default/%s-job' % prefix, 'py': '%s-ns/%s-py' % (prefix, prefix)}
    assert sorted(listed['hosts']) == sorted(names.values())
    groups, safe_ns = listed['groups'], '%s_ns' % prefix
    assert groups['hostpods_pods'] == sorted(names.values())
    assert groups['namespace_default'] == sorted([names['web'], names['job']])
    assert groups['namespace_%s' % safe_ns] == [names['py']]
    assert groups['node_%s' % node.replace('-', '_').replace('.', '_')] == sorted(names.values())
    assert groups['label_app_web'] == groups['app_web'] == [names['web']]
    assert groups['label_app_kubernetes_io_part_of_shop'] == [names['web']]
    assert groups['phase_Running'] == sorted([names['web'], names['py']])
    assert groups['phase_Succeeded'] == [names['job']]

    variables = listed['hosts'][names['web']]
    assert variables['ansible_connection'] == 'hostpods.core.pod'
    assert (variables['ansible_hostpods_pod'], variables['ansible_hostpods_namespace']) == ('%s-web' % prefix, 'default')
    facts = variables['hostpods_pod']
    sandbox_ip = docker('inspect', '--format', '{{.NetworkSettings.IPAddress}}',
                        docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.uid=%s' % web['metadata']['uid'],
                               '--filter', 'label=io.kubernetes.container.name=POD'))
    assert facts['ip'] == variables['pod_ip'] == sandbox_ip == web['status']['podIP']
    assert (facts['node'], facts['uid'], facts['phase'], facts['ready'], facts['status']) == (
        node, web['metadata']['uid'], 'Running', True, 'Running')
    assert (facts['containers'], facts['init_containers']) == (['main', 'log'], ['proxy'])
    job_facts = listed['hosts'][names['job']]['hostpods_pod']
    assert (job_facts['phase'], job_facts['ready'], job_facts['status']) == ('Succeeded', False, 'Completed')
    assert listed['hosts'][names['py']]['hostpods_pod']['namespace'] == '%s-ns' % prefix

    # One host a container (app containers, then sidecars), in one namespace.
    per_container = sources.listing(sources.source('containers', label_selectors=local['selector'], containers=True,
                                                   namespaces=['default']))
    web_hosts = ['%s/%s' % (names['web'], name) for name in ('main', 'log', 'proxy')]
    assert sorted(per_container['hosts']) == sorted(web_hosts + ['%s/job' % names['job']])
    assert per_container['groups']['container_proxy'] == [web_hosts[2]]
    proxy = per_container['hosts'][web_hosts[2]]
    assert proxy['ansible_hostpods_pod_container'] == 'proxy'
    assert proxy['hostpods_container'] == {'name': 'proxy', 'image': BUSYBOX, 'init': True, 'ready': True,
                                           'restart_count': 0, 'state': 'running'}


def test_a_node_that_cannot_be_read_and_twice_the_same_pods(local):
    """A node that cannot be read is left out with a warning; a host name made twice (here: this engine listed
    twice) keeps the first pod, with a warning; with no node to read, the source fails."""
    prefix, sources = local['prefix'], local['sources']
    source = sources.source('partial', label_selectors=local['selector'], namespaces=['default'],
                            nodes=[{}, {'container': '%s-missing' % prefix}, {}])
    listed, err = sources.listing(source, warnings=True)
    assert sorted(listed['hosts']) == ['default/%s-job' % prefix, 'default/%s-web' % prefix]
    assert 'node %s-missing left out: cannot run python3 in node container %s-missing (rc 1): Error' % (prefix, prefix) in err
    assert 'host default/%s-web is a pod of node' % prefix in err and 'add {node} to host_format' in err
    failing = sources.source('failing', nodes=[{'container': '%s-missing' % prefix}])
    code, out, err = run([os.path.join(BIN, 'ansible-inventory'), '--list', '-i', failing], sources.workdir)
    assert 'hostpods.core.pods: no node could be read: %s-missing: cannot run python3' % prefix in ' '.join(err.split())
    code, out, err = run([os.path.join(BIN, 'ansible-inventory'), '--list', '-i',
                          sources.source('bad', label_selectors=['a b'])], sources.workdir)
    assert 'hostpods.core.pods: invalid label selector "a b"' in ' '.join(err.split())


def test_raw_and_script_in_busybox_containers(local, tmp_path):
    prefix, sources = local['prefix'], local['sources']
    pods = sources.source('raw', label_selectors=local['selector'])
    containers = sources.source('raw-containers', label_selectors=local['selector'], containers=True)
    web = 'default/%s-web' % prefix

    # A pod host runs in kubectl's default container (the first); a container host in its container.
    code, results = sources.ansible([pods], web, 'ansible.builtin.raw', 'echo "$WHO $(hostname)"')
    assert code == 0 and results[web]['stdout'].strip() == 'main %s-web' % prefix, results
    code, results = sources.ansible([containers], '%s/*' % web, 'ansible.builtin.raw', 'echo $WHO')
    assert code == 0, results
    assert {host: result['stdout'].strip() for host, result in results.items()} == {
        '%s/main' % web: 'main', '%s/log' % web: 'log', '%s/proxy' % web: 'proxy'}

    # script: put through the connection, then run, without Python in the container.
    script = tmp_path / 'report.sh'
    script.write_text('#!/bin/sh\necho "script in $WHO: $1"\n')
    code, results = sources.ansible([containers], '%s/log' % web, 'ansible.builtin.script', '%s argument' % script)
    assert code == 0 and results['%s/log' % web]['stdout'].strip() == 'script in log: argument', results

    # A finished pod cannot run anything: unreachable, not failed.
    job = 'default/%s-job' % prefix
    code, results = sources.ansible([pods], job, 'ansible.builtin.raw', 'true')
    assert code == 4 and results[job]['status'] == 'unreachable', results
    assert 'cannot exec in a container that is not running: container job of pod %s-job' % prefix in results[job]['msg']


def test_modules_copy_template_fetch_and_facts_with_python(local, tmp_path):
    prefix, sources = local['prefix'], local['sources']
    host = '%s-ns/%s-py' % (prefix, prefix)
    source = sources.source('python', label_selectors=local['selector'], namespaces=['%s-ns' % prefix])
    (tmp_path / 'motd.j2').write_text('pod {{ hostpods_pod.name }} at {{ hostpods_pod.ip }} on {{ ansible_hostname }}\n')
    fetched = tmp_path / 'fetched'
    report = tmp_path / 'report.json'
    code, out, err = sources.playbook([source], [{
        'hosts': host, 'gather_facts': True, 'gather_subset': ['min'], 'vars': {'ansible_python_interpreter': 'auto_silent'},
        'tasks': [
            {'ansible.builtin.copy': {'content': 'hello from the controller\n', 'dest': '/srv/hello.txt', 'mode': '0640'}},
            {'ansible.builtin.template': {'src': str(tmp_path / 'motd.j2'), 'dest': '/srv/motd'}},
            {'ansible.builtin.command': 'cat /srv/hello.txt /srv/motd', 'register': 'shown', 'changed_when': False},
            {'ansible.builtin.stat': {'path': '/srv/hello.txt'}, 'register': 'hello'},
            {'ansible.builtin.fetch': {'src': '/srv/motd', 'dest': '%s/' % fetched, 'flat': True}},
            {'ansible.builtin.copy': {'content': '{{ {"shown": shown.stdout_lines, "mode": hello.stat.mode, '
                                                 '"hostname": ansible_hostname, "python": ansible_python_version} '
                                                 '| to_json }}',
                                      'dest': str(report)}, 'delegate_to': 'localhost', 'vars': {
                                          'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}},
        ]}])
    assert code == 0, out[-4000:] + err[-3000:]
    result = json.loads(report.read_text())
    python = json.loads(docker('inspect', '--format', '{{json .NetworkSettings.IPAddress}}',
                               docker('ps', '-q', '--filter', 'label=io.kubernetes.pod.name=%s-py' % prefix,
                                      '--filter', 'label=io.kubernetes.container.name=POD')))
    motd = 'pod %s-py at %s on %s-py' % (prefix, python, prefix)
    assert result['shown'] == ['hello from the controller', motd]
    assert result['mode'] == '0640' and result['hostname'] == '%s-py' % prefix and result['python'].startswith('3.')
    assert (fetched / 'motd').read_text() == motd + '\n'
    # The second run changes nothing (copy and template compare checksums through the connection).
    code, out, err = sources.playbook([source], [{'hosts': host, 'gather_facts': False, 'vars': {
        'ansible_python_interpreter': '/usr/bin/python3'}, 'tasks': [
        {'ansible.builtin.copy': {'content': 'hello from the controller\n', 'dest': '/srv/hello.txt', 'mode': '0640'}}]}])
    assert code == 0 and 'changed=0' in out, out[-3000:]


# ---------------------------------------------------------------------------------------------- a cluster

@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    """A three-node cluster; pod "a" on node1 and pod "b" on node3 (node2 runs none)."""
    name = 'pinv%s' % uuid.uuid4().hex[:6]
    workdir = str(tmp_path_factory.mktemp('pod-hosts-cluster'))
    inventory = os.path.join(workdir, 'inventory', 'inventory.yml')
    nodes = ['hostpods-%s-node%d' % (name, index) for index in (1, 2, 3)]
    subnet = free_subnet(CLUSTER_SUBNET)  # another free /24 when a network of the engine holds this one

    def cluster_playbook(state):
        return run([os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.cluster', '-e', 'cluster_state=%s' % state,
                    '-e', 'cluster_name=%s' % name, '-e', 'cluster_nodes=3', '-e', 'cluster_subnet=%s' % subnet,
                    '-e', 'cluster_pod_subnet=%s' % POD_SUBNET, '-e', 'cluster_inventory_dir=%s' % os.path.dirname(inventory)],
                   workdir, timeout=900)

    try:
        code, out, err = cluster_playbook('present')
        assert code == 0, out[-4000:] + err[-4000:]
        manifests = os.path.join(workdir, 'manifests')
        os.makedirs(manifests)
        for pod_name, node in (('a', nodes[0]), ('b', nodes[2])):
            with open(os.path.join(manifests, '%s.yaml' % pod_name), 'w') as handle:
                yaml.safe_dump(pod(pod_name, [who('main')], nodeName=node, labels={'app': 'demo'},
                                   terminationGracePeriodSeconds=1), handle)
        code, out, err = run([os.path.join(BIN, 'ansible-playbook'), '-i', inventory, 'hostpods.core.apply',
                              '-e', 'nodes=hostpods_nodes', '-e', 'manifests=%s' % manifests, '-e', 'sandbox_image=%s' % PAUSE],
                             workdir)
        assert code == 0, out[-4000:] + err[-3000:]
        yield {'name': name, 'nodes': nodes, 'inventory': inventory, 'sources': Sources(workdir), 'subnet': subnet}
    finally:
        cluster_playbook('absent')


def test_cluster_pods_as_hosts(cluster, tmp_path):
    sources, (node1, node2, node3) = cluster['sources'], cluster['nodes']
    pods = sources.source('cluster', cluster=cluster['name'])
    listed = sources.listing(pods)
    assert sorted(listed['hosts']) == ['default/a', 'default/b']
    groups = listed['groups']
    assert groups['node_%s' % node1.replace('-', '_')] == ['default/a']
    assert groups['node_%s' % node3.replace('-', '_')] == ['default/b']
    assert 'node_%s' % node2.replace('-', '_') not in groups
    assert groups['label_app_demo'] == ['default/a', 'default/b']
    a, b = listed['hosts']['default/a'], listed['hosts']['default/b']
    assert (a['ansible_hostpods_node_container'], b['ansible_hostpods_node_container']) == (node1, node3)
    assert a['hostpods_pod']['ip'].startswith('10.157.1.') and b['hostpods_pod']['ip'].startswith('10.157.3.')
    # hostIP: the node's address on the cluster network (network + 1 + N), from the facts the node role wrote.
    node1_address = str(ipaddress.ip_network(cluster['subnet']).network_address + 2)
    assert (a['hostpods_pod']['node'], a['hostpods_pod']['host_ip'], a['hostpods_pod']['phase']) == (
        node1, node1_address, 'Running')
    # Explicit nodes: the same pods.
    explicit = sources.listing(sources.source('explicit', nodes=[{'container': node1}, {'container': node3}]))
    assert sorted(explicit['hosts']) == ['default/a', 'default/b']

    # The nodes' inventory and the pods' in one: nodes and pods answer in one run.
    code, results = sources.ansible([cluster['inventory'], pods], 'hostpods_nodes:hostpods_pods', 'ansible.builtin.raw',
                                    'echo "$(hostname) ${WHO:-node}"')
    assert code == 0, results
    assert {host: result['stdout'].strip() for host, result in results.items()} == {
        node1: '%s node' % node1, node2: '%s node' % node2, node3: '%s node' % node3,
        'default/a': 'a main', 'default/b': 'b main'}

    # A script goes in through the node container; a file comes back out the same way.
    script = tmp_path / 'mark.sh'
    script.write_text('#!/bin/sh\necho "written in $(hostname)" > /tmp/mark\n')
    code, results = sources.ansible([pods], 'default/b', 'ansible.builtin.script', str(script))
    assert code == 0, results
    conn = load(pod_connection, remote_addr='default/b', node_container=node3)
    conn.fetch_file('/tmp/mark', str(tmp_path / 'mark'))
    assert (tmp_path / 'mark').read_text() == 'written in b\n'
    assert docker('exec', node1, 'docker', 'ps', '-q', '--filter', 'label=io.kubernetes.pod.name=b') == ''
