"""Names and resolution on the real engine: /etc/hosts as a kubelet writes it, the same file in every
container; hostname, subdomain, hostAliases; resolv.conf per dnsPolicy and dnsConfig."""

import socket
import urllib.request

from harness import docker, pod, shell_container, sleeper


def in_pod(container, *argv):
    return docker('exec', container, *argv)


def test_hosts_file_hostname_subdomain_and_aliases(pods):
    name = pods.name('names')
    manifest = pod(name, [sleeper('a'), sleeper('b')], hostname='api', subdomain='backend',
                   hostAliases=[{'ip': '10.1.2.3', 'hostnames': ['db', 'db.local']}], terminationGracePeriodSeconds=1)
    result = pods.four_step(manifest)
    obj = result['pods'][0]
    uid, ip = obj['metadata']['uid'], obj['status']['podIP']
    a, b = ('k8s_%s_%s_default_%s_0' % (c, name, uid) for c in ('a', 'b'))
    hosts = in_pod(a, 'cat', '/etc/hosts')
    assert hosts.splitlines()[0] == '# Kubernetes-managed hosts file.'
    assert '%s\tapi.backend.default.svc.cluster.local\tapi' % ip in hosts.splitlines()
    assert hosts.endswith('# Entries added by HostAliases.\n10.1.2.3\tdb\tdb.local')
    assert in_pod(b, 'cat', '/etc/hosts') == hosts          # the same file in every container
    assert in_pod(a, 'hostname') == 'api'
    # the resolver reads it: busybox ping names the address it resolved 'db' to
    assert '(10.1.2.3)' in in_pod(b, 'sh', '-c', 'ping -c 1 -W 1 db 2>&1 | head -n 1; true')


def test_set_hostname_as_fqdn(pods):
    name = pods.name('fqdn')
    manifest = pod(name, [sleeper('a')], subdomain='svc', setHostnameAsFQDN=True, terminationGracePeriodSeconds=1)
    obj = pods.apply(manifest)['pods'][0]
    assert in_pod('k8s_a_%s_default_%s_0' % (name, obj['metadata']['uid']), 'hostname') == \
        '%s.svc.default.svc.cluster.local' % name


def test_dns_policy_none_and_dns_config(pods):
    name = pods.name('dns')
    manifest = pod(name, [sleeper('a')], dnsPolicy='None', terminationGracePeriodSeconds=1,
                   dnsConfig={'nameservers': ['192.0.2.53'], 'searches': ['shop.example'],
                              'options': [{'name': 'ndots', 'value': '2'}, {'name': 'edns0'}]})
    obj = pods.four_step(manifest)['pods'][0]
    resolv = in_pod('k8s_a_%s_default_%s_0' % (name, obj['metadata']['uid']), 'cat', '/etc/resolv.conf').splitlines()
    lines = [line for line in resolv if line and not line.startswith('#')]
    assert 'nameserver 192.0.2.53' in lines and len([x for x in lines if x.startswith('nameserver')]) == 1
    assert 'search shop.example' in lines
    assert any(line.startswith('options') and 'ndots:2' in line and 'edns0' in line for line in lines)


def test_cluster_first_falls_back_to_the_node_resolver(pods):
    name = pods.name('dflt')
    obj = pods.apply(pod(name, [sleeper('a')], terminationGracePeriodSeconds=1))['pods'][0]
    resolv = in_pod('k8s_a_%s_default_%s_0' % (name, obj['metadata']['uid']), 'cat', '/etc/resolv.conf')
    nameservers = [line.split()[1] for line in resolv.splitlines() if line.startswith('nameserver')]
    assert nameservers and not any(server.startswith('127.') for server in nameservers)


def test_host_network_pod(pods):
    name = pods.name('hostnet')
    port = 40000 + int(pods.prefix[1:5], 16) % 20000
    manifest = pod(name, [
        shell_container('web', 'echo on-the-node > /tmp/index.html; exec httpd -f -p %d -h /tmp' % port,
                        ports=[{'containerPort': port}]),
        sleeper('side')], hostNetwork=True, terminationGracePeriodSeconds=1)
    obj = pods.four_step(manifest)['pods'][0]
    assert obj['spec']['containers'][0]['ports'][0]['hostPort'] == port        # defaulted as the API server does
    assert obj['status']['podIP'] == obj['status']['hostIP']
    side = 'k8s_side_%s_default_%s_0' % (name, obj['metadata']['uid'])
    assert in_pod(side, 'hostname') == socket.gethostname()
    assert in_pod(side, 'cat', '/etc/hosts').startswith('# Kubernetes-managed hosts file (host network).')
    with urllib.request.urlopen('http://127.0.0.1:%d/index.html' % port, timeout=10) as response:
        assert response.read().decode().strip() == 'on-the-node'
