"""Unit tests of what the planner reads of the node's own mounts and files: Secret volumes on a tmpfs,
subPath pins, files the node lost (a tmpfs is empty after a restart). The same plan for the module and
for the node agent (``keeper``)."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._plan import keeper
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts, group_pods
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import rfc3339

from hostpods_fakes import SANDBOX_IMAGE, UID, container, container_entry, pod, sandbox_entry, with_uid

FACTS = HostFacts(images=[SANDBOX_IMAGE, 'busybox:1.35'])
VOLUMES = [{'name': 'creds', 'secret': {'secretName': 'creds'}},
           {'name': 'mixed', 'projected': {'sources': [{'configMap': {'name': 'cfg'}}, {'secret': {'name': 'creds'}}]}},
           {'name': 'conf', 'configMap': {'name': 'cfg'}},
           {'name': 'info', 'projected': {'sources': [{'configMap': {'name': 'cfg'}}]}},
           {'name': 'data', 'emptyDir': {}}]
MOUNTS = [{'name': 'creds', 'mountPath': '/c'}, {'name': 'mixed', 'mountPath': '/m'}, {'name': 'conf', 'mountPath': '/f'},
          {'name': 'info', 'mountPath': '/i'}, {'name': 'data', 'mountPath': '/d', 'subPath': 'sub'}]
ALL_FILES = ['conf', 'creds', 'info', 'mixed']


def consumer(**spec):
    return pod(containers=[container('app', volumeMounts=MOUNTS)], volumes=VOLUMES, **spec)


def held(uid=UID):
    """What the node mounts for the consumer: its two Secret volumes' tmpfs and the app's subPath pin."""
    return [naming.volume_dir(uid, 'creds'), naming.volume_dir(uid, 'mixed'), naming.subpath_pin(uid, 'data', 'app', 4)]


def record_of(p, mounts=None, volume_files=None, app_state='running', sandbox_state='running', node=True):
    entries = [sandbox_entry(p, state_=sandbox_state), container_entry(p, 'app', state_=app_state,
                                                                       exit_code=0 if app_state == 'exited' else None)]
    desired = dict(with_uid(p), hostpods={'podHash': naming.pod_hash(with_uid(p), SANDBOX_IMAGE),
                                          'sandboxImage': SANDBOX_IMAGE, 'startTime': rfc3339(0)})
    found = {'desired': desired, 'mounts': held() if mounts is None else mounts,
             'volume_files': ALL_FILES if volume_files is None else volume_files}
    return group_pods(entries, {UID: found} if node else None)[('default', 'web')]


def plan(p, rec, restarts=planner.NOW):
    return planner.plan_apply(p, rec, FACTS, SANDBOX_IMAGE, restarts=restarts)


def described(p):
    return [step.describe() for step in p.steps if not isinstance(step, S.RecordPod)]


@pytest.mark.parametrize('volume, on_tmpfs', [(v, v['name'] in ('creds', 'mixed')) for v in VOLUMES])
def test_secret_volumes_and_projected_ones_with_a_secret_are_on_a_tmpfs(volume, on_tmpfs):
    assert configs.on_tmpfs(volume) is on_tmpfs


def test_a_new_pod_projects_its_secret_volumes_on_a_tmpfs():
    projects = [step.describe() for step in plan(consumer(), None).steps if isinstance(step, S.Project)]
    assert projects == ['project creds (tmpfs)', 'project mixed (tmpfs)', 'project conf', 'project info']


def test_a_pod_whose_node_holds_everything_is_unchanged():
    p = consumer()
    assert plan(p, record_of(p)).action == planner.UNCHANGED
    assert plan(p, record_of(p, node=False)).action == planner.UNCHANGED   # not read: nothing is assumed


@pytest.mark.parametrize('lost', ['creds', 'conf', 'info'])
def test_files_the_node_lost_are_written_again_in_place(lost):
    p = consumer()
    rec = record_of(p, volume_files=[name for name in ALL_FILES if name != lost])
    result = plan(p, rec)
    assert result.action == planner.UPDATED and result.reason == 'the node lost the files of volume "%s"' % lost
    assert described(result) == ['project %s%s' % (lost, ' (tmpfs)' if lost == 'creds' else '')]


def test_secret_files_found_on_the_disk_go_to_a_tmpfs_when_no_running_container_holds_them():
    p = pod(containers=[container('app')], volumes=VOLUMES)   # the app mounts none of them
    rec = record_of(p, mounts=[naming.volume_dir(UID, 'mixed')])
    assert described(plan(p, rec)) == ['project creds (tmpfs)']


def test_a_refresh_and_a_repair_of_one_volume_are_one_step():
    p = consumer()
    rec = record_of(p, volume_files=['conf', 'info', 'mixed'])
    changed = frozenset({('Secret', 'default', 'creds')})
    result = planner.plan_apply(p, rec, FACTS, SANDBOX_IMAGE, changed_objects=changed)
    assert described(result) == ['refresh creds (tmpfs)', 'refresh mixed (tmpfs)']


@pytest.mark.parametrize('gone, reason', [
    (naming.volume_dir(UID, 'creds'), 'the node lost the tmpfs of volume "creds" that container "app" mounts'),
    (naming.subpath_pin(UID, 'data', 'app', 4), 'the node lost the subPath of volume "data" that container "app" '
                                                'mounts'),
])
def test_running_containers_that_lost_their_mounts_are_made_again(gone, reason):
    """The engine started them again after a node restart on what was left: only new containers, made after
    the tmpfs and the pins, see the Secret and the subPath (a mount made now would not reach them)."""
    p = consumer()
    rec = record_of(p, mounts=[path for path in held() if path != gone], volume_files=['conf', 'info'])
    result = plan(p, rec)
    assert (result.action, result.reason) == (planner.RECREATED, reason)
    steps = described(result)
    assert steps.index('project creds (tmpfs)') < steps.index('start app attempt 1')
    assert plan(p, rec, restarts=planner.AGENT).action == planner.UNCHANGED   # the agent restarts it
    changed = frozenset({('Secret', 'default', 'creds')})   # and writes the files: no tmpfs now that hides them
    assert planner.plan_apply(p, rec, FACTS, SANDBOX_IMAGE, changed_objects=changed,
                              restarts=planner.AGENT).action == planner.UNCHANGED


def test_stopped_containers_lost_nothing_and_a_stopped_sandbox_is_restarted_anyway():
    p = consumer(restartPolicy='Never')
    assert plan(p, record_of(p, mounts=[], volume_files=[], app_state='exited')).action == planner.UNCHANGED
    restarted = plan(consumer(), record_of(consumer(), mounts=[], volume_files=[], sandbox_state='exited'))
    assert restarted.action == planner.RECREATED and 'project creds (tmpfs)' in described(restarted)


def test_pods_outside_the_call_whose_containers_lost_their_mounts_are_not_refreshed():
    p = consumer()
    records = {('default', 'web'): record_of(p, mounts=[])}
    assert planner.plan_refreshes(records, frozenset({('Secret', 'default', 'creds')})) == []
    records = {('default', 'web'): record_of(p)}
    assert [s.describe() for s in planner.plan_refreshes(records, frozenset({('Secret', 'default', 'creds')}))[0].steps] \
        == ['refresh creds (tmpfs)', 'refresh mixed (tmpfs)']


def test_the_node_agent_writes_lost_files_and_makes_again_what_lost_its_mounts():
    p = consumer()
    desired = record_of(p).desired
    kept = keeper.keep(desired, record_of(p, volume_files=['conf', 'info', 'mixed']), FACTS, 10)
    assert [s.describe() for s in kept.plan.steps] == ['project creds (tmpfs)']
    kept = keeper.keep(desired, record_of(p, mounts=[], volume_files=[]), FACTS, 10)
    assert kept.plan.action == planner.RECREATED and 'project creds (tmpfs)' in [s.describe() for s in kept.plan.steps]


# ----------------------------------------------------------------------------- image volumes

IMAGE = {'name': 'tools', 'image': {'reference': 'busybox:1.35', 'pullPolicy': 'IfNotPresent'}}
ENGINE_MOUNTS = HostFacts(images=[SANDBOX_IMAGE, 'busybox:1.35'], image_mounts_on_node=False)  # Docker 28


def image_consumer(volume=None):
    return pod(containers=[container('app', volumeMounts=[{'name': 'tools', 'mountPath': '/t'}])],
               volumes=[volume or IMAGE])


def test_an_image_volume_is_pulled_and_mounted_once_the_sandbox_runs_as_the_kubelet_does():
    steps = described(plan(image_consumer(), None))
    assert steps.index('sandbox attempt 0') < steps.index('image volume tools (mounted on the node)') \
        < steps.index('start app attempt 0')
    missing = image_consumer({'name': 'tools', 'image': {'reference': 'example.org/x:1', 'pullPolicy': 'IfNotPresent'}})
    assert 'image volume tools (pull example.org/x:1) (mounted on the node)' in described(plan(missing, None))
    never = image_consumer({'name': 'tools', 'image': {'reference': 'example.org/x:1', 'pullPolicy': 'Never'}})
    assert 'image volume tools (ErrImageNeverPull: example.org/x:1 is not present) (mounted on the node)' in \
        described(plan(never, None))
    engine = planner.plan_apply(image_consumer(), None, ENGINE_MOUNTS, SANDBOX_IMAGE)
    assert 'image volume tools' in described(engine)  # the pull only: the engine mounts the image


def test_a_pod_whose_node_holds_its_image_mount_is_unchanged():
    p = image_consumer()
    assert plan(p, record_of(p, mounts=[naming.volume_dir(UID, 'tools')], volume_files=[])).action == planner.UNCHANGED


def test_a_container_that_lost_its_image_mount_is_made_again_by_the_apply_and_by_the_agent():
    p = image_consumer()
    lost = record_of(p, mounts=[], volume_files=[])
    result = plan(p, lost)
    assert (result.action, result.reason) == (planner.RECREATED, 'the node lost the image mount of volume "tools" that '
                                                                 'container "app" mounts')
    assert 'image volume tools (mounted on the node)' in described(result)
    assert plan(p, lost, restarts=planner.AGENT).action == planner.UNCHANGED  # the agent restarts the pod
    kept = keeper.keep(lost.desired, lost, FACTS, 10)
    assert kept.plan.action == planner.RECREATED and 'image volume tools (mounted on the node)' in described(kept.plan)
    # where the engine mounts the image the node holds nothing of it
    assert planner.plan_apply(p, lost, ENGINE_MOUNTS, SANDBOX_IMAGE).action == planner.UNCHANGED


def test_an_image_volume_no_running_container_holds_is_mounted_again_in_place():
    p = image_consumer()
    result = plan(p, record_of(p, mounts=[], volume_files=[], app_state='exited'))
    assert described(result)[0] == 'image volume tools (mounted on the node)'
