"""Unit tests of the scheduler's constraints between pods and of priorities, gates, other schedulers, numeric
tolerations and extended resources: kube-scheduler's filters, scores and messages (_plan.scheduler with
_plan.podaffinity and _plan.spread)."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._plan import scheduler

from hostpods_fakes import container, pod

GI = 1024 ** 3
HOST = 'kubernetes.io/hostname'
NOT_HELPFUL = 'Preemption is not helpful for scheduling'
NO_VICTIMS = 'No preemption victims found for incoming pod'
NOT_DONE = 'node(s) would fit with lower-priority pods evicted (hostpods does not preempt pods)'
ANTI = "node(s) didn't match pod anti-affinity rules"
EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules"
AFFINITY = "node(s) didn't match pod affinity rules"
SPREAD = "node(s) didn't match pod topology spread constraints"
SPREAD_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)"
NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector"


def node(name, zone=None, cpu=4000, memory=8 * GI, taints=None, **allocatable):
    labels = {HOST: name}
    if zone:
        labels['zone'] = zone
    return {'name': name, 'labels': labels, 'taints': taints or [],
            'allocatable': dict({'cpu': cpu, 'memory': memory, 'pods': 110}, **allocatable)}


THREE = [node('a', 'z1'), node('b', 'z2'), node('c', 'z2')]


def web(name, app='web', namespace='default', labels=None, **spec):
    return pod(name, namespace=namespace, labels=dict({'app': app}, **(labels or {})), **spec)


def term(app='web', topology=HOST, **extra):
    out = {'labelSelector': {'matchLabels': {'app': app}}, 'topologyKey': topology}
    out.update(extra)
    return out


def anti(*terms, preferred=()):
    return {'podAntiAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': list(terms),
                                'preferredDuringSchedulingIgnoredDuringExecution': list(preferred)}}


def affinity(*terms, preferred=()):
    return {'podAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': list(terms),
                            'preferredDuringSchedulingIgnoredDuringExecution': list(preferred)}}


def spread(key='zone', when='DoNotSchedule', skew=1, app='web', **extra):
    out = {'maxSkew': skew, 'topologyKey': key, 'whenUnsatisfiable': when, 'labelSelector': {'matchLabels': {'app': app}}}
    out.update(extra)
    return [out]


def running(*items):
    """``placed``: ``(node, pod)`` pairs already running."""
    return {('default', 'running-%d' % index): {'node': where, 'pod': item} for index, (where, item) in enumerate(items)}


def decide(pods, nodes=None, placed=None):
    return scheduler.schedule(pods if isinstance(pods, list) else [pods], THREE if nodes is None else nodes, placed)


def last(pods, nodes=None, placed=None):
    return list(decide(pods, nodes, placed).values())[-1]


def message(reasons, preemption):
    total = sum(int(part.split(' ', 1)[0]) for part in reasons)
    return '0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s..' % (
        total, ', '.join(reasons), total, ', '.join(preemption))


# ----------------------------------------------------------------------------- pod anti-affinity

def test_required_anti_affinity_puts_one_replica_a_node_and_refuses_the_fourth():
    replicas = [web('web-%d' % index, affinity=anti(term())) for index in range(4)]
    outcomes = list(decide(replicas).values())
    assert sorted(item['node'] for item in outcomes[:3]) == ['a', 'b', 'c']
    assert outcomes[3]['node'] is None and outcomes[3]['reason'] == 'Unschedulable'
    assert outcomes[3]['message'] == message(['3 ' + ANTI], ['3 ' + NO_VICTIMS])


def test_existing_pods_anti_affinity_keeps_matching_pods_away():
    placed = running(('a', web('guard', app='guard', affinity=anti(term('web')))))
    outcome = last(web('web'), [node('a', 'z1')], placed)
    assert outcome['message'] == message(['1 ' + EXISTING], ['1 ' + NO_VICTIMS])
    assert last(web('web'), THREE, placed)['node'] in ('b', 'c')


def test_anti_affinity_over_a_zone_covers_every_node_of_it():
    placed = running(('b', web('one')))
    outcome = last(web('two', affinity=anti(term(topology='zone'))), THREE, placed)
    assert outcome['node'] == 'a' and outcome['nodes'] == {'b': [ANTI], 'c': [ANTI]}


def test_anti_affinity_on_a_key_a_node_lacks_does_not_hold_it_back():
    placed = running(('a', web('one')))
    assert last(web('two', affinity=anti(term(topology='rack'))), [node('a', 'z1')], placed)['node'] == 'a'


# ----------------------------------------------------------------------------- pod affinity

def test_required_affinity_follows_the_matching_pods_zone():
    placed = running(('b', web('db', app='db')))
    outcome = last(web('api', affinity=affinity(term('db', 'zone'))), THREE, placed)
    assert outcome['node'] in ('b', 'c') and outcome['nodes'] == {'a': [AFFINITY]}


def test_affinity_to_no_pod_is_unresolvable():
    outcome = last(web('api', affinity=affinity(term('db', 'zone'))))
    assert outcome['message'] == message(['3 ' + AFFINITY], ['3 ' + NOT_HELPFUL])


def test_the_first_pod_of_a_series_with_affinity_to_itself_is_placed():
    outcome = last(web('first', affinity=affinity(term('web', 'zone'))))
    assert outcome['node'] is not None
    second = decide([web('first', affinity=affinity(term('web', 'zone'))),
                     web('second', affinity=affinity(term('web', 'zone')))])
    first_zone = {'a': 'z1', 'b': 'z2', 'c': 'z2'}
    nodes = [item['node'] for item in second.values()]
    assert first_zone[nodes[0]] == first_zone[nodes[1]]


def test_affinity_needs_the_topology_label_on_the_node():
    outcome = last(web('first', affinity=affinity(term('web', 'rack'))))
    assert outcome['message'] == message(['3 ' + AFFINITY], ['3 ' + NOT_HELPFUL])


@pytest.mark.parametrize('extra, matches', [
    ({}, False),                                                                        # the pod's own namespace only
    ({'namespaces': ['team']}, True),
    ({'namespaceSelector': {}}, True),                                                  # every namespace
    ({'namespaceSelector': {'matchLabels': {'kubernetes.io/metadata.name': 'team'}}}, True),
    ({'namespaceSelector': {'matchLabels': {'kubernetes.io/metadata.name': 'other'}}}, False),
])
def test_affinity_terms_select_namespaces(extra, matches):
    placed = running(('a', web('db', app='db', namespace='team')))
    outcome = last(web('api', affinity=affinity(term('db', HOST, **extra))), THREE, placed)
    assert (outcome['node'] == 'a') is matches and (outcome['node'] is None) is not matches


def test_match_label_keys_count_only_the_same_revision():
    placed = running(('a', web('old', labels={'rev': '1'})))
    term_ = term(matchLabelKeys=['rev'])
    assert last(web('new', labels={'rev': '2'}, affinity=anti(term_)), [node('a')], placed)['node'] == 'a'
    assert last(web('new', labels={'rev': '1'}, affinity=anti(term_)), [node('a')], placed)['node'] is None
    mismatch = term(mismatchLabelKeys=['rev'])  # pods of the other revisions only
    assert last(web('new', labels={'rev': '1'}, affinity=anti(mismatch)), [node('a')], placed)['node'] == 'a'


def test_preferred_anti_affinity_spreads_and_preferred_affinity_gathers():
    placed = running(('a', web('one')))
    nodes = [node('a', 'z1'), node('b', 'z2')]
    preferred = [{'weight': 100, 'podAffinityTerm': term()}]
    assert last(web('two', affinity=anti(preferred=preferred)), nodes, placed)['node'] == 'b'
    assert last(web('two', affinity=affinity(preferred=preferred)), nodes, placed)['node'] == 'a'


def test_existing_pods_required_affinity_draws_matching_pods():
    placed = running(('b', web('cache', app='cache', affinity=affinity(term('web')))))
    assert last(web('web'), [node('a', 'z1'), node('b', 'z2')], placed)['node'] == 'b'


# ----------------------------------------------------------------------------- topology spread

def test_spread_over_zones_alternates():
    pods = [web('web-%d' % index, topologySpreadConstraints=spread()) for index in range(4)]
    zones = {'a': 'z1', 'b': 'z2', 'c': 'z2'}
    assert sorted(zones[item['node']] for item in decide(pods).values()) == ['z1', 'z1', 'z2', 'z2']


def test_spread_refuses_a_node_over_the_skew():
    placed = running(('a', web('one')))
    outcome = last(web('two', topologySpreadConstraints=spread(), nodeSelector={'zone': 'z1'}), THREE, placed)
    assert outcome['node'] == 'a'  # nodeAffinityPolicy Honor: zone z2 does not count for a pod bound to z1
    ignore = spread(nodeAffinityPolicy='Ignore')
    outcome = last(web('two', topologySpreadConstraints=ignore, nodeSelector={'zone': 'z1'}), THREE, placed)
    assert outcome['message'] == message(['1 ' + SPREAD, '2 ' + NODE_AFFINITY], ['1 ' + NO_VICTIMS, '2 ' + NOT_HELPFUL])


def test_spread_needs_the_topology_label():
    outcome = last(web('one', topologySpreadConstraints=spread(key='rack')))
    assert outcome['message'] == message(['3 ' + SPREAD_LABEL], ['3 ' + NOT_HELPFUL])


def test_min_domains_counts_missing_domains_as_empty():
    nodes = [node('a', 'z1'), node('b', 'z1')]
    pods = [web('web-%d' % index, topologySpreadConstraints=spread(minDomains=2)) for index in range(2)]
    outcomes = list(decide(pods, nodes).values())
    assert outcomes[0]['node'] is not None
    assert outcomes[1]['message'] == message(['2 ' + SPREAD], ['2 ' + NO_VICTIMS])
    unbounded = [web('web-%d' % index, topologySpreadConstraints=spread()) for index in range(2)]
    assert all(item['node'] for item in decide(unbounded, nodes).values())


def test_node_taints_policy_honor_leaves_tainted_domains_out():
    nodes = [node('a', 'z1'), node('b', 'z2', taints=[{'key': 'k', 'value': 'v', 'effect': 'NoSchedule'}])]
    placed = running(('a', web('one')))
    outcome = last(web('two', topologySpreadConstraints=spread()), nodes, placed)
    assert outcome['message'] == message(['1 ' + SPREAD, '1 node(s) had untolerated taint {k: v}'],
                                         ['1 ' + NO_VICTIMS, '1 ' + NOT_HELPFUL])
    honor = spread(nodeTaintsPolicy='Honor')
    assert last(web('two', topologySpreadConstraints=honor), nodes, placed)['node'] == 'a'


def test_schedule_anyway_prefers_the_emptier_domain_and_never_refuses():
    placed = running(('b', web('one')), ('c', web('two')))
    outcome = last(web('three', topologySpreadConstraints=spread(when='ScheduleAnyway')), THREE, placed)
    assert outcome['node'] == 'a'
    outcome = last(web('three', topologySpreadConstraints=spread(when='ScheduleAnyway'), nodeSelector={'zone': 'z2'}),
                   THREE, placed)
    assert outcome['node'] in ('b', 'c')


def test_spread_counts_pods_of_the_same_namespace_only():
    placed = {('team', 'one'): {'node': 'a', 'pod': web('one', namespace='team')}}
    nodes = [node('a', 'z1'), node('b', 'z2')]
    outcome = last(web('two', topologySpreadConstraints=spread(), nodeSelector={'zone': 'z1'}), nodes, placed)
    assert outcome['node'] == 'a'


# ----------------------------------------------------------------------------- priorities

def test_higher_priority_is_placed_first_whatever_the_order():
    nodes = [node('a', cpu=1000)]
    pods = [web('low', containers=[container('app', resources={'requests': {'cpu': '800m'}})]),
            web('high', priority=1000, priorityClassName='high',
                containers=[container('app', resources={'requests': {'cpu': '800m'}})])]
    outcomes = decide(pods, nodes)
    assert outcomes[('default', 'high')]['node'] == 'a'
    assert outcomes[('default', 'low')]['message'] == message(['1 Insufficient cpu'], ['1 ' + NO_VICTIMS])
    assert list(outcomes) == [('default', 'low'), ('default', 'high')]  # reported in the given order


def test_a_higher_priority_pod_says_eviction_would_help_and_evicts_nothing():
    nodes = [node('a', cpu=1000), node('b', cpu=100)]
    placed = running(('a', web('low', containers=[container('app', resources={'requests': {'cpu': '800m'}})])))
    high = web('high', priority=100, containers=[container('app', resources={'requests': {'cpu': '800m'}})])
    outcome = last(high, nodes, placed)
    assert outcome['message'] == message(['2 Insufficient cpu'], ['1 ' + NO_VICTIMS, '1 ' + NOT_DONE])
    never = web('high', priority=100, preemptionPolicy='Never',
                containers=[container('app', resources={'requests': {'cpu': '800m'}})])
    assert last(never, nodes, placed)['message'] == \
        '0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..'


# ----------------------------------------------------------------------------- gates and other schedulers

def test_a_gated_pod_waits_and_takes_no_room():
    pods = [web('gated', schedulingGates=[{'name': 'example.com/quota'}]), web('free')]
    outcomes = decide(pods, [node('a', pods=1)])
    gated = outcomes[('default', 'gated')]
    assert (gated['node'], gated['phase'], gated['reason'], gated['waiting']) == (None, 'Pending', 'SchedulingGated', True)
    assert scheduler.pod_scheduled_condition(gated) == {
        'type': 'PodScheduled', 'status': 'False', 'reason': 'SchedulingGated',
        'message': 'Scheduling is blocked due to non-empty scheduling gates'}
    assert outcomes[('default', 'free')]['node'] == 'a'


def test_a_gated_pod_that_runs_is_not_kept_where_it_is():
    placed = {('default', 'web'): {'node': 'a', 'pod': web('web')}}
    outcome = last(web('web', schedulingGates=[{'name': 'wait'}]), THREE, placed)
    assert (outcome['node'], outcome['reason'], outcome['previous']) == (None, 'SchedulingGated', 'a')


def test_a_pod_for_another_scheduler_waits_without_a_condition_unless_bound():
    outcome = last(web('web', schedulerName='my-scheduler'))
    assert (outcome['node'], outcome['phase'], outcome['waiting']) == (None, 'Pending', True)
    assert scheduler.pod_scheduled_condition(outcome) is None
    assert last(web('web', schedulerName='my-scheduler', nodeName='b'))['node'] == 'b'


# ----------------------------------------------------------------------------- tolerations Lt and Gt

@pytest.mark.parametrize('operator, value, tolerated', [
    ('Gt', '750', True), ('Gt', '800', False), ('Gt', '950', False),
    ('Lt', '900', True), ('Lt', '800', False), ('Lt', '-1', False),
    ('Gt', '0750', False),                                   # not canonical: never matches
    ('Exists', None, True), ('Equal', '800', True), ('Equal', '900', False),
])
def test_numeric_toleration_operators(operator, value, tolerated):
    toleration = {'key': 'sla', 'operator': operator, 'effect': 'NoSchedule'}
    if value is not None:
        toleration['value'] = value
    nodes = [node('a', taints=[{'key': 'sla', 'value': '800', 'effect': 'NoSchedule'}])]
    assert (last(web('web', tolerations=[toleration]), nodes)['node'] == 'a') is tolerated


# ----------------------------------------------------------------------------- extended resources and hugepages

def dongles(name, count, **extra):
    resources = {'limits': {'example.com/dongle': str(count)}}
    resources['limits'].update(extra)
    return web(name, containers=[container('app', resources=resources)])


def test_extended_resources_are_counted_against_what_the_node_declares():
    nodes = [node('a', **{'example.com/dongle': '2'}), node('b')]
    outcomes = list(decide([dongles('one', 1), dongles('two', 1), dongles('three', 1)], nodes).values())
    assert [item['node'] for item in outcomes[:2]] == ['a', 'a']
    assert outcomes[2]['message'] == message(['2 Insufficient example.com/dongle'], ['2 ' + NO_VICTIMS])


def test_hugepages_are_counted_like_memory():
    nodes = [node('a', **{'hugepages-2Mi': '8Mi'})]
    pods = [web('h%d' % index, containers=[container('app', resources={'limits': {
        'hugepages-2Mi': '4Mi', 'memory': '64Mi'}})]) for index in range(3)]
    outcomes = list(decide(pods, nodes).values())
    assert [item['node'] for item in outcomes] == ['a', 'a', None]
    assert outcomes[2]['message'] == message(['1 Insufficient hugepages-2Mi'], ['1 ' + NO_VICTIMS])


def test_a_kubelet_ignores_extended_resources_its_node_does_not_know():
    bound = dongles('bound', 1)
    bound['spec']['nodeName'] = 'a'
    assert last(bound, [node('a')])['node'] == 'a'  # removeMissingExtendedResources
    outcome = last(dongles('free', 1), [node('a')])
    assert outcome['message'] == message(['1 Insufficient example.com/dongle'], ['1 ' + NO_VICTIMS])
