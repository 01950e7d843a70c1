"""The cluster playbook's life cycle (issue 4 item 2), as `minikube start/status/delete` users see it:
check mode makes nothing, present makes labelled node containers with an engine each, a network and
volumes, and an inventory Ansible reaches the nodes through (no SSH); a second run and check mode again
change nothing; growing the cluster adds a node and leaves the first alone; absent removes nodes,
network, volumes and inventory, and a second absent changes nothing.

The node role is left out here (cluster_provision=false): the Molecule scenarios test it on these nodes.
"""

import os
import re
import subprocess
import uuid

import pytest
import yaml

from harness import BIN, ansible_env, docker, free_subnet

CLUSTER_SUBNET = '10.213.42.0/24'   # no other test uses it (another free /24 if a network has it)
POD_SUBNET = '10.242.0.0/16'


def changed_count(output):
    """The sum of ``changed=N`` over the play recap's hosts."""
    counts = re.findall(r'^\S+\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0\s', output, re.M)
    assert counts, output[-3000:]
    return sum(int(count) for count in counts)


def labelled(kind, name):
    """The names (containers) or ids (networks, volumes) Docker lists with the cluster's label."""
    fmt = {'container': '{{.Names}}', 'network': '{{.Name}}', 'volume': '{{.Name}}'}[kind]
    argv = [kind, 'ls', '--filter', 'label=io.hostpods.cluster=%s' % name, '--format', fmt]
    if kind == 'container':
        argv = ['ps', '-a', '--filter', 'label=io.hostpods.cluster=%s' % name, '--format', fmt]
    return sorted(docker(*argv).split())


class Cluster:
    def __init__(self, workdir):
        self.name = 'life%s' % uuid.uuid4().hex[:6]
        self.inventory_dir = os.path.join(workdir, 'inventory')
        self.inventory = os.path.join(self.inventory_dir, 'inventory.yml')
        self.workdir = workdir
        self.subnet = free_subnet(CLUSTER_SUBNET)

    def playbook(self, state, nodes=1, check=False):
        argv = [os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.cluster', '-e', 'cluster_state=%s' % state,
                '-e', 'cluster_name=%s' % self.name, '-e', 'cluster_nodes=%d' % nodes,
                '-e', 'cluster_subnet=%s' % self.subnet, '-e', 'cluster_pod_subnet=%s' % POD_SUBNET,
                '-e', 'cluster_inventory_dir=%s' % self.inventory_dir, '-e', 'cluster_provision=false']
        if check:
            argv.append('--check')
        proc = subprocess.run(argv, capture_output=True, text=True, env=ansible_env(), cwd=self.workdir, timeout=900,
                              check=False)
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
        return proc.stdout

    def node(self, index):
        return 'hostpods-%s-node%d' % (self.name, index)


@pytest.fixture
def cluster(tmp_path):
    made = Cluster(str(tmp_path))
    try:
        yield made
    finally:
        subprocess.run([os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.cluster', '-e', 'cluster_state=absent',
                        '-e', 'cluster_name=%s' % made.name, '-e', 'cluster_inventory_dir=%s' % made.inventory_dir],
                       capture_output=True, env=ansible_env(), cwd=made.workdir, timeout=600, check=False)


def test_cluster_life_cycle(cluster):
    # 1. check mode: a change is reported, nothing is made
    assert changed_count(cluster.playbook('present', check=True)) > 0
    assert labelled('container', cluster.name) == []
    assert labelled('network', cluster.name) == []
    assert not os.path.exists(cluster.inventory)

    # 2. present: one node container running its own engine, its network, its volume, an inventory
    assert changed_count(cluster.playbook('present')) > 0
    node1 = cluster.node(1)
    assert labelled('container', cluster.name) == [node1]
    assert labelled('network', cluster.name) == ['hostpods-%s' % cluster.name]
    assert labelled('volume', cluster.name) == ['%s-docker' % node1]
    assert docker('exec', node1, 'docker', 'info', '--format', '{{.ServerVersion}}').strip()
    first_id = docker('inspect', '--format', '{{.Id}}', node1).strip()
    with open(cluster.inventory) as handle:
        inventory = yaml.safe_load(handle)
    nodes_group = inventory['all']['children']['hostpods_nodes']
    assert list(nodes_group['children'][cluster.name]['hosts']) == [node1]
    assert nodes_group['vars']['ansible_connection'] == 'hostpods.core.docker_node'

    # 3. and 4. unchanged on the second run and in check mode again
    assert changed_count(cluster.playbook('present')) == 0
    assert changed_count(cluster.playbook('present', check=True)) == 0

    # adding a node: node 2 joins, node 1 is the same container, each has its own pod CIDR
    assert changed_count(cluster.playbook('present', nodes=2)) > 0
    node2 = cluster.node(2)
    assert labelled('container', cluster.name) == [node1, node2]
    assert docker('inspect', '--format', '{{.Id}}', node1).strip() == first_id
    with open(cluster.inventory) as handle:
        hosts = yaml.safe_load(handle)['all']['children']['hostpods_nodes']['children'][cluster.name]['hosts']
    assert sorted(hosts) == [node1, node2]
    cidrs = {hosts[name]['hostpods_pod_cidr'] for name in hosts}
    assert len(cidrs) == 2 and all(cidr.startswith('10.242.') for cidr in cidrs)

    # Ansible reaches both nodes through the inventory, without SSH
    proc = subprocess.run([os.path.join(BIN, 'ansible'), '-i', cluster.inventory, 'hostpods_nodes', '-m',
                           'ansible.builtin.command', '-a', 'docker info'],
                          capture_output=True, text=True, env=ansible_env(), cwd=cluster.workdir, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count('CHANGED | rc=0') == 2, proc.stdout

    # status names both nodes
    status = cluster.playbook('status')
    assert node1 in status and node2 in status

    # absent: nodes, network, volumes and inventory go; a second absent changes nothing
    assert changed_count(cluster.playbook('absent')) > 0
    assert labelled('container', cluster.name) == []
    assert labelled('network', cluster.name) == []
    assert labelled('volume', cluster.name) == []
    assert not os.path.exists(cluster.inventory)
    assert changed_count(cluster.playbook('absent')) == 0
