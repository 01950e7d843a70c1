"""Unit tests of _plan.resize through the planner: a re-apply that changes only cpu or memory resizes the running
containers in place (or restarts the one whose resizePolicy says so), the pod cgroup in the kubelet's order, and
the node's record keeps the pod unchanged for the next apply and the node agent."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._plan import keeper
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import resize
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

from hostpods_fakes import SANDBOX_IMAGE, UID, container, pod, record_of, with_uid

FACTS = HostFacts(images=[SANDBOX_IMAGE, 'busybox:1.35'], pod_cgroups='cgroupfs')
MI = 1024 ** 2


def sized(cpu='500m', memory='64Mi', request_cpu=None, **extra):
    limits = {'cpu': cpu, 'memory': memory}
    return {'resources': {'limits': limits, 'requests': dict(limits, **({'cpu': request_cpu} if request_cpu else {}))},
            **extra}


def web(app=None, side=None, **spec):
    return pod(containers=[container('app', **(app or sized())), container('side', **(side or sized('100m', '32Mi')))],
               **spec)


def plan(desired, record, restarts=planner.NOW):
    return planner.plan_apply(desired, record, FACTS, SANDBOX_IMAGE, restarts=restarts)


def steps(p):
    return [step for step in p.steps if not isinstance(step, S.RecordPod)]


def test_a_cpu_change_updates_the_running_container_in_place():
    applied = web()
    desired = web(app=sized('1', '64Mi'))
    p = plan(desired, record_of(applied))
    assert (p.action, p.reason) == ('updated', 'resources resized in place')
    kinds = [step.op for step in steps(p)]
    assert kinds == ['pod_cgroup', 'update_resources', 'record_resources']  # raised before: the pod grows
    cgroup, update, record = steps(p)
    assert cgroup.config == {'cpuShares': 1126, 'cpuQuota': 110000, 'memory': 96 * MI}
    assert (update.instance.id, update.container['name']) == ('app-%s-0' % UID[:4], 'app')
    assert update.settings == {'CpuShares': 1024, 'CpuPeriod': 100000, 'CpuQuota': 100000, 'Memory': 64 * MI,
                               'MemorySwap': 64 * MI}
    assert record.pod_hash == naming.pod_hash(with_uid(desired), SANDBOX_IMAGE)
    assert record.containers == {'app': desired['spec']['containers'][0]['resources']}
    assert record.instances == {'app-%s-0' % UID[:4]: naming.container_hash(desired['spec']['containers'][0])}
    assert isinstance(p.steps[0], S.RecordPod)  # pod.json: what the agent keeps now


def test_a_shrinking_pod_sets_its_cgroup_after_the_containers():
    p = plan(web(app=sized('250m', '64Mi')), record_of(web()))
    assert [step.op for step in steps(p)] == ['update_resources', 'pod_cgroup', 'record_resources']
    assert steps(p)[1].config == {'cpuShares': 358, 'cpuQuota': 35000, 'memory': 96 * MI}


def test_one_raised_and_one_lowered_limit_loosen_the_cgroup_first_then_set_it():
    p = plan(web(app=sized('1', '32Mi')), record_of(web()))
    before, _update, after, _record = steps(p)
    assert (before.config['cpuQuota'], before.config['memory']) == (110000, 96 * MI)
    assert (after.config['cpuQuota'], after.config['memory']) == (110000, 64 * MI)


def test_restart_container_policy_restarts_that_container_alone():
    policy = [{'resourceName': 'memory', 'restartPolicy': 'RestartContainer'}]
    applied = web(app=sized(resizePolicy=policy))
    p = plan(web(app=sized(memory='128Mi', resizePolicy=policy), side=sized('200m', '32Mi')), record_of(applied))
    ops = [(step.op, getattr(step, 'container', {}).get('name')) for step in steps(p)]
    assert ops == [('pod_cgroup', None), ('update_resources', 'side'), ('replace', 'app'), ('record_resources', None)]
    restart = steps(p)[2]
    assert restart.attempt == 1 and restart.replaces.id == 'app-%s-0' % UID[:4]
    assert 'app-%s-0' % UID[:4] not in steps(p)[-1].instances  # its new instance carries the new hash itself


def test_a_cpu_change_under_a_memory_restart_policy_stays_in_place():
    policy = [{'resourceName': 'memory', 'restartPolicy': 'RestartContainer'}]
    p = plan(web(app=sized('1', resizePolicy=policy)), record_of(web(app=sized(resizePolicy=policy))))
    assert 'update_resources' in [step.op for step in steps(p)]


def test_removing_a_memory_limit_restarts_the_container():
    applied = web(app={'resources': {'requests': {'cpu': '100m', 'memory': '64Mi'}, 'limits': {'memory': '64Mi'}}})
    desired = web(app={'resources': {'requests': {'cpu': '100m', 'memory': '64Mi'}}})
    assert [step.op for step in steps(plan(desired, record_of(applied)))][-2:] == ['replace', 'record_resources']
    assert resize.needs_restart(desired['spec']['containers'][0], applied['spec']['containers'][0]['resources']) == \
        'its memory limit is removed, which the engine cannot do in place'


@pytest.mark.parametrize('desired', [
    web(app=sized(image='busybox:1.36')),                          # not only resources: the usual rules
    web(app={'resources': {'requests': {'cpu': '100m'}}}),        # Guaranteed -> Burstable: the QoS class may not change
    web(app=sized(resizePolicy=[{'resourceName': 'cpu', 'restartPolicy': 'RestartContainer'}])),  # resizePolicy too
])
def test_other_changes_are_not_resizes(desired):
    assert resize.changed_containers(web()['spec'], desired['spec']) is None
    assert plan(desired, record_of(web())).action in ('recreated', 'updated')
    assert plan(desired, record_of(web())).reason != 'resources resized in place'


def test_a_pod_whose_sandbox_is_not_running_is_recreated():
    p = plan(web(app=sized('1')), record_of(web(), sandbox_state='exited'))
    assert p.action == 'recreated'


def test_a_never_pod_that_would_restart_a_container_is_recreated():
    policy = [{'resourceName': 'cpu', 'restartPolicy': 'NotRequired'}]
    applied = web(app={'resources': {'limits': {'memory': '64Mi'}}, 'resizePolicy': policy}, restartPolicy='Never')
    desired = web(app={'resources': {'requests': {'memory': '64Mi'}}, 'resizePolicy': policy}, restartPolicy='Never')
    assert plan(desired, record_of(applied)).action == 'recreated'


def test_a_stopped_container_takes_its_new_resources_when_it_starts_again():
    record = record_of(web(), containers={'app': [dict(state_='exited', exit_code=1)], 'side': [dict()]})
    p = plan(web(app=sized('1')), record)
    assert [step.op for step in steps(p)] == ['pod_cgroup', 'record_resources']
    assert steps(p)[-1].instances == {'app-%s-0' % UID[:4]: naming.container_hash(web(app=sized('1'))['spec']['containers'][0])}


def resized_record(applied, desired, p, sandbox_id=None):
    """The record after ``p`` ran: the node's resources.json as its RecordResources step writes it."""
    record = record_of(applied)
    step = steps(p)[-1]
    record.live_resources = {'sandbox': sandbox_id or record.sandbox.id, 'podHash': step.pod_hash,
                             'containers': step.containers, 'instances': step.instances}
    return record


def test_after_the_resize_the_pod_is_unchanged_for_the_module_and_the_agent():
    applied, desired = web(), web(app=sized('1', '128Mi'), side=sized('200m', '32Mi'))
    record = resized_record(applied, desired, plan(desired, record_of(applied)))
    assert plan(desired, record).action == 'unchanged'
    assert record.applied['spec']['containers'][0]['resources'] == desired['spec']['containers'][0]['resources']
    kept = keeper.keep({'metadata': with_uid(desired)['metadata'], 'spec': with_uid(desired)['spec'],
                        'hostpods': {'sandboxImage': SANDBOX_IMAGE}}, record, FACTS, now=5000.0)
    assert (kept.plan.action, kept.plan.steps) == ('unchanged', [])  # no drift for the node agent
    # going back is a resize again
    assert plan(applied, record).reason == 'resources resized in place'


def test_a_record_of_another_sandbox_is_ignored():
    applied, desired = web(), web(app=sized('1'))
    record = resized_record(applied, desired, plan(desired, record_of(applied)), sandbox_id='an-older-sandbox')
    assert record.resized is None and plan(desired, record).reason == 'resources resized in place'
