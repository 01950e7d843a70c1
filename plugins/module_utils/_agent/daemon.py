# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods-agent``, the node agent: it keeps the pods an apply last wrote (``pod.json``)
the way a kubelet keeps pods between API updates.

Every second: one container listing; each pod it keeps is synced by a pod worker (``_plan.keeper``:
restarts after the kubelet's back-off, dead sandboxes, liveness kills, deadlines, local storage evictions
(a pod with an ``ephemeral-storage`` limit or a disk emptyDir ``sizeLimit`` is measured at most every 10 s,
``_runtime.storage``; the others are never measured); carried out by the
same executor as the module, under the pod's lock, so an apply and the agent never act on a pod at
once); the prober runs the probes that are due. Pods applied before the agent existed are adopted.
A heartbeat (``/run/hostpods/agent.json``) says it runs. Stopping the agent leaves the pods running.
It needs only Python 3 and the docker SDK.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hostpods.core.plugins.module_utils._agent.prober import ProbeManager
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._plan import eviction
from ansible_collections.hostpods.core.plugins.module_utils._plan import keeper
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts, group_pods
from ansible_collections.hostpods.core.plugins.module_utils._runtime import files
from ansible_collections.hostpods.core.plugins.module_utils._runtime import host
from ansible_collections.hostpods.core.plugins.module_utils._runtime import mounts
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._runtime import observe
from ansible_collections.hostpods.core.plugins.module_utils._runtime.storage import StorageMeter
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import DockerClient
from ansible_collections.hostpods.core.plugins.module_utils._runtime.executor import Executor
from ansible_collections.hostpods.core.plugins.module_utils._runtime.locks import try_lock
from ansible_collections.hostpods.core.plugins.module_utils._runtime.probes import ProbeRunner
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import epoch_seconds, rfc3339

VERSION = naming.VERSION
COMPONENT = 'hostpods-agent'
SYNC_SECONDS = 1.0
NODE_SECONDS = 60  # the node's facts are read again this often
PROBES_STATE = '/var/lib/hostpods/agent/probes.json'
EXECUTION_BUDGET = 600
RESYNC_SECONDS = 10  # a pod whose containers did not change is synced again this often (the kubelet's resync)


class Agent:
    """One node agent. ``run()`` loops until ``stop()``; ``sync_once()`` is one pass (tests call it)."""

    def __init__(self, client_factory=DockerClient, clock=time.time, workers=4):
        self.client_factory = client_factory
        self.client = None
        self.clock = clock
        self.started_at = clock()
        self.stopping = threading.Event()
        self.workers = ThreadPoolExecutor(max_workers=workers)
        self.in_flight = set()
        self.lock = threading.Lock()
        self.node = None
        self.node_read = 0
        self.adopted_policies = set()  # container IDs known to have the engine restart nothing
        self.started = {}              # container ID -> epoch seconds it started (for the probes)
        self.synced = {}               # pod UID -> (what its containers and pod.json were, when) at its last sync
        self.dirty = set()             # pod UIDs to sync at the next pass (a probe result changed)
        self.probe_events = {}         # pod UID -> the probes' events its next sync records
        self.records = {}              # pod UID -> (directory mtime, read at, node record)
        self.measured = {}             # pod UID -> when its local storage was last measured
        self.watched = {}              # pod UID -> (its pod.json's hash, whether local storage limits watch it)
        self.meter = None
        self.failing = {}              # pod UID -> the line its last failed sync logged (until one succeeds)
        self.heartbeat = {'pid': os.getpid(), 'version': VERSION, 'started_at': rfc3339(self.started_at),
                          'last_sync': None, 'runtime_ready': False, 'pods': 0}
        self.prober = ProbeManager(None, clock=clock, record_event=self._probe_event, on_change=self._probe_changed)

    # ------------------------------------------------------------------ the loop
    def run(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: self.stop())
        faulthandler.register(signal.SIGUSR1)  # kill -USR1 prints every thread's stack to the log
        self.prober.restore(files.read_json(PROBES_STATE) or {})
        failures = 0
        while not self.stopping.is_set():
            started = self.clock()
            try:
                self.sync_once()
                failures = 0
            except Exception as exc:  # pylint: disable=broad-except  # the engine went away, or a bug: log, back off
                failures += 1
                if not isinstance(exc, (HostpodsError, OSError)):
                    traceback.print_exc()
                self.client = None
                self.heartbeat.update(runtime_ready=False, error=str(exc)[:300])
                self._beat()
                self.stopping.wait(min(30, 2 ** min(failures - 1, 5)))
                continue
            self.stopping.wait(max(0.05, SYNC_SECONDS - (self.clock() - started)))
        self.prober.shutdown(wait=False)
        files.write_file(PROBES_STATE, _json(self.prober.snapshot()))
        self.workers.shutdown(wait=True)

    def stop(self):
        self.stopping.set()

    def _connect(self):
        if self.client is None:
            self.client = self.client_factory()
            self.prober.runtime = ProbeRunner(self.client)
            self.meter = StorageMeter(self.client)
        if self.node is None or self.clock() - self.node_read > NODE_SECONDS:
            self.node = _supervising(host.read_node(self.client, with_engine=True))
            self.node_read = self.clock()

    def sync_once(self):
        """One pass: relist, adopt, sync every kept pod (in the pod workers), run the due probes."""
        self._connect()
        records = group_pods(self.client.pod_containers(), self._node_records())
        kept = {key: record for key, record in records.items() if record.desired is not None}
        for key, record in records.items():
            if record.desired is None and record.sandbox is not None and self._adopt(key, record):
                kept[key] = record
        self._restart_policies(kept)
        due = {key: record for key, record in kept.items() if self._due(record)}
        facts = HostFacts(self.client.image_references(), pod_cgroups=self.node.pod_cgroups,
                          image_mounts_on_node=self.node.image_mounts_on_node) if due else None
        for key, record in due.items():
            self._schedule(key, record, facts)
        self.prober.sync([self._probe_view(record) for record in kept.values()])
        self._forget_gone({record.uid for record in kept.values()})
        self.prober.run_due()
        if self.clock() - self.heartbeat.get('probes_saved', 0) > 10:
            files.write_file(PROBES_STATE, _json(self.prober.snapshot()))
            self.heartbeat['probes_saved'] = self.clock()
        self.heartbeat.update(runtime_ready=True, error=None, pods=len(kept), last_sync=rfc3339(self.clock()))
        self._beat()

    def _forget_gone(self, uids):
        """What the agent remembers of pods no longer kept goes (a deleted pod's probe events too)."""
        with self.lock:
            for memory in (self.probe_events, self.synced, self.measured, self.watched, self.failing):
                for uid in set(memory) - uids:
                    del memory[uid]
            self.dirty.intersection_update(uids)
        if self.meter is not None:
            self.meter.forget(uids)

    def _node_records(self):
        """The node's record of every pod UID, each read again when its directory changed (every write of
        the node's state is a rename in it) or RESYNC_SECONDS after it was read (a volume's files and the
        node's mounts change below it)."""
        out, now, mount_table = {}, self.clock(), None
        for uid in nodestate.pod_uids():
            stamp = files.modified(naming.pod_dir(uid))
            cached = self.records.get(uid)
            if cached is None or cached[0] != stamp or now - cached[1] >= RESYNC_SECONDS:
                mount_table = mounts.read_mounts() if mount_table is None else mount_table  # once a pass
                cached = self.records[uid] = (stamp, now, observe.read_node_record(uid, mount_table))
            out[uid] = cached[2]
        for uid in set(self.records) - set(out):
            del self.records[uid]
        return out

    def _due(self, record):
        """Whether a pod is synced at this pass: its containers or its pod.json changed, a probe result
        changed, a back-off or a deadline may end now, or it was last synced RESYNC_SECONDS ago."""
        status = record.agent_status or {}
        last = self.synced.get(record.uid)
        return (last is None or last[0] != _fingerprint(record) or self.clock() - last[1] >= RESYNC_SECONDS
                or record.uid in self.dirty or bool(status.get('waiting'))
                or bool(record.desired['spec'].get('activeDeadlineSeconds') and status.get('reason') != 'DeadlineExceeded'))

    def _beat(self):
        with self.lock:
            beat = {key: value for key, value in self.heartbeat.items() if key != 'probes_saved'}
        nodestate.write_heartbeat(dict(beat, written=self.clock()))

    # ------------------------------------------------------------------ pods
    def _sync_failed(self, key, uid, exc):
        """Log a pod's failed sync. An error that is not the engine's or the node's (a bug) names its type, and
        its traceback goes to the log the first time the pod fails so, not at every pass."""
        known = isinstance(exc, (HostpodsError, OSError))
        line = '%s/%s: %s' % (key[0], key[1], (str(exc) if known else '%s: %s' % (type(exc).__name__, exc))[:300])
        with self.lock:
            self.heartbeat['last_error'] = line
            again = self.failing.get(uid) == line
            self.failing[uid] = line
        sys.stderr.write('%s hostpods-agent: sync of pod %s\n' % (rfc3339(self.clock()), line))  # the log
        if not known and not again:
            traceback.print_exception(type(exc), exc, exc.__traceback__)

    def _schedule(self, key, record, facts):
        with self.lock:
            if record.uid in self.in_flight:
                return
            self.in_flight.add(record.uid)
        self.workers.submit(self._sync_pod, key, record, facts)

    def _sync_pod(self, key, record, facts):
        try:
            self.dirty.discard(record.uid)
            self._keep(key, record, facts)
            self.synced[record.uid] = (_fingerprint(record), self.clock())
            self.failing.pop(record.uid, None)
        except Exception as exc:  # pylint: disable=broad-except  # one pod must not stop the agent
            self._sync_failed(key, record.uid, exc)
        finally:
            with self.lock:
                self.in_flight.discard(record.uid)

    def _keep(self, key, record, facts):
        """Sync one pod. Planned from the pass's listing; when there is something to do or to record, under the
        pod's lock (an apply holding it defers the pod to a later pass): planned again from a fresh listing of
        the pod (the pass's may predate an apply) and carried out, then its events and status written, unless
        it was deleted meanwhile (nothing of a deleted pod is written again)."""
        uid, status = record.uid, record.agent_status or {}
        usage = self._usage(record, status)
        outcome = self._outcome(record, facts, status, usage)
        outcome.status['probes'] = self.prober.results(uid)
        with self.lock:
            waiting_events = bool(self.probe_events.get(uid))
        if not (outcome.plan.steps or outcome.events or waiting_events or outcome.status != status):
            return
        locks = try_lock(key, COMPONENT)
        if locks is None:
            return
        try:
            if outcome.plan.steps:
                outcome = self._act(key, uid, facts, status, usage)
            elif nodestate.read_desired(uid) is None:
                outcome = None  # deleted meanwhile
            with self.lock:
                probe_events = self.probe_events.pop(uid, [])
            if outcome is not None:
                self._record(record.desired, outcome, probe_events, status)
        finally:
            locks.release()

    def _record(self, desired, outcome, probe_events, status):
        """Under the pod's lock: the pass's events, the probes' events since the last pass, and the status."""
        uid = desired['metadata']['uid']
        for type_, reason, message, field_path in probe_events:  # what the probes saw came first (Unhealthy, then Killing)
            self._event(desired, type_, reason, message, field_path)
        for type_, reason, message, name in outcome.events:
            self._event(desired, type_, reason, message, _field_path(desired, name))
        outcome.status['probes'] = self.prober.results(uid)
        if outcome.status != status:
            nodestate.write_status(uid, outcome.status)

    def _act(self, key, uid, facts, status, usage=None):
        """Under the pod's lock: plan again from a fresh listing and carry the plan out (None: the pod went)."""
        found = observe.read_node_record(uid)
        if found.get('desired') is None:
            return None  # deleted meanwhile
        record = group_pods(self.client.pod_containers(uid=uid), {uid: found}).get(key)
        if record is None or record.uid != uid:
            return None
        outcome = self._outcome(record, facts, status, usage)
        if outcome.plan.steps:
            executor = Executor(self.client, self.node, EXECUTION_BUDGET, lookup=observe.object_lookup({}),
                                component=COMPONENT)
            outcome.status['lastError'] = executor.run_pods([outcome.plan]).get(key)
        return outcome

    def _outcome(self, record, facts, status, usage=None):
        self._inspect_exited(record)
        return keeper.keep(record.desired, record, facts, self.clock(), status, self.prober.results(record.uid), usage)

    def _usage(self, record, status):
        """The pod's local storage usage when the evictions watch it and its housekeeping is due, else None."""
        podhash = ((record.desired or {}).get('hostpods') or {}).get('podHash')
        cached = self.watched.get(record.uid)
        if cached is None or cached[0] != podhash:
            cached = self.watched[record.uid] = (podhash, eviction.watched(record.desired['spec']))
        if not cached[1] or status.get('reason') in keeper.FINAL_REASONS or record.sandbox is None:
            return None
        if not eviction.due(self.measured.get(record.uid), self.clock()):
            return None
        self.measured[record.uid] = self.clock()
        return self.meter.measure(record)

    def _inspect_exited(self, record):
        """When the newest instances that exited finished, and how often the engine restarted them; a newest
        instance only created is inspected too: one the engine could not start is an exited one (exit code
        128, as dockershim reported it), so its restart waits for the back-off."""
        for name in record.instances:
            latest = record.latest(name)
            if latest is not None and latest.state in ('exited', 'created') and latest.finished_at is None:
                info = self.client.inspect_container(latest.id)
                if info:
                    from_inspect = type(latest).from_inspect(info)
                    latest.state, latest.exit_code = from_inspect.state, from_inspect.exit_code
                    latest.finished_at, latest.restart_count = from_inspect.finished_at, from_inspect.restart_count

    def _adopt(self, key, record):
        """A pod applied before the agent ran: its pod.json is written from its sandbox's label and the
        images its containers run, so the agent keeps it from now on. Under the pod's lock, and only while
        its sandbox still exists and it still has no pod.json (a delete removes pod.json first: a pod being
        deleted is never adopted back)."""
        applied = record.applied
        if not applied or not record.uid:
            return False
        locks = try_lock(key, COMPONENT)
        if locks is None:
            return False
        try:
            if nodestate.read_desired(record.uid) is not None or not self.client.inspect_container(record.sandbox.id):
                return False
            return self._write_adopted(record, applied)
        finally:
            locks.release()

    def _write_adopted(self, record, applied):
        meta = dict(applied['metadata'], uid=record.uid)
        pod = runtimeclass.carry({'apiVersion': 'v1', 'kind': 'Pod', 'metadata': meta, 'spec': applied['spec']}, applied)
        for container in (pod['spec'].get('initContainers') or []) + pod['spec']['containers']:
            latest = record.latest(container['name'])
            if latest is not None and latest.image:
                container['image'] = latest.image
        nodestate.write_desired(pod, record.sandbox.image or self.node.sandbox_image)
        record.desired = nodestate.read_desired(record.uid)
        return record.desired is not None

    def _restart_policies(self, kept):
        """The engine restarts nothing of a kept pod (the agent does): containers made before the agent
        ran get the restart policy ``no``, once."""
        for record in kept.values():
            for instance in record.all_instances():
                if instance.id in self.adopted_policies:
                    continue
                info = self.client.inspect_container(instance.id) or {}
                if ((info.get('HostConfig') or {}).get('RestartPolicy') or {}).get('Name') not in (None, '', 'no'):
                    self.client.update_restart_policy(instance.id, 'no')
                self.adopted_policies.add(instance.id)
                started = ((info.get('State') or {}).get('StartedAt'))
                if started:
                    self.started[instance.id] = started

    # ------------------------------------------------------------------ probes and events
    def _probe_view(self, record):
        spec = record.desired['spec']
        pod_ip = (self.node.host_ip if spec.get('hostNetwork') else (record.sandbox.ip if record.sandbox else None))
        containers = {}
        for name in record.instances:
            latest = record.latest(name)
            started = epoch_seconds(self.started.get(latest.id))
            containers[name] = {'id': latest.id, 'running': latest.running, 'startedAt': started,
                                'exitCode': latest.exit_code}
        meta = record.desired['metadata']
        return {'uid': record.uid, 'namespace': meta['namespace'], 'name': meta['name'], 'spec': spec, 'podIP': pod_ip,
                'containers': containers, 'phase': (record.agent_status or {}).get('phase')}

    def _probe_event(self, uid, type_, reason, message, field_path):
        """A probe's event (from a probe worker): recorded by the pod's next sync, under its lock."""
        with self.lock:
            self.probe_events.setdefault(uid, []).append((type_, reason, message, field_path))
        self.dirty.add(uid)

    def _probe_changed(self, uid, _container, _kind, _result):
        """A published probe result changed: the next pass (within a second) acts on it and records it."""
        self.dirty.add(uid)

    def _event(self, desired, type_, reason, message, field_path):
        nodestate.record_event(desired, type_, reason, message, field_path, COMPONENT, self.node.name)


def _field_path(desired, name):
    """The event's ``involvedObject.fieldPath`` of container ``name`` (none for the pod)."""
    if not name:
        return ''
    inits = [c['name'] for c in desired['spec'].get('initContainers') or []]
    return 'spec.%s{%s}' % ('initContainers' if name in inits else 'containers', name)


def _supervising(node):
    """The agent's node: the containers it creates are restarted by it, never by the engine."""
    return type(node)(**dict(node.__dict__, agent=True))


def _fingerprint(record):
    """What a pod's sync depends on that the listing shows: its containers' states and its pod.json."""
    desired = (record.desired or {}).get('hostpods') or {}
    return (tuple(sorted((item.id, item.state, item.exit_code) for item in record.all_instances())),
            desired.get('appliedAt'), desired.get('podHash'))


def _json(data):
    return json.dumps(data, sort_keys=True)


def main(argv=None):
    """The ``hostpods-agent`` command: run the agent, or ``status``: print its heartbeat as JSON."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['status']:
        sys.stdout.write(_json(nodestate.agent_view(nodestate.read_heartbeat(), time.time())) + '\n')
        return 0
    if argv:
        sys.stderr.write('usage: hostpods-agent [status]\n')
        return 2
    Agent().run()
    return 0
