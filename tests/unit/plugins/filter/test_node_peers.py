"""The node role's peers (filter node_peers): where each host's pod CIDR and address come from."""

from jinja2 import Undefined

from ansible_collections.hostpods.core.plugins.filter.node_peers import node_peers

HOSTVARS = {
    'a': {'node_pod_cidr': '10.244.1.0/24'},
    'b': {'node_info': {'name': 'b', 'address': '10.0.0.2', 'pod_cidr': '10.244.2.0/24'},
          'node_pod_cidr': '10.244.99.0/24'},                                   # node_info wins
    'c': {'hostpods_pod_cidr': '10.244.3.0/24', 'hostpods_node_ip': '10.0.0.3'},
    'd': {'node_pod_cidr': '10.244.4.0/24', 'ansible_facts': {'default_ipv4': {'address': '10.0.1.4'}}},
    'e': {},                                                                   # no pod CIDR: no peer
    'f': {'node_pod_cidr': '10.244.1.0/24', 'node_address': '10.0.0.6'},       # this node's CIDR: no peer
    'g': {'hostpods_pod_cidr': '10.244.0.0/24'},                               # no address known
    'i': {'node_pod_cidr': '10.244.9.0/24', 'node_address': '10.0.0.9', 'hostpods_node_ip': '10.0.0.99',
          'ansible_facts': {'default_ipv4': {'address': '10.0.1.9'}}},
    'j': {'node_pod_cidr': Undefined(), 'hostpods_pod_cidr': '10.244.10.0/24', 'node_address': '10.0.0.10'},
}


def test_peers_sorted_by_pod_cidr():
    assert node_peers(sorted(HOSTVARS), HOSTVARS, 'a', '10.244.1.0/24') == [
        {'host': 'g', 'pod_cidr': '10.244.0.0/24', 'address': ''},
        {'host': 'j', 'pod_cidr': '10.244.10.0/24', 'address': '10.0.0.10'},
        {'host': 'b', 'pod_cidr': '10.244.2.0/24', 'address': '10.0.0.2'},
        {'host': 'c', 'pod_cidr': '10.244.3.0/24', 'address': '10.0.0.3'},
        {'host': 'd', 'pod_cidr': '10.244.4.0/24', 'address': '10.0.1.4'},
        {'host': 'i', 'pod_cidr': '10.244.9.0/24', 'address': '10.0.0.9'},
    ]


def test_no_hosts():
    assert node_peers(None, HOSTVARS, 'a', '10.244.1.0/24') == []
    assert node_peers(['a'], HOSTVARS, 'a', '10.244.1.0/24') == []
