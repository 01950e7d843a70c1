"""Scheduling constraints between pods, priorities, scheduling gates and other schedulers on ONE node (this
machine, through hostpods.core.pod): the node is the whole cluster, so pod (anti-)affinity and topology spread
are weighed against the pods it runs; what a user sees is docker ps, the pods' status and the task's result."""

from clusters import ANTI, GATED, HOST, NO_VICTIMS
from harness import BUSYBOX, containers, ok, pod, sleeper


def priority_class(name, value):
    return {'apiVersion': 'scheduling.k8s.io/v1', 'kind': 'PriorityClass', 'metadata': {'name': name}, 'value': value,
            'description': 'a test class'}


def replica(pods, name, **spec):
    """A pod of the app ``<prefix>-web`` that keeps away from its siblings, spreads over nodes and prefers them."""
    app = pods.name('web')
    selector = {'matchLabels': {'app': app}}
    spec.setdefault('affinity', {
        'podAntiAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': [
            {'labelSelector': selector, 'topologyKey': HOST}]},
        'podAffinity': {'preferredDuringSchedulingIgnoredDuringExecution': [
            {'weight': 50, 'podAffinityTerm': {'labelSelector': selector, 'topologyKey': HOST, 'namespaceSelector': {}}}]}})
    spec.setdefault('topologySpreadConstraints', [
        {'maxSkew': 1, 'topologyKey': HOST, 'whenUnsatisfiable': 'DoNotSchedule', 'labelSelector': selector,
         'matchLabelKeys': ['rev']}])
    return pod(pods.name(name), [sleeper()], labels={'app': app, 'rev': '1'}, terminationGracePeriodSeconds=1,
               tolerations=[{'key': 'sla', 'operator': 'Gt', 'value': '100', 'effect': 'NoSchedule'}], **spec)


def running(pods):
    return sorted(name.split('_')[2] for name, state in containers(pods.prefix).items()
                  if name.startswith('k8s_POD_') and state == 'running')


def test_pod_anti_affinity_spread_and_priority_on_one_node(pods):
    high = pods.name('high')
    first = [priority_class(high, 1000), replica(pods, 'web-0', priorityClassName=high)]
    applied = pods.four_step(first)
    [web] = applied['pods']
    assert web['spec']['priority'] == 1000 and web['spec']['priorityClassName'] == high
    assert web['spec']['preemptionPolicy'] == 'PreemptLowerPriority' and web['status']['phase'] == 'Running'
    assert running(pods) == [pods.name('web-0')]

    # A second replica: the node already runs one, so its required anti-affinity refuses the node. The first stays.
    result = pods.apply(first + [replica(pods, 'web-1')])
    assert result['failed'] is True
    expected = '0/1 nodes are available: 1 %s. preemption: 0/1 nodes are available: 1 %s..' % (ANTI, NO_VICTIMS)
    assert result['msg'] == '1 pod(s) cannot run on node %s: default/%s: %s' % (
        web['spec']['nodeName'], pods.name('web-1'), expected)
    refused = result['pods'][1]
    assert (refused['action'], refused['status']['phase']) == ('unschedulable', 'Pending')
    assert refused['status']['conditions'] == [
        {'type': 'PodScheduled', 'status': 'False', 'reason': 'Unschedulable', 'message': expected}]
    assert result['pods'][0]['action'] == 'unchanged' and running(pods) == [pods.name('web-0')]


def test_priority_class_missing_refuses_the_batch(pods):
    result = pods.apply([pod(pods.name('plain'), [sleeper()]), pod(pods.name('gold'), [sleeper()], priorityClassName='gold')])
    assert result['failed'] is True and result['changed'] is False
    assert 'pods "%s" is forbidden: no PriorityClass with name gold was found' % pods.name('gold') in result['msg']
    assert containers(pods.prefix) == {}  # a batch with one invalid manifest changes no pod


def test_scheduling_gates_hold_a_pod_until_an_apply_removes_them(pods):
    gated = pod(pods.name('gated'), [sleeper()], terminationGracePeriodSeconds=1,
                schedulingGates=[{'name': 'example.com/quota'}, {'name': 'example.com/review'}])
    for check in (True, False, False):
        result = ok(pods.apply(gated, check=check))
        [obj] = result['pods']
        assert result['changed'] is False and obj['action'] == 'pending'
        assert obj['status']['phase'] == 'Pending' and obj['status']['conditions'] == [
            {'type': 'PodScheduled', 'status': 'False', 'reason': 'SchedulingGated', 'message': GATED}]
        assert containers(pods.prefix) == {}
    table = ok(pods.run({'all_namespaces': True}, module='hostpods.core.pod_info'))
    assert pods.name('gated') not in [row['name'] for row in table['rows']]  # nothing of it on the node

    # The gates removed, the pod is scheduled and runs: the four-step contract of an ordinary pod.
    del gated['spec']['schedulingGates']
    applied = pods.four_step(gated)
    assert applied['pods'][0]['action'] == 'created' and running(pods) == [pods.name('gated')]


def test_a_pod_for_another_scheduler_waits_unless_bound_to_the_node(pods):
    waiting = pod(pods.name('other'), [sleeper()], schedulerName='my-scheduler', terminationGracePeriodSeconds=1)
    result = ok(pods.apply(waiting))
    [obj] = result['pods']
    assert (result['changed'], obj['action'], obj['status']['phase'], obj['status']['conditions']) == (
        False, 'pending', 'Pending', [])
    assert containers(pods.prefix) == {}
    node = ok(pods.apply(pod(pods.name('probe'), [{'name': 'main', 'image': BUSYBOX, 'command': ['true']}],
                             restartPolicy='Never'), check=True))['pods'][0]['spec']['nodeName']
    waiting['spec']['nodeName'] = node  # bound: no scheduler is needed, the node's kubelet runs it
    applied = pods.four_step(waiting)
    assert applied['pods'][0]['spec']['nodeName'] == node and running(pods) == [pods.name('other')]


def test_extended_resources_the_node_does_not_declare(pods):
    dongle = pod(pods.name('dongle'), [sleeper(resources={'limits': {'example.com/dongle': '1'}})])
    result = pods.apply(dongle)
    assert result['failed'] is True
    assert 'default/%s: 0/1 nodes are available: 1 Insufficient example.com/dongle.' % pods.name('dongle') in result['msg']
    assert containers(pods.prefix) == {}


def test_ephemeral_storage_requests_are_counted_against_the_engines_disk(pods):
    """Without node facts the node's allocatable ephemeral-storage is the file system of the engine's data root."""
    greedy = pod(pods.name('disk'), [sleeper(resources={'requests': {'ephemeral-storage': '1Ei'}})])
    result = pods.apply(greedy)
    assert result['failed'] is True
    assert 'default/%s: 0/1 nodes are available: 1 Insufficient ephemeral-storage.' % pods.name('disk') in result['msg']
    assert containers(pods.prefix) == {}
    modest = pod(pods.name('small'), [sleeper(resources={'requests': {'ephemeral-storage': '1Mi'},
                                                         'limits': {'ephemeral-storage': '1Gi'}})],
                 terminationGracePeriodSeconds=1)
    pods.four_step(modest)
