"""Unit tests of _dns: hostnames, the kubelet's /etc/hosts, resolv.conf settings per dnsPolicy."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import dns

HOST = dns.parse_resolv_conf('# host\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n'
                             'search corp.example lab.example\noptions edns0 ndots:2\n')


def a_pod(**spec):
    return {'metadata': {'name': 'web', 'namespace': 'shop'}, 'spec': dict({'containers': [{'name': 'c'}]}, **spec)}


def test_host_resolv_conf_without_loopback_nameservers():
    assert HOST == {'nameservers': ['10.0.0.2', '10.0.0.3'], 'searches': ['corp.example', 'lab.example'],
                    'options': ['edns0', 'ndots:2']}


def test_hosts_file_as_the_kubelet_writes_it():
    assert dns.hosts_file(a_pod(), '172.17.0.4') == (
        '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
        'fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n'
        '172.17.0.4\tweb\n')


def test_hosts_file_with_subdomain_and_host_aliases():
    pod = a_pod(hostname='api', subdomain='backend',
                hostAliases=[{'ip': '10.1.2.3', 'hostnames': ['db', 'db.local']}, {'ip': '10.1.2.4', 'hostnames': ['mq']}])
    text = dns.hosts_file(pod, '172.17.0.4')
    assert text.endswith('172.17.0.4\tapi.backend.shop.svc.cluster.local\tapi\n\n# Entries added by HostAliases.\n'
                         '10.1.2.3\tdb\tdb.local\n10.1.2.4\tmq\n')


def test_kernel_hostname():
    assert dns.kernel_hostname(a_pod(subdomain='backend')) == 'web'
    assert dns.kernel_hostname(a_pod(subdomain='backend', setHostnameAsFQDN=True)) == 'web.backend.shop.svc.cluster.local'
    assert dns.kernel_hostname(a_pod(setHostnameAsFQDN=True)) == 'web'


@pytest.mark.parametrize('policy', ['ClusterFirst', 'ClusterFirstWithHostNet'])
def test_cluster_first_falls_back_to_default_with_the_kubelet_event(policy):
    assert dns.resolver_settings(a_pod(dnsPolicy=policy), HOST) == ({}, dns.MISSING_CLUSTER_DNS)


def test_default_without_dns_config_is_the_engine_copy_of_the_host_file():
    assert dns.resolver_settings(a_pod(dnsPolicy='Default'), HOST) == ({}, None)


def test_dns_config_is_merged_over_the_host_settings():
    config = {'nameservers': ['10.0.0.3', '1.1.1.1', '9.9.9.9'], 'searches': ['lab.example', 'svc.example'],
              'options': [{'name': 'ndots', 'value': '5'}, {'name': 'single-request'}]}
    settings, _event = dns.resolver_settings(a_pod(dnsPolicy='Default', dnsConfig=config), HOST)
    assert settings == {'Dns': ['10.0.0.2', '10.0.0.3', '1.1.1.1'],              # duplicates dropped, at most 3
                        'DnsSearch': ['corp.example', 'lab.example', 'svc.example'],
                        'DnsOptions': ['edns0', 'ndots:5', 'single-request']}  # the pod's value wins


def test_none_uses_only_the_dns_config():
    config = {'nameservers': ['192.0.2.53'], 'searches': ['a.example'], 'options': [{'name': 'ndots', 'value': '1'}]}
    assert dns.resolver_settings(a_pod(dnsPolicy='None', dnsConfig=config), HOST) == (
        {'Dns': ['192.0.2.53'], 'DnsSearch': ['a.example'], 'DnsOptions': ['ndots:1']}, None)


@pytest.mark.parametrize('spec, expected', [
    ({'dnsPolicy': 'Cluster'}, 'spec.dnsPolicy: Unsupported value: "Cluster"'),
    ({'dnsPolicy': 'None'}, 'spec.dnsConfig: Required value: must provide at least one DNS nameserver'),
    ({'dnsPolicy': 'None', 'dnsConfig': {'searches': ['a']}}, 'spec.dnsConfig.nameservers: Required value'),
    ({'dnsConfig': {'nameservers': ['not-an-ip']}}, 'spec.dnsConfig.nameservers[0]: Invalid value: "not-an-ip"'),
    ({'dnsConfig': {'nameservers': ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4']}},
     'spec.dnsConfig.nameservers: Invalid value: must not have more than 3 nameservers'),
    ({'dnsConfig': {'options': [{'value': '1'}]}}, 'spec.dnsConfig.options[0].name: Required value'),
    ({'subdomain': 'Back_End'}, 'spec.subdomain: Invalid value: "Back_End"'),
    ({'hostAliases': [{'ip': 'x', 'hostnames': ['a']}]}, 'spec.hostAliases[0].ip: Invalid value: "x"'),
    ({'hostAliases': [{'ip': '10.0.0.1'}]}, 'spec.hostAliases[0].hostnames: Required value'),
])
def test_validation(spec, expected):
    errors = dns.dns_errors(spec)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_host_network_hosts_file_is_the_node_file_and_aliases():
    pod = a_pod(hostNetwork=True, hostAliases=[{'ip': '10.1.2.3', 'hostnames': ['db']}])
    text = dns.hosts_file(pod, '172.17.0.1', '127.0.0.1\tlocalhost\n10.0.0.5\tnode1\n')
    assert text == ('# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n10.0.0.5\tnode1\n\n'
                    '# Entries added by HostAliases.\n10.1.2.3\tdb\n')


def test_dns_config_is_refused_with_host_network():
    assert dns.dns_errors({'hostNetwork': True, 'dnsConfig': {'nameservers': ['1.1.1.1']}})[0].startswith(
        'spec.dnsConfig: Forbidden')
