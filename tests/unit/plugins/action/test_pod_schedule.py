"""The pod_schedule action plugin: arguments, nodes as pod_info reports them, and what it returns."""

from unittest import mock

import pytest

from ansible_collections.hostpods.core.plugins.action.pod_schedule import ActionModule

GI = 1024 ** 3


def manifest(name, **spec):
    body = {'terminationGracePeriodSeconds': 1, 'containers': [{'name': 'app', 'image': 'busybox:1.35'}]}
    body.update(spec)
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': name}, 'spec': body}


def seen(name, pods=(), labels=None, cpu='2000m'):
    """What hostpods.core.pod_info returns on a node."""
    return {'changed': False, 'pods': list(pods), 'rows': [],
            'node': {'name': name, 'labels': dict(labels or {}, **{'kubernetes.io/hostname': name}), 'taints': [],
                     'allocatable': {'cpu': cpu, 'memory': str(4 * GI), 'pods': '110'}, 'unschedulable': False}}


def run(**args):
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    connection = mock.MagicMock()
    connection._shell.tmpdir = None
    action = ActionModule(task, connection, mock.MagicMock(), mock.MagicMock(), mock.MagicMock(), mock.MagicMock())
    with mock.patch.object(ActionModule, '_early_needs_tmp_path', return_value=False):
        return action.run(task_vars={})


def test_places_pods_and_reports_per_host():
    running = dict(manifest('b'), status={'phase': 'Running'})
    running['metadata']['namespace'] = 'default'
    result = run(definition=[manifest('a'), manifest('b'), manifest('ssd', nodeSelector={'disk': 'ssd'}),
                             manifest('huge', containers=[{'name': 'app', 'image': 'busybox:1.35',
                                                           'resources': {'requests': {'cpu': '3'}}}])],
                 nodes={'h1': seen('n1', labels={'disk': 'ssd'}), 'h2': seen('n2', [running]), 'h3': {'skipped': True}})
    assert not result.get('failed'), result
    assert result['changed'] is False
    assert result['placement'] == {'default/a': 'n1', 'default/b': 'n2', 'default/ssd': 'n1', 'default/huge': None}
    assert result['hosts'] == {'h1': {'node_name': 'n1', 'apply': ['default/a', 'default/ssd'], 'delete': []},
                               'h2': {'node_name': 'n2', 'apply': ['default/b'], 'delete': []}}
    assert result['warnings'] == ['no node reported by hostpods.core.pod_info on h3: not scheduled on']
    [huge] = result['unscheduled']
    assert huge['metadata']['name'] == 'huge' and huge['status']['phase'] == 'Pending'
    assert huge['status']['conditions'][0]['reason'] == 'Unschedulable'
    assert result['not_placed'] == ['default/huge: 0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes '
                                    'are available: 2 No preemption victims found for incoming pod..']
    decisions = {entry['name']: entry for entry in result['decisions']}
    assert decisions['b']['sticky'] is True and decisions['b']['host'] == 'h2'
    assert decisions['huge']['nodes'] == {'n1': ['Insufficient cpu'], 'n2': ['Insufficient cpu']}
    assert result['msg'].startswith('placed 3 pod(s): default/a on n1, default/b on n2 (stays), default/ssd on n1; '
                                    '1 pod(s) not placed: default/huge: 0/2 nodes are available')


def test_a_pod_that_moves_is_deleted_from_its_old_node():
    old = dict(manifest('a'), status={'phase': 'Running'})
    old['metadata']['namespace'] = 'default'
    result = run(definition=manifest('a', nodeName='n1'), nodes={'h1': seen('n1'), 'h2': seen('n2', [old])})
    assert result['hosts']['h2']['delete'] == [{'apiVersion': 'v1', 'kind': 'Pod',
                                                'metadata': {'namespace': 'default', 'name': 'a'}}]
    assert result['hosts']['h1']['apply'] == ['default/a']


def test_only_pods_are_placed_and_namespace_applies():
    config = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'cfg'}, 'data': {'k': 'v'}}
    result = run(definition=[config, manifest('a')], namespace='shop', nodes={'h1': seen('n1')})
    assert result['placement'] == {'shop/a': 'n1'}


@pytest.mark.parametrize('args, text', [
    ({'nodes': {}}, 'exactly one of definition, src or template is required'),
    ({'definition': manifest('a'), 'src': 'x', 'nodes': {}}, 'exactly one of definition, src or template is required'),
    ({'definition': manifest('a'), 'nodes': ['n1']}, 'nodes must be a dict'),
    ({'definition': manifest('A'), 'nodes': {}}, 'metadata.name: Invalid value: "A"'),
    ({'definition': manifest('a', priorityClassName='gold'), 'nodes': {}},
     'pods "a" is forbidden: no PriorityClass with name gold was found'),
    ({'definition': manifest('a'), 'nodes': {'h1': seen('n1'), 'h2': seen('n1')}},
     'hosts h1 and h2 are both node "n1": give each node its own name'),
])
def test_refusals(args, text):
    result = run(**args)
    assert result['failed'] is True and text in result['msg'], result['msg']
