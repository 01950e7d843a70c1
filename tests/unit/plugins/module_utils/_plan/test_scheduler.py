"""Unit tests of _scheduler: kube-scheduler's filters, scores and messages, as tables of cases."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._plan import scheduler

from hostpods_fakes import container, pod

GI = 1024 ** 3
MI = 1024 ** 2
NOT_HELPFUL = 'Preemption is not helpful for scheduling'
NO_VICTIMS = 'No preemption victims found for incoming pod'
AFFINITY = "node(s) didn't match Pod's node affinity/selector"


def node(name, labels=None, taints=None, cpu=4000, memory=8 * GI, pods=110, **extra):
    out = {'name': name, 'labels': labels or {}, 'taints': taints or [],
           'allocatable': {'cpu': cpu, 'memory': memory, 'pods': pods}}
    out.update(extra)
    return out


def taint(key, value='', effect='NoSchedule'):
    return {'key': key, 'value': value, 'effect': effect}


def sized(name='web', cpu=None, memory=None, limits=None, init=None, **spec):
    """A pod with one container requesting ``cpu``/``memory`` (or limited by ``limits``)."""
    resources = {}
    requests = {key: value for key, value in (('cpu', cpu), ('memory', memory)) if value is not None}
    if requests:
        resources['requests'] = requests
    if limits:
        resources['limits'] = limits
    return pod(name, containers=[container('app', resources=resources)], init=init, **spec)


def one(pods, nodes, placed=None):
    """The decision of the only (or last) pod."""
    outcome = scheduler.schedule(pods if isinstance(pods, list) else [pods], nodes, placed)
    return list(outcome.values())[-1]


def where(pods, nodes, placed=None):
    return [item['node'] for item in scheduler.schedule(pods, nodes, placed).values()]


def feasible(pod_, nodes):
    """The nodes that pass every filter for a pod."""
    return sorted(one(pod_, nodes)['scores'])


def message(*parts, preemption):
    return '0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s..' % (
        sum(int(part.split(' ', 1)[0]) for part in parts), ', '.join(parts),
        sum(int(part.split(' ', 1)[0]) for part in preemption), ', '.join(preemption))


# ----------------------------------------------------------------------------- nodeName

THREE = [node('a'), node('b'), node('c')]


def test_node_name_pins_the_pod_even_to_the_busiest_node():
    placed = {('default', 'x%d' % i): 'c' for i in range(5)}
    outcome = one(pod('web', nodeName='c'), THREE, placed)
    assert (outcome['node'], outcome['phase'], outcome['reason'], outcome['sticky']) == ('c', None, None, False)


@pytest.mark.parametrize('target', [
    node('a', taints=[taint('dedicated', 'gpu')]),               # NoSchedule: the scheduler's business only
    node('a', taints=[taint('soft', effect='PreferNoSchedule')]),
    node('a', unschedulable=True),                                # a cordon does not stop a bound pod
])
def test_node_name_bypasses_the_scheduler_filters(target):
    assert one(pod('web', nodeName='a'), [target])['node'] == 'a'


def test_node_name_of_no_node_is_unschedulable():
    outcome = one(pod('web', nodeName='gone'), THREE)
    assert outcome['node'] is None
    assert outcome['phase'] == 'Pending' and outcome['reason'] == 'Unschedulable'
    assert outcome['message'] == message("3 node(s) didn't match the requested node name", preemption=['3 ' + NOT_HELPFUL])
    assert outcome['nodes'] == {name: ["node(s) didn't match the requested node name"] for name in 'abc'}


@pytest.mark.parametrize('pod_, target, placed, reason, text', [
    (sized(cpu='5', nodeName='a'), node('a'), None, 'OutOfcpu',
     "Node didn't have enough resource: cpu, requested: 5000, used: 0, capacity: 4000"),
    (sized(memory='2Gi', nodeName='a'), node('a', memory=3 * GI), {('default', 'old'): {'node': 'a', 'pod': sized('old', memory='1536Mi')}},
     'OutOfmemory', "Node didn't have enough resource: memory, requested: 2147483648, used: 1610612736, capacity: 3221225472"),
    (pod('web', nodeName='a'), node('a', pods=2), {('default', 'x'): 'a', ('default', 'y'): 'a'}, 'OutOfpods',
     "Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2"),
    (pod('web', nodeName='a', nodeSelector={'disk': 'ssd'}), node('a'), None, 'NodeAffinity',
     "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector"),
    (pod('web', nodeName='a'), node('a', taints=[taint('evict', effect='NoExecute')]), None, 'TaintToleration',
     "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate"),
    (pod('web', nodeName='a', containers=[container('app', ports=[{'containerPort': 80, 'hostPort': 8080}])]), node('a'),
     {('default', 'old'): {'node': 'a', 'pod': pod('old', containers=[container('app', ports=[{'containerPort': 80, 'hostPort': 8080}])])}},
     'NodePorts', "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports"),
])
def test_node_name_kubelet_rejects(pod_, target, placed, reason, text):
    outcome = one(pod_, [target, node('z')], placed)
    assert outcome['node'] is None
    assert (outcome['phase'], outcome['reason'], outcome['message']) == ('Failed', reason, 'Pod was rejected: ' + text)
    assert list(outcome['nodes']) == ['a']


def test_node_name_rejection_reports_the_first_failure_and_lists_all():
    outcome = one(sized(cpu='5', memory='9Gi', nodeName='a', nodeSelector={'disk': 'ssd'}), [node('a')])
    assert outcome['reason'] == 'OutOfcpu'
    assert outcome['nodes'] == {'a': ['Insufficient cpu', 'Insufficient memory', AFFINITY]}


def test_node_name_tolerated_no_execute_taint_is_admitted():
    tolerations = [{'key': 'evict', 'operator': 'Exists', 'effect': 'NoExecute', 'tolerationSeconds': 30}]
    assert one(pod('web', nodeName='a', tolerations=tolerations), [node('a', taints=[taint('evict', effect='NoExecute')])])['node'] == 'a'


# ----------------------------------------------------------------------------- nodeSelector and required node affinity

LABELLED = [
    node('a', {'disk': 'ssd', 'zone': 'z1', 'gen': '3'}),
    node('b', {'disk': 'hdd', 'zone': 'z2', 'gen': '5'}),
    node('c', {'zone': 'z1', 'gen': 'x'}),
]


@pytest.mark.parametrize('selector, nodes', [
    ({}, ['a', 'b', 'c']),
    ({'disk': 'ssd'}, ['a']),
    ({'zone': 'z1'}, ['a', 'c']),
    ({'disk': 'ssd', 'zone': 'z1'}, ['a']),
    ({'disk': 'ssd', 'zone': 'z2'}, []),
    ({'disk': ''}, []),                       # the label must be there
    ({'missing': 'x'}, []),
])
def test_node_selector(selector, nodes):
    assert feasible(pod('web', nodeSelector=selector), LABELLED) == nodes


def expr(key, operator, *values):
    out = {'key': key, 'operator': operator}
    if values:
        out['values'] = list(values)
    return out


def field(operator, *values):
    return {'key': 'metadata.name', 'operator': operator, 'values': list(values)}


OPERATOR_CASES = [
    ({'matchExpressions': [expr('disk', 'In', 'ssd', 'hdd')]}, ['a', 'b']),
    ({'matchExpressions': [expr('disk', 'In', 'ssd')]}, ['a']),
    ({'matchExpressions': [expr('disk', 'NotIn', 'ssd')]}, ['b', 'c']),      # a missing label is "not in"
    ({'matchExpressions': [expr('disk', 'Exists')]}, ['a', 'b']),
    ({'matchExpressions': [expr('disk', 'DoesNotExist')]}, ['c']),
    ({'matchExpressions': [expr('gen', 'Gt', '4')]}, ['b']),                 # "x" is no integer: no match
    ({'matchExpressions': [expr('gen', 'Lt', '4')]}, ['a']),
    ({'matchExpressions': [expr('gen', 'Gt', '-1')]}, ['a', 'b']),
    ({'matchExpressions': [expr('gen', 'Lt', '+4')]}, ['a']),
    ({'matchExpressions': [expr('zone', 'Gt', '1')]}, []),
    ({'matchExpressions': [expr('gen', 'Gt', 'x')]}, []),                    # invalid requirements match nothing
    ({'matchExpressions': [expr('gen', 'Gt', '1', '2')]}, []),
    ({'matchExpressions': [expr('disk', 'In')]}, []),
    ({'matchExpressions': [expr('disk', 'Exists', 'ssd')]}, []),
    ({'matchExpressions': [expr('disk', 'Like', 'ssd')]}, []),
    ({'matchExpressions': [expr('zone', 'In', 'z1'), expr('disk', 'Exists')]}, ['a']),   # ANDed
    ({'matchFields': [field('In', 'b')]}, ['b']),
    ({'matchFields': [field('NotIn', 'b')]}, ['a', 'c']),
    ({'matchFields': [field('NotIn', 'b')], 'matchExpressions': [expr('zone', 'In', 'z1')]}, ['a', 'c']),
    ({'matchFields': [field('In', 'a')], 'matchExpressions': [expr('zone', 'In', 'z2')]}, []),
    ({'matchFields': [field('Exists')]}, []),
    ({'matchFields': [field('In', 'a', 'b')]}, []),                          # a field requirement takes one value
    ({'matchFields': [{'key': 'metadata.uid', 'operator': 'NotIn', 'values': ['u']}]}, ['a', 'b', 'c']),
    ({}, []),                                                                 # an empty term matches nothing
]


def required(*terms):
    return {'nodeAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': {'nodeSelectorTerms': list(terms)}}}


@pytest.mark.parametrize('term, nodes', OPERATOR_CASES)
def test_required_affinity_operators(term, nodes):
    assert feasible(pod('web', affinity=required(term)), LABELLED) == nodes


@pytest.mark.parametrize('terms, nodes', [
    ([{'matchExpressions': [expr('disk', 'In', 'ssd')]}, {'matchExpressions': [expr('disk', 'In', 'hdd')]}], ['a', 'b']),   # ORed
    ([{}, {'matchExpressions': [expr('disk', 'In', 'hdd')]}], ['b']),
    ([{'matchFields': [field('In', 'a')]}, {'matchFields': [field('In', 'c')]}], ['a', 'c']),
    ([{'matchFields': [field('In', 'a')]}, {'matchExpressions': [expr('disk', 'In', 'hdd')]}], ['a', 'b']),
    ([], []),
])
def test_required_affinity_terms_are_ored(terms, nodes):
    assert feasible(pod('web', affinity=required(*terms)), LABELLED) == nodes


def test_node_selector_and_affinity_must_both_hold():
    spec = {'nodeSelector': {'zone': 'z1'}, 'affinity': required({'matchExpressions': [expr('disk', 'Exists')]})}
    assert feasible(pod('web', **spec), LABELLED) == ['a']


def test_match_fields_prefilter_marks_the_other_nodes():
    pod_ = sized(cpu='5', affinity=required({'matchFields': [field('In', 'b')]}))
    outcome = one(pod_, LABELLED)
    assert outcome['message'] == message("1 Insufficient cpu", "2 node(s) didn't satisfy plugin(s) [NodeAffinity]",
                                         preemption=['1 ' + NO_VICTIMS, '2 ' + NOT_HELPFUL])
    assert outcome['nodes']['a'] == ["node(s) didn't satisfy plugin(s) [NodeAffinity]"]


def test_match_fields_conflict_is_a_prefilter_message():
    outcome = one(pod('web', affinity=required({'matchFields': [field('In', 'a'), field('In', 'b')]})), LABELLED)
    assert outcome['message'] == ('0/3 nodes are available: pod affinity terms conflict. '
                                  'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..')


# ----------------------------------------------------------------------------- preferred node affinity

def preferred(*weighted):
    return {'nodeAffinity': {'preferredDuringSchedulingIgnoredDuringExecution': [
        {'weight': weight, 'preference': term} for weight, term in weighted]}}


@pytest.mark.parametrize('term, nodes', OPERATOR_CASES)
def test_preferred_affinity_operators(term, nodes):
    scores = one(pod('web', affinity=preferred((10, term))), LABELLED)['scores']
    best = sorted(name for name, score in scores.items() if score == max(scores.values()))
    assert best == (nodes or ['a', 'b', 'c'])


@pytest.mark.parametrize('weighted, winner', [
    ([(10, {'matchExpressions': [expr('zone', 'In', 'z2')]})], 'b'),
    ([(1, {'matchExpressions': [expr('disk', 'In', 'hdd')]}), (5, {'matchExpressions': [expr('zone', 'In', 'z1')]})], 'a'),
    ([(5, {'matchExpressions': [expr('disk', 'In', 'hdd')]}), (1, {'matchExpressions': [expr('zone', 'In', 'z1')]})], 'b'),
    ([(3, {'matchExpressions': [expr('gen', 'Lt', '9')]}), (1, {'matchFields': [field('In', 'c')]})], 'a'),
    ([(0, {'matchExpressions': [expr('zone', 'In', 'z2')]})], 'a'),          # weight 0 counts for nothing
    ([(10, {})], 'a'),
])
def test_preferred_affinity_weights(weighted, winner):
    assert one(pod('web', affinity=preferred(*weighted)), LABELLED)['node'] == winner


def test_preference_outweighs_a_moderate_load():
    placed = {('default', 'busy'): {'node': 'a', 'pod': sized('busy', cpu='2', memory='2Gi')}}
    prefer_a = preferred((1, {'matchFields': [field('In', 'a')]}))
    assert one(pod('web'), [node('a'), node('b')], placed)['node'] == 'b'
    assert one(pod('web', affinity=prefer_a), [node('a'), node('b')], placed)['node'] == 'a'


def test_preference_never_overrides_a_filter():
    prefer_a = preferred((100, {'matchFields': [field('In', 'a')]}))
    assert one(pod('web', affinity=prefer_a, nodeSelector={'disk': 'hdd'}), LABELLED)['node'] == 'b'


# ----------------------------------------------------------------------------- taints and tolerations

def tol(key=None, operator=None, value=None, effect=None):
    return {name: item for name, item in (('key', key), ('operator', operator), ('value', value), ('effect', effect)) if item is not None}


@pytest.mark.parametrize('effect', ['NoSchedule', 'NoExecute'])
@pytest.mark.parametrize('tolerations, fits', [
    ([], False),
    ([tol('dedicated', 'Equal', 'gpu', '{effect}')], True),
    ([tol('dedicated', None, 'gpu', '{effect}')], True),                      # operator defaults to Equal
    ([tol('dedicated', 'Equal', 'cpu', '{effect}')], False),
    ([tol('dedicated', 'Equal', 'gpu')], True),                               # no effect: every effect
    ([tol('dedicated', 'Exists')], True),
    ([tol('dedicated', 'Exists', effect='{other}')], False),
    ([tol('other', 'Exists')], False),
    ([tol(operator='Exists')], True),                                          # empty key + Exists: everything
    ([tol(operator='Exists', effect='{other}')], False),
    ([tol('dedicated', 'Lt', 'gpu')], False),                                 # unknown operators tolerate nothing
    ([tol('other', 'Exists'), tol('dedicated', 'Exists', effect='{effect}')], True),
])
def test_tolerations(effect, tolerations, fits):
    other = 'NoExecute' if effect == 'NoSchedule' else 'NoSchedule'
    tolerations = [{name: item.format(effect=effect, other=other) for name, item in entry.items()} for entry in tolerations]
    outcome = one(pod('web', tolerations=tolerations), [node('a', taints=[taint('dedicated', 'gpu', effect)])])
    assert (outcome['node'] == 'a') is fits
    if not fits:
        assert outcome['nodes'] == {'a': ['node(s) had untolerated taint {dedicated: gpu}']}


def test_the_first_untolerated_taint_is_reported():
    taints = [taint('soft', effect='PreferNoSchedule'), taint('a', 'x'), taint('b', 'y', 'NoExecute')]
    outcome = one(pod('web', tolerations=[tol('a', 'Exists')]), [node('n', taints=taints)])
    assert outcome['nodes'] == {'n': ['node(s) had untolerated taint {b: y}']}


def test_an_empty_taint_value_prints_as_kube_scheduler_does():
    outcome = one(pod('web'), [node('cp', taints=[taint('node-role.kubernetes.io/control-plane')])])
    assert outcome['message'] == message('1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
                                         preemption=['1 ' + NOT_HELPFUL])


@pytest.mark.parametrize('tolerations, winner', [
    ([], 'b'),                                                                # untolerated PreferNoSchedule: avoided
    ([tol('soft', 'Exists', effect='PreferNoSchedule')], 'a'),
    ([tol('soft', 'Equal', 'yes')], 'a'),
    ([tol('soft', 'Exists', effect='NoSchedule')], 'b'),                      # the wrong effect
    ([tol(operator='Exists')], 'a'),
])
def test_prefer_no_schedule_is_a_penalty_not_a_filter(tolerations, winner):
    nodes = [node('a', taints=[taint('soft', 'yes', 'PreferNoSchedule')]), node('b')]
    assert one(pod('web', tolerations=tolerations), nodes)['node'] == winner
    assert one(pod('web', tolerations=tolerations), nodes[:1])['node'] == 'a'


def test_prefer_no_schedule_counts_taints():
    nodes = [node('a', taints=[taint('s1', effect='PreferNoSchedule'), taint('s2', effect='PreferNoSchedule')]),
             node('b', taints=[taint('s1', effect='PreferNoSchedule')])]
    # TaintToleration (x3, fewer is better, normalised): a 0, b 50; LeastAllocated 97 each; no preferences
    assert one(pod('web'), nodes)['scores'] == {'a': 0 + 97, 'b': 3 * 50 + 97}


@pytest.mark.parametrize('tolerations, fits', [
    ([], False),
    ([tol('node.kubernetes.io/unschedulable', 'Exists', effect='NoSchedule')], True),
    ([tol(operator='Exists')], True),
])
def test_cordoned_node(tolerations, fits):
    outcome = one(pod('web', tolerations=tolerations), [node('a', unschedulable=True)])
    assert (outcome['node'] == 'a') is fits
    if not fits:
        assert outcome['message'] == message('1 node(s) were unschedulable', preemption=['1 ' + NOT_HELPFUL])


# ----------------------------------------------------------------------------- resources

@pytest.mark.parametrize('pod_, expected', [
    (pod('web'), {}),
    (sized(cpu='250m', memory='64Mi'), {'cpu': 250, 'memory': 64 * MI}),
    (pod('web', containers=[container('a', resources={'requests': {'cpu': '100m'}}),
                            container('b', resources={'requests': {'cpu': '200m'}})]), {'cpu': 300}),
    (sized(limits={'cpu': '1', 'memory': '1Gi'}), {'cpu': 1000, 'memory': GI}),                      # requests default to limits
    (sized(cpu='100m', limits={'cpu': '1', 'memory': '1Gi'}), {'cpu': 100, 'memory': GI}),           # per resource
    (sized(cpu='300m', init=[container('init', resources={'requests': {'cpu': '500m'}})]), {'cpu': 500}),
    (sized(cpu='300m', init=[container('init', resources={'requests': {'cpu': '250m'}})]), {'cpu': 300}),
    (sized(cpu='500m', memory='100Mi', init=[container('init', resources={'requests': {'cpu': '1', 'memory': '10Mi'}})]),
     {'cpu': 1000, 'memory': 100 * MI}),                                      # the max is taken per resource
    (sized(cpu='100m', init=[container('i1', resources={'requests': {'cpu': '400m'}}),
                             container('i2', resources={'limits': {'cpu': '700m'}})]), {'cpu': 700}),
    (sized(cpu='200m', init=[container('side', restartPolicy='Always', resources={'requests': {'cpu': '100m'}}),
                             container('init', resources={'requests': {'cpu': '500m'}})]), {'cpu': 600}),
    (sized(cpu='600m', init=[container('side', restartPolicy='Always', resources={'requests': {'cpu': '100m'}}),
                             container('init', resources={'requests': {'cpu': '500m'}})]), {'cpu': 700}),
    (pod('web', containers=[container('a', resources={'requests': {'example.com/gpu': '1'}})]), {'example.com/gpu': 1}),
])
def test_pod_requests(pod_, expected):
    assert scheduler.pod_requests(pod_) == expected


@pytest.mark.parametrize('pod_, expected', [
    (pod('web'), {'cpu': 100, 'memory': 200 * MI}),
    (pod('web', containers=[container('a'), container('b')]), {'cpu': 200, 'memory': 400 * MI}),
    (sized(cpu='0'), {'cpu': 0, 'memory': 200 * MI}),                        # an explicit 0 is not missing
    (sized(limits={'memory': '1Gi'}), {'cpu': 100, 'memory': GI}),
])
def test_pod_requests_for_scoring(pod_, expected):
    assert scheduler.pod_requests(pod_, non_missing=True) == expected


@pytest.mark.parametrize('pod_, target, fits', [
    (sized(cpu='4'), node('a'), True),                                        # exactly full
    (sized(cpu='4001m'), node('a'), False),
    (sized(memory='8Gi'), node('a'), True),
    (sized(memory='8193Mi'), node('a'), False),
    (sized(limits={'cpu': '5'}), node('a'), False),                           # the defaulted request counts
    (sized(cpu='1', limits={'cpu': '5'}), node('a'), True),
    (sized(cpu='1', init=[container('init', resources={'requests': {'cpu': '4500m'}})]), node('a'), False),
    (sized(cpu='3', init=[container('init', resources={'requests': {'cpu': '4'}})]), node('a'), True),
    (sized(cpu='64'), {'name': 'a'}, True),                                   # a node that does not report cpu is not limited
    (pod('web', containers=[container('a', resources={'requests': {'example.com/gpu': '1'}})]), node('a'), False),
    (pod('web', containers=[container('a', resources={'requests': {'example.com/gpu': '1'}})]),
     node('a', allocatable={'example.com/gpu': 1}), True),
])
def test_resource_fit(pod_, target, fits):
    assert (one(pod_, [target])['node'] == 'a') is fits


def test_requests_of_placed_pods_count():
    placed = {('default', 'old'): {'node': 'a', 'pod': sized('old', cpu='3')}}
    outcome = one(sized(cpu='2'), [node('a')], placed)
    assert outcome['nodes'] == {'a': ['Insufficient cpu']}
    assert outcome['message'] == message('1 Insufficient cpu', preemption=['1 ' + NO_VICTIMS])


def test_placed_requests_may_be_given_as_numbers():
    placed = {('default', 'old'): {'node': 'a', 'requests': {'cpu': 3000, 'memory': '1Gi'}}}
    assert one(sized(cpu='2'), [node('a'), node('b')], placed)['node'] == 'b'


def test_a_zero_request_pod_fits_an_overcommitted_node():
    placed = {('default', 'old'): {'node': 'a', 'requests': {'cpu': 9000}}}
    assert one(pod('web'), [node('a')], placed)['node'] == 'a'


def test_cpu_and_memory_both_short_are_both_counted():
    outcome = one(sized(cpu='5', memory='9Gi'), [node('a')])
    assert outcome['nodes'] == {'a': ['Insufficient cpu', 'Insufficient memory']}
    assert outcome['message'] == ('0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. '
                                  'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..')


def test_ephemeral_storage_requests_are_counted_against_the_node():
    def storage(name, request=None, limit=None):
        resources = {key: {'ephemeral-storage': value} for key, value in (('requests', request), ('limits', limit)) if value}
        return pod(name, containers=[container('app', resources=resources)])
    small = node('a')
    small['allocatable']['ephemeral-storage'] = '10Gi'
    placed = {('default', 'old'): {'node': 'a', 'pod': storage('old', request='6Gi')}}
    assert one(storage('fits', request='4Gi'), [small], placed)['node'] == 'a'
    outcome = one(storage('big', limit='5Gi'), [small], placed)  # the request defaults to the limit
    assert outcome['node'] is None and outcome['nodes'] == {'a': ['Insufficient ephemeral-storage']}
    assert outcome['message'].startswith('0/1 nodes are available: 1 Insufficient ephemeral-storage. ')
    assert one(storage('unknown', request='1Ei'), [node('a')])['node'] == 'a'  # a node that does not report it


def test_allocatable_may_be_given_as_quantities():
    target = {'name': 'a', 'allocatable': {'cpu': '2', 'memory': '1Gi', 'pods': '3'}}
    assert one(sized(cpu='1500m'), [target])['node'] == 'a'
    assert one(sized(cpu='2500m'), [target])['node'] is None
    assert one(sized(memory='2Gi'), [target])['node'] is None


def test_invalid_quantity_names_the_pod_and_field():
    with pytest.raises(ValueError, match=r'pod "default/web": spec.containers\[0\].resources.requests\[cpu\]: invalid quantity "lots"'):
        scheduler.schedule([sized(cpu='lots')], [node('a')])


# ----------------------------------------------------------------------------- pod count

def test_too_many_pods():
    placed = {('default', 'x'): 'a', ('default', 'y'): 'a'}
    outcome = one(pod('web'), [node('a', pods=2)], placed)
    assert outcome['message'] == message('1 Too many pods', preemption=['1 ' + NO_VICTIMS])


def test_pod_count_limit_within_one_batch():
    nodes = [node('a', pods=2), node('b', pods=1)]
    assert where([pod('p%d' % i) for i in range(4)], nodes) == ['a', 'b', 'a', None]


def test_too_many_pods_comes_before_the_resources():
    outcome = one(sized(cpu='5'), [node('a', pods=0)])
    assert outcome['nodes'] == {'a': ['Too many pods', 'Insufficient cpu']}


def test_a_node_without_a_pod_count_takes_the_kubelet_default():
    placed = {('default', 'x%d' % i): 'a' for i in range(110)}
    assert one(pod('web'), [{'name': 'a'}], placed)['nodes'] == {'a': ['Too many pods']}


# ----------------------------------------------------------------------------- spread by load

def test_best_effort_pods_spread_round_robin():
    assert where([pod('p%d' % i) for i in range(7)], THREE) == ['a', 'b', 'c', 'a', 'b', 'c', 'a']


def test_pods_go_to_the_emptiest_node():
    placed = {('default', 'old-a'): {'node': 'a', 'pod': sized('old-a', cpu='2', memory='4Gi')},
              ('default', 'old-b'): {'node': 'b', 'pod': sized('old-b', cpu='1', memory='2Gi')}}
    assert where([sized('p%d' % i, cpu='1', memory='2Gi') for i in range(4)], THREE, placed) == ['c', 'b', 'c', 'a']


def test_a_bigger_node_takes_more_pods():
    nodes = [node('small', cpu=2000, memory=4 * GI), node('big', cpu=8000, memory=16 * GI)]
    assert where([sized('p%d' % i, cpu='500m', memory='1Gi') for i in range(5)], nodes) == ['big'] * 4 + ['small']


def test_batch_placements_use_up_capacity():
    nodes = [node('a', cpu=2000), node('b', cpu=2000)]
    outcomes = scheduler.schedule([sized('p%d' % i, cpu='1500m') for i in range(3)], nodes)
    assert [item['node'] for item in outcomes.values()] == ['a', 'b', None]
    assert outcomes[('default', 'p2')]['message'] == message('2 Insufficient cpu', preemption=['2 ' + NO_VICTIMS])


def test_scores_combine_the_plugins():
    # a: 1000m/2Gi of 4000m/8Gi free after placing 1000m/2Gi -> LeastAllocated 50; BalancedAllocation 100
    placed = {('default', 'old'): {'node': 'a', 'pod': sized('old', cpu='1', memory='2Gi')}}
    scores = one(sized(cpu='1', memory='2Gi'), [node('a'), node('b')], placed)['scores']
    assert scores == {'a': 300 + 0 + 50 + 100, 'b': 300 + 0 + 75 + 100}


@pytest.mark.parametrize('scores, reverse, expected', [
    ({'a': 0, 'b': 0}, False, {'a': 0, 'b': 0}),
    ({'a': 0, 'b': 0}, True, {'a': 100, 'b': 100}),
    ({'a': 1, 'b': 3}, False, {'a': 33, 'b': 100}),
    ({'a': 1, 'b': 3}, True, {'a': 67, 'b': 0}),
])
def test_normalize(scores, reverse, expected):
    assert scheduler.normalize(scores, reverse) == expected


def test_least_and_balanced_allocation():
    target = scheduler.NodeInfo(node('a'))
    target.add(scheduler.PodInfo(sized('old', cpu='1', memory='2Gi')))
    info = scheduler.PodInfo(sized('new', cpu='1'))
    assert scheduler.least_allocated(info, target) == (50 + 72) // 2     # memory: 2Gi + the 200Mi default of 8Gi
    assert scheduler.balanced_allocation(info, target) == 87             # fractions .5 and .25


# ----------------------------------------------------------------------------- stickiness

def test_reapplying_keeps_every_pod_where_it_is():
    pods = [pod('p%d' % i) for i in range(5)]
    first = scheduler.schedule(pods, THREE)
    placed = {key: {'node': item['node'], 'pod': p} for (key, item), p in zip(first.items(), pods)}
    again = scheduler.schedule(list(reversed(pods)), THREE + [node('0-new')], placed)
    assert {key: item['node'] for key, item in again.items()} == {key: item['node'] for key, item in first.items()}
    assert all(item['sticky'] and item['previous'] == item['node'] for item in again.values())


@pytest.mark.parametrize('pod_, nodes, placed_on, expected', [
    (pod('web'), THREE, 'c', 'c'),                                            # stays, though a is as empty
    (pod('web'), THREE, 'gone', 'a'),                                         # its node left: placed again
    (pod('web', nodeSelector={'disk': 'hdd'}), LABELLED, 'a', 'b'),           # no longer matches: moves
    (pod('web'), [node('a'), node('b', taints=[taint('new')])], 'b', 'b'),    # NoSchedule does not evict
    (pod('web'), [node('a'), node('b', taints=[taint('new', effect='NoExecute')])], 'b', 'a'),   # NoExecute does
    (pod('web'), [node('a'), node('b', unschedulable=True)], 'b', 'b'),      # nor does a cordon
    (sized(cpu='9'), [node('a'), node('b')], 'b', 'b'),                       # nor a bigger request
    (pod('web', nodeName='b'), THREE, 'a', 'b'),                              # pinned elsewhere now
    (pod('web', nodeName='b'), THREE, 'b', 'b'),
])
def test_sticky(pod_, nodes, placed_on, expected):
    outcome = one(pod_, nodes, {('default', 'web'): {'node': placed_on, 'pod': pod_}})
    assert outcome['node'] == expected
    assert outcome['sticky'] is (expected == placed_on)
    assert outcome['previous'] == placed_on


def test_node_gone_and_nowhere_else_fits():
    outcome = one(sized(cpu='3'), [node('a', cpu=2000)], {('default', 'web'): 'gone'})
    assert (outcome['node'], outcome['reason'], outcome['previous']) == (None, 'Unschedulable', 'gone')


def test_sticky_pods_hold_their_place_before_new_pods_are_placed():
    old = sized('old', cpu='3')
    placed = {('default', 'old'): {'node': 'a', 'pod': old}}
    assert where([sized('new', cpu='2'), old], [node('a'), node('b')], placed) == ['b', 'a']


def test_a_moving_pod_frees_its_old_node():
    old = sized('old', cpu='3', nodeSelector={'disk': 'hdd'})
    placed = {('default', 'old'): {'node': 'a', 'pod': sized('old', cpu='3')}}
    nodes = [node('a'), node('b', {'disk': 'hdd'})]
    assert where([old, sized('new', cpu='3')], nodes, placed) == ['b', 'a']


def test_placed_pods_outside_the_batch_count_where_they_are():
    placed = {('default', 'other'): 'a', ('default', 'lost'): 'gone'}
    assert one(pod('web'), [node('a'), node('b')], placed)['node'] == 'b'


# ----------------------------------------------------------------------------- Unschedulable messages

def test_the_example_of_the_issue():
    nodes = [node('a', {'tier': 'web'}, cpu=1000), node('b', {'tier': 'db'}), node('c')]
    outcome = one(sized(cpu='2', nodeSelector={'tier': 'web'}), nodes)
    assert outcome['message'] == (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. "
        'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, '
        '2 Preemption is not helpful for scheduling..')
    assert outcome['nodes'] == {'a': ['Insufficient cpu'], 'b': [AFFINITY], 'c': [AFFINITY]}
    assert (outcome['node'], outcome['phase'], outcome['reason']) == (None, 'Pending', 'Unschedulable')


@pytest.mark.parametrize('nodes, pod_, expected', [
    (THREE, pod('web', nodeSelector={'x': 'y'}), message('3 ' + AFFINITY, preemption=['3 ' + NOT_HELPFUL])),
    ([node('a', taints=[taint('dedicated', 'gpu')]), node('b'), node('c')], pod('web', nodeSelector={'x': 'y'}),
     message('1 node(s) had untolerated taint {dedicated: gpu}', '2 ' + AFFINITY, preemption=['3 ' + NOT_HELPFUL])),
    ([node('n%02d' % i, memory=GI if i < 10 else 8 * GI, cpu=4000 if i < 10 else 500) for i in range(12)], sized(cpu='1', memory='2Gi'),
     message('10 Insufficient memory', '2 Insufficient cpu', preemption=['12 ' + NO_VICTIMS])),   # sorted as text, as Go does
    ([node('a', cpu=100)], sized(cpu='1', preemptionPolicy='Never'),
     '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..'),
    ([node('a', cpu=100), node('b', unschedulable=True)], sized(cpu='1'),
     message('1 Insufficient cpu', '1 node(s) were unschedulable', preemption=['1 ' + NO_VICTIMS, '1 ' + NOT_HELPFUL])),
])
def test_unschedulable_messages(nodes, pod_, expected):
    assert one(pod_, nodes)['message'] == expected


def test_no_nodes_at_all():
    outcome = one(pod('web'), [])
    assert (outcome['node'], outcome['reason'], outcome['message']) == (None, 'Unschedulable', 'no nodes available to schedule pods')


def hostport(port, ip=None, protocol=None):
    item = {'containerPort': 80, 'hostPort': port}
    if ip:
        item['hostIP'] = ip
    if protocol:
        item['protocol'] = protocol
    return pod('web', containers=[container('app', ports=[item])])


@pytest.mark.parametrize('mine, theirs, conflict', [
    (hostport(8080), hostport(8080), True),
    (hostport(8080), hostport(8081), False),
    (hostport(8080, protocol='UDP'), hostport(8080), False),
    (hostport(8080, '10.0.0.1'), hostport(8080), True),                      # 0.0.0.0 takes every address
    (hostport(8080), hostport(8080, '10.0.0.1'), True),
    (hostport(8080, '10.0.0.1'), hostport(8080, '10.0.0.1'), True),
    (hostport(8080, '10.0.0.1'), hostport(8080, '10.0.0.2'), False),
    (pod('web'), hostport(8080), False),
])
def test_host_ports(mine, theirs, conflict):
    placed = {('default', 'old'): {'node': 'a', 'pod': theirs}}
    outcome = one(mine, [node('a')], placed)
    assert (outcome['node'] is None) is conflict
    if conflict:
        assert outcome['message'] == message("1 node(s) didn't have free ports for the requested pod ports", preemption=['1 ' + NO_VICTIMS])


# ----------------------------------------------------------------------------- the decision

def test_a_placed_pod_decision():
    outcome = one(pod('web', namespace='team'), [node('a'), node('b', taints=[taint('t')])])
    assert outcome == {'node': 'a', 'phase': None, 'reason': None, 'message': 'Successfully assigned team/web to a',
                       'nodes': {'b': ['node(s) had untolerated taint {t: }']}, 'scores': {'a': 397}, 'sticky': False, 'previous': None,
                       'waiting': False}


def test_results_keep_the_order_of_the_pods():
    pods = [pod('z'), pod('a', namespace='other'), pod('m')]
    assert list(scheduler.schedule(pods, THREE)) == [('default', 'z'), ('other', 'a'), ('default', 'm')]


@pytest.mark.parametrize('pod_, nodes, condition', [
    (pod('web'), THREE, {'type': 'PodScheduled', 'status': 'True'}),
    (pod('web', nodeSelector={'x': 'y'}), THREE,
     {'type': 'PodScheduled', 'status': 'False', 'reason': 'Unschedulable', 'message': message('3 ' + AFFINITY, preemption=['3 ' + NOT_HELPFUL])}),
    (sized(cpu='9', nodeName='a'), THREE, None),
])
def test_pod_scheduled_condition(pod_, nodes, condition):
    assert scheduler.pod_scheduled_condition(one(pod_, nodes)) == condition
