# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the node agent's prober: the kubelet's probe workers (``pkg/kubelet/prober``) on one scheduler.

One worker per (pod UID, container, probe type), for app containers and sidecars, with the
kubelet's ``worker.doProbe`` semantics: starting results (readiness Failure, liveness Success,
startup Unknown) set again on each new container ID; a container not running is a Failure (the
worker stops for good once it terminated under ``restartPolicy: Never``, sidecars excepted); no
probe while ``now - startedAt < initialDelaySeconds``; until ``started`` only the startup probe
runs, after it the startup probe idles; a result is published after ``successThreshold`` or
``failureThreshold`` identical results in a row; after a published liveness Failure, and after any
published startup result, the worker holds until a new container ID; a probe that errors (3 tries)
is thrown away. Probes are due every ``periodSeconds`` from the worker's start (the first at once,
or at a random point of the first period while the manager is younger than a period, as a kubelet
that just restarted); a heap of due times feeds a bounded pool of threads.

Interface (every method is thread-safe; the agent owns the loop)::

    manager = ProbeManager(runtime, clock=time.time, record_event=None, workers=4,
                           on_change=None, rng=random.random)
    manager.restore(snapshot)     # before the first sync, after an agent restart
    manager.sync(pods)            # after each relist: adds and removes workers; never probes
    manager.run_due() -> int      # launches the probes due now and returns (workers=0: runs them inline)
    manager.next_due() -> float   # epoch seconds of the next due probe, None without workers
    manager.serve(stop_event)     # or: run_due/next_due in a thread of its own until stop_event is set
    manager.results(uid) -> {container: {'containerID', 'ready', 'started', 'livenessFailed', 'startupFailed'}}
    manager.snapshot() -> dict    # JSON-serialisable; persist it, give it to restore() after a restart
    manager.wait_idle(timeout), manager.shutdown()

- ``runtime.run(probe, target) -> (result, output)`` runs one defaulted probe (``_runtime.probes.ProbeRunner``:
  ``SUCCESS``, ``WARNING``, ``FAILURE``; raises ``ProbeError``); ``target`` is
  ``{'containerID', 'podIP', 'container': the container's spec}``.
- ``pods``: ``[{'uid', 'namespace', 'name', 'spec' (defaulted), 'podIP', 'containers': {name: {'id',
  'running' (bool), 'startedAt' (epoch seconds or None), 'exitCode' (None until it exited)}}}]`` with
  optional ``'deleting': True`` (liveness and startup answer Success and stop, as during a graceful
  delete) and ``'phase'`` (Succeeded or Failed stops the pod's workers). A pod left out loses its
  workers and results. A changed probe spec restarts that worker from its starting values.
- ``results(uid)``: per app container and sidecar of the last sync, the kubelet's ``UpdatePodStatus``:
  ``started`` = running and (startup Success, or no startup probe); ``ready`` = started and (readiness
  Success, or no readiness probe); ``livenessFailed`` / ``startupFailed``: a Failure published for
  this container ID. The caller kills such a container (``_spec.probes.kill_grace``, ``kill_message``)
  and restarts it by policy; the new container ID resets the workers.
- ``record_event(uid, type, reason, message, field_path)`` (from pool threads): ``Warning`` ``Unhealthy``
  "Liveness probe failed: ..." on every failed probe, "... probe errored and resulted in unknown state:
  ..." on an error, ``ProbeWarning`` "... probe warning: ..." on a redirect to another host;
  ``field_path`` is ``spec.containers{name}`` or ``spec.initContainers{name}``.
- ``on_change(uid, container, probe type, result)`` (from pool threads) when a published result
  changes, as the kubelet's results managers push updates: a liveness Failure wants a pod sync soon.
- ``snapshot()``/``restore()``: results survive an agent restart for the same container ID only, and
  only when the worker last looked at it less than ``periodSeconds x failureThreshold`` ago; otherwise
  the starting values. (A restarted kubelet loses them: kubernetes#78733, #100277.)

Not modelled: the immediate readiness run the kubelet triggers when a status is generated before a
readiness worker's first tick (our workers' first tick sets the starting value at once), and the
per-container restart rules of the ``ContainerRestartRules`` feature gate (alpha). As in the kubelet,
a new container ID does not reset a run of identical results (``resultRun``), only the published
value and the hold.
"""

from __future__ import annotations

import collections
import concurrent.futures
import heapq
import itertools
import random
import threading
import time

from ansible_collections.hostpods.core.plugins.module_utils._runtime.probes import FAILURE, SUCCESS, WARNING, ProbeError
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import probes as spec

UNKNOWN = 'unknown'
INITIAL = {'readiness': FAILURE, 'liveness': SUCCESS, 'startup': UNKNOWN}
SNAPSHOT_VERSION = 1
PROBE, WAIT, STOP = 'probe', 'wait', 'stop'


class _Worker:
    """The kubelet's ``worker`` for one (pod UID, container, probe type)."""

    def __init__(self, key, probe, init):
        self.uid, self.container, self.kind = key
        self.probe = probe  # defaulted
        self.init = init  # a sidecar (the only init containers with probes)
        self.field_path = 'spec.%s{%s}' % ('initContainers' if init else 'containers', self.container)
        self.container_id = None
        self.last_result = None
        self.result_run = 0
        self.on_hold = False
        self.checked_at = None  # when the worker last looked at this container ID
        self.due = None
        self.removed = False

    @property
    def key(self):
        return self.uid, self.container, self.kind


def probed_containers(pod_spec):
    """``(name, container, is init container)`` of the containers that may have probes: app containers
    and sidecars."""
    for container in pod_spec.get('containers') or []:
        yield container['name'], container, False
    for container in pod_spec.get('initContainers') or []:
        if podspec.is_sidecar(container):
            yield container['name'], container, True


class ProbeManager:
    """The prober of one node: workers, their published results, and the scheduler that runs them."""

    def __init__(self, runtime, clock=time.time, record_event=None, workers=4, on_change=None, rng=random.random):
        self.runtime = runtime
        self.clock = clock
        self.record_event = record_event or (lambda *args: None)
        self.on_change = on_change or (lambda *args: None)
        self.rng = rng
        self.started = clock()
        self.crashes = collections.deque(maxlen=20)  # (when, worker key, exception) a tick survived
        self._lock = threading.Condition()
        self._pods, self._workers, self._results = {}, {}, {}  # results: (probe type, container ID) -> result
        self._finished, self._restored = {}, {}  # key -> container ID it stopped for; key -> snapshot entry
        self._heap, self._seq = [], itertools.count()
        self._running, self._closed = 0, False
        self._pool = concurrent.futures.ThreadPoolExecutor(workers, 'hostpods-probe') if workers else None

    # ------------------------------------------------------------------ the agent's calls
    def sync(self, pods):
        """Take the pods as they are now: add the workers of new probes, remove those of pods or probes gone."""
        with self._lock:
            now = self.clock()
            self._pods = {pod['uid']: pod for pod in pods}
            wanted = {}
            for pod in pods:
                for name, container, init in probed_containers(pod.get('spec') or {}):
                    for kind, field in spec.KINDS.items():
                        if container.get(field) is not None:
                            wanted[(pod['uid'], name, kind)] = (spec.defaults(container[field]), init)
            for key, worker in list(self._workers.items()):
                if key not in wanted or wanted[key][0] != worker.probe:
                    self._remove(worker)
            for key in [key for key in self._finished if key not in wanted]:
                del self._finished[key]
            for key, (probe, init) in wanted.items():
                status = self._status(key[0], key[1])
                if key in self._workers or (key in self._finished and self._finished[key] == status.get('id')):
                    continue
                self._finished.pop(key, None)
                self._add(_Worker(key, probe, init), status, now)
            self._lock.notify_all()

    def run_due(self):
        """Launch every probe due now on the pool (inline without one); returns how many were launched."""
        with self._lock:
            if self._closed:
                return 0
            now, due = self.clock(), []
            while self._heap and self._heap[0][0] <= now:
                worker = heapq.heappop(self._heap)[2]
                if not worker.removed:
                    due.append(worker)
            self._running += len(due)
        for worker in due:
            if self._pool is None:
                self._tick(worker)
                continue
            try:
                self._pool.submit(self._tick, worker)
            except RuntimeError:  # shut down meanwhile
                with self._lock:
                    self._running -= 1
        return len(due)

    def next_due(self):
        """Epoch seconds when the next probe is due (maybe past), or None when none is waiting."""
        with self._lock:
            while self._heap and self._heap[0][2].removed:
                heapq.heappop(self._heap)
            return self._heap[0][0] if self._heap else None

    def serve(self, stop, idle=1.0):
        """Run due probes until ``stop`` (a threading.Event) is set, sleeping until the next is due."""
        while not stop.is_set() and not self._closed:
            self.run_due()
            due = self.next_due()
            with self._lock:
                pause = idle if due is None else min(idle, due - self.clock())
                if pause > 0:
                    self._lock.wait(pause)

    def results(self, uid):
        """The probe-driven state of each app container and sidecar of a pod (see the module docstring)."""
        with self._lock:
            pod = self._pods.get(uid)
            if pod is None:
                return {}
            out = {}
            for name, _container, _init in probed_containers(pod.get('spec') or {}):
                status = self._status(uid, name)
                cid = status.get('id')
                started = bool(cid and status.get('running')) and self._passed(uid, name, 'startup', cid)
                out[name] = {'containerID': cid, 'started': started,
                             'ready': started and self._passed(uid, name, 'readiness', cid),
                             'livenessFailed': bool(cid) and self._results.get(('liveness', cid)) == FAILURE,
                             'startupFailed': bool(cid) and self._results.get(('startup', cid)) == FAILURE}
            return out

    def snapshot(self):
        """Each worker's state for its current container, to persist (JSON) and restore after a restart."""
        with self._lock:
            entries = [{'uid': w.uid, 'container': w.container, 'probe': w.kind, 'containerID': w.container_id,
                        'result': self._results.get((w.kind, w.container_id)), 'lastResult': w.last_result,
                        'resultRun': w.result_run, 'onHold': w.on_hold, 'checkedAt': w.checked_at}
                       for w in self._workers.values() if w.container_id]
            return {'version': SNAPSHOT_VERSION, 'takenAt': self.clock(), 'workers': entries}

    def restore(self, data):
        """Keep a snapshot's entries for the workers the next syncs create; returns how many were kept."""
        if not isinstance(data, dict) or data.get('version') != SNAPSHOT_VERSION:
            return 0
        with self._lock:
            for entry in data.get('workers') or []:
                self._restored[(entry['uid'], entry['container'], entry['probe'])] = entry
            return len(data.get('workers') or [])

    def wait_idle(self, timeout=None):
        """Wait until no probe runs; False when ``timeout`` passed first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._running == 0, timeout)

    def shutdown(self, wait=True):
        """Stop launching probes (as a kubelet that stops: pods are left running)."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        if self._pool is not None:
            self._pool.shutdown(wait=wait)

    # ------------------------------------------------------------------ workers (under the lock)
    def _status(self, uid, name):
        return ((self._pods.get(uid) or {}).get('containers') or {}).get(name) or {}

    def _passed(self, uid, name, kind, cid):
        """The kubelet's started/ready test: the published result is Success, or there is no such worker."""
        result = self._results.get((kind, cid))
        if result is not None:
            return result == SUCCESS
        return (uid, name, kind) not in self._workers

    def _add(self, worker, status, now):
        self._workers[worker.key] = worker
        self._seed(worker, status, now)
        period = worker.probe['periodSeconds']
        first = now + self.rng() * period if now - self.started < period else now
        self._schedule(worker, first)

    def _seed(self, worker, status, now):
        """Take a restored entry for the same container ID that is fresh enough; drop it otherwise."""
        entry = self._restored.pop(worker.key, None)
        if not entry or not status.get('id') or entry.get('containerID') != status['id']:
            return
        if entry.get('checkedAt') is None or now - entry['checkedAt'] >= \
                worker.probe['periodSeconds'] * worker.probe['failureThreshold']:
            return
        worker.container_id, worker.checked_at = entry['containerID'], entry['checkedAt']
        worker.last_result, worker.result_run = entry.get('lastResult'), entry.get('resultRun') or 0
        worker.on_hold = bool(entry.get('onHold'))
        if entry.get('result') is not None:
            self._results[(worker.kind, worker.container_id)] = entry['result']

    def _schedule(self, worker, when):
        worker.due = when
        heapq.heappush(self._heap, (when, next(self._seq), worker))

    def _remove(self, worker):
        worker.removed = True
        if self._workers.get(worker.key) is worker:
            del self._workers[worker.key]
        if worker.container_id:
            self._results.pop((worker.kind, worker.container_id), None)

    def _set(self, worker, result, changes):
        """Publish ``result`` for the worker's container; a change is reported (on_change)."""
        key = (worker.kind, worker.container_id)
        if self._results.get(key) != result:
            self._results[key] = result
            changes.append((worker.uid, worker.container, worker.kind, result))

    # ------------------------------------------------------------------ one tick (in a pool thread)
    def _tick(self, worker):
        events, changes, action = [], [], WAIT
        try:
            with self._lock:
                action, target = self._prepare(worker, self.clock(), changes)
            if action == PROBE:
                result = self._probe(worker, target, events)
                with self._lock:
                    self._record(worker, result, changes)
        except Exception as exc:  # as the kubelet's HandleCrash: the worker carries on
            self.crashes.append((self.clock(), worker.key, exc))
        finally:
            with self._lock:
                self._after(worker, action)
        for uid, kind, reason, message, path in events:
            self._callback(worker, self.record_event, uid, kind, reason, message, path)
        for change in changes:
            self._callback(worker, self.on_change, *change)

    def _callback(self, worker, function, *args):
        try:
            function(*args)
        except Exception as exc:
            self.crashes.append((self.clock(), worker.key, exc))

    def _prepare(self, worker, now, changes):
        """The checks of ``doProbe`` before a probe runs: ``(PROBE | WAIT | STOP, target)``."""
        pod = self._pods.get(worker.uid)
        if pod is None or worker.removed:
            return WAIT, None
        if pod.get('phase') in podspec.TERMINAL_PHASES:
            return STOP, None
        status = self._status(worker.uid, worker.container)
        if not status.get('id'):
            return WAIT, None  # not created yet, or gone: wait for news
        worker.checked_at = now
        if status['id'] != worker.container_id:  # a new container: its starting value, probing resumes
            if worker.container_id:
                self._results.pop((worker.kind, worker.container_id), None)
            worker.container_id, worker.on_hold = status['id'], False
            self._set(worker, INITIAL[worker.kind], changes)
        if worker.on_hold:
            return WAIT, None
        if not status.get('running'):
            self._set(worker, FAILURE, changes)
            terminated = status.get('exitCode') is not None
            never = pod['spec'].get('restartPolicy') == 'Never' and not worker.init  # a sidecar always restarts
            return (STOP if terminated and never else WAIT), None
        if pod.get('deleting') and worker.kind in ('liveness', 'startup'):
            self._set(worker, SUCCESS, changes)  # a quiet shutdown
            return STOP, None
        started_at = status.get('startedAt')
        if started_at is not None and int(now - started_at) < worker.probe.get('initialDelaySeconds', 0):
            return WAIT, None
        if self._passed(worker.uid, worker.container, 'startup', status['id']) == (worker.kind == 'startup'):
            return WAIT, None  # until started only the startup probe runs; after it, it idles
        container = next(c for n, c, _i in probed_containers(pod['spec']) if n == worker.container)
        return PROBE, {'containerID': status['id'], 'podIP': pod.get('podIP') or '', 'container': container}

    def _probe(self, worker, target, events):
        """Run the probe (no lock held): Success, Failure, or None when it errored (thrown away)."""
        name, where = spec.NAMES[worker.kind], (worker.uid, 'Warning')
        try:
            result, output = self.runtime.run(worker.probe, target)
        except ProbeError as exc:
            events.append(where + ('Unhealthy', '%s probe errored and resulted in unknown state: %s' % (name, exc),
                                   worker.field_path))
            return None
        if result == WARNING:
            events.append(where + ('ProbeWarning', '%s probe warning: %s' % (name, output), worker.field_path))
            return SUCCESS
        if result == FAILURE:
            events.append(where + ('Unhealthy', '%s probe failed: %s' % (name, output), worker.field_path))
            return FAILURE
        return SUCCESS

    def _record(self, worker, result, changes):
        """Count identical results in a row and publish at the threshold; hold after a published
        liveness Failure or startup result."""
        if result is None or worker.removed:
            return
        if result == worker.last_result:
            worker.result_run += 1
        else:
            worker.last_result, worker.result_run = result, 1
        threshold = worker.probe['failureThreshold'] if result == FAILURE else worker.probe['successThreshold']
        if worker.result_run < threshold:
            return
        self._set(worker, result, changes)
        if (worker.kind == 'liveness' and result == FAILURE) or worker.kind == 'startup':
            worker.on_hold, worker.result_run = True, 0

    def _after(self, worker, action):
        """Schedule the worker's next tick on its grid (one catch-up tick after an overrun), or drop it for good."""
        self._running -= 1
        if not worker.removed and action == STOP:
            self._remove(worker)
            self._finished[worker.key] = worker.container_id
        elif not worker.removed:
            period = worker.probe['periodSeconds']
            missed = int((self.clock() - worker.due) // period)
            self._schedule(worker, worker.due + period * max(1, missed))
        self._lock.notify_all()
