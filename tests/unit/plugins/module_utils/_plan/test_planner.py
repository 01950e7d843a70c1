"""Unit tests of _planner: desired pods + host state -> ordered plans (kubelet computePodActions)."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._errors import PreflightError
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts, group_pods

from hostpods_fakes import OTHER_UID, SANDBOX_IMAGE, UID, container, container_entry, pod, record_of, sandbox_entry, with_uid

NEW_UID = '11111111-2222-4333-8444-555555555555'
IMAGES = [SANDBOX_IMAGE, 'busybox:1.35', 'busybox:1.36', 'busybox:latest']
FACTS = HostFacts(images=IMAGES)


def plan(desired, record=None, facts=FACTS, force=False):
    return planner.plan_apply(desired, record, facts, SANDBOX_IMAGE, force=force, new_uid=NEW_UID)


def ops(p):
    """The steps as comparable tuples: (op, container or image or path or volume kind, attempt). A
    removal (Stop and Remove steps, and RemovePodData unless volumes are kept) reads
    ``('remove_pod', keep_volumes)``; Stop steps alone read ``('stop_pod',)``."""
    out = []
    for step in p.steps:
        if isinstance(step, (S.RecordPod, S.ForgetPod)):  # the node's record: see test_the_node_record_*
            continue
        if isinstance(step, (S.Stop, S.Remove, S.RemovePodData)):
            folded = out[-1] if out and out[-1][0] in ('stop_pod', 'remove_pod') else None
            if folded is None:
                out.append(('stop_pod',))
            if isinstance(step, S.Remove):
                out[-1] = ('remove_pod', True)
            elif isinstance(step, S.RemovePodData):
                out[-1] = ('remove_pod', False)
        elif isinstance(step, (S.StartContainer, S.RunInit)):
            out.append((step.op, step.container['name'], step.attempt))
        elif isinstance(step, S.Pull):
            out.append(('pull', step.image))
        elif isinstance(step, S.Sandbox):
            out.append(('sandbox', step.attempt))
        elif isinstance(step, S.Volume):
            out.append(('volume', step.volume['name']))
        elif isinstance(step, S.HostPath):
            out.append(('host_path', step.path, step.type))
        else:
            out.append((step.op,))
    return out


def steps_of(p):
    """The steps without the node's record of the pod (RecordPod, ForgetPod)."""
    return [step for step in p.steps if not isinstance(step, (S.RecordPod, S.ForgetPod))]


def image_actions(p):
    """``{container name: image action}`` of the steps that create a container."""
    return {s.container['name']: s.image for s in p.steps if s.op in ('init', 'start', 'replace')}


def web(**kwargs):
    kwargs.setdefault('containers', [container('app'), container('side')])
    return pod(**kwargs)


# ----------------------------------------------------------------------------- new pods

def test_new_pod_is_created_with_everything_in_kubelet_order():
    desired = web(init=[container('setup'), container('migrate')],
                  volumes=[{'name': 'cache', 'emptyDir': {}}])
    p = plan(desired)
    assert p.action == planner.CREATED and p.changed
    assert p.uid == NEW_UID and p.pod['metadata']['uid'] == NEW_UID
    assert p.sandbox_attempt == 0
    assert p.record is None
    assert ops(p) == [('volume', 'cache'), ('sandbox', 0), ('init', 'setup', 0), ('init', 'migrate', 0),
                      ('start', 'app', 0), ('start', 'side', 0)]
    assert p.key == ('default', 'web')


def test_new_pod_gets_a_random_uid_when_none_is_given():
    a = planner.plan_apply(web(), None, FACTS, SANDBOX_IMAGE)
    b = planner.plan_apply(web(), None, FACTS, SANDBOX_IMAGE)
    assert a.uid and b.uid and a.uid != b.uid


def test_plan_does_not_mutate_the_desired_pod():
    desired = web()
    plan(desired)
    assert 'uid' not in desired['metadata']


@pytest.mark.parametrize('images, sandbox_pull, action', [
    (IMAGES, False, 'present'),
    ([SANDBOX_IMAGE], False, 'pull'),            # IfNotPresent: pulled when missing
    (['busybox:1.35'], True, 'present'),         # the pause image is pulled only when absent
    ([], True, 'pull'),
])
def test_image_pulls_for_a_new_pod(images, sandbox_pull, action):
    p = plan(web(init=[container('setup')]), facts=HostFacts(images=images))
    steps = [s.op for s in p.steps if s.op != 'record_pod']
    assert ('pull' in steps) is sandbox_pull
    if sandbox_pull:
        # the pause image is pulled right before the sandbox is made
        assert steps_of(p)[steps.index('sandbox') - 1].image == SANDBOX_IMAGE
        assert steps.count('pull') == 1
    assert image_actions(p) == {'setup': action, 'app': action, 'side': action}


def test_always_policy_pulls_even_when_present():
    desired = web(containers=[container('app', 'busybox'), container('side', 'busybox:1.35', imagePullPolicy='Always'),
                              container('third', 'busybox:1.35')])
    assert desired['spec']['containers'][0]['imagePullPolicy'] == 'Always'
    p = plan(desired)
    assert image_actions(p) == {'app': 'pull', 'side': 'pull', 'third': 'present'}


def test_never_policy_with_image_present_does_not_pull():
    desired = web(containers=[container('app', 'busybox:1.35', imagePullPolicy='Never')])
    p = plan(desired, facts=HostFacts(images=[SANDBOX_IMAGE, 'docker.io/library/busybox:1.35']))
    assert [s.op for s in p.steps if s.op != 'record_pod'] == ['sandbox', 'start']
    assert image_actions(p) == {'app': 'present'}


def test_never_policy_with_missing_image_is_reported_per_container():
    # As on a kubelet, the pod is still set up and its other containers start; only that
    # container fails (ErrImageNeverPull).
    desired = web(containers=[container('app', 'hostpods/missing:1', imagePullPolicy='Never'), container('side')])
    p = plan(desired)
    assert p.action == planner.CREATED
    assert ops(p) == [('sandbox', 0), ('start', 'app', 0), ('start', 'side', 0)]
    assert image_actions(p) == {'app': 'never-missing', 'side': 'present'}


def test_never_policy_missing_image_of_init_container():
    desired = web(init=[container('setup', 'hostpods/missing:1', imagePullPolicy='Never')])
    assert image_actions(plan(desired))['setup'] == 'never-missing'


# ----------------------------------------------------------------------------- volumes and hostPath

def test_volume_steps():
    desired = web(volumes=[{'name': 'cache', 'emptyDir': {}},
                           {'name': 'shm', 'emptyDir': {'medium': 'Memory'}},
                           {'name': 'data', 'persistentVolumeClaim': {'claimName': 'db-data'}},
                           {'name': 'host', 'hostPath': {'path': '/srv'}}])
    p = plan(desired, facts=HostFacts(images=IMAGES, paths={'/srv': 'missing'}))
    volumes = [s for s in p.steps if s.op == 'volume']
    assert [(s.name, s.kind, s.memory) for s in volumes] == [
        (naming.emptydir_volume_name('default', 'web', NEW_UID, 'cache'), 'emptyDir', False),
        (naming.emptydir_volume_name('default', 'web', NEW_UID, 'shm'), 'emptyDir', True),
        (naming.claim_volume_name('default', 'db-data'), 'persistentVolumeClaim', False),
    ]
    # hostPath with type "" is not checked and not created
    assert not [s for s in p.steps if s.op == 'host_path']


@pytest.mark.parametrize('kind, found, message', [
    ('Directory', 'missing', '/srv/x is not a directory'),
    ('Directory', 'file', '/srv/x is not a directory'),
    ('File', 'directory', '/srv/x is not a file'),
    ('File', 'missing', '/srv/x is not a file'),
    ('Socket', 'file', '/srv/x is not a socket file'),
    ('CharDevice', 'block', '/srv/x is not a character device'),
    ('BlockDevice', 'char', '/srv/x is not a block device'),
    ('DirectoryOrCreate', 'file', '/srv/x is not a directory'),
    ('FileOrCreate', 'directory', '/srv/x is not a file'),
])
def test_host_path_type_check_failures(kind, found, message):
    desired = web(volumes=[{'name': 'e', 'emptyDir': {}}, {'name': 'h', 'hostPath': {'path': '/srv/x', 'type': kind}}])
    with pytest.raises(PreflightError) as info:
        plan(desired, facts=HostFacts(images=IMAGES, paths={'/srv/x': found}))
    assert info.value.msg == 'web: spec.volumes[1].hostPath: hostPath type check failed: ' + message


@pytest.mark.parametrize('kind, found', [
    ('Directory', 'directory'), ('File', 'file'), ('Socket', 'socket'), ('CharDevice', 'char'),
    ('BlockDevice', 'block'), ('DirectoryOrCreate', 'directory'), ('FileOrCreate', 'file'), ('', 'missing'),
    ('', 'file'),
])
def test_host_path_type_check_passes(kind, found):
    desired = web(volumes=[{'name': 'h', 'hostPath': {'path': '/srv/x', 'type': kind}}])
    p = plan(desired, facts=HostFacts(images=IMAGES, paths={'/srv/x': found}))
    assert [s.op for s in p.steps if s.op != 'record_pod'] == ['sandbox', 'start', 'start']


@pytest.mark.parametrize('kind', ['DirectoryOrCreate', 'FileOrCreate'])
def test_or_create_missing_path_gets_a_host_path_step_before_the_sandbox(kind):
    desired = web(volumes=[{'name': 'h', 'hostPath': {'path': '/srv/new', 'type': kind}}])
    p = plan(desired, facts=HostFacts(images=IMAGES, paths={'/srv/new': 'missing'}))
    assert ops(p)[:2] == [('host_path', '/srv/new', kind), ('sandbox', 0)]


def test_host_paths_lists_the_paths_to_inspect():
    pods = [web(volumes=[{'name': 'a', 'hostPath': {'path': '/b'}}, {'name': 'c', 'emptyDir': {}}]),
            web(name='other', volumes=[{'name': 'a', 'hostPath': {'path': '/a'}},
                                       {'name': 'b', 'hostPath': {'path': '/b'}}]),
            web(name='third')]
    assert planner.host_paths(pods) == ['/a', '/b']


# ----------------------------------------------------------------------------- existing pods

def test_unchanged_pod_has_no_steps():
    desired = web(init=[container('setup')])
    record = record_of(desired)
    p = plan(desired, record)
    assert p.action == planner.UNCHANGED and not p.changed
    assert p.steps == []
    assert p.uid == UID and p.pod['metadata']['uid'] == UID
    assert p.sandbox_attempt == 0


def test_image_change_replaces_only_that_container():
    applied = web()
    record = record_of(applied, containers={'app': [dict(attempt=0), dict(attempt=1)], 'side': [dict()]})
    desired = web(containers=[container('app', 'busybox:1.36'), container('side')])
    p = plan(desired, record)
    assert p.action == planner.UPDATED and p.changed
    assert ops(p) == [('replace', 'app', 2)]
    step = steps_of(p)[0]
    assert step.replaces is record.latest('app')
    assert step.container['image'] == 'busybox:1.36'
    assert p.uid == UID and p.sandbox_attempt == 0


def test_image_change_pulls_the_new_image_when_missing():
    applied = web()
    desired = web(containers=[container('app', 'busybox:1.37'), container('side')])
    p = plan(desired, record_of(applied))
    assert ops(p) == [('replace', 'app', 1)]
    assert image_actions(p) == {'app': 'pull'}


def test_image_change_under_never_restart_policy_still_replaces_a_running_container():
    applied = web(restartPolicy='Never')
    desired = web(restartPolicy='Never', containers=[container('app', 'busybox:1.36'), container('side')])
    assert ops(plan(desired, record_of(applied))) == [('replace', 'app', 1)]


def test_init_container_image_change_after_initialization_does_nothing():
    # the kubelet ignores regular init containers once the pod is initialized
    applied = web(init=[container('setup')])
    desired = web(init=[container('setup', 'busybox:1.36')])
    p = plan(desired, record_of(applied))
    assert p.action == planner.UNCHANGED and p.steps == []


@pytest.mark.parametrize('change', [
    dict(restartPolicy='OnFailure'),
    dict(containers=[container('app', args=['sleep', '9']), container('side')]),
    dict(containers=[container('app'), container('side'), container('third')]),
    dict(containers=[container('app')]),
    dict(volumes=[{'name': 'v', 'emptyDir': {}}]),
    dict(init=[container('setup')]),
    dict(terminationGracePeriodSeconds=3),
])
def test_other_spec_change_recreates_the_pod_with_the_same_uid(change):
    applied = web()
    record = record_of(applied, containers={'app': [dict(), dict()], 'side': [dict()]})
    desired = web(**change)
    p = plan(desired, record)
    assert p.action == planner.RECREATED and p.changed
    assert p.reason == 'the pod spec changed'
    assert p.uid == UID and p.pod['metadata']['uid'] == UID
    assert p.sandbox_attempt == 1
    steps = ops(p)
    assert steps[0] == ('remove_pod', False)
    removed = next(step for step in p.steps if isinstance(step, S.Remove))
    assert {i.id for i in removed.instances} == {i.id for i in record.all_instances()}
    assert ('sandbox', 1) in steps
    # a recreated pod starts its containers afresh
    assert [s for s in steps if s[0] in ('init', 'start')] == \
        [('init', c['name'], 0) for c in desired['spec'].get('initContainers') or []] + \
        [('start', c['name'], 0) for c in desired['spec']['containers']]


def test_force_recreates_an_unchanged_pod():
    desired = web()
    record = record_of(desired, sandbox_attempt=2)
    p = plan(desired, record, force=True)
    assert p.action == planner.RECREATED
    assert p.reason == 'force: true'
    assert p.uid == UID
    assert ops(p) == [('remove_pod', False), ('sandbox', 3), ('start', 'app', 0), ('start', 'side', 0)]


def test_sandbox_not_running_restarts_the_pod_keeping_volumes():
    desired = web(init=[container('setup')], volumes=[{'name': 'cache', 'emptyDir': {}}])
    record = record_of(desired, sandbox_state='exited',
                       containers={'setup': [dict(state_='exited', exit_code=0)],
                                   'app': [dict(state_='exited', exit_code=137), dict(state_='exited', exit_code=137)],
                                   'side': [dict(state_='exited', exit_code=0)]})
    p = plan(desired, record)
    assert p.action == planner.RECREATED
    assert p.reason == 'the sandbox is not running'
    assert p.uid == UID
    # a new sandbox (attempt + 1); every container restarts with its restart count + 1; the
    # pod's emptyDir volumes survive (same pod UID); init containers run again. The new sandbox
    # comes before the old containers go, so it keeps Memory emptyDirs mounted meanwhile.
    assert ops(p) == [('volume', 'cache'), ('sandbox', 1), ('remove_pod', True), ('init', 'setup', 1),
                      ('start', 'app', 2), ('start', 'side', 1)]


def test_sandbox_missing_restarts_the_pod_keeping_volumes():
    # The sandbox container was removed (docker rm -f k8s_POD_...): the kubelet makes a new sandbox
    # and restarts every container with its restart count + 1; the pod UID, and so its emptyDir
    # data, stays. Nothing in the spec changed.
    desired = web(volumes=[{'name': 'cache', 'emptyDir': {}}])
    record = record_of(desired, sandbox=False)
    assert record.sandbox is None
    p = plan(desired, record)
    assert p.action == planner.RECREATED
    assert p.uid == UID
    steps = ops(p)
    assert steps.index(('remove_pod', True)) == steps.index(('sandbox', 0)) + 1
    assert [s for s in steps if s[0] == 'start'] == [('start', 'app', 1), ('start', 'side', 1)]


def test_stopped_container_under_always_is_replaced():
    desired = web()
    record = record_of(desired, containers={'app': [dict(state_='exited', exit_code=0)], 'side': [dict()]})
    p = plan(desired, record)
    assert p.action == planner.UPDATED
    assert p.reason == 'containers to start or replace'
    assert ops(p) == [('replace', 'app', 1)]
    assert steps_of(p)[0].replaces is record.latest('app')


def test_restart_under_always_pull_policy_pulls_again():
    desired = web(containers=[container('app', 'busybox'), container('side')])
    record = record_of(desired, containers={'app': [dict(state_='exited', exit_code=2)], 'side': [dict()]})
    p = plan(desired, record)
    assert ops(p) == [('replace', 'app', 1)]
    assert image_actions(p) == {'app': 'pull'}


@pytest.mark.parametrize('policy, exit_code, restarted', [
    ('Always', 0, True), ('Always', 1, True),
    ('OnFailure', 0, False), ('OnFailure', 1, True), ('OnFailure', 137, True),
    ('Never', 0, False), ('Never', 1, False),
])
def test_restart_policy_for_one_stopped_container_while_another_runs(policy, exit_code, restarted):
    desired = web(restartPolicy=policy)
    record = record_of(desired, containers={'app': [dict(state_='exited', exit_code=exit_code)], 'side': [dict()]})
    p = plan(desired, record)
    if restarted:
        assert p.action == planner.UPDATED and ops(p) == [('replace', 'app', 1)]
    else:
        assert p.action == planner.UNCHANGED and p.steps == []


def test_created_but_never_started_container_is_started_again_whatever_the_policy():
    desired = web(restartPolicy='Never')
    record = record_of(desired, containers={'app': [dict(state_='created')], 'side': [dict()]})
    assert ops(plan(desired, record)) == [('replace', 'app', 1)]


def test_missing_container_is_started():
    desired = web()
    record = record_of(desired, containers={'side': [dict()]})
    p = plan(desired, record)
    assert p.action == planner.UPDATED
    assert ops(p) == [('start', 'app', 0)]


@pytest.mark.parametrize('policy, codes, terminal', [
    ('OnFailure', (0, 0), True),        # Succeeded
    ('OnFailure', (0, 1), False),       # the failed one restarts
    ('Never', (0, 0), True),            # Succeeded
    ('Never', (0, 1), True),            # Failed
    ('Never', (3, 1), True),
    ('Always', (0, 0), False),          # restarts both
])
def test_pods_that_ran_to_completion(policy, codes, terminal):
    desired = web(restartPolicy=policy)
    record = record_of(desired, containers={'app': [dict(state_='exited', exit_code=codes[0])],
                                            'side': [dict(state_='exited', exit_code=codes[1])]})
    p = plan(desired, record)
    if terminal:
        assert p.action == planner.UNCHANGED and p.steps == []
    else:
        assert p.action == planner.UPDATED and p.steps


def test_terminal_pod_with_a_dead_sandbox_is_left_alone():
    desired = web(restartPolicy='Never')
    record = record_of(desired, sandbox_state='exited',
                       containers={'app': [dict(state_='exited', exit_code=1)],
                                   'side': [dict(state_='exited', exit_code=0)]})
    p = plan(desired, record)
    assert p.action == planner.UNCHANGED and p.steps == []


def test_spec_change_of_a_terminal_pod_recreates_it():
    applied = web(restartPolicy='Never')
    record = record_of(applied, containers={'app': [dict(state_='exited', exit_code=0)],
                                            'side': [dict(state_='exited', exit_code=0)]})
    desired = web(restartPolicy='Never', terminationGracePeriodSeconds=1)
    assert plan(desired, record).action == planner.RECREATED


def test_failed_init_container_under_never_fails_the_pod_for_good():
    desired = web(restartPolicy='Never', init=[container('setup')])
    record = record_of(desired, containers={'setup': [dict(state_='exited', exit_code=1)]})
    p = plan(desired, record)
    assert p.action == planner.UNCHANGED and p.steps == []


@pytest.mark.parametrize('policy', ['Always', 'OnFailure'])
def test_failed_init_container_is_run_again(policy):
    desired = web(restartPolicy=policy, init=[container('setup'), container('migrate')])
    record = record_of(desired, containers={'setup': [dict(state_='exited', exit_code=1)]})
    p = plan(desired, record)
    assert p.action == planner.UPDATED
    assert ops(p) == [('init', 'setup', 1), ('init', 'migrate', 0), ('start', 'app', 0), ('start', 'side', 0)]


def test_running_init_container_is_awaited_and_done_ones_are_skipped():
    desired = web(init=[container('setup'), container('migrate'), container('seed')])
    record = record_of(desired, containers={'setup': [dict(state_='exited', exit_code=0)],
                                            'migrate': [dict(state_='running')]})
    p = plan(desired, record)
    assert ops(p) == [('await_init', 'migrate', 0), ('init', 'seed', 0), ('start', 'app', 0),
                      ('start', 'side', 0)]
    assert steps_of(p)[0].running is record.latest('migrate')


def test_init_containers_are_not_rerun_once_an_app_container_started():
    desired = web(init=[container('setup')])
    # the init container's record was lost (pruned), an app container crashed
    record = record_of(desired, containers={'app': [dict(state_='exited', exit_code=1)], 'side': [dict()]})
    assert ops(plan(desired, record)) == [('replace', 'app', 1)]


def test_missing_image_under_never_for_a_restart():
    desired = web(containers=[container('app', 'hostpods/gone:1', imagePullPolicy='Never'), container('side')])
    record = record_of(desired, containers={'app': [dict(state_='exited', exit_code=1)], 'side': [dict()]})
    p = plan(desired, record)
    assert ops(p) == [('replace', 'app', 1)]
    assert image_actions(p) == {'app': 'never-missing'}


def test_missing_image_of_a_container_that_keeps_running_is_no_problem():
    # nothing is created for it, so nothing needs the image
    desired = web(containers=[container('app', 'hostpods/gone:1', imagePullPolicy='Never'), container('side')])
    p = plan(desired, record_of(desired))
    assert p.action == planner.UNCHANGED


# ----------------------------------------------------------------------------- batches

def test_plan_batch_plans_each_pod_against_its_record():
    a, b = web(name='a'), web(name='b')
    records = {('default', 'a'): record_of(a)}
    plans = planner.plan_batch([a, b], records, FACTS, SANDBOX_IMAGE)
    assert [(p.key, p.action) for p in plans] == [(('default', 'a'), planner.UNCHANGED),
                                                  (('default', 'b'), planner.CREATED)]


def test_plan_batch_force_applies_to_every_pod():
    a, b = web(name='a'), web(name='b')
    records = {('default', 'a'): record_of(a), ('default', 'b'): record_of(b)}
    plans = planner.plan_batch([a, b], records, FACTS, SANDBOX_IMAGE, force=True)
    assert [p.action for p in plans] == [planner.RECREATED, planner.RECREATED]


def test_plan_batch_raises_every_preflight_problem_together():
    good = web(name='good')
    bad1 = web(name='bad1', volumes=[{'name': 'h', 'hostPath': {'path': '/nope', 'type': 'Directory'}}])
    bad2 = web(name='bad2', volumes=[{'name': 'a', 'hostPath': {'path': '/srv/f', 'type': 'Directory'}},
                                     {'name': 'b', 'hostPath': {'path': '/srv/d', 'type': 'File'}}])
    facts = HostFacts(images=IMAGES, paths={'/nope': 'missing', '/srv/f': 'file', '/srv/d': 'directory'})
    with pytest.raises(PreflightError) as info:
        planner.plan_batch([good, bad1, bad2], {}, facts, SANDBOX_IMAGE)
    errors = info.value.details['errors']
    assert errors == [
        'bad1: spec.volumes[0].hostPath: hostPath type check failed: /nope is not a directory',
        'bad2: spec.volumes[0].hostPath: hostPath type check failed: /srv/f is not a directory',
        'bad2: spec.volumes[1].hostPath: hostPath type check failed: /srv/d is not a file',
    ]
    assert info.value.msg == 'Cannot apply: ' + '; '.join(errors)


def test_plan_batch_missing_images_are_not_preflight_problems():
    bad = web(containers=[container('app', 'hostpods/a:1', imagePullPolicy='Never'),
                          container('side', 'hostpods/b:1', imagePullPolicy='Never')])
    [p] = planner.plan_batch([bad], {}, FACTS, SANDBOX_IMAGE)
    assert image_actions(p) == {'app': 'never-missing', 'side': 'never-missing'}


# ----------------------------------------------------------------------------- delete

def test_plan_delete_of_a_pod_on_the_host():
    record = record_of(web())
    p = planner.plan_delete(('default', 'web'), record)
    assert p.action == planner.DELETED and p.changed
    assert p.uid == UID
    assert ops(p) == [('remove_pod', False)]
    removed = next(step for step in p.steps if isinstance(step, S.Remove))
    assert {i.id for i in removed.instances} == {i.id for i in record.all_instances()}
    assert steps_of(p)[-1] == S.RemovePodData(UID)


def test_plan_delete_with_a_grace_period_stops_within_it():
    running = [dict(state_='running')]
    record = record_of(web(init=[container('proxy', restartPolicy='Always')]),
                       containers={'proxy': running, 'app': running, 'side': running})
    stops = [step for step in planner.plan_delete(('default', 'web'), record, grace=1).steps if isinstance(step, S.Stop)]
    assert [step.grace for step in stops] == [1, 1, S.SANDBOX_GRACE]  # apps, the sidecar, then the sandbox
    assert 'stop app' in stops[0].describe() and '(grace 1s)' in stops[0].describe()
    default = [step for step in planner.plan_delete(('default', 'web'), record).steps if isinstance(step, S.Stop)]
    assert [step.grace for step in default] == [None, None, S.SANDBOX_GRACE]  # each pod's own period


def test_plan_delete_of_an_absent_pod():
    p = planner.plan_delete(('default', 'web'), None)
    assert p.action == planner.ABSENT and not p.changed
    assert p.steps == []


# ----------------------------------------------------------------------------- helpers

def test_step_describe():
    c = {'name': 'app', 'image': 'busybox:1.35'}
    step = S.StartContainer(c, 2)
    assert step.describe() == 'start app attempt 2'
    assert repr(step) == 'Step(start app attempt 2)'
    assert S.Pull('pause:3.10').describe() == 'pull pause:3.10 (the sandbox image)'
    assert 'busybox:1.35' in S.StartContainer(c, 0, 'pull').describe()
    assert 'ErrImageNeverPull' in S.RunInit(c, 0, 'never-missing').describe()
    assert S.RunInit(c, 0, on_failure='fail').describe() == 'init app attempt 0 (on failure: the pod fails)'
    assert S.RunInit(c, 1).describe() == 'init app attempt 1 (on failure: retried after 10/20/40 s...)'
    assert S.StartContainer(c, 0, sidecar=True).describe() == 'sidecar app attempt 0'
    assert S.Sandbox(3).describe() == 'sandbox attempt 3'
    assert S.Project('config', {}, refresh=True).describe() == 'refresh config'


@pytest.mark.parametrize('action, changed', [
    (planner.CREATED, True), (planner.UPDATED, True), (planner.RECREATED, True), (planner.DELETED, True),
    (planner.UNCHANGED, False), (planner.ABSENT, False),
])
def test_plan_changed(action, changed):
    assert planner.PodPlan(('n', 'p'), None, None, action, []).changed is changed


def test_dead_sandbox_of_a_never_pod_that_ran_gets_no_new_sandbox():
    # computePodActions: restartPolicy Never, containers already ran -> no new sandbox; the
    # still-running containers are stopped and the pod ends (Succeeded or Failed).
    desired = web(restartPolicy='Never')
    record = record_of(desired, containers={'app': [dict()], 'side': [dict(state_='exited', exit_code=0)]},
                       sandbox_state='exited')
    p = plan(desired, record)
    assert p.action == planner.UPDATED
    assert ops(p) == [('stop_pod',)]
    finished = record_of(desired, containers={'app': [dict(state_='exited', exit_code=0)],
                                              'side': [dict(state_='exited', exit_code=0)]}, sandbox_state='exited')
    assert plan(desired, finished).action == planner.UNCHANGED


def test_label_change_updates_metadata_in_place():
    desired = web()
    record = record_of(desired, containers={'app': [dict()], 'side': [dict()]})
    relabelled = web()
    relabelled['metadata']['labels'] = {'app': 'web', 'tier': 'edge'}
    relabelled['metadata']['annotations'] = {'note': 'x'}
    p = plan(relabelled, record)
    assert p.action == planner.UPDATED
    assert [(step.op, step.metadata) for step in steps_of(p)] == [
        ('metadata', {'labels': {'app': 'web', 'tier': 'edge'}, 'annotations': {'note': 'x'}})]
    assert p.steps[0] == S.RecordPod(p.pod, SANDBOX_IMAGE)  # the agent's desired state follows
    # once the node holds the new metadata, the pod is unchanged
    record.live_metadata = {'labels': {'app': 'web', 'tier': 'edge'}, 'annotations': {'note': 'x'}}
    assert plan(relabelled, record).action == planner.UNCHANGED


def test_label_change_beside_an_image_change_does_both():
    desired = web()
    record = record_of(desired, containers={'app': [dict()], 'side': [dict()]})
    changed = web(containers=[container('app', 'busybox:1.36'), container('side')])
    changed['metadata']['labels'] = {'app': 'web2'}
    p = plan(changed, record)
    assert p.action == planner.UPDATED
    assert [step.op for step in p.steps if step.op != 'record_pod'] == ['metadata', 'replace']


# ----------------------------------------------------------------------------- sidecars

def sidecar_pod(**kwargs):
    return web(init=[container('setup'), container('proxy', restartPolicy='Always'), container('migrate')], **kwargs)


def test_sidecar_starts_in_init_order_and_does_not_block():
    p = plan(sidecar_pod())
    assert [o for o in ops(p) if o[0] in ('init', 'sidecar', 'start')] == [
        ('init', 'setup', 0), ('sidecar', 'proxy', 0), ('init', 'migrate', 0), ('start', 'app', 0), ('start', 'side', 0)]


def test_sidecar_is_kept_running_after_initialization():
    desired = sidecar_pod()
    record = record_of(desired, containers={'setup': [dict(state_='exited', exit_code=0)],
                                            'proxy': [dict(state_='exited', exit_code=0)],
                                            'migrate': [dict(state_='exited', exit_code=0)],
                                            'app': [dict()], 'side': [dict()]})
    p = plan(desired, record)
    # restarted whatever the pod's restartPolicy, and only the sidecar: init containers are done
    assert ops(p) == [('replace', 'proxy', 1)] and steps_of(p)[0].kind == 'init'
    healthy = record_of(desired, containers={'setup': [dict(state_='exited', exit_code=0)], 'proxy': [dict()],
                                             'migrate': [dict(state_='exited', exit_code=0)],
                                             'app': [dict()], 'side': [dict()]})
    assert plan(desired, healthy).action == planner.UNCHANGED


def test_finished_pod_stops_its_sidecars():
    desired = sidecar_pod(restartPolicy='Never')
    record = record_of(desired, containers={'setup': [dict(state_='exited', exit_code=0)], 'proxy': [dict()],
                                            'migrate': [dict(state_='exited', exit_code=0)],
                                            'app': [dict(state_='exited', exit_code=0)],
                                            'side': [dict(state_='exited', exit_code=0)]})
    p = plan(desired, record)
    assert p.action == planner.UPDATED and ops(p) == [('stop_pod',)]


# ----------------------------------------------------------------------------- the plan is the whole truth

def config_pod(**kwargs):
    return web(volumes=[{'name': 'conf', 'configMap': {'name': 'settings'}}, {'name': 'tmp', 'emptyDir': {}}], **kwargs)


def test_a_changed_config_map_refreshes_the_volumes_of_a_running_pod_in_the_plan():
    desired = config_pod()
    record = record_of(desired)
    changed = frozenset({('ConfigMap', 'default', 'settings')})
    p = planner.plan_apply(desired, record, FACTS, SANDBOX_IMAGE, changed_objects=changed)
    assert p.action == planner.UPDATED and p.reason == 'a ConfigMap or Secret it mounts changed'
    assert steps_of(p) == [S.Project('conf', desired['spec']['volumes'][0], refresh=True)]
    assert [step.describe() for step in steps_of(p)] == ['refresh conf']
    other = frozenset({('ConfigMap', 'default', 'other'), ('Secret', 'default', 'settings')})
    assert planner.plan_apply(desired, record, FACTS, SANDBOX_IMAGE, changed_objects=other).action == planner.UNCHANGED


def test_running_pods_outside_the_call_get_refresh_plans():
    mounted, plain = config_pod(name='mounted'), web(name='plain')
    stopped = config_pod(name='stopped')
    records = {('default', 'mounted'): record_of(mounted), ('default', 'plain'): record_of(plain),
               ('default', 'stopped'): record_of(stopped, sandbox_state='exited')}
    changed = frozenset({('ConfigMap', 'default', 'settings')})
    plans = planner.plan_refreshes(records, changed)
    assert [(p.key, p.action, [s.describe() for s in p.steps]) for p in plans] == [
        (('default', 'mounted'), planner.UPDATED, ['refresh conf'])]
    assert plans[0].pod['metadata']['uid'] == UID
    assert planner.plan_refreshes(records, changed, skip={('default', 'mounted')}) == []


def test_changed_objects_are_config_maps_and_secrets_that_change():
    def obj(kind, name):
        return {'apiVersion': 'v1', 'kind': kind, 'metadata': {'name': name, 'namespace': 'default'}}
    plans = [planner.ObjectPlan(obj('ConfigMap', 'a'), planner.UPDATED, []),
             planner.ObjectPlan(obj('Secret', 'b'), planner.CREATED, []),
             planner.ObjectPlan(obj('ConfigMap', 'c'), planner.UNCHANGED, []),
             planner.ObjectPlan(obj('PersistentVolumeClaim', 'd'), planner.CREATED, [])]
    assert planner.changed_objects(plans) == {('ConfigMap', 'default', 'a'), ('Secret', 'default', 'b')}


def test_stop_order_is_in_the_plan():
    desired = sidecar_pod(restartPolicy='Never')
    record = record_of(desired, containers={'setup': [dict(state_='exited', exit_code=0)],
                                            'proxy': [dict(created=50)], 'migrate': [dict(state_='exited', exit_code=0)],
                                            'app': [dict(state_='exited', exit_code=0)],
                                            'side': [dict(state_='exited', exit_code=0)]})
    p = plan(desired, record)
    assert [step.describe() for step in steps_of(p)] == ['stop proxy', 'stop POD (grace 10s)']
    running_apps = record_of(web(), containers={'app': [dict()], 'side': [dict()]})
    steps = planner.stop_steps(running_apps.all_instances())
    assert [step.describe() for step in steps] == ['stop app, side (together)', 'stop POD (grace 10s)']


def test_attempts_count_the_engines_restarts_in_place_once_known():
    desired = web(containers=[container('app', 'busybox:1.36'), container('side')])
    record = record_of(web(), containers={'app': [dict()], 'side': [dict()]})
    first = plan(desired, record)
    assert ops(first) == [('replace', 'app', 1)]
    assert planner.needs_restart_counts(first) == [record.latest('app')]  # read, then plan again
    record.latest('app').restart_count = 4
    again = plan(desired, record)
    assert ops(again) == [('replace', 'app', 5)] and planner.needs_restart_counts(again) == []
    assert planner.needs_restart_counts(plan(web(), record_of(web()))) == []  # nothing to create: nothing to read


def test_init_steps_say_what_a_failure_does():
    for policy, on_failure in (('Never', 'fail'), ('OnFailure', 'retry'), ('Always', 'retry')):
        p = plan(web(restartPolicy=policy, init=[container('setup')]))
        [init] = [step for step in p.steps if isinstance(step, S.RunInit)]
        assert init.on_failure == on_failure and init.backoff == S.BACKOFF


# ----------------------------------------------------------------------------- the node's record, strays, a changed sandbox

def test_the_node_record_is_written_once_the_sandbox_exists_and_removed_first_on_delete():
    p = plan(web(init=[container('setup')]))
    ops_ = [step.op for step in p.steps]
    assert ops_.index('record_pod') == ops_.index('sandbox') + 1 < ops_.index('init')
    assert p.steps[ops_.index('record_pod')] == S.RecordPod(p.pod, SANDBOX_IMAGE)
    assert plan(web(), record_of(web())).steps == []  # unchanged: nothing written
    deleted = planner.plan_delete(('default', 'web'), record_of(web()))
    assert deleted.steps[0] == S.ForgetPod(UID)


def test_a_pod_whose_containers_were_all_removed_keeps_its_uid_and_data():
    desired = web(volumes=[{'name': 'cache', 'emptyDir': {}}])
    node_record = {UID: {'desired': dict(with_uid(desired), hostpods={'podHash': naming.pod_hash(with_uid(desired), SANDBOX_IMAGE)}),
                         'attempts': {'POD': 3, 'app': 5}}}
    record = group_pods([], node_record)[('default', 'web')]
    p = plan(desired, record)
    assert (p.action, p.uid, p.reason) == (planner.RECREATED, UID, 'the sandbox is not running')
    assert ('remove_pod', False) not in ops(p)  # the emptyDir data stays
    assert ('sandbox', 3) in ops(p) and ('start', 'app', 5) in ops(p) and ('start', 'side', 0) in ops(p)


def test_other_uids_of_a_pod_are_removed_with_their_data():
    desired = web()
    ours = [sandbox_entry(desired, UID, created=5000)] + [container_entry(desired, n, UID, created=5001) for n in ('app', 'side')]
    theirs = [sandbox_entry(desired, OTHER_UID, created=100), container_entry(desired, 'app', OTHER_UID, created=101)]
    record = group_pods(ours + theirs, {}, [{'Name': 'k8s_emptydir_x', 'Labels': {
        naming.POD_UID: OTHER_UID, naming.POD_NAME: 'web', naming.POD_NAMESPACE: 'default'}}])[('default', 'web')]
    assert record.uid == UID and record.stray_uids == [OTHER_UID]
    p = plan(desired, record)
    assert p.action == planner.UPDATED and p.reason == 'copies of the pod under other UIDs (%s)' % OTHER_UID
    removed = next(step for step in p.steps if isinstance(step, S.Remove))
    assert {i.id for i in removed.instances} == {'sandbox-9b8e-0', 'app-9b8e-0'}
    assert S.RemovePodData(OTHER_UID) in p.steps and S.RemovePodData(UID) not in p.steps
    deleted = planner.plan_delete(('default', 'web'), record)
    assert deleted.steps[:2] == [S.ForgetPod(UID), S.ForgetPod(OTHER_UID)]
    assert S.RemovePodData(UID) in deleted.steps and S.RemovePodData(OTHER_UID) in deleted.steps


@pytest.mark.parametrize('sandbox_status, app_status, app_sandbox, pod_ip, reason', [
    ('Up 3 seconds', 'Up 10 minutes', None, None, 'the sandbox restarted under its containers'),
    ('Up 10 minutes', 'Up 3 seconds', None, None, ''),
    ('Up 5 minutes', 'Up 5 minutes', None, None, ''),
    ('Up 10 minutes', 'Up 9 minutes', 'other-sandbox', None, 'containers are joined to another sandbox'),
    ('Up 10 minutes', 'Up 9 minutes', None, '172.17.0.9', 'the pod IP changed from 172.17.0.9 to 172.17.0.5'),
    ('Up 10 minutes', 'Up 9 minutes', None, '172.17.0.5', ''),
])
def test_a_changed_sandbox_restarts_the_pod(sandbox_status, app_status, app_sandbox, pod_ip, reason):
    desired = web(containers=[container('app')])
    sandbox = sandbox_entry(desired)
    sandbox['Status'] = sandbox_status
    sandbox['NetworkSettings'] = {'Networks': {'bridge': {'IPAddress': '172.17.0.5'}}}
    app = container_entry(desired, 'app', sandbox_id=app_sandbox or sandbox['Id'])
    app['Status'] = app_status
    record = group_pods([sandbox, app], {UID: {'pod_ip': pod_ip}})[('default', 'web')]
    p = plan(desired, record)
    assert p.reason == reason
    if reason:
        assert p.action == planner.RECREATED and p.uid == UID and ('sandbox', 1) in ops(p)
        stops = [step.op for step in p.steps].index('stop')
        assert stops < [step.op for step in p.steps].index('sandbox')  # host ports freed first
    else:
        assert p.action == planner.UNCHANGED


# ----------------------------------------------------------------------------- the pod's cgroup

def test_the_pod_cgroup_is_made_before_its_sandbox_where_the_node_makes_pod_cgroups():
    desired = pod(containers=[container('app', resources={'limits': {'cpu': '500m', 'memory': '64Mi'}})])
    p = plan(desired, facts=HostFacts(images=IMAGES, pod_cgroups='cgroupfs'))
    assert ops(p)[:2] == [('pod_cgroup',), ('sandbox', 0)]
    step = steps_of(p)[0]
    assert step.cgroup == 'kubepods/pod' + NEW_UID and step.driver == 'cgroupfs'  # Guaranteed: right under kubepods
    assert step.config == {'cpuShares': 512, 'cpuQuota': 50000, 'memory': 64 * 1024 * 1024}
    assert step.describe() == ('pod cgroup kubepods/pod%s (cpu shares 512, cpu quota 50000/100000, memory 67108864 '
                               'bytes)' % NEW_UID)
    assert ('pod_cgroup',) not in ops(plan(desired))  # an engine whose cgroups hostpods does not make
    step = steps_of(plan(desired, facts=HostFacts(images=IMAGES, pod_cgroups='systemd')))[0]
    assert step.cgroup == 'kubepods.slice/kubepods-pod%s.slice' % NEW_UID.replace('-', '_') and step.driver == 'systemd'


def test_capabilities_refuse_pod_level_resources_without_pod_cgroups():
    from ansible_collections.hostpods.core.plugins.module_utils._plan import capabilities
    from ansible_collections.hostpods.core.plugins.module_utils._plan.node import NodeContext
    desired = pod(resources={'limits': {'cpu': '1'}})
    rootless = NodeContext(name='n1', engine={'cgroupDriver': 'none', 'cgroupVersion': '2'})
    assert capabilities.refusals(desired, rootless) == [
        "spec.resources: needs a cgroup of the pod's own, which hostpods makes under the engine's cgroupfs or systemd "
        "driver; the engine of node n1 uses the none driver"]
    for driver in ('cgroupfs', 'systemd'):
        assert capabilities.refusals(desired, NodeContext(name='n1', engine={'cgroupDriver': driver})) == []
    assert capabilities.refusals(pod(), rootless) == []


def test_capabilities_refuse_recursive_read_only_mounts_on_an_engine_before_api_1_44():
    from ansible_collections.hostpods.core.plugins.module_utils._plan import capabilities
    from ansible_collections.hostpods.core.plugins.module_utils._plan.node import NodeContext
    desired = pod(containers=[container('app', volumeMounts=[
        {'name': 'v', 'mountPath': '/a', 'readOnly': True, 'recursiveReadOnly': 'IfPossible'},
        {'name': 'v', 'mountPath': '/b', 'readOnly': True, 'recursiveReadOnly': 'Enabled'}])],
        volumes=[{'name': 'v', 'hostPath': {'path': '/srv'}}])
    old = NodeContext(name='n1', engine={'cgroupDriver': 'cgroupfs', 'version': '20.10.24', 'api': '1.41'})
    assert capabilities.refusals(desired, old) == [
        'spec.containers[0].volumeMounts[1].recursiveReadOnly: Enabled needs an engine that makes recursive read-only '
        'mounts (API 1.44, Docker 25 or later); the engine of node n1 is Docker 20.10.24 (API 1.41)']
    new = NodeContext(name='n1', engine={'cgroupDriver': 'cgroupfs', 'version': '27.0.1', 'api': '1.46'})
    assert capabilities.refusals(desired, new) == []


@pytest.mark.parametrize('context, expected', [
    ({'fsGroup': 2000}, 'Always'),
    ({'fsGroup': 2000, 'fsGroupChangePolicy': 'OnRootMismatch'}, 'OnRootMismatch'),
])
def test_fs_group_steps_carry_the_change_policy(context, expected):
    desired = pod(securityContext=context, volumes=[{'name': 'data', 'persistentVolumeClaim': {'claimName': 'data'}},
                                                    {'name': 'cache', 'emptyDir': {}}])
    steps = [step for step in plan(desired).steps if isinstance(step, S.FsGroup)]
    assert [(step.group, step.policy) for step in steps] == [(2000, expected)] * 2
    assert steps[0].describe() == 'fs_group k8s_pvc_data_default gid 2000 (%s)' % expected


@pytest.mark.parametrize('engine, refused', [
    ({'version': '20.10.24', 'api': '1.41', 'storageDriver': 'overlay2'}, False),  # hostpods mounts the layers
    ({'version': '28.0.1', 'api': '1.48', 'storageDriver': 'btrfs'}, False),  # the engine mounts the image
    ({'version': '20.10.24', 'api': '1.41', 'storageDriver': 'btrfs'}, True),
])
def test_image_volumes_are_refused_only_where_neither_the_engine_nor_hostpods_mounts_them(engine, refused):
    from ansible_collections.hostpods.core.plugins.module_utils._plan import capabilities
    from ansible_collections.hostpods.core.plugins.module_utils._plan.node import NodeContext
    desired = pod(volumes=[{'name': 'v', 'emptyDir': {}}, {'name': 'img', 'image': {'reference': 'busybox:1.35'}}])
    node = NodeContext(name='n1', engine=dict(engine, cgroupDriver='cgroupfs'))
    assert capabilities.refusals(desired, node) == ([
        'spec.volumes[1].image: needs an engine that mounts images (Mount.Type=image: API 1.48, Docker 28 or later) '
        'or, before it, the overlay2 storage driver, whose image layers hostpods mounts; the engine of node n1 is '
        'Docker 20.10.24 (API 1.41) with the btrfs storage driver'] if refused else [])
    assert node.image_mounts_on_node is (engine['api'] == '1.41')
    assert capabilities.refusals(desired, NodeContext(name='n1')) == []  # a delete: the engine was not asked


# ----------------------------------------------------------------------------- ephemeral volumes

EPHEMERAL = {'name': 'scratch', 'ephemeral': {'volumeClaimTemplate': {
    'spec': {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}}}}}


def test_an_ephemeral_volume_makes_the_pods_claim_volume():
    p = plan(pod(volumes=[EPHEMERAL]))
    [step] = [step for step in p.steps if isinstance(step, S.Volume)]
    assert (step.name, step.kind) == ('k8s_pvc_web-scratch_default', 'ephemeral')
    assert planner.ephemeral_claims([pod(volumes=[EPHEMERAL])]) == [('default', 'web-scratch')]


def test_an_ephemeral_volume_whose_claim_belongs_to_another_is_refused_before_anything_is_touched():
    claim = {'metadata': {'name': 'web-scratch', 'namespace': 'default', 'ownerReferences': []}}
    with pytest.raises(PreflightError) as info:
        plan(pod(volumes=[EPHEMERAL]), facts=HostFacts(images=IMAGES, claims={('default', 'web-scratch'): claim}))
    assert info.value.msg == 'web: spec.volumes: PVC default/web-scratch was not created for pod default/web (pod is not owner)'
    owned = {'metadata': {'name': 'web-scratch', 'namespace': 'default', 'ownerReferences': [
        {'kind': 'Pod', 'uid': NEW_UID, 'controller': True}]}}
    assert plan(pod(volumes=[EPHEMERAL]), facts=HostFacts(images=IMAGES, claims={('default', 'web-scratch'): owned}))
