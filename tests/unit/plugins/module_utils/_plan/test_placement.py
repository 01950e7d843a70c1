"""Unit tests of _plan.placement: this node from its facts, the one-node check of hostpods.core.pod
(admit, NodeGate) and the many-node placement of pod_schedule."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._plan import placement
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError

from hostpods_fakes import OTHER_UID, container, pod, record_of

GI = 1024 ** 3
NOT_HELPFUL = 'Preemption is not helpful for scheduling'
NO_VICTIMS = 'No preemption victims found for incoming pod'
AFFINITY = "node(s) didn't match Pod's node affinity/selector"


def node(name, labels=None, taints=None, cpu=2000, memory=4 * GI, **extra):
    out = {'name': name, 'labels': dict(labels or {}, **{'kubernetes.io/hostname': name}), 'taints': taints or [],
           'allocatable': {'cpu': cpu, 'memory': memory, 'pods': 110}}
    out.update(extra)
    return out


def sized(name, cpu=None, memory=None, **spec):
    requests = {key: value for key, value in (('cpu', cpu), ('memory', memory)) if value is not None}
    return pod(name, containers=[container('app', resources={'requests': requests} if requests else {})], **spec)


def key(name, namespace='default'):
    return namespace, name


def running(pod_, node_name, phase='Running'):
    """A Pod object as hostpods.core.pod_info reports it on ``node_name``."""
    return dict(pod_, spec=dict(pod_['spec'], nodeName=node_name), status={'phase': phase})


def view(name, pods=(), **kwargs):
    return {'host': 'host-' + name, 'node': node(name, **kwargs), 'pods': list(pods)}


def req(key_, operator, *values):
    out = {'key': key_, 'operator': operator}
    if values:
        out['values'] = list(values)
    return out


def required(*terms):
    return {'nodeAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': {'nodeSelectorTerms': list(terms)}}}


def message(reasons, preemption):
    total = sum(int(part.split(' ', 1)[0]) for part in reasons)
    return '0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s..' % (
        total, ', '.join(reasons), total, ', '.join(preemption))


# ----------------------------------------------------------------------------- this node

def test_node_without_facts_is_the_host_with_its_hostname_label():
    assert placement.node_from_facts(None, 'edge-1', {'cpu': 2000, 'memory': 8 * GI}) == {
        'name': 'edge-1', 'labels': {'kubernetes.io/hostname': 'edge-1'}, 'taints': [],
        'allocatable': {'cpu': 2000, 'memory': 8 * GI}, 'unschedulable': False}


def test_node_from_facts():
    facts = {'name': 'node1', 'labels': {'disk': 'ssd'}, 'taints': [{'key': 'gpu', 'effect': 'NoSchedule'}],
             'allocatable': {'cpu': '1500m', 'memory': '1073741824', 'pods': '20'}, 'podCIDR': '10.244.1.0/24',
             'address': '10.213.0.2'}
    assert placement.node_from_facts(facts, 'host', {'cpu': 2000, 'memory': 8 * GI}) == {
        'name': 'node1', 'labels': {'disk': 'ssd', 'kubernetes.io/hostname': 'node1'},
        'taints': [{'key': 'gpu', 'effect': 'NoSchedule'}],
        'allocatable': {'cpu': '1500m', 'memory': '1073741824', 'pods': '20'}, 'unschedulable': False,
        'podCIDR': '10.244.1.0/24', 'address': '10.213.0.2'}


def test_node_name_option_wins_and_missing_allocatable_comes_from_the_host():
    out = placement.node_from_facts({'name': 'node1', 'labels': {'kubernetes.io/hostname': 'other'},
                                     'allocatable': {'cpu': '1'}}, 'host', {'cpu': 2000, 'memory': 100}, 'chosen')
    assert out['name'] == 'chosen'
    assert out['labels'] == {'kubernetes.io/hostname': 'other'}  # the facts' own label is kept
    assert out['allocatable'] == {'cpu': '1', 'memory': 100}


def test_invalid_node_facts_are_named():
    with pytest.raises(HostpodsError) as info:
        placement.node_from_facts({'name': 'n', 'allocatable': {'cpu': 'lots'}}, 'host', {})
    assert info.value.msg.startswith('node n: invalid node facts: ')


# ----------------------------------------------------------------------------- one node: admit

ONE = node('n1', {'disk': 'ssd'}, taints=[{'key': 'dedicated', 'value': 'db', 'effect': 'NoSchedule'}], cpu=1000)
TOLERATE_DB = [{'key': 'dedicated', 'operator': 'Equal', 'value': 'db', 'effect': 'NoSchedule'}]


@pytest.mark.parametrize('pod_, reason', [
    (pod('web', nodeName='n2'), "1 node(s) didn't match the requested node name"),
    (pod('web', nodeSelector={'disk': 'hdd'}, tolerations=TOLERATE_DB), '1 ' + AFFINITY),
    (pod('web'), '1 node(s) had untolerated taint {dedicated: db}'),
])
def test_admit_refuses_what_the_filters_refuse(pod_, reason):
    admitted, refused = placement.admit([pod_], ONE, {})
    assert admitted == []
    outcome = refused[key('web')]
    assert (outcome['phase'], outcome['reason']) == ('Pending', 'Unschedulable')
    assert outcome['message'] == message([reason], ['1 ' + NOT_HELPFUL])


def test_admit_takes_what_fits_and_counts_the_pods_already_here():
    here = {key('old'): record_of(sized('old', cpu='600m', tolerations=TOLERATE_DB), uid=OTHER_UID)}
    pods = [sized('a', cpu='300m', tolerations=TOLERATE_DB), sized('b', cpu='300m', tolerations=TOLERATE_DB)]
    admitted, refused = placement.admit(pods, ONE, here)
    assert [p['metadata']['name'] for p in admitted] == ['a']
    assert refused[key('b')]['message'] == message(['1 Insufficient cpu'], ['1 ' + NO_VICTIMS])


def test_admit_ignores_finished_pods():
    done = sized('job', cpu='900m', tolerations=TOLERATE_DB, restartPolicy='Never')
    here = {key('job'): record_of(done, {'app': [dict(state_='exited', exit_code=0)]}, uid=OTHER_UID)}
    admitted, dummy = placement.admit([sized('a', cpu='500m', tolerations=TOLERATE_DB)], ONE, here)
    assert len(admitted) == 1
    here = {key('job'): record_of(done, uid=OTHER_UID)}  # still running: it holds its cpu
    assert placement.admit([sized('a', cpu='500m', tolerations=TOLERATE_DB)], ONE, here)[0] == []


def test_admit_keeps_a_pod_already_here_even_when_the_node_is_full_now():
    big = sized('big', cpu='800m', tolerations=TOLERATE_DB)
    other = sized('other', cpu='800m', tolerations=TOLERATE_DB)
    here = {key('big'): record_of(big), key('other'): record_of(other, uid=OTHER_UID)}
    admitted, refused = placement.admit([big], ONE, here)
    assert admitted == [big] and refused == {}


def test_admit_rejects_a_bound_pod_as_the_kubelet_does():
    dummy, refused = placement.admit([sized('web', cpu='2', nodeName='n1')], ONE, {})
    outcome = refused[key('web')]
    assert (outcome['phase'], outcome['reason']) == ('Failed', 'OutOfcpu')
    assert outcome['message'] == "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 0, capacity: 1000"


def test_bound_pod_ignores_no_schedule_taints():
    admitted, refused = placement.admit([pod('web', nodeName='n1')], ONE, {})
    assert len(admitted) == 1 and refused == {}


def test_not_placed_objects():
    outcome = placement.admit([sized('web', cpu='100m', nodeSelector={'disk': 'nvme'})], ONE, {})[1][key('web')]
    obj = placement.not_placed_object(sized('web', cpu='100m', nodeSelector={'disk': 'nvme'}), outcome)
    assert obj['action'] == 'unschedulable'
    assert obj['status'] == {'phase': 'Pending', 'qosClass': 'Burstable', 'conditions': [
        {'type': 'PodScheduled', 'status': 'False', 'reason': 'Unschedulable', 'message': outcome['message']}]}
    assert 'nodeName' not in obj['spec']
    rejected = placement.admit([sized('web', cpu='2', nodeName='n1')], ONE, {})[1][key('web')]
    obj = placement.not_placed_object(sized('web', cpu='2', nodeName='n1'), rejected)
    assert obj['action'] == 'rejected'
    assert (obj['status']['phase'], obj['status']['reason'], obj['status']['conditions']) == ('Failed', 'OutOfcpu', [])
    assert obj['status']['message'].startswith('Pod was rejected: ')


# ----------------------------------------------------------------------------- one node: the module's gate

def entry(pod_, action='created'):
    return dict(pod_, action=action, status={'phase': 'Running'})


def test_gate_reports_the_refused_pods_in_order():
    pods = [pod('a', tolerations=TOLERATE_DB), pod('b', nodeName='elsewhere'), pod('c', tolerations=TOLERATE_DB)]
    gate = placement.NodeGate(ONE)
    admitted = gate.admit(pods, {})
    assert [p['metadata']['name'] for p in admitted] == ['a', 'c']
    assert gate.kept([key('a'), key('b'), key('c')]) == [key('a'), key('c')]
    report = gate.report([entry(admitted[0]), entry(admitted[1], 'unchanged')])
    assert [(p['metadata']['name'], p['action']) for p in report] == [
        ('a', 'created'), ('b', 'unschedulable'), ('c', 'unchanged')]
    # spec.nodeName has one writer, the status (the gate leaves the entries as they are)
    assert [p['spec'].get('nodeName') for p in report] == [None, 'elsewhere', None]
    assert 'nodeName' not in admitted[0]['spec']  # the planned pod (and its hash) does not change
    assert gate.message() == ("1 pod(s) cannot run on node n1: default/b: 0/1 nodes are available: 1 node(s) didn't match "
                              "the requested node name. preemption: 0/1 nodes are available: 1 %s.." % NOT_HELPFUL)


def test_gate_with_a_placement_plans_only_the_pods_placed_here():
    pods = [pod('a', tolerations=TOLERATE_DB), pod('b'), pod('c'), pod('d', tolerations=TOLERATE_DB)]
    gate = placement.NodeGate(ONE, {'default/a': 'n1', 'default/b': 'n2', 'default/c': None})
    admitted = gate.admit(pods, {})
    assert [p['metadata']['name'] for p in admitted] == ['a', 'd']  # d is not named: checked here
    assert gate.kept([key(name) for name in 'abcd']) == [key('a'), key('d')]
    assert gate.refused == {} and gate.message() == ''
    assert [p['metadata']['name'] for p in gate.report([entry(p) for p in admitted])] == ['a', 'd']


def test_gate_rejects_what_the_kubelets_other_admit_handlers_reject():
    """A pod that fits is still rejected by the kubelet's other handlers (AppArmor, the pod's OS...): Failed, with
    their reason and ``Pod was rejected: <message>``, never planned."""
    pods = [pod('a', tolerations=TOLERATE_DB), pod('b', tolerations=TOLERATE_DB)]
    gate = placement.NodeGate(ONE, admission=lambda p: ('AppArmor', 'Cannot enforce AppArmor: AppArmor is not enabled '
                                                        'on the host') if p['metadata']['name'] == 'b' else None)
    assert [p['metadata']['name'] for p in gate.admit(pods, {})] == ['a']
    rejected = gate.report([entry(pods[0])])[1]
    assert (rejected['action'], rejected['status']['phase'], rejected['status']['reason']) == ('rejected', 'Failed',
                                                                                               'AppArmor')
    assert rejected['status']['message'] == \
        'Pod was rejected: Cannot enforce AppArmor: AppArmor is not enabled on the host'
    assert gate.message() == ('1 pod(s) cannot run on node n1: default/b: Pod was rejected: Cannot enforce AppArmor: '
                              'AppArmor is not enabled on the host')


def test_gate_when_deleting_changes_nothing():
    gate = placement.NodeGate(None)
    entries = [{'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'namespace': 'default', 'name': 'a'}, 'action': 'deleted'}]
    assert gate.report(entries) == entries and gate.kept([key('a')]) == [key('a')]


# ----------------------------------------------------------------------------- many nodes: place

def names(hosts, what='apply'):
    return {host: [k[1] for k in plan[what]] for host, plan in hosts.items()}


def test_place_spreads_pods_by_load_and_names_hosts():
    decisions, hosts = placement.place([pod(n) for n in 'abcd'], [view('n1'), view('n2')])
    assert [decisions[key(n)]['node'] for n in 'abcd'] == ['n1', 'n2', 'n1', 'n2']
    assert decisions[key('a')]['host'] == 'host-n1'
    assert names(hosts) == {'host-n1': ['a', 'c'], 'host-n2': ['b', 'd']}
    assert hosts['host-n1']['node_name'] == 'n1' and names(hosts, 'delete') == {'host-n1': [], 'host-n2': []}


def test_place_counts_the_pods_already_running_and_ignores_finished_ones():
    busy = [running(sized('x%d' % i, cpu='500m'), 'n1', phase) for i, phase in
            enumerate(['Running', 'Running', 'Succeeded', 'Failed'])]
    decisions, dummy = placement.place([sized('a', cpu='1500m')], [view('n1', busy), view('n2', [running(sized('y', cpu='200m'), 'n2')])])
    assert decisions[key('a')]['node'] == 'n2'
    decisions, dummy = placement.place([sized('a', cpu='1900m')], [view('n1', busy), view('n2', [running(sized('y', cpu='200m'), 'n2')])])
    assert decisions[key('a')]['node'] is None
    assert decisions[key('a')]['nodes'] == {'n1': ['Insufficient cpu'], 'n2': ['Insufficient cpu']}


def test_place_is_sticky():
    here = [view('n1'), view('n2', [running(pod('a'), 'n2'), running(pod('b'), 'n2')])]
    decisions, hosts = placement.place([pod('a'), pod('b')], here)
    assert [decisions[key(n)]['node'] for n in 'ab'] == ['n2', 'n2']
    assert all(decisions[key(n)]['sticky'] for n in 'ab')
    assert names(hosts, 'delete') == {'host-n1': [], 'host-n2': []}


def test_place_moves_a_pod_whose_selection_changed_and_deletes_it_from_its_old_node():
    here = [view('n1', labels={'disk': 'ssd'}), view('n2', [running(pod('a'), 'n2')])]
    decisions, hosts = placement.place([pod('a', nodeSelector={'disk': 'ssd'})], here)
    outcome = decisions[key('a')]
    assert (outcome['node'], outcome['previous'], outcome['sticky']) == ('n1', 'n2', False)
    assert names(hosts) == {'host-n1': ['a'], 'host-n2': []}
    assert names(hosts, 'delete') == {'host-n1': [], 'host-n2': ['a']}


def test_place_keeps_one_copy_of_a_pod_running_on_several_nodes():
    here = [view('n1', [running(pod('a'), 'n1')]), view('n2', [running(pod('a'), 'n2')])]
    decisions, hosts = placement.place([pod('a')], here)
    assert decisions[key('a')]['node'] == 'n1' and decisions[key('a')]['sticky']
    assert names(hosts, 'delete') == {'host-n1': [], 'host-n2': ['a']}
    decisions, hosts = placement.place([pod('a', nodeName='n2')], here)  # the copy that still fits stays
    assert decisions[key('a')]['node'] == 'n2'
    assert names(hosts, 'delete') == {'host-n1': ['a'], 'host-n2': []}


def test_place_leaves_a_pod_that_fits_nowhere_where_it_runs():
    here = [view('n1', [running(pod('a'), 'n1')]), view('n2', [running(pod('a'), 'n2')])]
    decisions, hosts = placement.place([pod('a', nodeSelector={'disk': 'nvme'})], here)
    outcome = decisions[key('a')]
    assert (outcome['node'], outcome['host'], outcome['phase'], outcome['previous']) == (None, None, 'Pending', 'n1')
    assert outcome['message'] == message(['2 ' + AFFINITY], ['2 ' + NOT_HELPFUL])
    assert names(hosts) == {'host-n1': [], 'host-n2': []}
    assert names(hosts, 'delete') == {'host-n1': [], 'host-n2': ['a']}


def test_place_with_taints_tolerations_and_affinity():
    tainted = view('n1', labels={'gpu': 'yes'}, taints=[{'key': 'gpu', 'value': 'yes', 'effect': 'NoSchedule'}])
    here = [tainted, view('n2')]
    gpu_affinity = required({'matchExpressions': [req('gpu', 'In', 'yes')]})
    decisions, dummy = placement.place([
        pod('plain'), pod('needs-gpu', affinity=gpu_affinity),
        pod('tolerates', affinity=gpu_affinity, tolerations=[{'key': 'gpu', 'operator': 'Exists', 'effect': 'NoSchedule'}]),
    ], here)
    assert decisions[key('plain')]['node'] == 'n2'
    assert decisions[key('needs-gpu')]['nodes'] == {'n1': ['node(s) had untolerated taint {gpu: yes}'], 'n2': [AFFINITY]}
    assert decisions[key('needs-gpu')]['message'] == message(
        ['1 ' + AFFINITY, '1 node(s) had untolerated taint {gpu: yes}'], ['2 ' + NOT_HELPFUL])  # sorted, as kube-scheduler
    assert decisions[key('tolerates')]['node'] == 'n1'


def test_place_without_nodes():
    decisions, hosts = placement.place([pod('a')], [])
    assert (decisions[key('a')]['message'], hosts) == ('no nodes available to schedule pods', {})


def test_place_refuses_two_hosts_with_one_node_name():
    with pytest.raises(HostpodsError) as info:
        placement.place([pod('a')], [view('n1'), dict(view('n1'), host='other')])
    assert info.value.msg == 'hosts host-n1 and other are both node "n1": give each node its own name'


def test_gate_groups_the_pods_refused_for_one_reason():
    """90 pods refused for "Too many pods": one message, the pods named compactly (issue 13)."""
    node = dict(ONE, allocatable=dict(ONE['allocatable'], pods=20))
    pods = [pod('web-%03d' % index, tolerations=TOLERATE_DB) for index in range(110)] + [
        pod('b', nodeName='elsewhere')]
    gate = placement.NodeGate(node)
    assert len(gate.admit(pods, {})) == 20
    message = gate.message()
    too_many = "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 %s.." % NO_VICTIMS
    assert message == ("91 pod(s) cannot run on node n1: default/web-020..web-109: %s; default/b: 0/1 nodes are "
                       "available: 1 node(s) didn't match the requested node name. preemption: 0/1 nodes are "
                       "available: 1 %s.." % (too_many, NOT_HELPFUL))
    assert message.count('Too many pods') == 1


# ----------------------------------------------------------------------------- constraints between pods

def anti_web(name):
    return pod(name, labels={'app': 'web'}, affinity={'podAntiAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': [
        {'labelSelector': {'matchLabels': {'app': 'web'}}, 'topologyKey': 'kubernetes.io/hostname'}]}})


def test_place_keeps_anti_affine_replicas_apart_across_nodes():
    decisions, hosts = placement.place([anti_web('web-0'), anti_web('web-1'), anti_web('web-2')],
                                       [view('n1'), view('n2', pods=[running(anti_web('web-9'), 'n2')])])
    assert [decisions[key('web-%d' % index)]['node'] for index in range(3)] == ['n1', None, None]
    assert decisions[key('web-1')]['message'] == message(["2 node(s) didn't match pod anti-affinity rules"],
                                                         ['2 ' + NO_VICTIMS])
    plain = placement.place([pod('plain', labels={'app': 'web'})], [view('n1', pods=[running(anti_web('web-9'), 'n1')])])[0]
    assert plain[key('plain')]['message'] == message(["1 node(s) didn't satisfy existing pods anti-affinity rules"],
                                                     ['1 ' + NO_VICTIMS])


def test_gate_admits_a_pod_placed_here_as_a_kubelet_does():
    """pod_schedule weighed its anti-affinity against every node; this node alone cannot, and does not try."""
    here = {('default', 'web-9'): record_of(anti_web('web-9'))}
    alone = placement.NodeGate(ONE)
    assert alone.admit([anti_web('web-0')], here) == [] and alone.failing == [key('web-0')]
    placed = placement.NodeGate(ONE, {'default/web-0': 'n1'})
    assert [p['metadata']['name'] for p in placed.admit([anti_web('web-0')], here)] == ['web-0']


def test_gate_reports_gated_pods_and_pods_of_other_schedulers_without_failing():
    pods = [pod('gated', schedulingGates=[{'name': 'example.com/wait'}]), pod('other', schedulerName='my-scheduler'),
            pod('free', tolerations=TOLERATE_DB)]
    gate = placement.NodeGate(ONE)
    assert [p['metadata']['name'] for p in gate.admit(pods, {})] == ['free']
    assert gate.failing == [] and gate.message() == ''
    report = {p['metadata']['name']: p for p in gate.report([entry(pods[2])])}
    assert (report['gated']['action'], report['gated']['status']['conditions']) == ('pending', [{
        'type': 'PodScheduled', 'status': 'False', 'reason': 'SchedulingGated',
        'message': 'Scheduling is blocked due to non-empty scheduling gates'}])
    assert (report['other']['action'], report['other']['status']['phase'], report['other']['status']['conditions']) == (
        'pending', 'Pending', [])
    assert placement.refusal_message(gate.refused.items()) == ''
