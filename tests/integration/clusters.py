"""A 3-node cluster of the cluster role for scheduling tests, and the hostpods.core.apply playbook run against it
(shared by test_scheduling.py and test_scheduling_pods.py; each module makes its own cluster, on its own subnets);
kube-scheduler's messages, for test_scheduling_node.py too."""

import json
import os
import subprocess

import yaml

from harness import BIN, PAUSE, ansible_env, docker, free_subnet

HERE = os.path.dirname(os.path.abspath(__file__))
GI = 1024 ** 3
HOST = 'kubernetes.io/hostname'
# kube-scheduler's words, as the tests of scheduling expect them in a pod's message (see message())
NOT_HELPFUL = 'Preemption is not helpful for scheduling'
NO_VICTIMS = 'No preemption victims found for incoming pod'
NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
ANTI = "node(s) didn't match pod anti-affinity rules"
GATED = 'Scheduling is blocked due to non-empty scheduling gates'


def run(argv, env=None, cwd=None, timeout=900):
    proc = subprocess.run(argv, capture_output=True, text=True, env=env or ansible_env(), cwd=cwd, timeout=timeout,
                          check=False)
    return proc.returncode, proc.stdout, proc.stderr


class Cluster:
    """A cluster of the cluster role and the playbook runs against it. ``subnet`` is the nodes' network,
    ``pod_subnet`` a /16 whose /24 number N is node N's pod CIDR."""

    def __init__(self, name, workdir, subnet, pod_subnet):
        self.name = name
        self.workdir = workdir
        self.subnet = free_subnet(subnet)   # another free /24 when a network of the engine holds this one
        self.pod_subnet = pod_subnet
        self.inventory = os.path.join(workdir, 'inventory', 'inventory.yml')
        self.nodes = ['hostpods-%s-node%d' % (name, index) for index in (1, 2, 3)]
        self.runs = 0

    def pod_cidr(self, index):
        return '%s.%d.0/24' % ('.'.join(self.pod_subnet.split('.')[:2]), index)

    def cluster_playbook(self, state):
        return run([os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.cluster', '-e', 'cluster_state=%s' % state,
                    '-e', 'cluster_name=%s' % self.name, '-e', 'cluster_nodes=3', '-e', 'cluster_subnet=%s' % self.subnet,
                    '-e', 'cluster_pod_subnet=%s' % self.pod_subnet,
                    '-e', 'cluster_inventory_dir=%s' % os.path.dirname(self.inventory)], cwd=self.workdir)

    def write_facts(self, index, labels, taints=(), cpu='1000m', memory=GI, **extra):
        """Node ``index``'s facts: its labels, taints and allocatable (``extra``: more resources, such as
        ``{'example.com/dongle': '2'}`` given as keyword arguments through a dict)."""
        name = self.nodes[index - 1]
        facts = {'name': name, 'labels': dict(labels, **{'kubernetes.io/hostname': name}), 'taints': list(taints),
                 'allocatable': dict({'cpu': cpu, 'memory': str(memory), 'pods': '110'}, **extra),
                 'podCIDR': self.pod_cidr(index)}
        proc = subprocess.run(['docker', 'exec', '-i', name, 'sh', '-c',
                               'mkdir -p /etc/ansible/facts.d && cat > /etc/ansible/facts.d/hostpods.fact'],
                              input=json.dumps(facts), text=True, capture_output=True, check=False)
        assert proc.returncode == 0, proc.stderr

    def apply(self, manifests, hosts='hostpods_nodes', namespace='default', extra=(), check=False):
        """Run hostpods.core.apply on ``hosts`` (``extra``: more ``-e`` variables); returns (rc, output, [task
        results])."""
        self.runs += 1
        folder = os.path.join(self.workdir, 'manifests-%d' % self.runs)
        os.makedirs(folder)
        for index, item in enumerate(manifests):
            with open(os.path.join(folder, '%02d-%s.yaml' % (index, item['metadata']['name'])), 'w') as handle:
                yaml.safe_dump(item, handle)
        record = os.path.join(self.workdir, 'record-%d.json' % self.runs)
        env = ansible_env()
        env.update({'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
                    'ANSIBLE_CALLBACKS_ENABLED': 'hostpods_record', 'HOSTPODS_RECORD': record})
        code, out, err = run([os.path.join(BIN, 'ansible-playbook'), '-i', self.inventory, 'hostpods.core.apply',
                              '-e', 'nodes=%s' % hosts, '-e', 'manifests=%s' % folder, '-e', 'sandbox_image=%s' % PAUSE,
                              '-e', 'namespace=%s' % namespace, '-e', 'wait_timeout=60']
                             + [arg for item in extra for arg in ('-e', item)] + (['--check'] if check else []),
                             env=env, cwd=self.workdir)
        assert os.path.exists(record), out[-3000:] + err[-3000:]
        with open(record) as handle:
            return code, out + err, json.load(handle)

    def pods_on(self, index):
        """The pod names whose sandbox runs on node ``index`` (from that node's engine)."""
        out = docker('exec', self.nodes[index - 1], 'docker', 'ps', '--filter', 'label=io.kubernetes.container.name=POD',
                     '--format', '{{.Label "io.kubernetes.pod.name"}}')
        return sorted(out.split())

    def clear_pods(self):
        """Delete every pod of every node as a user does (``hostpods delete``: its record first, under its lock),
        so the node's agent does not bring back what a bare ``docker rm`` would remove; then any stray container."""
        for name in self.nodes:
            docker('exec', name, 'sh', '-c',
                   'for ns in $(hostpods get pods -A --no-headers 2>/dev/null | cut -d" " -f1 | sort -u); do '
                   'hostpods delete pods --all -n "$ns" --now >/dev/null; done; '
                   'ids=$(docker ps -aq --filter label=io.kubernetes.pod.uid); '
                   '[ -z "$ids" ] || docker rm -f $ids >/dev/null', check=False)


def results(record, task):
    return {item['host']: item for item in record if item['task'] == task}


def applied(record):
    """``{pod name: (host, Pod object)}`` from the apply task of every node."""
    out = {}
    for host, item in results(record, 'Apply the manifests').items():
        for obj in item['result'].get('pods') or []:
            out[obj['metadata']['name']] = (host, obj)
    return out


def placement(record):
    [item] = results(record, 'Place each pod on one node').values()
    return item['result']


def message(reasons, preemption):
    total = sum(int(part.split(' ', 1)[0]) for part in reasons)
    return '0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s..' % (
        total, ', '.join(reasons), total, ', '.join(preemption))
