"""Scheduling pods against other pods across nodes (issue 12): the hostpods.core.apply playbook on a 3-node cluster
of the cluster role places pods with pod anti-affinity and affinity, topology spread constraints, priorities
(PriorityClass objects applied with the pods), scheduling gates, another scheduler, numeric tolerations, and extended
resources and huge pages that the nodes declare; the pods that fit nowhere carry kube-scheduler's message naming the
failing constraint, and kubectl describe on the node shows the priority.

One cluster for the whole module, on subnets no other test uses; every test removes its pods from the nodes.
"""

import uuid

import pytest

from clusters import ANTI, HOST, NO_VICTIMS, NODE_AFFINITY, NOT_HELPFUL, Cluster, applied, message, placement, results
from harness import docker, pod, sleeper

CLUSTER_SUBNET = '10.213.63.0/24'
POD_SUBNET = '10.163.0.0/16'
AFFINITY = "node(s) didn't match pod affinity rules"
SLA_TAINT = 'node(s) had untolerated taint {sla: 800}'
SLA_GT_750 = [{'key': 'sla', 'operator': 'Gt', 'value': '750', 'effect': 'NoSchedule'}]


@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    """node1 zone=a, 2 example.com/dongle and 8Mi of hugepages-2Mi; node2 zone=b; node3 zone=b, tainted sla=800."""
    made = Cluster('ipod%s' % uuid.uuid4().hex[:6], str(tmp_path_factory.mktemp('interpod')), CLUSTER_SUBNET, POD_SUBNET)
    try:
        code, out, err = made.cluster_playbook('present')
        assert code == 0, out[-4000:] + err[-4000:]
        made.write_facts(1, {'zone': 'a'}, **{'example.com/dongle': '2', 'hugepages-2Mi': '8Mi'})
        made.write_facts(2, {'zone': 'b'})
        made.write_facts(3, {'zone': 'b'}, [{'key': 'sla', 'value': '800', 'effect': 'NoSchedule'}])
        yield made
    finally:
        made.cluster_playbook('absent')


@pytest.fixture
def nodes(cluster):
    yield cluster
    cluster.clear_pods()


def app_pod(name, app, **spec):
    return pod(name, [sleeper(**spec.pop('container', {}))], labels={'app': app}, terminationGracePeriodSeconds=1, **spec)


def term(app, topology=HOST):
    return {'labelSelector': {'matchLabels': {'app': app}}, 'topologyKey': topology}


def decisions(record):
    return {item['name']: item for item in placement(record)['decisions']}


def test_pod_affinity_anti_affinity_and_numeric_tolerations(nodes):
    n1, n2, n3 = nodes.nodes
    web = [app_pod('web-%d' % index, 'web', tolerations=SLA_GT_750,
                   affinity={'podAntiAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': [term('web')]}})
           for index in range(4)]
    manifests = web + [
        app_pod('db', 'db', nodeSelector={'zone': 'a'}),
        app_pod('api', 'api', affinity={'podAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': [
            term('db', 'zone')]}}),
        app_pod('lonely', 'lonely', affinity={'podAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': [
            term('nobody', 'zone')]}}),
        app_pod('below', 'below', nodeSelector={HOST: n3},
                tolerations=[{'key': 'sla', 'operator': 'Lt', 'value': '700', 'effect': 'NoSchedule'}]),
    ]
    code, out, record = nodes.apply(manifests)
    assert code != 0, out[-3000:]
    decided = decisions(record)
    assert sorted(decided['web-%d' % index]['node'] for index in range(3)) == [n1, n2, n3]  # one replica a node
    anti = message(['3 ' + ANTI], ['3 ' + NO_VICTIMS])
    assert decided['web-3']['message'] == anti
    assert (decided['db']['node'], decided['api']['node']) == (n1, n1)   # zone a is node1 only
    assert decided['api']['nodes'] == {n2: [AFFINITY], n3: [SLA_TAINT]}
    assert decided['lonely']['message'] == message(['1 ' + SLA_TAINT, '2 ' + AFFINITY], ['3 ' + NOT_HELPFUL])
    assert decided['below']['message'] == message(
        ['1 ' + SLA_TAINT, '2 ' + NODE_AFFINITY], ['3 ' + NOT_HELPFUL])
    assert 'default/web-3: %s' % anti in out                              # the play fails naming each pod
    pending = {obj['metadata']['name']: obj for obj in placement(record)['unscheduled']}
    assert pending['web-3']['status']['conditions'] == [
        {'type': 'PodScheduled', 'status': 'False', 'reason': 'Unschedulable', 'message': anti}]
    on = [nodes.pods_on(index) for index in (1, 2, 3)]
    assert sorted(name for names in on for name in names if name.startswith('web')) == ['web-0', 'web-1', 'web-2']
    assert all(len([name for name in names if name.startswith('web')]) == 1 for names in on)
    assert {'db', 'api'} <= set(on[0])

    # Applied again: every pod stays where it is, nothing changes on any node.
    code, out, record = nodes.apply(manifests)
    assert all(item['sticky'] for item in placement(record)['decisions'] if item['node'])
    assert all(item['result']['changed'] is False for item in results(record, 'Apply the manifests').values())


def test_spread_priorities_extended_resources_gates_and_other_schedulers(nodes):
    n1, n2, n3 = nodes.nodes
    spread = [app_pod('spread-%d' % index, 'spread', tolerations=[{'key': 'sla', 'operator': 'Exists'}],
                      topologySpreadConstraints=[{'maxSkew': 1, 'topologyKey': 'zone', 'whenUnsatisfiable': 'DoNotSchedule',
                                                  'labelSelector': {'matchLabels': {'app': 'spread'}}}])
              for index in range(4)]
    dongle = {'resources': {'limits': {'example.com/dongle': '1'}}}
    high = {'apiVersion': 'scheduling.k8s.io/v1', 'kind': 'PriorityClass', 'metadata': {'name': 'high'}, 'value': 1000}
    manifests = spread + [
        app_pod('low-1', 'low', container=dongle), app_pod('low-2', 'low', container=dongle),
        app_pod('urgent', 'urgent', container=dongle, priorityClassName='high'), high,
        app_pod('huge', 'huge', container={'resources': {'limits': {'hugepages-2Mi': '4Mi', 'memory': '64Mi'}}}),
        app_pod('gated', 'gated', schedulingGates=[{'name': 'example.com/approval'}]),
        app_pod('elsewhere', 'elsewhere', schedulerName='my-scheduler'),
    ]
    code, out, record = nodes.apply(manifests)
    assert code != 0, out[-3000:]
    decided = decisions(record)
    zone = {n1: 'a', n2: 'b', n3: 'b'}
    assert sorted(zone[decided['spread-%d' % index]['node']] for index in range(4)) == ['a', 'a', 'b', 'b']
    # The urgent pod comes after the low ones in the manifests but is placed first: node1 has 2 dongles.
    assert decided['urgent']['node'] == n1 and decided['huge']['node'] == n1
    low = sorted((decided['low-1']['node'] or '', decided['low-2']['node'] or ''))
    assert low == ['', n1]
    refused = decided['low-2'] if decided['low-2']['node'] is None else decided['low-1']
    assert refused['message'] == message(['1 ' + SLA_TAINT, '2 Insufficient example.com/dongle'],
                                         ['1 ' + NOT_HELPFUL, '2 ' + NO_VICTIMS])
    assert (decided['gated']['reason'], decided['gated']['waiting']) == ('SchedulingGated', True)
    assert (decided['elsewhere']['phase'], decided['elsewhere']['waiting']) == ('Pending', True)
    assert [line.split(':')[0] for line in placement(record)['not_placed']] == ['default/' + refused['name']]
    pods = applied(record)
    assert (pods['urgent'][1]['spec']['priority'], pods['urgent'][1]['spec']['priorityClassName']) == (1000, 'high')
    assert 'hugepages-* of default/huge' in ' '.join(results(record, 'Apply the manifests')[n1]['result']['warnings'])
    assert 'gated' not in pods and 'elsewhere' not in pods
    assert 'SchedulingGated' in out                                      # the table of the run shows kubectl's STATUS

    described = docker('exec', n1, 'hostpods', 'describe', 'pod', 'urgent')
    assert 'Priority:' in described and '1000' in described.split('Priority:', 1)[1].split('\n', 1)[0]
    assert 'Priority Class Name:' in described and 'high' in described.split('Priority Class Name:', 1)[1].split('\n')[0]

    # The gate removed and the low pod left out, the play succeeds: the gated pod runs, the rest stays where it is.
    manifests[-2]['spec'].pop('schedulingGates')
    code, out, record = nodes.apply([item for item in manifests if item['metadata']['name'] not in (refused['name'],)])
    assert code == 0, out[-3000:]
    decided = decisions(record)
    assert decided['gated']['node'] is not None and not decided['gated']['sticky']
    assert all(item['sticky'] for name, item in decided.items() if name not in ('gated', 'elsewhere'))
    assert applied(record)['gated'][1]['action'] == 'created'
