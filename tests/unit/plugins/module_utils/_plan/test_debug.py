"""Unit tests of _plan.debug: the plan that adds an ephemeral container, and what the other layers make of it."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils import _kubectl as kubectl
from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._errors import PreflightError
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import translate
from ansible_collections.hostpods.core.plugins.module_utils._plan.debug import plan_debug
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts
from ansible_collections.hostpods.core.plugins.module_utils._spec import ephemeral, naming

from hostpods_fakes import SANDBOX_IMAGE, container, pod, record_of

FACTS = HostFacts(images=[SANDBOX_IMAGE, 'busybox:1.35'])
WEB = pod(containers=[container('app')])


def test_an_ephemeral_container_is_recorded_then_started_in_its_targets_pid_namespace():
    record = record_of(WEB)
    made = ephemeral.debug_container('dbg', 'busybox:1.36', ['sleep', '9'], target='app')
    plan = plan_debug(record, made, FACTS)
    assert (plan.action, [step.describe() for step in plan.steps]) == (planner.UPDATED, [
        'record ephemeral container dbg in spec.ephemeralContainers', 'start ephemeral dbg (target app) (pull busybox:1.36)'])
    assert plan.steps[1].target is record.latest('app')
    assert plan.pod['spec']['ephemeralContainers'] == [made]
    body = translate.container_body(plan.pod, made, 'ephemeral', 0, 'sandbox-id', SANDBOX_IMAGE,
                                    pid_target=record.latest('app').id)
    assert body['HostConfig']['PidMode'] == 'container:%s' % record.latest('app').id
    assert body['HostConfig']['RestartPolicy'] == {'Name': 'no'}  # never restarted, with or without the agent
    assert body['Labels'][naming.CONTAINER_TYPE] == 'ephemeral'
    assert body['Labels'][naming.POD_HASH] == naming.pod_hash(WEB, SANDBOX_IMAGE)  # the pod's hash is not changed


@pytest.mark.parametrize('driver', ['cgroupfs', 'systemd'])
def test_an_ephemeral_container_goes_in_the_pod_cgroup_as_the_others_do(driver):
    """On a node that gives each pod its cgroup (either cgroup driver), the ephemeral container is in it too."""
    made = ephemeral.debug_container('dbg', 'busybox:1.36')
    plan = plan_debug(record_of(WEB), made, FACTS)
    body = translate.container_body(plan.pod, made, 'ephemeral', 0, 'sandbox-id', SANDBOX_IMAGE,
                                    runtime={'podCgroups': driver})
    assert body['HostConfig']['CgroupParent'] == translate.cgroup_parent(plan.pod, driver)


def test_the_debug_call_reads_the_engine_of_its_node(monkeypatch):
    """Whether pods have cgroups of their own is the engine's cgroup driver: pod_debug reads it, as an apply does."""
    asked = {}

    def read_node(client, **kwargs):
        asked.update(kwargs)
        raise PreflightError('read')
    monkeypatch.setattr(kubectl.host, 'read_node', read_node)
    params = options.defaults(options.POD_DEBUG, {'name': 'web', 'image': 'busybox:1.36'})
    with pytest.raises(PreflightError):
        kubectl.pod_debug(object(), params, check_mode=True)
    assert asked.get('with_engine') is True


def test_nothing_to_do_when_it_is_there_and_refusals_when_the_pod_or_target_does_not_run():
    made = ephemeral.debug_container('dbg', 'busybox:1.35')
    assert plan_debug(record_of(WEB), made, FACTS, present=True).action == planner.UNCHANGED
    with pytest.raises(PreflightError) as caught:
        plan_debug(record_of(WEB, sandbox_state='exited'), made, FACTS)
    assert 'the pod is not running' in caught.value.msg
    stopped = record_of(WEB, containers={'app': [dict(state_='exited', exit_code=0)]})
    with pytest.raises(PreflightError) as caught:
        plan_debug(stopped, ephemeral.debug_container('dbg', 'busybox:1.35', target='app'), FACTS)
    assert 'its target container "app" is not running' in caught.value.msg


def test_a_reapply_leaves_ephemeral_containers_alone():
    made = ephemeral.debug_container('dbg', 'busybox:1.35')
    debugged = dict(WEB, spec=dict(WEB['spec'], ephemeralContainers=[made]))
    record = record_of(debugged, containers={'app': [dict()], 'dbg': [dict(state_='exited', exit_code=0)]})
    assert record.latest('dbg').kind == 'ephemeral' and record.hash == naming.pod_hash(WEB, SANDBOX_IMAGE)
    record.ephemeral = [made]
    assert record.applied['spec']['ephemeralContainers'] == record.ephemeral
    for restarts in (planner.NOW, planner.AGENT):
        plan = planner.plan_apply(WEB, record, FACTS, SANDBOX_IMAGE, restarts=restarts)
        assert (plan.action, plan.steps) == (planner.UNCHANGED, []), restarts
    removal = planner.plan_delete(('default', 'web'), record)
    assert any(getattr(instance, 'container', '') == 'dbg' for step in removal.steps
               for instance in getattr(step, 'instances', ()))
