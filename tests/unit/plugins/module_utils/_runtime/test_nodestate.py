"""Unit tests of _runtime.nodestate: the node's record of each pod UID (a temporary state directory)."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

from hostpods_fakes import SANDBOX_IMAGE, UID, container, pod, with_uid


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(naming, 'STATE_DIR', str(tmp_path))


class Clock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_events_are_counted_not_repeated_and_kept_in_order_and_bounded():
    p, clock = with_uid(pod(containers=[container('app')])), Clock()
    nodestate.record_event(p, 'Normal', 'Started', 'Started container app', 'spec.containers{app}', now=clock)
    clock.now += 5
    nodestate.record_event(p, 'Warning', 'BackOff', 'Back-off', 'spec.containers{app}', 'hostpods-agent', 'n1', now=clock)
    clock.now += 5
    nodestate.record_event(p, 'Normal', 'Started', 'Started container app', 'spec.containers{app}', now=clock)
    events = nodestate.read_events(UID)
    assert [(e['reason'], e['count']) for e in events] == [('BackOff', 1), ('Started', 2)]
    started = events[-1]
    assert (started['firstTimestamp'], started['lastTimestamp']) == ('2023-11-14T22:13:20Z', '2023-11-14T22:13:30Z')
    assert started['involvedObject'] == {'kind': 'Pod', 'name': 'web', 'namespace': 'default', 'uid': UID,
                                         'apiVersion': 'v1', 'fieldPath': 'spec.containers{app}'}
    assert events[0]['source'] == {'component': 'hostpods-agent', 'host': 'n1'}
    for index in range(nodestate.MAX_EVENTS + 5):
        nodestate.record_event(p, 'Normal', 'Pulled', 'pulled %d' % index, now=clock)
    events = nodestate.read_events(UID)
    assert len(events) == nodestate.MAX_EVENTS and events[-1]['message'] == 'pulled %d' % (nodestate.MAX_EVENTS + 4)


def test_desired_keeps_its_start_time_across_applies():
    p, clock = with_uid(pod(containers=[container('app')])), Clock()
    nodestate.write_desired(p, SANDBOX_IMAGE, now=clock)
    clock.now += 60
    nodestate.write_desired(p, SANDBOX_IMAGE, now=clock)
    desired = nodestate.read_desired(UID)
    assert desired['hostpods']['startTime'] == '2023-11-14T22:13:20Z'
    assert desired['hostpods']['appliedAt'] == '2023-11-14T22:14:20Z'
    assert desired['hostpods']['podHash'] == naming.pod_hash(p, SANDBOX_IMAGE)
    assert nodestate.pod_uids() == [UID]
    nodestate.remove_desired(UID)
    assert nodestate.read_desired(UID) is None


def test_attempts_only_grow():
    nodestate.note_attempt(UID, 'app', 3)
    nodestate.note_attempt(UID, 'app', 1)
    nodestate.note_attempt(UID, 'POD', 0)
    assert nodestate.read_attempts(UID) == {'app': 4, 'POD': 1}


def test_agent_view_of_the_heartbeat():
    assert nodestate.agent_view(None, 100)['running'] is False
    fresh = nodestate.agent_view({'pid': 1, 'written': 100}, 120)
    assert fresh['running'] is True and 'warning' not in fresh
    stale = nodestate.agent_view({'pid': 1, 'written': 100}, 131)
    assert stale['running'] is False and 'last wrote its heartbeat 31s ago' in stale['warning']
