"""Unit tests of _waiter: readiness predicate and the polling loop (fake clock and sleep)."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._views.waiter import pod_done, wait_for


def make_pod(phase='Running', ready=False, policy='Always', conditions=True):
    status = {'phase': phase}
    if conditions:
        status['conditions'] = [{'type': 'Initialized', 'status': 'True'},
                                {'type': 'Ready', 'status': 'True' if ready else 'False'}]
    return {'spec': {'restartPolicy': policy}, 'status': status}


@pytest.mark.parametrize('pod, done', [
    (make_pod('Running', ready=True), True),
    (make_pod('Running', ready=False), False),
    (make_pod('Pending'), False),
    (make_pod('Pending', conditions=False), False),
    ({'spec': {'restartPolicy': 'Always'}}, False),                       # no status at all
    (make_pod('Succeeded', policy='Never'), True),
    (make_pod('Failed', policy='Never'), True),
    (make_pod('Succeeded', policy='OnFailure'), True),
    (make_pod('Failed', policy='OnFailure'), True),
    (make_pod('Failed', policy='Always'), False),                         # not a run-to-completion pod
    (make_pod('Running', policy='Never'), False),
    (make_pod('Running', ready=True, policy='Never'), True),
])
def test_pod_done(pod, done):
    assert pod_done(pod) is done


def test_ready_condition_must_be_the_ready_type():
    pod = make_pod('Running')
    pod['status']['conditions'] = [{'type': 'ContainersReady', 'status': 'True'},
                                   {'type': 'Ready', 'status': 'False'}]
    assert pod_done(pod) is False


class FakeTime:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def reader(sequence):
    """``read_pods`` returning the items of ``sequence`` in turn, then the last one forever."""
    calls = []

    def read():
        calls.append(1)
        return sequence[min(len(calls), len(sequence)) - 1]
    read.calls = calls
    return read


def test_returns_at_once_when_everything_is_done():
    t = FakeTime()
    pods = [make_pod('Running', ready=True)]
    read = reader([pods])
    assert wait_for(read, 30, sleep=t.sleep, clock=t.clock) == (pods, True)
    assert t.sleeps == [] and len(read.calls) == 1


def test_polls_until_every_pod_is_done():
    t = FakeTime()
    slow = [make_pod('Pending'), make_pod('Running', ready=True)]
    done = [make_pod('Succeeded', policy='Never'), make_pod('Running', ready=True)]
    read = reader([slow, slow, done])
    pods, ok = wait_for(read, 30, sleep=t.sleep, clock=t.clock, period=2)
    assert ok is True and pods == done
    assert t.sleeps == [2, 2]
    assert len(read.calls) == 3


def test_times_out_with_the_last_pods():
    t = FakeTime()
    pending = [make_pod('Pending')]
    read = reader([pending])
    pods, ok = wait_for(read, 5, sleep=t.sleep, clock=t.clock, period=2)
    assert ok is False and pods == pending
    # 2 + 2 + 1: the last sleep never goes past the deadline, then one final read
    assert t.sleeps == [2, 2, 1]
    assert t.now == 105.0
    assert len(read.calls) == 4


def test_zero_timeout_reads_once():
    t = FakeTime()
    read = reader([[make_pod('Pending')]])
    pods, ok = wait_for(read, 0, sleep=t.sleep, clock=t.clock)
    assert ok is False
    assert t.sleeps == [] and len(read.calls) == 1


def test_no_pods_is_done():
    t = FakeTime()
    assert wait_for(lambda: [], 10, sleep=t.sleep, clock=t.clock) == ([], True)
