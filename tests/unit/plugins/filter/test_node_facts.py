"""The node role's node facts (filter node_facts): quantities, labels, allocatable, pod CIDR, engine."""

import pytest

from ansible_collections.hostpods.core.plugins.filter.node_facts import capacity, node_facts

PROBE = {'cpu_millis': 2000, 'memory_bytes': 8 * 1024 ** 3 + 123, 'engine': '24.0.5'}


@pytest.mark.parametrize('millis, memory, pods, expected', [
    (2000, 8 * 1024 ** 3 + 123, 110, {'cpu': '2', 'memory': '8388608Ki', 'pods': '110'}),
    (1500, 1024, '50', {'cpu': '1500m', 'memory': '1Ki', 'pods': '50'}),
    (250, 1023, 20, {'cpu': '250m', 'memory': '0Ki', 'pods': '20'}),
    (1000, 0, 110, {'cpu': '1', 'memory': '0Ki', 'pods': '110'}),
])
def test_capacity(millis, memory, pods, expected):
    assert capacity(millis, memory, pods) == expected


def test_defaults():
    assert node_facts(PROBE, name='node1', architecture='x86_64', bridge_subnets='172.17.0.0/16 ') == {
        'name': 'node1', 'address': '',
        'labels': {'kubernetes.io/hostname': 'node1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64'},
        'taints': [], 'unschedulable': False,
        'capacity': {'cpu': '2', 'memory': '8388608Ki', 'pods': '110'},
        'allocatable': {'cpu': '2', 'memory': '8388608Ki', 'pods': '110'},
        'podCIDR': '172.17.0.0/16', 'podSubnet': '', 'sandboxImage': '', 'engine': '24.0.5'}


def test_everything_given():
    taints = [{'key': 'dedicated', 'value': 'db', 'effect': 'NoSchedule'}]
    facts = node_facts(dict(PROBE, cpu_millis=1500), name='n', address='10.0.0.1', architecture='aarch64',
                       labels={'disktype': 'ssd', 'kubernetes.io/os': 'custom', 'n': 3}, taints=taints,
                       unschedulable=True, allocatable={'pods': '20', 'cpu': 1}, max_pods=110,
                       pod_cidr='10.244.1.0/24', pod_subnet='10.244.0.0/16', sandbox_image='hostpods/pause:3.10',
                       engine='26.1.5')
    assert facts['labels'] == {'kubernetes.io/hostname': 'n', 'kubernetes.io/os': 'custom',
                               'kubernetes.io/arch': 'arm64', 'disktype': 'ssd', 'n': 3}
    assert facts['capacity'] == {'cpu': '1500m', 'memory': '8388608Ki', 'pods': '110'}
    assert facts['allocatable'] == {'cpu': '1', 'memory': '8388608Ki', 'pods': '20'}
    assert facts['taints'] == taints and facts['unschedulable'] is True
    assert (facts['podCIDR'], facts['podSubnet']) == ('10.244.1.0/24', '10.244.0.0/16')
    assert facts['engine'] == '26.1.5' and facts['sandboxImage'] == 'hostpods/pause:3.10'


@pytest.mark.parametrize('architecture, label', [('x86_64', 'amd64'), ('aarch64', 'arm64'), ('armv7l', 'armv7l')])
def test_architecture_label(architecture, label):
    assert node_facts(PROBE, name='n', architecture=architecture)['labels']['kubernetes.io/arch'] == label


@pytest.mark.parametrize('pod_cidr, pod_network, bridge, pod_cidr_fact, subnet_fact', [
    ('10.244.1.0/24', True, '', '10.244.1.0/24', '10.244.0.0/16'),
    ('10.244.1.0/24', False, '', '10.244.1.0/24', ''),
    ('', True, '172.17.0.0/16 fd00::/64 ', '172.17.0.0/16', ''),
    ('', True, '', '', ''),
])
def test_pod_cidr_and_subnet(pod_cidr, pod_network, bridge, pod_cidr_fact, subnet_fact):
    facts = node_facts(PROBE, name='n', architecture='x86_64', pod_cidr=pod_cidr, pod_subnet='10.244.0.0/16',
                       pod_network=pod_network, bridge_subnets=bridge)
    assert (facts['podCIDR'], facts['podSubnet']) == (pod_cidr_fact, subnet_fact)


def test_engine_from_the_probe_unless_given():
    assert node_facts(PROBE, name='n', architecture='x86_64')['engine'] == '24.0.5'
    assert node_facts(PROBE, name='n', architecture='x86_64', engine='')['engine'] == ''


def test_extended_resources_and_huge_pages_are_declared_capacity():
    facts = node_facts(PROBE, name='n', architecture='x86_64',
                       allocatable={'example.com/dongle': 2, 'hugepages-2Mi': '64Mi', 'cpu': '1'})
    assert facts['capacity'] == {'cpu': '2', 'memory': '8388608Ki', 'pods': '110', 'example.com/dongle': '2',
                                 'hugepages-2Mi': '64Mi'}
    assert facts['allocatable'] == {'cpu': '1', 'memory': '8388608Ki', 'pods': '110', 'example.com/dongle': '2',
                                    'hugepages-2Mi': '64Mi'}
