# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: carry a plan out. The only layer that changes the host (never called in check mode).

It decides nothing: every step of the plan (``_plan.steps``) goes to its one handler
(``HANDLERS``, in ``containers`` and ``volumes``). Every pod runs at once, so their waits (grace
periods, hooks, init containers, back-offs) overlap; the Docker client bounds the engine calls at work
(``concurrency.MAX_ENGINE_CALLS``). The steps of one pod run in order. A container that cannot start does not keep its siblings from starting (as
on a kubelet); any other failure stops the pod's remaining steps.
"""

from __future__ import annotations

import time

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError, PodStartError
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._runtime import containers
from ansible_collections.hostpods.core.plugins.module_utils._runtime import files
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._runtime import volumes
from ansible_collections.hostpods.core.plugins.module_utils._runtime.concurrency import run_all
from ansible_collections.hostpods.core.plugins.module_utils._spec import dns
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

HANDLERS = {
    'stop': containers.stop,
    'remove': containers.remove,
    'remove_data': volumes.remove_data,
    'record_pod': volumes.record_pod,
    'forget_pod': volumes.forget_pod,
    'metadata': volumes.metadata,
    'pod_cgroup': volumes.pod_cgroup,
    'volume': volumes.volume,
    'fs_group': volumes.fs_group,
    'host_path': volumes.host_path,
    'image_volume': volumes.image_volume,
    'project': volumes.project,
    'pull': containers.pull,
    'sandbox': containers.sandbox,
    'start': containers.start_container,
    'sidecar': containers.start_container,
    'replace': containers.start_container,
    'init': containers.run_init,
    'await_init': containers.run_init,
    'update_resources': containers.update_resources,
    'record_resources': containers.record_resources,
    'record_ephemeral': volumes.record_ephemeral,
    'ephemeral': containers.start_ephemeral,
}
NOT_RUN = 'not done: an earlier part of the call failed (a prune runs only after the whole apply succeeded)'
OBJECT_HANDLERS = {'write_object': volumes.write_object, 'delete_object': volumes.delete_object}


class PodRun:
    """Carrying out one pod's plan: the pod, the sandbox its containers join, and what they get from
    the node once that sandbox runs (``runtime``)."""

    def __init__(self, executor, plan):
        self.client, self.node, self.lookup = executor.client, executor.node, executor.lookup
        self.sleep, self.clock, self._deadline = executor.sleep, executor.clock, executor.deadline
        self.plan, self.uid, self.component = plan, plan.uid, executor.component
        self.pod = dict(plan.pod, metadata=dict(plan.pod['metadata'], uid=plan.uid)) if plan.pod else None
        record = plan.record
        self.sandbox_id = record.sandbox.id if record and record.sandbox else None
        self._runtime, self._runtime_for = None, None

    def remaining(self):
        return self._deadline - self.clock()

    @property
    def pod_ref(self):
        """``<pod>_<namespace>(<uid>)``, as the kubelet names a pod in its messages."""
        meta = self.pod['metadata']
        return '%s_%s(%s)' % (meta['name'], meta['namespace'], self.uid)

    def event(self, type_, reason, message, container=None):
        """Record one of the pod's events (``container``: the spec container it is about)."""
        if self.pod is None:
            return
        field_path = ''
        if container is not None:
            spec = self.pod['spec']
            where = next((key for key in ('initContainers', 'ephemeralContainers')
                          if container['name'] in [c['name'] for c in spec.get(key) or []]), 'containers')
            field_path = 'spec.%s{%s}' % (where, container['name'])
        nodestate.record_event(self.pod, type_, reason, message, field_path, self.component, self.node.name)

    def runtime(self):
        """What containers get from the node once the sandbox runs: the pod's /etc/hosts (written
        here, with the pod IP) and the downward API's facts (pod IP, host IP, node name, allocatable)."""
        if self._runtime_for != self.sandbox_id:
            network = (self.client.inspect_container(self.sandbox_id) or {}).get('NetworkSettings') or {}
            host_ip = self.node.host_ip
            pod_ip = host_ip if self.pod['spec'].get('hostNetwork') else network.get('IPAddress', '')
            hosts = naming.hosts_path(self.uid)
            files.write_file(hosts, dns.hosts_file(self.pod, pod_ip, self.node.etc_hosts))
            nodestate.write_pod_ip(self.uid, pod_ip)
            self._runtime = dict(self.node.runtime(), podIP=pod_ip, hostsFile=hosts, lookup=self.lookup)
            self._runtime_for = self.sandbox_id
        return self._runtime


class Executor:
    """Carries plans out with ``client`` on ``node`` (a NodeContext) within ``budget_seconds``."""

    def __init__(self, client, node, budget_seconds, lookup=None, sleep=time.sleep, clock=time.monotonic,
                 component='hostpods'):
        self.client = client
        self.node = node
        self.component = component  # who records the events: hostpods (the module) or hostpods-agent
        self.lookup = lookup or (lambda kind, namespace, name: None)
        self.sleep = sleep
        self.clock = clock
        self.deadline = clock() + budget_seconds

    def run(self, plan):
        """Carry out a whole ``_plan.planner.Plan``, phase by phase; ``{key: error message}`` of what failed. A
        phase that needs success before it is skipped after a failure, its plans failing with ``NOT_RUN``."""
        errors = {}
        for what, plans, after_success in plan.phases():
            if after_success and errors:
                errors.update((p.key, NOT_RUN) for p in plans if p.changed and p.key not in errors)
                continue
            errors.update(self.run_objects(plans) if what == 'objects' else self.run_pods(plans))
        return errors

    def run_pods(self, plans):
        results = run_all(self._run_pod, [plan for plan in plans if plan.steps])
        return {key: error for key, error in results if error}

    def run_objects(self, plans):
        """Object plans, one after the other; ``{key: error}`` of the failures."""
        errors = {}
        for plan in plans:
            for step in plan.steps:
                try:
                    OBJECT_HANDLERS[step.op](self.client, step)
                except HostpodsError as exc:
                    errors[plan.key] = exc.msg
        return errors

    def _run_pod(self, plan):
        """One pod's steps, in order; ``(key, error message or None)``."""
        run = PodRun(self, plan)
        errors = []
        for step in plan.steps:
            try:
                HANDLERS[step.op](run, step)
            except PodStartError as exc:
                errors.append(exc.msg)
                if not (isinstance(step, S.StartContainer) and not step.sidecar):
                    break
            except HostpodsError as exc:  # the engine's errors name the call and its object; add the pod
                errors.append('pod "%s/%s": %s' % (plan.key + (exc.msg,)))
                break
        return plan.key, '; '.join(errors) or None
