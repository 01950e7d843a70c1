"""Unit tests of _agent.prober: the kubelet's probe worker state machine, with a fake clock and a fake
runtime (``workers=0``: every due probe runs inline in ``run_due``), exact timings; and the thread pool."""

import threading

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._agent import prober
from ansible_collections.hostpods.core.plugins.module_utils._runtime.probes import FAILURE, SUCCESS, WARNING, ProbeError

T0 = 1000.0


class Clock:
    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


class Runtime:
    """Answers each probe from a script per (container, probe type): SUCCESS, FAILURE, WARNING or an
    exception to raise; then ``default``. Records ``(time, container, probe type, container ID)``."""

    def __init__(self, clock, default=SUCCESS):
        self.clock, self.default = clock, default
        self.script, self.calls = {}, []

    def answer(self, container, kind, *answers):
        self.script.setdefault((container, kind), []).extend(answers)

    def run(self, probe, target):
        kind = probe['exec']['command'][1]
        name = target['container']['name']
        self.calls.append((self.clock(), name, kind, target['containerID']))
        queue = self.script.get((name, kind)) or []
        answer = queue.pop(0) if queue else self.default
        if isinstance(answer, Exception):
            raise answer
        return answer, '%s output' % answer

    def times(self, name, kind):
        return [when - T0 for when, n, k, _cid in self.calls if (n, k) == (name, kind)]


def probe(kind, **timing):
    return dict({'exec': {'command': ['check', kind]}}, **timing)


def container(name='web', **probes):
    return dict({'name': name, 'image': 'busybox'}, **{'%sProbe' % kind: p for kind, p in probes.items()})


def pod(*containers, uid='u1', restart='Always', init=(), statuses=None, **extra):
    if statuses is None:
        statuses = {c['name']: running('c-%s-1' % c['name']) for c in list(containers) + list(init)}
    spec = {'containers': list(containers), 'restartPolicy': restart}
    if init:
        spec['initContainers'] = list(init)
    return dict({'uid': uid, 'namespace': 'default', 'name': 'p', 'spec': spec, 'podIP': '10.0.0.5',
                 'containers': statuses}, **extra)


def running(cid, started=T0):
    return {'id': cid, 'running': True, 'startedAt': started, 'exitCode': None}


def exited(cid, code=1):
    return {'id': cid, 'running': False, 'startedAt': None, 'exitCode': code}


class Harness:
    def __init__(self, pods, default=SUCCESS, **kwargs):
        self.clock = Clock()
        self.runtime = Runtime(self.clock, default)
        self.events, self.changes = [], []
        self.manager = prober.ProbeManager(self.runtime, clock=self.clock, workers=0, rng=lambda: 0.0,
                                           record_event=lambda *event: self.events.append(event),
                                           on_change=lambda *change: self.changes.append(change), **kwargs)
        self.pods = pods
        self.manager.sync(pods)
        self.last = None  # the last second run_due ran at

    def at(self, seconds):
        """Advance the clock to T0 + seconds and run what is due."""
        self.clock.now = T0 + seconds
        self.last = seconds
        return self.manager.run_due()

    def until(self, seconds, step=1):
        """Run every ``step`` seconds after the last run (from 0 at first) up to ``seconds``."""
        for second in range(0 if self.last is None else int(self.last) + step, seconds + 1, step):
            self.at(second)

    def result(self, name='web', uid='u1'):
        return self.manager.results(uid)[name]

    def sync(self, pods):
        self.pods = pods
        self.manager.sync(pods)


# ----------------------------------------------------------------------------- starting values

def test_starting_values_before_any_probe():
    h = Harness([pod(container(readiness=probe('readiness'), liveness=probe('liveness'), startup=probe('startup')))])
    assert h.result() == {'containerID': 'c-web-1', 'started': False, 'ready': False,
                          'livenessFailed': False, 'startupFailed': False}


def test_without_probes_a_running_container_is_started_and_ready():
    h = Harness([pod(container())])
    assert h.result()['started'] is True and h.result()['ready'] is True
    assert h.manager.next_due() is None


def test_readiness_starts_as_failure_and_the_first_success_makes_it_ready():
    h = Harness([pod(container(readiness=probe('readiness', initialDelaySeconds=5)))])
    h.at(0)  # the first tick sets the starting value (Failure) and skips the probe: 0 < 5 s
    assert h.result()['started'] is True and h.result()['ready'] is False
    assert h.changes == [('u1', 'web', 'readiness', FAILURE)]
    h.until(10)
    assert h.runtime.times('web', 'readiness') == [10]
    assert h.result()['ready'] is True
    assert h.changes[-1] == ('u1', 'web', 'readiness', SUCCESS)


def test_liveness_starts_as_success():
    h = Harness([pod(container(liveness=probe('liveness', initialDelaySeconds=60)))], default=FAILURE)
    h.until(50)
    assert h.runtime.calls == [] and h.result()['livenessFailed'] is False
    assert h.changes == [('u1', 'web', 'liveness', SUCCESS)]


# ----------------------------------------------------------------------------- timing and thresholds

def test_probes_run_every_period_from_the_workers_start():
    h = Harness([pod(container(readiness=probe('readiness', periodSeconds=10)))])
    h.until(35)
    assert h.runtime.times('web', 'readiness') == [0, 10, 20, 30]
    assert h.manager.next_due() == T0 + 40


def test_initial_delay_skips_ticks_until_the_container_ran_that_long():
    statuses = {'web': running('c1', started=T0 - 3)}  # started 3 s before the worker
    h = Harness([pod(container(liveness=probe('liveness', initialDelaySeconds=15, periodSeconds=5)), statuses=statuses)])
    h.until(30)
    # ticks at 0, 5, 10 see 3, 8, 13 s of running: skipped; 15 sees 18 s
    assert h.runtime.times('web', 'liveness') == [15, 20, 25, 30]


def test_initial_delay_counts_whole_seconds_as_the_kubelet_does():
    statuses = {'web': running('c1', started=T0 - 4.5)}
    h = Harness([pod(container(readiness=probe('readiness', initialDelaySeconds=5, periodSeconds=1)), statuses=statuses)])
    h.at(0)  # has run 4.5 s: int(4.5) = 4 < 5
    assert h.runtime.calls == []
    h.at(1)  # int(5.5) = 5
    assert h.runtime.times('web', 'readiness') == [1]


def test_failure_threshold_failures_in_a_row_publish_a_failure():
    h = Harness([pod(container(readiness=probe('readiness', failureThreshold=3)))])
    h.runtime.answer('web', 'readiness', SUCCESS, FAILURE, FAILURE, SUCCESS, FAILURE, FAILURE)
    readiness = []
    for second in range(0, 80, 10):
        h.at(second)
        readiness.append(h.result()['ready'])
    # 0 ok: ready; 10, 20 fail: still ready; 30 ok resets the run; 40, 50 fail; 60 (default: ok)
    assert readiness == [True, True, True, True, True, True, True, True]
    h.runtime.answer('web', 'readiness', FAILURE, FAILURE, FAILURE)
    h.until(100, 10)
    assert [h.result()['ready']] == [False]
    assert h.runtime.times('web', 'readiness')[-3:] == [80, 90, 100]


def test_success_threshold_successes_in_a_row_publish_a_success():
    h = Harness([pod(container(readiness=probe('readiness', successThreshold=2, periodSeconds=1)))])
    h.runtime.answer('web', 'readiness', SUCCESS, FAILURE, SUCCESS, SUCCESS)
    ready = []
    for second in range(4):
        h.at(second)
        ready.append(h.result()['ready'])
    assert ready == [False, False, False, True]


def test_every_failed_probe_is_an_unhealthy_event_with_the_kubelets_words():
    h = Harness([pod(container(liveness=probe('liveness', periodSeconds=1)))])
    h.runtime.answer('web', 'liveness', FAILURE, FAILURE)
    h.until(1)
    assert h.events == [('u1', 'Warning', 'Unhealthy', 'Liveness probe failed: failure output', 'spec.containers{web}')] * 2
    assert h.result()['livenessFailed'] is False  # 2 of 3


def test_a_warning_is_a_success_with_a_probe_warning_event():
    h = Harness([pod(container(readiness=probe('readiness')))])
    h.runtime.answer('web', 'readiness', WARNING)
    h.at(0)
    assert h.result()['ready'] is True
    assert h.events == [('u1', 'Warning', 'ProbeWarning', 'Readiness probe warning: warning output', 'spec.containers{web}')]


def test_an_error_is_thrown_away_and_breaks_no_run():
    h = Harness([pod(container(liveness=probe('liveness', periodSeconds=1)))])
    h.runtime.answer('web', 'liveness', FAILURE, FAILURE, ProbeError('port "admin" is not a port of the container'),
                     FAILURE)
    h.until(2)
    assert h.result()['livenessFailed'] is False
    assert h.events[-1] == ('u1', 'Warning', 'Unhealthy', 'Liveness probe errored and resulted in unknown state: '
                            'port "admin" is not a port of the container', 'spec.containers{web}')
    h.at(3)
    assert h.result()['livenessFailed'] is True


# ----------------------------------------------------------------------------- startup gating

def test_until_started_only_the_startup_probe_runs_then_it_idles():
    h = Harness([pod(container(startup=probe('startup', periodSeconds=1, failureThreshold=5),
                               liveness=probe('liveness', periodSeconds=3), readiness=probe('readiness', periodSeconds=2)))])
    h.runtime.answer('web', 'startup', FAILURE, FAILURE, SUCCESS)
    h.until(2)
    assert h.runtime.times('web', 'startup') == [0, 1, 2]
    assert h.result()['started'] is True and h.result()['ready'] is False  # readiness not probed yet: Failure
    h.until(8)
    assert h.runtime.times('web', 'startup') == [0, 1, 2]  # idles once started
    assert h.runtime.times('web', 'liveness') == [3, 6]
    assert h.runtime.times('web', 'readiness') == [4, 6, 8]
    assert h.result()['ready'] is True


def test_initial_delays_of_the_others_count_from_the_container_start():
    readiness = probe('readiness', periodSeconds=1, initialDelaySeconds=3)
    h = Harness([pod(container(startup=probe('startup', periodSeconds=1), readiness=readiness))])
    h.until(5)
    assert h.runtime.times('web', 'startup') == [0]
    assert h.runtime.times('web', 'readiness') == [3, 4, 5]


def test_a_startup_failure_is_published_and_held_until_a_new_container():
    h = Harness([pod(container(startup=probe('startup', periodSeconds=1, failureThreshold=3),
                               liveness=probe('liveness', periodSeconds=1)))], default=FAILURE)
    h.until(5)
    assert h.runtime.times('web', 'startup') == [0, 1, 2]  # on hold after the third
    assert h.runtime.times('web', 'liveness') == []
    assert h.result() == {'containerID': 'c-web-1', 'started': False, 'ready': False,
                          'livenessFailed': False, 'startupFailed': True}
    h.runtime.default = SUCCESS
    h.sync([pod(container(startup=probe('startup', periodSeconds=1, failureThreshold=3),
                          liveness=probe('liveness', periodSeconds=1)), statuses={'web': running('c-web-2', T0 + 5)})])
    assert h.result()['startupFailed'] is False and h.result()['started'] is False
    h.at(6)
    assert h.runtime.calls[-1] == (T0 + 6, 'web', 'startup', 'c-web-2')
    assert h.result()['started'] is True


# ----------------------------------------------------------------------------- liveness, new containers

def test_a_liveness_failure_holds_until_a_new_container_id_which_starts_afresh():
    spec = container(liveness=probe('liveness', periodSeconds=10, failureThreshold=3),
                     readiness=probe('readiness', periodSeconds=10))
    h = Harness([pod(spec)])
    h.runtime.answer('web', 'liveness', FAILURE, FAILURE, FAILURE)
    h.until(40, 10)
    assert h.runtime.times('web', 'liveness') == [0, 10, 20]
    assert h.result()['livenessFailed'] is True and h.result()['ready'] is True
    assert ('u1', 'web', 'liveness', FAILURE) in h.changes
    # the agent kills and restarts it: a new container ID resets both workers to their starting values
    h.sync([pod(spec, statuses={'web': running('c-web-2', T0 + 45)})])
    assert h.result() == {'containerID': 'c-web-2', 'started': True, 'ready': False,
                          'livenessFailed': False, 'startupFailed': False}
    h.at(50)
    assert h.runtime.calls[-2:] == [(T0 + 50, 'web', 'liveness', 'c-web-2'), (T0 + 50, 'web', 'readiness', 'c-web-2')]
    assert h.result()['ready'] is True and h.result()['livenessFailed'] is False


def test_a_new_container_keeps_the_run_of_identical_results_as_the_kubelet_does():
    spec = container(readiness=probe('readiness', periodSeconds=1, successThreshold=2))
    h = Harness([pod(spec)])
    h.at(0)  # one success of 2 for c-web-1
    h.sync([pod(spec, statuses={'web': running('c-web-2', T0 + 0.5)})])
    h.at(1)  # the starting value for c-web-2, then its first success completes the run
    assert h.result()['containerID'] == 'c-web-2' and h.result()['ready'] is True


def test_a_container_not_running_is_a_failure_and_probing_waits_for_the_next_one():
    spec = container(readiness=probe('readiness', periodSeconds=5))
    h = Harness([pod(spec)])
    h.at(0)
    assert h.result()['ready'] is True
    h.sync([pod(spec, statuses={'web': exited('c-web-1')})])
    h.until(20, 5)
    assert h.runtime.times('web', 'readiness') == [0]
    assert h.result()['ready'] is False and h.manager.next_due() == T0 + 25  # Always: it will be restarted
    h.sync([pod(spec, statuses={'web': running('c-web-2', T0 + 21)})])
    h.at(25)
    assert h.runtime.calls[-1] == (T0 + 25, 'web', 'readiness', 'c-web-2')


def test_a_terminated_container_under_never_stops_its_workers_for_good():
    spec = container(readiness=probe('readiness', periodSeconds=5), liveness=probe('liveness', periodSeconds=5))
    h = Harness([pod(spec, restart='Never', statuses={'web': exited('c-web-1', 0)})])
    h.at(0)
    assert h.manager.next_due() is None and h.result()['ready'] is False
    h.sync(h.pods)  # not recreated for the same container
    assert h.manager.next_due() is None
    waiting = {'id': 'c-web-1', 'running': False, 'startedAt': None, 'exitCode': None}  # created, not exited: wait
    h2 = Harness([pod(spec, restart='Never', statuses={'web': waiting})])
    h2.at(0)
    assert h2.manager.next_due() == T0 + 5


def test_a_sidecar_keeps_its_workers_under_never_and_reports_its_init_path():
    side = dict(container('side', readiness=probe('readiness', periodSeconds=5)), restartPolicy='Always')
    statuses = {'web': running('c-web-1'), 'side': exited('c-side-1')}
    h = Harness([pod(container(), restart='Never', init=[side], statuses=statuses)])
    h.at(0)
    assert h.manager.next_due() == T0 + 5
    assert h.result('side')['ready'] is False
    h.runtime.answer('side', 'readiness', FAILURE)
    h.sync([pod(container(), restart='Never', init=[side])])
    h.at(5)
    assert h.events == [('u1', 'Warning', 'Unhealthy', 'Readiness probe failed: failure output', 'spec.initContainers{side}')]


def test_a_regular_init_container_gets_no_worker_and_no_result():
    h = Harness([pod(container(), init=[container('init')])])
    assert list(h.manager.results('u1')) == ['web']


def test_deleting_answers_liveness_and_startup_success_and_stops():
    spec = container(liveness=probe('liveness', periodSeconds=1), readiness=probe('readiness', periodSeconds=1))
    h = Harness([pod(spec)], default=FAILURE)
    h.until(1)
    h.sync([pod(spec, deleting=True)])
    h.until(6)
    assert h.runtime.times('web', 'liveness') == [0, 1]
    assert h.runtime.times('web', 'readiness') == [0, 1, 2, 3, 4, 5, 6]
    assert h.result()['livenessFailed'] is False


def test_a_finished_pod_stops_its_workers():
    spec = container(readiness=probe('readiness', periodSeconds=1))
    h = Harness([pod(spec, phase='Succeeded')])
    h.at(0)
    assert h.runtime.calls == [] and h.manager.next_due() is None


# ----------------------------------------------------------------------------- sync

def test_a_pod_left_out_loses_its_workers_and_results():
    other = pod(container(readiness=probe('readiness')), uid='u2', statuses={'web': running('c-other-1')})
    h = Harness([pod(container(readiness=probe('readiness'))), other])
    h.at(0)
    h.sync([other])
    assert h.manager.results('u1') == {}
    assert h.result(uid='u2')['ready'] is True
    assert [entry['uid'] for entry in h.manager.snapshot()['workers']] == ['u2']


def test_a_changed_probe_restarts_its_worker_from_the_starting_values():
    h = Harness([pod(container(readiness=probe('readiness')))])
    h.at(0)
    assert h.result()['ready'] is True
    h.at(5)
    h.sync([pod(container(readiness=probe('readiness', periodSeconds=3)))])
    assert h.result()['ready'] is False  # a worker with no result yet: not ready
    h.at(5)
    assert h.runtime.times('web', 'readiness') == [0, 5] and h.result()['ready'] is True


def test_a_container_not_created_yet_waits():
    h = Harness([pod(container(readiness=probe('readiness', periodSeconds=1)), statuses={})])
    h.until(3)
    assert h.runtime.calls == []
    assert h.result() == {'containerID': None, 'started': False, 'ready': False, 'livenessFailed': False,
                          'startupFailed': False}


def test_workers_created_in_the_managers_first_period_start_at_a_random_point_of_it():
    clock = Clock()
    manager = prober.ProbeManager(Runtime(clock), clock=clock, workers=0, rng=lambda: 0.5)
    manager.sync([pod(container(readiness=probe('readiness', periodSeconds=10)))])
    assert manager.next_due() == T0 + 5
    clock.now = T0 + 10  # the manager is a period old: a new worker starts at once
    manager.sync([pod(container(readiness=probe('readiness', periodSeconds=10))),
                  pod(container(readiness=probe('readiness', periodSeconds=10)), uid='u2')])
    assert manager.run_due() == 2


def test_an_overrun_gives_one_catch_up_tick_then_the_grid():
    h = Harness([pod(container(readiness=probe('readiness', periodSeconds=10)))])
    slow = h.runtime.run

    def run(probe_, target):
        if len(h.runtime.calls) == 1:
            h.clock.now += 25  # the second probe takes 25 s
        return slow(probe_, target)

    h.runtime.run = run
    h.at(0)
    h.at(10)  # runs until 35
    assert h.manager.next_due() == T0 + 30  # the tick missed while it ran, at once
    h.at(35)
    assert h.manager.next_due() == T0 + 40


# ----------------------------------------------------------------------------- snapshot and restore

def readiness_pod(cid='c-web-1'):
    return pod(container(readiness=probe('readiness', periodSeconds=10, failureThreshold=3)),
               statuses={'web': running(cid)})


def test_results_survive_a_restart_for_the_same_container_while_fresh():
    h = Harness([readiness_pod()])
    h.at(0)
    saved = h.manager.snapshot()
    assert saved == {'version': 1, 'takenAt': T0, 'workers': [
        {'uid': 'u1', 'container': 'web', 'probe': 'readiness', 'containerID': 'c-web-1', 'result': SUCCESS,
         'lastResult': SUCCESS, 'resultRun': 1, 'onHold': False, 'checkedAt': T0}]}
    clock = Clock(T0 + 29)  # younger than 10 s x 3
    manager = prober.ProbeManager(Runtime(clock, default=FAILURE), clock=clock, workers=0, rng=lambda: 0.0)
    assert manager.restore(saved) == 1
    manager.sync([readiness_pod()])
    assert manager.results('u1')['web']['ready'] is True
    manager.run_due()  # one failure of 3 in a row: still ready
    assert manager.results('u1')['web']['ready'] is True


@pytest.mark.parametrize('age, cid', [(30, 'c-web-1'), (5, 'c-web-2')])
def test_stale_or_other_container_results_give_the_starting_values(age, cid):
    h = Harness([readiness_pod()])
    h.at(0)
    clock = Clock(T0 + age)
    manager = prober.ProbeManager(Runtime(clock, default=FAILURE), clock=clock, workers=0, rng=lambda: 0.0)
    manager.restore(h.manager.snapshot())
    manager.sync([readiness_pod(cid)])
    manager.run_due()  # the starting value, Failure, and one failure of 3
    assert manager.results('u1')['web']['ready'] is False


def test_a_restored_liveness_failure_is_still_visible_and_held():
    spec = container(liveness=probe('liveness', periodSeconds=1, failureThreshold=1))
    h = Harness([pod(spec)], default=FAILURE)
    h.at(0)
    clock = Clock(T0 + 0.5)
    runtime = Runtime(clock)
    manager = prober.ProbeManager(runtime, clock=clock, workers=0, rng=lambda: 0.0)
    manager.restore(h.manager.snapshot())
    manager.sync([pod(spec)])
    clock.now = T0 + 3
    manager.run_due()
    assert manager.results('u1')['web']['livenessFailed'] is True and runtime.calls == []


def test_restore_ignores_other_versions():
    h = Harness([readiness_pod()])
    assert h.manager.restore({'version': 99, 'workers': []}) == 0 and h.manager.restore(None) == 0


# ----------------------------------------------------------------------------- the pool

class BlockingRuntime:
    def __init__(self):
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.active = self.most = self.calls = 0

    def run(self, probe_, target):
        with self.lock:
            self.active += 1
            self.calls += 1
            self.most = max(self.most, self.active)
        self.release.wait(5)
        with self.lock:
            self.active -= 1
        return SUCCESS, ''


def test_run_due_returns_once_launched_and_a_bounded_pool_runs_them():
    runtime = BlockingRuntime()
    manager = prober.ProbeManager(runtime, workers=2, rng=lambda: 0.0)
    try:
        manager.sync([pod(*[container('c%d' % i, readiness=probe('readiness')) for i in range(5)])])
        assert manager.run_due() == 5
        assert manager.results('u1')['c0']['ready'] is False
        assert manager.wait_idle(0.2) is False  # still blocked
        runtime.release.set()
        assert manager.wait_idle(5) is True
        assert runtime.calls == 5 and runtime.most == 2
        assert all(r['ready'] for r in manager.results('u1').values())
        assert manager.run_due() == 0 and manager.next_due() > 0
    finally:
        runtime.release.set()
        manager.shutdown()


def test_serve_runs_probes_until_stopped():
    runtime = BlockingRuntime()
    runtime.release.set()
    manager = prober.ProbeManager(runtime, workers=2, rng=lambda: 0.0)
    manager.sync([pod(container(readiness=probe('readiness', periodSeconds=1)))])
    stop = threading.Event()
    thread = threading.Thread(target=manager.serve, args=(stop, 0.1))
    thread.start()
    try:
        assert manager.wait_idle(5)
        for _wait in range(50):
            if manager.results('u1')['web']['ready']:
                break
            stop.wait(0.1)
        assert manager.results('u1')['web']['ready'] is True
    finally:
        stop.set()
        thread.join(5)
        manager.shutdown()
    assert not thread.is_alive()


def test_a_crashing_callback_does_not_stop_the_worker():
    clock = Clock()
    runtime = Runtime(clock, default=FAILURE)

    def broken(*_event):
        raise RuntimeError('event store is full')

    manager = prober.ProbeManager(runtime, clock=clock, workers=0, rng=lambda: 0.0, record_event=broken)
    manager.sync([pod(container(readiness=probe('readiness', periodSeconds=1)))])
    for second in range(3):
        clock.now = T0 + second
        manager.run_due()
    assert len(runtime.calls) == 3 and len(manager.crashes) == 3
