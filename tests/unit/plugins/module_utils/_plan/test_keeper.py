"""Unit tests of _plan.keeper and _plan.backoff: the agent's sync of one pod, with a fake clock."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._plan import backoff as B
from ansible_collections.hostpods.core.plugins.module_utils._plan import keeper
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts, group_pods
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import rfc3339

from hostpods_fakes import SANDBOX_IMAGE, UID, container, container_entry, pod, sandbox_entry, with_uid

FACTS = HostFacts(images=[SANDBOX_IMAGE, 'busybox:1.35'])
T0 = 1_700_000_000.0


def desired_of(p, start=T0):
    p = with_uid(p)
    return dict(p, hostpods={'podHash': naming.pod_hash(p, SANDBOX_IMAGE), 'sandboxImage': SANDBOX_IMAGE,
                             'startTime': rfc3339(start)})


def record(p, app_state='exited', exit_code=1, finished=T0, attempt=0):
    entries = [sandbox_entry(p), container_entry(p, 'app', state_=app_state, exit_code=exit_code, attempt=attempt)]
    rec = group_pods(entries, {UID: {'desired': desired_of(p)}})[('default', 'web')]
    rec.latest('app').finished_at = finished
    return rec


# ----------------------------------------------------------------------------- the back-off table

def test_backoff_series_doubles_to_the_cap_and_is_forgotten_after_ten_minutes():
    table, now, delays = B.Backoff(), T0, []
    for _crash in range(9):
        wait = table.waiting('app_h', now, now)
        delays.append(table.delay('app_h') if wait else 0)
        now += wait
        table.restarted('app_h', now, now)
    # the kubelet: at once, then 10, 20, 40, 80, 160, 300, 300 s
    assert [table.delay('app_h')] and delays == [0, 10, 20, 40, 80, 160, 300, 300, 300]
    assert table.waiting('app_h', now + 601, now + 601) == 0  # ran more than 2 x 300 s: forgotten
    table.restarted('app_h', now + 601, now + 601)
    assert table.delay('app_h') == 10


def test_backoff_counts_from_when_the_container_finished():
    table = B.Backoff({'app_h': {'delay': 20, 'lastUpdate': T0}})
    assert table.waiting('app_h', T0 + 5, T0 + 10) == 15
    assert table.waiting('app_h', T0 + 5, T0 + 30) == 0
    assert B.message(20, 'app', 'web_default(u)') == 'back-off 20s restarting failed container=app pod=web_default(u)'


# ----------------------------------------------------------------------------- restarts after the back-off

def test_a_crashed_container_restarts_at_once_then_waits_with_crash_loop_back_off():
    p = pod(containers=[container('app')])
    first = keeper.keep(desired_of(p), record(p), FACTS, T0 + 1)
    assert [(s.op, s.attempt) for s in first.plan.steps] == [('replace', 1)]
    assert first.status['waiting'] == {} and first.events == []
    # it crashed again 2 s later: 10 s of back-off from its finish
    again = keeper.keep(desired_of(p), record(p, finished=T0 + 3, attempt=1), FACTS, T0 + 4, first.status)
    assert again.plan.steps == [] and again.plan.action == planner.UNCHANGED
    waiting = again.status['waiting']['app']
    assert waiting['reason'] == 'CrashLoopBackOff'
    assert waiting['message'] == 'back-off 10s restarting failed container=app pod=web_default(%s)' % UID
    assert [e[1] for e in again.events] == ['BackOff']
    # the same instance, still waiting: no new event
    assert keeper.keep(desired_of(p), record(p, finished=T0 + 3, attempt=1), FACTS, T0 + 8, again.status).events == []
    later = keeper.keep(desired_of(p), record(p, finished=T0 + 3, attempt=1), FACTS, T0 + 13.5, again.status)
    assert [(s.op, s.attempt) for s in later.plan.steps] == [('replace', 2)]
    assert later.status['backoff'][B.key('app', naming.container_hash(with_uid(p)['spec']['containers'][0]))]['delay'] == 20


def test_a_container_that_never_restarts_by_policy_stays_down():
    p = pod(containers=[container('app')], restartPolicy='OnFailure')
    assert keeper.keep(desired_of(p), record(p, exit_code=0), FACTS, T0 + 1).plan.steps == []


def test_a_half_applied_pod_is_left_alone():
    p = pod(containers=[container('app')])
    rec = record(p)
    changed = pod(containers=[container('app', args=['other'])])
    kept = keeper.keep(desired_of(changed), rec, FACTS, T0 + 1)
    assert kept.plan.steps == [] and kept.plan.reason == 'the pod on the node is not the pod applied'


# ----------------------------------------------------------------------------- probes and the deadline

@pytest.mark.parametrize('policy, restarts', [('Always', ', will be restarted'), ('Never', '')])
def test_a_failed_liveness_probe_kills_the_container_with_the_probes_grace(policy, restarts):
    probe = {'exec': {'command': ['true']}, 'terminationGracePeriodSeconds': 7}
    p = pod(containers=[container('app', livenessProbe=probe)], restartPolicy=policy)
    rec = record(p, app_state='running')
    results = {'app': {'containerID': rec.latest('app').id, 'livenessFailed': True}}
    kept = keeper.keep(desired_of(p), rec, FACTS, T0 + 1, probe_results=results)
    [stop] = kept.plan.steps
    assert isinstance(stop, S.Stop) and stop.grace == 7 and stop.instances == (rec.latest('app'),)
    assert stop.why == 'Container app failed liveness probe%s' % restarts
    other = {'app': {'containerID': 'another-instance', 'livenessFailed': True}}
    assert keeper.keep(desired_of(p), rec, FACTS, T0 + 1, probe_results=other).plan.steps == []


def test_past_active_deadline_seconds_the_pod_fails_for_good():
    p = pod(containers=[container('app')], activeDeadlineSeconds=30)
    rec = record(p, app_state='running')
    assert keeper.keep(desired_of(p), rec, FACTS, T0 + 29).plan.steps == []
    kept = keeper.keep(desired_of(p), rec, FACTS, T0 + 30)
    assert kept.status == {'phase': 'Failed', 'reason': 'DeadlineExceeded', 'message': keeper.DEADLINE_MESSAGE}
    assert [s.op for s in kept.plan.steps] == ['stop', 'stop'] and kept.events[0][1] == 'DeadlineExceeded'
    stopped = record(p, app_state='exited', exit_code=137)
    after = keeper.keep(desired_of(p), stopped, FACTS, T0 + 100, kept.status)
    assert [s.op for s in after.plan.steps] == ['stop'] and after.events == []  # the sandbox only; nothing restarts


def test_a_pod_past_its_local_storage_limit_is_evicted_for_good_whatever_its_restart_policy():
    limits = {'limits': {'ephemeral-storage': '1Mi'}}
    p = pod(containers=[container('app', resources=limits)], restartPolicy='Always')
    rec = record(p, app_state='running')
    under = {'volumes': {}, 'containers': {'app': 1024 ** 2}}
    assert keeper.keep(desired_of(p), rec, FACTS, T0 + 1, usage=under).plan.steps == []
    kept = keeper.keep(desired_of(p), rec, FACTS, T0 + 1, usage={'containers': {'app': 1024 ** 2 + 1}})
    message = 'Pod ephemeral local storage usage exceeds the total limit of containers 1Mi. '
    assert kept.status == {'phase': 'Failed', 'reason': 'Evicted', 'message': message}
    assert kept.events == [('Warning', 'Evicted', message, None)]
    assert [(s.op, s.grace) for s in kept.plan.steps] == [('stop', 1), ('stop', S.SANDBOX_GRACE)]
    stopped = record(p, app_state='exited', exit_code=137)
    after = keeper.keep(desired_of(p), stopped, FACTS, T0 + 100, kept.status)  # no usage: not measured again
    assert [s.op for s in after.plan.steps] == ['stop'] and after.events == []  # the sandbox only; nothing restarts
    assert after.status['reason'] == 'Evicted'
