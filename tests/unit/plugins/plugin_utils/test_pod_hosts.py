"""Pods as hosts (the pure part of the hostpods.core.pods inventory) and the pod connection's addresses."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._views.status import pod_object, pod_row
from ansible_collections.hostpods.core.plugins.plugin_utils._pod_hosts import (
    HostsError, exec_containers, parse_address, pod_hosts)

from hostpods_fakes import UID, OTHER_UID, container, exited, inspected, inspected_sandbox, pod, with_uid

NOW = 1714557600 + 3600


def live(name='web', namespace='default', uid=UID, states=None, node='node1', **kwargs):
    """A Pod object with status, as pod_info returns it: every container running unless ``states`` says
    otherwise (``{name: 'exited'}``); and its kubectl row."""
    applied = with_uid(pod(name, namespace, **kwargs), uid)
    instances = {}
    for c in (applied['spec'].get('initContainers') or []) + applied['spec']['containers']:
        state = (states or {}).get(c['name'], 'running')
        instances[c['name']] = [exited('%s-id' % c['name']) if state == 'exited' else inspected('%s-id' % c['name'])]
    obj = pod_object(applied, uid, inspected_sandbox(), instances, host_ip='10.0.0.1', node_name=node)
    return obj, pod_row(obj, NOW)


def hosts_of(*pods, **kwargs):
    return pod_hosts([p for p, _row in pods], [row for _p, row in pods], **kwargs)


@pytest.mark.parametrize('address, namespace, container, expected', [
    ('web', None, None, ('default', 'web', None)),
    ('shop/web', None, None, ('shop', 'web', None)),
    ('shop/web/nginx', None, None, ('shop', 'web', 'nginx')),
    ('shop/web/nginx', 'other', 'side', ('other', 'web', 'side')),
    ('web', 'shop', None, ('shop', 'web', None)),
])
def test_parse_address(address, namespace, container, expected):
    assert parse_address(address, namespace, container) == expected


@pytest.mark.parametrize('address', ['', 'a/b/c/d', '/web', 'shop//c', None])
def test_parse_address_refuses(address):
    with pytest.raises(HostsError, match='is not a pod address'):
        parse_address(address)


def test_one_host_a_pod_with_groups_and_variables():
    web = live(labels={'app': 'web', 'app.kubernetes.io/part-of': 'shop'}, annotations={'note': 'x'})
    [host] = hosts_of(web, access={'ansible_hostpods_node_container': 'node1'})
    assert host['name'] == 'default/web'
    assert host['groups'] == ['hostpods_pods', 'namespace_default', 'node_node1', 'label_app_web',
                              'label_app.kubernetes.io/part-of_shop']
    variables = host['vars']
    assert variables['ansible_connection'] == 'hostpods.core.pod'
    assert (variables['ansible_hostpods_pod'], variables['ansible_hostpods_namespace']) == ('web', 'default')
    assert variables['ansible_hostpods_node_container'] == 'node1'
    assert 'ansible_hostpods_pod_container' not in variables and 'hostpods_pod_object' not in variables
    facts = variables['hostpods_pod']
    assert facts == {
        'name': 'web', 'namespace': 'default', 'uid': UID, 'labels': {'app': 'web', 'app.kubernetes.io/part-of': 'shop'},
        'annotations': {'note': 'x'}, 'created': '2024-05-01T09:59:59Z', 'node': 'node1', 'ip': '172.17.0.5',
        'host_ip': '10.0.0.1', 'phase': 'Running', 'ready': True, 'status': 'Running', 'restarts': 0,
        'containers': ['app'], 'init_containers': []}


def test_a_finished_pod_is_listed_with_its_phase_and_status():
    done = live(containers=[container('job')], restartPolicy='Never', states={'job': 'exited'})
    [host] = hosts_of(done)
    facts = host['vars']['hostpods_pod']
    assert (facts['phase'], facts['ready'], facts['status']) == ('Succeeded', False, 'Completed')


def test_one_host_a_container_app_containers_then_sidecars():
    sidecar = container('proxy', restartPolicy='Always')
    web = live(containers=[container('app'), container('log')], init=[container('setup'), sidecar],
               states={'setup': 'exited'})
    hosts = hosts_of(web, containers=True)
    assert [h['name'] for h in hosts] == ['default/web/app', 'default/web/log', 'default/web/proxy']
    assert [h['vars']['ansible_hostpods_pod_container'] for h in hosts] == ['app', 'log', 'proxy']
    assert hosts[2]['groups'][-1] == 'container_proxy'
    assert hosts[2]['vars']['hostpods_container'] == {'name': 'proxy', 'image': 'busybox:1.35', 'init': True,
                                                      'ready': True, 'restart_count': 0, 'state': 'running'}
    assert hosts[0]['vars']['hostpods_pod']['init_containers'] == ['setup', 'proxy']


def test_exec_containers_of_a_container_without_status_yet():
    obj, _row = live()
    obj['status']['containerStatuses'] = []
    assert exec_containers(obj) == [{'name': 'app', 'image': 'busybox:1.35', 'init': False, 'ready': False,
                                     'restart_count': 0, 'state': 'waiting'}]


def test_namespaces_host_format_and_verbose_output():
    web, db = live('web', 'shop'), live('db', 'data', uid=OTHER_UID)
    assert [h['name'] for h in hosts_of(web, db, namespaces=['data'])] == ['data/db']
    [host] = hosts_of(web, host_format='{pod}.{namespace}@{node}', verbose=True)
    assert host['name'] == 'web.shop@node1'
    assert host['vars']['hostpods_pod_object'] is web[0]
    with pytest.raises(HostsError, match=r'host_format "\{name\}" cannot be used'):
        hosts_of(web, host_format='{name}')
