# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the plan of ``kubectl debug``: an ephemeral container added to a running pod. Pure.

Two steps: the pod's ``spec.ephemeralContainers`` written in its node record (never in ``pod.json``: an
apply does not own them, so an unchanged re-apply neither removes nor reports them), then the container
started in the pod's sandbox (in its target's PID namespace). The node agent never restarts it (its engine
restart policy is ``no`` and no spec container names it); it goes with the pod.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._errors import PreflightError
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S


def plan_debug(record, container, facts, present=False):
    """The plan that adds ``container`` (``_spec.ephemeral.debug_container``, checked) to the pod of ``record``;
    ``present``: the same container is there already (nothing to do)."""
    key = (record.namespace, record.name)
    applied = record.applied
    ephemeral = list(applied['spec'].get('ephemeralContainers') or [])
    if present:
        return planner.PodPlan(key, dict(applied, metadata=dict(applied['metadata'], uid=record.uid)), record,
                               planner.UNCHANGED, [], record.uid)
    if record.sandbox is None or not record.sandbox.running:
        raise PreflightError('cannot add ephemeral container "%s" to pod "%s": the pod is not running (no running '
                             'sandbox)' % (container['name'], record.name))
    target = None
    if container.get('targetContainerName'):
        target = record.latest(container['targetContainerName'])
        if target is None or not target.running:
            raise PreflightError('cannot add ephemeral container "%s" to pod "%s": its target container "%s" is not '
                                 'running' % (container['name'], record.name, container['targetContainerName']))
    spec = dict(applied['spec'], ephemeralContainers=ephemeral + [container])
    pod = dict(applied, metadata=dict(applied['metadata'], uid=record.uid), spec=spec)
    steps = [S.RecordEphemeral(tuple(spec['ephemeralContainers'])),
             S.StartEphemeral(container, planner.image_action(container, facts), target)]
    return planner.PodPlan(key, pod, record, planner.UPDATED, steps, record.uid, record.sandbox.attempt,
                           'an ephemeral container was added')
