# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: prune by ApplySet, as ``kubectl apply --prune --applyset`` does. Pure.

The plan of a prune has, in kubectl's order: the parent written first with the superset of the kinds and
namespaces it listed and those of the current manifests (an interrupted call leaks nothing), then (after the
apply) the members the parent's scope holds that the manifests no longer contain: pods (deleted as
``state=absent`` deletes them) before ConfigMaps, Secrets and, only when asked, claims; then the parent
written again with what the set holds now. Members are found by their ``applyset.kubernetes.io/part-of``
label only: nothing outside the set is touched.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._spec import applyset as sets
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

PRUNED = 'pruned'


class PrunePlan:
    """What a prune does: ``first`` and ``last`` (the parent's writes, zero or one each), the pruned ``pods``
    and ``objects`` (action ``pruned``), and ``kept``: members left in place (claims, unless asked)."""

    def __init__(self, applyset, stored, first, pods, objects, last, kept=()):
        self.applyset = applyset
        self.stored = stored
        self.first = [first] if first else []
        self.pods = pods
        self.objects = objects
        self.last = [last] if last else []
        self.kept = list(kept)

    @property
    def parent(self):
        """The parent as it is once the call is done."""
        return (self.last or self.first)[0].obj if self.last or self.first else self.stored

    @property
    def parent_action(self):
        if self.stored is None:
            return planner.CREATED
        return planner.UPDATED if self.first or self.last else planner.UNCHANGED

    @property
    def changed(self):
        return bool(self.first or self.last or self.pods or self.objects)


def _write(parent, on_node, action):
    """A plan that writes ``parent`` when the node does not hold it as it is (``on_node``), else None."""
    if on_node is not None and naming.canonical(on_node) == naming.canonical(parent):
        return None
    return planner.ObjectPlan(parent, action, [S.WriteObject(tuple(parent_key(parent)), parent)])


def parent_key(obj):
    return obj['kind'], obj['metadata']['namespace'], obj['metadata']['name']


def plan_prune(applyset, stored, manifests, records, stored_objects, prune_claims=False, grace=None):
    """The prune of ``applyset`` (``_spec.applyset.ApplySet``) whose parent on the node is ``stored`` (or None).

    ``manifests``: every object of the call (pods included, wherever they are placed), already labelled as
    members; ``records``: ``{(namespace, name): PodRecord}`` of the pods this call may prune (locked);
    ``stored_objects``: ``{(kind, namespace, name): object}`` the node keeps in the stored parent's scope;
    ``grace``: the pods' grace period (their own when None)."""
    applyset.check_parent(stored)
    kinds, namespaces = applyset.scope(stored)
    wanted = {parent_key(dict(obj, kind=obj.get('kind', 'Pod'))) for obj in manifests}
    pods = []
    for key, record in sorted(records.items()):
        applied = record.applied
        if 'Pod' in kinds and key[0] in namespaces and applied and ('Pod',) + key not in wanted and \
                sets.is_member(applied.get('metadata'), applyset.id):
            plan = planner.plan_delete(key, record, grace)
            plan.action = PRUNED
            pods.append(plan)
    objects, kept = [], []
    for key, obj in sorted(stored_objects.items()):
        if key[0] not in kinds or key[1] not in namespaces or key in wanted or key == applyset.key or \
                not sets.is_member(obj.get('metadata'), applyset.id):
            continue
        if key[0] == sets.CLAIM and not prune_claims:
            kept.append(obj)
        else:
            objects.append(planner.ObjectPlan(obj, PRUNED, [S.DeleteObject(key)]))
    now_kinds, now_namespaces = sets.group_kinds(manifests)
    first = applyset.parent(kinds | now_kinds, namespaces | now_namespaces)
    left_kinds, left_namespaces = sets.group_kinds(kept)
    last = applyset.parent(now_kinds | left_kinds, now_namespaces | left_namespaces)
    first_plan = _write(first, stored, planner.CREATED if stored is None else planner.UPDATED)
    return PrunePlan(applyset, stored, first_plan, pods, objects, _write(last, first, planner.UPDATED), kept)
