"""Unit tests of _plan.prune: what a prune by ApplySet deletes, keeps and writes, as kubectl's prune does."""

from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import prune
from ansible_collections.hostpods.core.plugins.module_utils._spec import applyset as sets

from hostpods_fakes import OTHER_UID, container, pod, record_of

SET = sets.ApplySet('shop', 'default')


def member(obj, set_id=SET.id):
    obj['metadata'].setdefault('labels', {})[sets.PART_OF] = set_id
    return obj


def config(name, namespace='default', kind='ConfigMap', set_id=SET.id):
    return member({'apiVersion': 'v1', 'kind': kind, 'metadata': {'name': name, 'namespace': namespace}}, set_id)


def records(*pods):
    out = {}
    for index, item in enumerate(pods):
        record = record_of(item, uid=OTHER_UID[:-2] + '%02d' % index)
        out[(record.namespace, record.name)] = record
    return out


def test_a_first_prune_prunes_nothing_and_creates_the_parent():
    web = member(pod('web', containers=[container('app')]))
    plan = prune.plan_prune(SET, None, [web], records(member(pod('web', containers=[container('app')]))), {})
    assert plan.pods == [] and plan.objects == [] and plan.last == []
    [first] = plan.first
    assert first.action == planner.CREATED and first.steps[0].describe() == 'write Secret default/shop'
    assert first.obj['metadata']['annotations'][sets.GROUP_KINDS] == 'Pod'
    assert plan.parent_action == planner.CREATED and plan.changed


def test_members_the_manifests_no_longer_hold_are_pruned_and_nothing_else():
    stored = SET.parent({'Pod', 'ConfigMap', 'Secret', 'PersistentVolumeClaim'}, {'default', 'db'})
    web = member(pod('web', containers=[container('app')]))
    on_node = records(member(pod('web', containers=[container('app')])), member(pod('old', containers=[container('app')])),
                      pod('mine', containers=[container('app')]),  # not in a set
                      member(pod('theirs', containers=[container('app')]), 'applyset-other-v1'),
                      member(pod('far', namespace='elsewhere', containers=[container('app')])))  # outside the scope
    objects = {(o['kind'], o['metadata']['namespace'], o['metadata']['name']): o for o in [
        config('settings'), config('old-settings'), config('token', 'db', 'Secret'), config('data', kind='PersistentVolumeClaim'),
        config('theirs', set_id='applyset-other-v1'), {'kind': 'ConfigMap', 'metadata': {'name': 'plain', 'namespace': 'default'}}]}
    plan = prune.plan_prune(SET, stored, [web, config('settings')], on_node, objects, grace=3)
    assert [(p.key, p.action) for p in plan.pods] == [(('default', 'old'), prune.PRUNED)]
    steps = [step.describe() for step in plan.pods[0].steps]
    assert steps[0].startswith('forget the pod') and 'stop app (grace 3s)' in steps
    assert [(p.key, p.action) for p in plan.objects] == [(('ConfigMap', 'default', 'old-settings'), prune.PRUNED),
                                                         (('Secret', 'db', 'token'), prune.PRUNED)]
    assert [obj['metadata']['name'] for obj in plan.kept] == ['data']  # claims only when asked
    # the parent keeps what the set still holds (the claim) and drops the rest at the end
    assert plan.first == []  # the stored parent already lists the superset
    [last] = plan.last
    annotations = last.obj['metadata']['annotations']
    assert (annotations[sets.GROUP_KINDS], annotations[sets.NAMESPACES]) == ('ConfigMap,PersistentVolumeClaim,Pod', '')
    assert plan.parent is last.obj and plan.parent_action == planner.UPDATED


def test_claims_are_pruned_when_asked():
    stored = SET.parent({'Pod', 'PersistentVolumeClaim'}, {'default'})
    claim = config('data', kind='PersistentVolumeClaim')
    plan = prune.plan_prune(SET, stored, [], {}, {('PersistentVolumeClaim', 'default', 'data'): claim}, prune_claims=True)
    assert [p.key for p in plan.objects] == [('PersistentVolumeClaim', 'default', 'data')] and plan.kept == []
    assert plan.last[0].obj['metadata']['annotations'][sets.GROUP_KINDS] == ''


def test_new_kinds_and_namespaces_are_in_the_parent_before_the_apply():
    stored = SET.parent({'Pod'}, {'default'})
    manifests = [member(pod('web', containers=[container('app')])), config('settings', 'db')]
    plan = prune.plan_prune(SET, stored, manifests, {}, {})
    [first] = plan.first
    annotations = first.obj['metadata']['annotations']
    assert (first.action, annotations[sets.GROUP_KINDS], annotations[sets.NAMESPACES]) == (
        planner.UPDATED, 'ConfigMap,Pod', 'db')
    assert plan.last == []


def test_an_unchanged_set_writes_nothing():
    manifests = [member(pod('web', containers=[container('app')])), config('settings')]
    stored = SET.parent({'Pod', 'ConfigMap'}, {'default'})
    plan = prune.plan_prune(SET, stored, manifests, records(member(pod('web', containers=[container('app')]))),
                            {('ConfigMap', 'default', 'settings'): config('settings')})
    assert (plan.first, plan.pods, plan.objects, plan.last, plan.changed) == ([], [], [], [], False)
    assert plan.parent_action == planner.UNCHANGED and plan.parent is stored


def test_a_plan_prunes_after_the_apply_and_writes_the_parent_last():
    stored = SET.parent({'Pod', 'ConfigMap'}, {'default'})
    on_node = records(member(pod('old', containers=[container('app')])))
    plan = prune.plan_prune(SET, stored, [config('settings')], on_node, {('ConfigMap', 'default', 'x'): config('x')})
    whole = planner.Plan([], [planner.ObjectPlan(config('settings'), planner.CREATED, [])], prune=plan)
    assert [(what, [p.key for p in plans], after) for what, plans, after in whole.phases()] == [
        ('objects', [('ConfigMap', 'default', 'settings')], False), ('pods', [], False),
        ('pods', [('default', 'old')], True), ('objects', [('ConfigMap', 'default', 'x')], True),
        ('objects', [('Secret', 'default', 'shop')], True)]
    assert whole.changed


def test_a_call_whose_only_work_is_a_prune_has_steps_for_the_executor():
    """The kept pods unchanged, a member gone from the manifests: the prune alone is work to carry out (an apply
    that skipped the executor when no pod or object had steps reported 'pruned' and deleted nothing)."""
    stored = SET.parent({'Pod'}, {'default'})
    web = member(pod('web', containers=[container('app')]))
    on_node = records(member(pod('web', containers=[container('app')])), member(pod('old', containers=[container('app')])))
    unchanged = planner.PodPlan(('default', 'web'), web, None, planner.UNCHANGED, [])
    plan = planner.Plan([unchanged], [], prune=prune.plan_prune(SET, stored, [web], on_node, {}))
    assert plan.has_steps and plan.changed
    nothing = planner.Plan([unchanged], [], prune=prune.plan_prune(SET, stored, [web], records(web), {}))
    assert not nothing.has_steps and not nothing.changed
