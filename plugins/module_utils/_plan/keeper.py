# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what the node agent does for one pod at one sync, as a kubelet's pod worker. Pure.

``keep`` takes the pod as applied (``pod.json``), what is on the node, the probes' results and the
pod's agent status (back-off entries, a deadline that passed) and returns the plan (the planner's,
in ``KEEP`` mode), the new status and the events to record:

- ``activeDeadlineSeconds``: past it the pod is Failed (``DeadlineExceeded``) for good, its
  containers stopped and never restarted;
- local storage (``_plan.eviction``): a pod whose measured usage passes a limit is evicted (``Failed``,
  ``Evicted``, the kubelet's message and ``Evicted`` event), its containers killed with a 1 s grace period and
  never restarted;
- a container whose liveness or startup probe failed is killed (its probe's grace period); the
  next sync restarts it by the pod's policy;
- restarts (a container or regular init container that exited) wait for the kubelet's back-off;
  meanwhile the container is ``waiting: CrashLoopBackOff`` with the kubelet's message.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._plan import backoff as B
from ansible_collections.hostpods.core.plugins.module_utils._plan import eviction
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import probes
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass

DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline'
FINAL_REASONS = ('DeadlineExceeded', eviction.REASON)  # a pod Failed for these stays so: nothing restarts


class Kept:
    """The outcome of one sync of one pod: ``plan``, the new ``status`` and ``events``
    (``(type, reason, message, container name or None)``)."""

    def __init__(self, plan, status, events):
        self.plan = plan
        self.status = status
        self.events = events


def desired_pod(desired):
    """The pod of a ``pod.json`` (metadata with its UID, spec) and its sandbox image."""
    pod = runtimeclass.carry({'apiVersion': 'v1', 'kind': 'Pod', 'metadata': desired['metadata'],
                              'spec': desired['spec']}, desired)
    return pod, (desired.get('hostpods') or {}).get('sandboxImage')


def _containers(pod):
    return (pod['spec'].get('initContainers') or []) + pod['spec']['containers']


def _pod_ref(pod):
    meta = pod['metadata']
    return '%s_%s(%s)' % (meta['name'], meta['namespace'], meta['uid'])


def keep(desired, record, facts, now, status=None, probe_results=None, usage=None):
    """The agent's plan for one pod (see the module's docstring); ``usage`` is what the pod's local storage
    measure found at this sync (``eviction.decision``), if it was measured."""
    pod, sandbox_image = desired_pod(desired)
    status = dict(status or {})
    key = (pod['metadata']['namespace'], pod['metadata']['name'])
    if status.get('reason') in FINAL_REASONS:
        grace = eviction.GRACE_SECONDS if status['reason'] == eviction.REASON else None
        return _failed(key, pod, record, status, status['reason'], status.get('message'), grace)
    if _past_deadline(desired, now):
        return _failed(key, pod, record, status, 'DeadlineExceeded', DEADLINE_MESSAGE)
    evicted = eviction.decision(pod['spec'], usage) if usage else None
    if evicted:
        return _failed(key, pod, record, status, eviction.REASON, evicted, eviction.GRACE_SECONDS)
    plan = planner.plan_apply(pod, record, facts, sandbox_image, restarts=planner.KEEP)
    events = []
    kills = _probe_kills(pod, record, probe_results or {}, plan, events)
    plan.steps = kills + _gate(pod, record, plan.steps, now, status, events)
    if not plan.steps:
        plan.action = planner.UNCHANGED
    elif plan.action == planner.UNCHANGED:
        plan.action = planner.UPDATED
    return Kept(plan, status, events)


def _past_deadline(desired, now):
    deadline = desired['spec'].get('activeDeadlineSeconds')
    started = podspec.epoch_seconds((desired.get('hostpods') or {}).get('startTime'))
    return bool(deadline and started is not None and now - started >= deadline)


def _failed(key, pod, record, status, reason, message, grace=None):
    """The pod is Failed for good (``reason``): its running containers are stopped (``grace``: instead of their
    grace periods), nothing restarts."""
    events = []
    if status.get('reason') != reason:
        status.update(phase='Failed', reason=reason, message=message)
        events.append(('Warning', reason, message, None))
    steps = planner.stop_steps(record.all_instances(), grace=grace) if record else []
    plan = planner.PodPlan(key, pod, record, planner.UPDATED if steps else planner.UNCHANGED, steps,
                           pod['metadata']['uid'], None, reason)
    return Kept(plan, status, events)


def _probe_kills(pod, record, results, plan, events):
    """A running container whose liveness (or startup) probe failed is killed, as the kubelet kills it."""
    kills = []
    if record is None or plan.action == planner.RECREATED:
        return kills
    grace = pod['spec']['terminationGracePeriodSeconds']
    for container in _containers(pod):
        latest, result = record.latest(container['name']), results.get(container['name']) or {}
        if latest is None or not latest.running or result.get('containerID') not in (latest.id, 'docker://' + latest.id):
            continue
        for kind, failed in (('startup', result.get('startupFailed')), ('liveness', result.get('livenessFailed'))):
            if failed:
                restart = pod['spec']['restartPolicy'] != 'Never' or podspec.is_sidecar(container)
                message = probes.kill_message(container['name'], kind, restart)
                kills.append(S.Stop((latest,), grace=probes.kill_grace(container, kind, grace), why=message))
                break
    return kills


def _restarted(step, record):
    """The exited instance a step starts again (a restart, which the back-off governs), or None."""
    if isinstance(step, S.StartContainer):
        old = step.replaces
    elif isinstance(step, S.RunInit) and step.running is None:
        old = record.latest(step.container['name']) if record else None
    else:
        return None
    return old if old is not None and old.state == 'exited' else None


def _gate(pod, record, steps, now, status, events):
    """Keep the steps whose restart the back-off allows now; the others wait (CrashLoopBackOff)."""
    table = B.Backoff(status.get('backoff'))
    before, waiting, kept = status.get('waiting') or {}, {}, []
    for step in steps:
        old = _restarted(step, record)
        if old is None:
            kept.append(step)
            continue
        name = step.container['name']
        entry = B.key(name, naming.container_hash(step.container))
        finished = old.finished_at if old.finished_at is not None else now
        if table.waiting(entry, finished, now) > 0:
            message = B.message(table.delay(entry), name, _pod_ref(pod))
            waiting[name] = {'reason': 'CrashLoopBackOff', 'message': message, 'containerID': old.id}
            if (before.get(name) or {}).get('containerID') != old.id:  # once per exited instance
                events.append(('Warning', 'BackOff', 'Back-off restarting failed container %s in pod %s'
                               % (name, _pod_ref(pod)), name))
            continue
        table.restarted(entry, finished, now)
        kept.append(step)
    table.forget_older_than(now)
    status['backoff'], status['waiting'] = table.entries, waiting
    return kept
