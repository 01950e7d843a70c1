# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which pods a pass of the node agent syncs, and when it reads a pod's node record again (fake clock)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._agent import daemon


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def pod(state='running', exit_code=0, applied='2026-11-28T00:00:00Z', deadline=None, status=None):
    spec = {'containers': [{'name': 'app'}]}
    if deadline:
        spec['activeDeadlineSeconds'] = deadline
    container = SimpleNamespace(id='c1', state=state, exit_code=exit_code)
    return SimpleNamespace(uid='u1', agent_status=status, all_instances=lambda: [container],
                           desired={'spec': spec, 'hostpods': {'appliedAt': applied, 'podHash': 'h'}})


@pytest.fixture
def agent():
    clock = Clock()
    made = daemon.Agent(clock=clock, workers=1)
    made.clock_ = clock
    yield made
    made.workers.shutdown(wait=False)


def synced(agent, record):
    agent.synced[record.uid] = (daemon._fingerprint(record), agent.clock())


def test_a_new_pod_is_due_then_not_until_the_resync(agent):
    record = pod()
    assert agent._due(record)
    synced(agent, record)
    agent.clock_.now += daemon.RESYNC_SECONDS - 0.5
    assert not agent._due(record)
    agent.clock_.now += 0.5
    assert agent._due(record)


@pytest.mark.parametrize('change', [dict(state='exited', exit_code=1), dict(applied='2026-11-28T00:01:00Z')],
                         ids=['a container exited', 'applied again'])
def test_a_change_in_the_listing_or_the_record_makes_it_due_at_once(agent, change):
    synced(agent, pod())
    assert not agent._due(pod())
    assert agent._due(pod(**change))


def test_a_changed_probe_result_a_waiting_back_off_and_a_pending_deadline_make_it_due(agent):
    record = pod()
    synced(agent, record)
    agent.dirty.add('u1')
    assert agent._due(record)
    agent.dirty.clear()
    assert agent._due(pod(status={'waiting': {'app': 'CrashLoopBackOff'}}))
    assert agent._due(pod(deadline=30))
    assert not agent._due(pod(deadline=30, status={'reason': 'DeadlineExceeded'}))


def test_node_records_are_read_again_when_the_directory_changes_or_after_the_resync(agent, monkeypatch):
    reads, stamps = [], {'u1': 1.0}
    monkeypatch.setattr(daemon.nodestate, 'pod_uids', lambda: sorted(stamps))
    monkeypatch.setattr(daemon.files, 'modified', lambda path: stamps[path.rstrip('/').rsplit('/', 1)[-1]])
    monkeypatch.setattr(daemon.mounts, 'read_mounts', lambda: reads.append('mountinfo') or {})
    monkeypatch.setattr(daemon.observe, 'read_node_record',
                        lambda uid, table: reads.append(uid) or {'n': len(reads) // 2})
    assert agent._node_records() == {'u1': {'n': 1}}
    agent.clock_.now += 1
    assert agent._node_records() == {'u1': {'n': 1}} and reads == ['mountinfo', 'u1']  # once, and once a pass
    stamps['u1'] = 2.0
    assert agent._node_records() == {'u1': {'n': 2}}
    agent.clock_.now += daemon.RESYNC_SECONDS
    assert agent._node_records() == {'u1': {'n': 3}}
    del stamps['u1']
    assert agent._node_records() == {} and agent.records == {}


class Locks:
    released = 0

    def release(self):
        Locks.released += 1


@pytest.mark.parametrize('deleted', [True, False], ids=['deleted meanwhile', 'kept'])
def test_events_and_status_are_written_under_the_lock_and_never_for_a_deleted_pod(agent, monkeypatch, deleted):
    desired = {'metadata': {'uid': 'u1', 'name': 'web', 'namespace': 'default'},
               'spec': {'containers': [{'name': 'app'}], 'initContainers': [{'name': 'init'}]}}
    record = SimpleNamespace(uid='u1', desired=desired, agent_status={'phase': 'Pending'})
    written = []
    outcome = SimpleNamespace(plan=SimpleNamespace(steps=[]), events=[('Normal', 'Started', 'Started container app', 'app')],
                              status={'phase': 'Running'})
    monkeypatch.setattr(agent, '_outcome', lambda *args: outcome)
    monkeypatch.setattr(agent, 'node', SimpleNamespace(name='node1'), raising=False)
    monkeypatch.setattr(daemon, 'try_lock', lambda key, component: Locks())
    monkeypatch.setattr(daemon.nodestate, 'read_desired', lambda uid: None if deleted else desired)
    monkeypatch.setattr(daemon.nodestate, 'record_event',
                        lambda pod, type_, reason, message, path, *rest: written.append((reason, path)))
    monkeypatch.setattr(daemon.nodestate, 'write_status', lambda uid, status: written.append(('status', status['phase'])))
    agent._probe_event('u1', 'Warning', 'Unhealthy', 'Readiness probe failed: no', 'spec.initContainers{init}')
    assert 'u1' in agent.dirty
    before = Locks.released
    agent._keep(('default', 'web'), record, None)
    assert Locks.released == before + 1 and agent.probe_events == {}
    if deleted:
        assert written == []
    else:
        assert written == [('Unhealthy', 'spec.initContainers{init}'), ('Started', 'spec.containers{app}'),
                           ('status', 'Running')]


@pytest.mark.parametrize('case', ['kept', 'being deleted', 'sandbox gone', 'lock held'])
def test_a_pod_applied_before_the_agent_is_adopted_under_its_lock_unless_a_delete_got_there(agent, monkeypatch, case):
    """A delete removes pod.json first, then the containers: a pod seen without pod.json while its lock is held,
    or whose sandbox went, is never written back."""
    applied = {'metadata': {'name': 'web', 'namespace': 'default'}, 'spec': {'containers': [{'name': 'app', 'image': 'a'}]}}
    record = SimpleNamespace(uid='u1', applied=applied, desired=None, sandbox=SimpleNamespace(id='sb', image='pause'),
                             latest=lambda name: None)
    files_ = {'u1': None if case != 'being deleted' else {'spec': {}}}
    monkeypatch.setattr(daemon, 'try_lock', lambda key, component: None if case == 'lock held' else Locks())
    monkeypatch.setattr(agent, 'client', SimpleNamespace(inspect_container=lambda cid: None if case == 'sandbox gone'
                                                         else {'Id': cid}), raising=False)
    monkeypatch.setattr(daemon.nodestate, 'read_desired', lambda uid: files_[uid])
    monkeypatch.setattr(daemon.nodestate, 'write_desired',
                        lambda pod, image: files_.__setitem__(pod['metadata']['uid'], dict(pod, hostpods={})))
    adopted = agent._adopt(('default', 'web'), record)
    assert adopted == (case == 'kept')
    assert (record.desired is not None) == (case == 'kept')
    if case == 'kept':
        assert record.desired['spec']['containers'][0]['image'] == 'a' and record.desired['metadata']['uid'] == 'u1'


def test_a_failed_sync_is_logged_each_pass_and_a_bug_names_its_type_with_its_traceback_once(agent, monkeypatch, capsys):
    """An error of the engine says only what the engine said; a bug (here a KeyError) names its type, and its
    traceback is logged the first time the pod fails so, not at every pass; a sync that succeeds forgets it."""
    record, key, outcomes = pod(), ('default', 'web'), []

    def keep(*_args):
        raise outcomes.pop(0)
    monkeypatch.setattr(agent, '_keep', keep)
    for failure in (KeyError('v'), KeyError('v'), daemon.HostpodsError('engine down'), KeyError('v')):
        outcomes.append(failure)
        agent._sync_pod(key, record, None)
    logged = capsys.readouterr().err
    lines = [line.split(' ', 1)[1] for line in logged.splitlines() if 'hostpods-agent:' in line]
    assert lines == ["hostpods-agent: sync of pod default/web: KeyError: 'v'"] * 2 + [
        'hostpods-agent: sync of pod default/web: engine down', "hostpods-agent: sync of pod default/web: KeyError: 'v'"]
    assert logged.count('Traceback (most recent call last)') == 2   # the first KeyError, and again after another error
    assert agent.heartbeat['last_error'] == "default/web: KeyError: 'v'"
    monkeypatch.setattr(agent, '_keep', lambda *_args: None)
    agent._sync_pod(key, record, None)
    assert record.uid not in agent.failing
