"""Scheduling across nodes (issue 4): the hostpods.core.apply playbook against a 3-node cluster made by
the cluster role places each pod on ONE node (nodeName, nodeSelector, node affinity, taints and
tolerations, resource requests, spread by load), reports pods that fit nowhere as Unschedulable with
kube-scheduler's message, keeps pods where they are on re-apply, and moves a pod whose node changed.
hostpods.core.pod alone on one node checks its pods against that node.

One cluster for the whole module (about a minute to make, with the node image built); every test
removes its pods from the nodes afterwards. The nodes' labels, taints and allocatable resources are
the node facts (/etc/ansible/facts.d/hostpods.fact) this module writes on each node.
"""

import socket
import uuid

import pytest

from clusters import NO_VICTIMS, NODE_AFFINITY, NOT_HELPFUL, Cluster, applied, message, placement, results
from harness import Pods, cleanup, docker, new_prefix, ok, pod, sleeper

CLUSTER_SUBNET = '10.213.41.0/24'   # the cluster network; no other test uses it (else a free /24 beside it)
POD_SUBNET = '10.241.0.0/16'        # node N's pods get 10.241.N.0/24, its engine's bridge is 10.241.N.1
DB_TAINT = 'node(s) had untolerated taint {dedicated: db}'
TOLERATE_DB = [{'key': 'dedicated', 'operator': 'Equal', 'value': 'db', 'effect': 'NoSchedule'}]


@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    """Three nodes: node1 disk=ssd zone=a; node2 disk=hdd zone=b; node3 role=db zone=b tainted
    dedicated=db:NoSchedule. Each has 1 cpu and 1Gi of memory to give."""
    made = Cluster('sched%s' % uuid.uuid4().hex[:6], str(tmp_path_factory.mktemp('scheduling')), CLUSTER_SUBNET, POD_SUBNET)
    try:
        code, out, err = made.cluster_playbook('present')
        assert code == 0, out[-4000:] + err[-4000:]
        made.write_facts(1, {'disk': 'ssd', 'zone': 'a'})
        made.write_facts(2, {'disk': 'hdd', 'zone': 'b'})
        made.write_facts(3, {'role': 'db', 'zone': 'b'}, [{'key': 'dedicated', 'value': 'db', 'effect': 'NoSchedule'}])
        yield made
    finally:
        made.cluster_playbook('absent')


@pytest.fixture
def nodes(cluster):
    yield cluster
    cluster.clear_pods()


def sleeping(name, cpu=None, **spec):
    resources = {'requests': {'cpu': cpu}} if cpu else {}
    return pod(name, [sleeper(resources=resources) if resources else sleeper()], terminationGracePeriodSeconds=1, **spec)


def zone_b():
    return {'nodeAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': {'nodeSelectorTerms': [
        {'matchExpressions': [{'key': 'zone', 'operator': 'In', 'values': ['b']}]}]}}}


# ---------------------------------------------------------------------------------------------- tests
def test_node_selection_taints_unschedulable_stickiness_and_moves(nodes):
    n1, n2, n3 = nodes.nodes
    manifests = [
        sleeping('pinned', nodeName=n3),                                          # nodeName skips the taint
        sleeping('ssd', nodeSelector={'disk': 'ssd'}),
        sleeping('zone-b', affinity=zone_b()),                                   # node3 is zone b too, but tainted
        sleeping('db', nodeSelector={'role': 'db'}, tolerations=TOLERATE_DB),
        sleeping('db-untolerated', nodeSelector={'role': 'db'}),
        sleeping('by-name', affinity={'nodeAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': {
            'nodeSelectorTerms': [{'matchFields': [{'key': 'metadata.name', 'operator': 'In', 'values': [n2]}]}]}}}),
    ]
    code, out, record = nodes.apply(manifests)
    assert code != 0, out[-3000:]                                                 # the play says a pod fits nowhere
    expected = message(['1 ' + DB_TAINT, '2 ' + NODE_AFFINITY], ['3 ' + NOT_HELPFUL])
    assert '1 pod(s) not placed on any node (the other pods are applied):' in out
    assert 'default/db-untolerated: %s' % expected in out
    decided = placement(record)
    assert decided['placement'] == {'default/pinned': n3, 'default/ssd': n1, 'default/zone-b': n2, 'default/db': n3,
                                    'default/db-untolerated': None, 'default/by-name': n2}
    [pending] = decided['unscheduled']
    assert pending['metadata']['name'] == 'db-untolerated' and pending['status']['phase'] == 'Pending'
    assert pending['status']['conditions'] == [{'type': 'PodScheduled', 'status': 'False', 'reason': 'Unschedulable',
                                                'message': expected}]
    per_node = {item['name']: item['nodes'] for item in decided['decisions']}
    assert per_node['db-untolerated'] == {n1: [NODE_AFFINITY], n2: [NODE_AFFINITY], n3: [DB_TAINT]}

    pods = applied(record)
    assert set(pods) == {'pinned', 'ssd', 'zone-b', 'db', 'by-name'}
    for name, (host, obj) in pods.items():
        index = nodes.nodes.index(decided['placement']['default/' + name]) + 1
        assert host == obj['spec']['nodeName'] == nodes.nodes[index - 1], (name, host)
        assert obj['status']['phase'] == 'Running', obj['status']
        assert obj['status']['hostIP'] == '10.241.%d.1' % index, obj['status']
        assert obj['status']['podIP'].startswith('10.241.%d.' % index), obj['status']
    assert (nodes.pods_on(1), nodes.pods_on(2), nodes.pods_on(3)) == (['ssd'], ['by-name', 'zone-b'], ['db', 'pinned'])
    assert 'db-untolerated' in out and 'Pending' in out                          # in the table of the run

    # Re-applying keeps every pod where it is and changes nothing.
    code, out, record = nodes.apply(manifests)
    assert code != 0
    assert all(item['sticky'] for item in placement(record)['decisions'] if item['node'])
    applies = results(record, 'Apply the manifests')
    assert set(applies) == set(nodes.nodes)
    assert all(item['result']['changed'] is False for item in applies.values()), applies
    assert all(item['status'] == 'skipped' for item in results(record, 'Delete the pods that must leave this node').values())

    # A pod pinned elsewhere moves: deleted from its node, created on the new one.
    manifests[0] = sleeping('pinned', nodeName=n1)
    code, out, record = nodes.apply(manifests[:4])
    assert code == 0, out[-3000:]
    deleted = results(record, 'Delete the pods that must leave this node')
    assert deleted[n3]['status'] == 'ok' and deleted[n3]['result']['pods'][0]['action'] == 'deleted'
    assert applied(record)['pinned'][1]['action'] == 'created'
    assert (nodes.pods_on(1), nodes.pods_on(3)) == (['pinned', 'ssd'], ['db'])


def test_resource_fit_and_spread_by_load(nodes):
    n1, n2, n3 = nodes.nodes
    spread = [sleeping('spread-%d' % index) for index in range(4)]
    big = [sleeping('big-%d' % index, cpu='600m') for index in range(3)]
    code, out, record = nodes.apply(spread + big)
    assert code != 0, out[-3000:]
    decided = placement(record)['placement']
    assert sorted(decided['default/spread-%d' % index] for index in range(4)) == [n1, n1, n2, n2]
    assert (decided['default/big-0'], decided['default/big-1'], decided['default/big-2']) == (n1, n2, None)
    expected = message(['1 ' + DB_TAINT, '2 Insufficient cpu'], ['1 ' + NOT_HELPFUL, '2 ' + NO_VICTIMS])
    assert 'default/big-2: %s' % expected in out
    assert nodes.pods_on(3) == []

    # Zone b without the toleration is node2 only, where 400m are left: a 300m pod fits; the others stay.
    code, out, record = nodes.apply(spread + big[:2] + [sleeping('small', cpu='300m', nodeSelector={'zone': 'b'})])
    assert code == 0, out[-3000:]
    decided = placement(record)
    assert decided['placement']['default/small'] == n2
    assert all(item['sticky'] for item in decided['decisions'] if item['name'] != 'small')
    assert sum(item['result']['changed'] for item in results(record, 'Apply the manifests').values()) == 1


def test_pod_module_on_one_node_checks_the_node(nodes):
    """hostpods.core.apply on ONE node: no scheduling across nodes, the module checks its own node."""
    n1 = nodes.nodes[0]
    downward = pod('fits', [sleeper(resources={'requests': {'cpu': '500m'}}, command=[
        'sh', '-c', 'echo "$NODE $CPU"; trap "exit 0" TERM; sleep 3600 & wait'], env=[
        {'name': 'NODE', 'valueFrom': {'fieldRef': {'fieldPath': 'spec.nodeName'}}},
        {'name': 'CPU', 'valueFrom': {'resourceFieldRef': {'resource': 'limits.cpu', 'divisor': '1m'}}}])],
        terminationGracePeriodSeconds=1)
    code, out, record = nodes.apply([downward, sleeping('hdd', nodeSelector={'disk': 'hdd'}),
                                     sleeping('too-big', cpu='1500m')], hosts=n1)
    assert code != 0
    [item] = results(record, 'Apply the manifests').values()
    result = item['result']
    assert result['msg'] == '2 pod(s) cannot run on node %s: default/hdd: %s; default/too-big: %s' % (
        n1, message(['1 ' + NODE_AFFINITY], ['1 ' + NOT_HELPFUL]), message(['1 Insufficient cpu'], ['1 ' + NO_VICTIMS]))
    # the table first (the refused pods Pending), then one failure with the module's message
    [table] = results(record, 'Show the pods (kubectl get pods -o wide)').values()
    assert [row.split()[2] for row in table['result']['msg'][1:]] == ['Running', 'Pending', 'Pending']
    [failure] = results(record, 'Fail when the apply failed on this node').values()
    assert failure['status'] == 'failed' and failure['result']['msg'] == result['msg']
    by_name = {obj['metadata']['name']: obj for obj in result['pods']}
    assert [obj['action'] for obj in result['pods']] == ['created', 'unschedulable', 'unschedulable']
    assert by_name['fits']['spec']['nodeName'] == n1 and by_name['fits']['status']['hostIP'] == '10.241.1.1'
    assert by_name['hdd']['status']['phase'] == 'Pending'
    assert nodes.pods_on(1) == ['fits']
    container = docker('exec', n1, 'docker', 'ps', '-q', '--filter', 'label=io.kubernetes.pod.name=fits',
                       '--filter', 'label=io.kubernetes.container.name=main')
    assert docker('exec', n1, 'docker', 'logs', container) == '%s 1000' % n1  # the node's name and allocatable cpu


def test_pod_module_without_node_facts(tmp_path):
    """On a host without node facts (this one) the node is the host: its name label, no taints, its cpu."""
    prefix = new_prefix()
    runner = Pods(str(tmp_path), prefix)
    hostname = socket.gethostname()
    try:
        result = runner.apply([pod(runner.name('mine'), [sleeper()], terminationGracePeriodSeconds=1,
                                   nodeSelector={'kubernetes.io/hostname': hostname}),
                               pod(runner.name('other'), [sleeper()], nodeName='some-other-node'),
                               pod(runner.name('greedy'), [sleeper(resources={'requests': {'cpu': '4096'}})])])
        assert result['failed'] is True
        actions = {obj['metadata']['name']: obj['action'] for obj in result['pods']}
        assert actions == {runner.name('mine'): 'created', runner.name('other'): 'unschedulable',
                           runner.name('greedy'): 'unschedulable'}
        assert "didn't match the requested node name" in result['msg'] and 'Insufficient cpu' in result['msg']
        mine = ok(runner.apply(pod(runner.name('mine'), [sleeper()], terminationGracePeriodSeconds=1,
                                   nodeSelector={'kubernetes.io/hostname': hostname})))
        assert mine['changed'] is False and mine['pods'][0]['spec']['nodeName'] == hostname
    finally:
        cleanup(prefix)


def test_prune_by_applyset_across_the_nodes(nodes):
    """hostpods.core.apply -e prune=true -e applyset=NAME on the group: each node prunes the set's pods it runs
    that the manifests no longer hold (four steps), a pod outside the set stays, the ConfigMap goes everywhere."""
    n1, n2, n3 = nodes.nodes
    keep = sleeping('keep', nodeSelector={'disk': 'ssd'})
    shop = [sleeping('p-ssd', nodeSelector={'disk': 'ssd'}), sleeping('p-hdd', nodeSelector={'disk': 'hdd'}),
            sleeping('p-db', nodeSelector={'role': 'db'}, tolerations=TOLERATE_DB),
            {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'p-old'}, 'data': {'a': '1'}}]
    prune = ('prune=true', 'applyset=shop', 'grace_period=1')
    code, out, _record = nodes.apply([keep])
    assert code == 0, out[-3000:]
    code, out, record = nodes.apply(shop, extra=prune)
    assert code == 0, out[-3000:]
    assert (nodes.pods_on(1), nodes.pods_on(2), nodes.pods_on(3)) == (['keep', 'p-ssd'], ['p-hdd'], ['p-db'])
    objects = {host: [(o['kind'], o['metadata']['name'], o['action']) for o in item['result']['objects']]
               for host, item in results(record, 'Apply the manifests').items()}
    assert objects == {node: [('Secret', 'shop', 'created'), ('ConfigMap', 'p-old', 'created')] for node in nodes.nodes}

    def step(check=False):
        code, out, record = nodes.apply(shop[:1], extra=prune, check=check)
        assert code == 0, out[-3000:]
        return out, {host: item['result'] for host, item in results(record, 'Apply the manifests').items()}

    before = (nodes.pods_on(1), nodes.pods_on(2), nodes.pods_on(3))
    out, checked = step(check=True)                                   # 1. check mode: said, not done
    assert (nodes.pods_on(1), nodes.pods_on(2), nodes.pods_on(3)) == before
    assert [(p['metadata']['name'], p['action']) for p in checked[n2]['pods']] == [('p-hdd', 'pruned')]
    assert [(p['metadata']['name'], p['action']) for p in checked[n3]['pods']] == [('p-db', 'pruned')]
    assert all(result['changed'] for result in checked.values())
    out, applied = step()                                             # 2. the prune, on every node
    assert (nodes.pods_on(1), nodes.pods_on(2), nodes.pods_on(3)) == (['keep', 'p-ssd'], [], [])
    assert 'pod/p-hdd pruned' in out and 'pod/p-db pruned' in out and 'configmap/p-old pruned' in out, out[-3000:]
    assert [(p['metadata']['name'], p['action']) for p in applied[n1]['pods']] == [('p-ssd', 'unchanged')]
    assert [o['action'] for o in applied[n1]['objects']] == ['updated', 'pruned']  # the parent, the ConfigMap
    for check in (False, True):                                       # 3. and 4. nothing more to do
        out, again = step(check=check)
        assert not any(result['changed'] for result in again.values()), again
    assert (nodes.pods_on(1), nodes.pods_on(2), nodes.pods_on(3)) == (['keep', 'p-ssd'], [], [])
