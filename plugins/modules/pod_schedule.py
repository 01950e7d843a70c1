#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pod_schedule
short_description: Place each pod on one node of many, as kube-scheduler does
version_added: 0.1.0
description:
  - Decides, on the controller, which node runs each pod of the manifests, from what M(hostpods.core.pod_info) reported
    on every node (RV(hostpods.core.pod_info#module:node) and RV(hostpods.core.pod_info#module:pods)). It changes
    nothing anywhere; M(hostpods.core.pod) then applies on each node the pods placed there (its O(hostpods.core.pod#module:placement)
    option) and deletes, with O(hostpods.core.pod#module:state=absent), the pods that must leave a node. The
    C(hostpods.core.apply) playbook does all of it when it runs on more than one node.
  - "The rules are kube-scheduler's default ones. C(spec.nodeName) pins a pod to a node, which admits it or
    rejects it as a kubelet does (C(phase=Failed), reason C(OutOfcpu), C(OutOfmemory), C(NodeAffinity)...).
    Every other pod goes through the filters, in kube-scheduler's order: a cordon (C(unschedulable) in the node
    facts), the node name, C(NoSchedule) and C(NoExecute) taints against C(tolerations) (operators C(Equal),
    C(Exists), and C(Lt)/C(Gt), which compare the values as integers), C(nodeSelector) and required node affinity
    (C(matchExpressions) with C(In), C(NotIn), C(Exists), C(DoesNotExist), C(Gt), C(Lt); C(matchFields) on
    C(metadata.name)) against the node's labels, free host ports, cpu, memory, pod count, C(hugepages-<size>) and
    extended resources (C(example.com/dongle)) against the node's allocatable minus what its pods request,
    C(topologySpreadConstraints) (C(maxSkew), any node label as C(topologyKey), C(whenUnsatisfiable=DoNotSchedule),
    C(labelSelector) with C(matchLabelKeys), C(minDomains), C(nodeAffinityPolicy), C(nodeTaintsPolicy)), and
    required C(podAffinity) and C(podAntiAffinity) (any node label as C(topologyKey); C(labelSelector),
    C(namespaces), C(namespaceSelector), C(matchLabelKeys), C(mismatchLabelKeys)), the existing pods'
    anti-affinity included. The fitting nodes are scored (untolerated C(PreferNoSchedule) taints, preferred node
    affinity, C(ScheduleAnyway) spread constraints, preferred pod affinity and anti-affinity and the existing pods'
    terms, the least allocated node, balanced cpu/memory use), so pods without a preference spread by load; equal
    scores go to the first node name."
  - "Pods are placed by priority, highest first (C(spec.priority), which C(priorityClassName) gives: the built-in
    C(system-node-critical) and C(system-cluster-critical), or a C(PriorityClass) of the same manifests), then in
    the order of the manifests, each counting against its node for the next ones. A pod that already runs on a
    node stays there while that node still admits it (same C(nodeName), node selection still matching, no
    untolerated C(NoExecute) taint), so re-applying never moves pods. A pod running on several nodes keeps the
    first one (in O(nodes) order) and is deleted from the others. A pod that must move is deleted from its old
    node. Nothing is ever evicted for a pod of higher priority (no preemption): where evicting lower-priority
    pods would make room, the message says so."
  - "A pod no node takes is reported in RV(unscheduled) as C(kubectl get pod -o yaml) shows such a pod:
    C(phase=Pending), condition C(PodScheduled=False) with reason C(Unschedulable) and kube-scheduler's message,
    which counts the reasons across nodes (for example C(0/3 nodes are available: 1 Insufficient cpu, 2 node(s)
    didn't match pod anti-affinity rules. preemption: ...)); RV(decisions) gives the reasons node by node. An older
    version of such a pod stays where it runs. The task itself does not fail: the play decides (the
    C(hostpods.core.apply) playbook fails after applying the other pods)."
  - "A pod with C(schedulingGates) waits (C(phase=Pending), C(PodScheduled=False) with reason C(SchedulingGated)),
    and so does a pod whose C(schedulerName) is not C(default-scheduler) (Pending, with no condition, as on a
    cluster where that scheduler does not run; with C(spec.nodeName) it runs there). They are in RV(unscheduled)
    but not in RV(not_placed): waiting is what they ask for, and the play does not fail. Apply them again without
    the gates to place them."
author:
  - hostpods developers (@hostpods)
attributes:
  action:
    description: Runs as an action plugin on the controller; nothing runs on the nodes.
    support: full
  check_mode:
    description: Changes nothing, so it runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
  idempotent:
    description: The same nodes and pods give the same decisions; re-applying keeps pods where they are.
    support: full
options:
  definition:
    description:
      - The manifests, as for M(hostpods.core.pod) (a dict, a list of dicts, or YAML or JSON text). Only the pods are
        placed; other kinds (ConfigMap, Secret, PersistentVolumeClaim) go to every node with the pods.
      - Exactly one of O(definition), O(src) and O(template) is required.
    type: raw
    version_added: 0.1.0
  src:
    description:
      - A manifest file, or a directory whose C(*.yaml), C(*.yml) and C(*.json) files are read in name order, on the
        controller, as for M(hostpods.core.pod).
    type: path
    version_added: 0.1.0
  template:
    description: A Jinja2 file on the controller rendered with the play's variables, as for M(hostpods.core.pod).
    type: raw
    version_added: 0.1.0
  namespace:
    description: The namespace of manifests that name none.
    type: str
    default: default
    version_added: 0.1.0
  nodes:
    description:
      - "The candidate nodes: inventory host name -> what M(hostpods.core.pod_info) (with O(hostpods.core.pod_info#module:all_namespaces=true))
        returned on that host, of which RV(hostpods.core.pod_info#module:node) (the node's name, labels, taints and
        allocatable) and RV(hostpods.core.pod_info#module:pods) (the pods it runs, which take room and make pods sticky)
        are read."
      - A host whose entry has no C(node) (the task failed or was skipped there) is not a candidate; a warning names it.
      - Two hosts may not report the same node name.
    type: dict
    required: true
    version_added: 0.1.0
notes:
  - The node facts (C(/etc/ansible/facts.d/hostpods.fact)) that M(hostpods.core.pod_info) reads give the labels, taints
    and allocatable resources; without them a node has only the label C(kubernetes.io/hostname), no taints, and its
    host's cpu and memory.
  - Run it once for the play (C(run_once=true)); it reads only its arguments.
seealso:
  - module: hostpods.core.pod
  - module: hostpods.core.pod_info
  - name: Kubernetes scheduling, preemption and eviction
    description: What the filters and scores mean.
    link: https://kubernetes.io/docs/concepts/scheduling-eviction/
'''

EXAMPLES = r'''
# What the hostpods.core.apply playbook does on many nodes.
- name: Read every node and its pods
  hostpods.core.pod_info:
    all_namespaces: true
  register: seen

- name: Place each pod on one node
  hostpods.core.pod_schedule:
    src: manifests/
    nodes: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'seen'))) }}"
  run_once: true
  register: placed

- name: Delete the pods that must leave this node
  hostpods.core.pod:
    definition: "{{ placed.hosts[inventory_hostname].delete }}"
    state: absent
  when: placed.hosts[inventory_hostname].delete | length > 0

- name: Apply the pods placed on this node
  hostpods.core.pod:
    src: manifests/
    node_name: "{{ placed.hosts[inventory_hostname].node_name }}"
    placement: "{{ placed.placement }}"

- name: Fail when a pod fits nowhere
  ansible.builtin.fail:
    msg: "{{ placed.msg }}"
  run_once: true
  when: placed.unscheduled | length > 0
'''

RETURN = r'''
placement:
  description: Where each pod goes, C(namespace/name) to a node name, or V(null) when no node takes it.
  returned: success
  type: dict
  sample: {default/web: node1, default/db: node2, default/huge: null}
hosts:
  description: What each candidate host must do, by inventory host name.
  returned: success
  type: dict
  contains:
    node_name:
      description: The node name the host reported.
      type: str
      sample: node1
    apply:
      description: The pods placed on this node (C(namespace/name)), in manifest order.
      type: list
      elements: str
      sample: [default/web]
    delete:
      description: Minimal Pod manifests of the pods to delete from this node (they moved, or run on another node too).
      type: list
      elements: dict
      sample: [{apiVersion: v1, kind: Pod, metadata: {namespace: default, name: db}}]
  sample: {node1: {node_name: node1, apply: [default/web], delete: []}}
decisions:
  description: The decision for each pod, in manifest order.
  returned: success
  type: list
  elements: dict
  contains:
    namespace:
      description: The pod's namespace.
      type: str
      sample: default
    name:
      description: The pod's name.
      type: str
      sample: web
    node:
      description: The node that runs it, or V(null).
      type: str
      sample: node1
    host:
      description: The inventory host of that node, or V(null).
      type: str
      sample: node1
    previous:
      description: The node it ran on before, or V(null).
      type: str
      sample: node2
    sticky:
      description: Whether it stays on the node it already ran on.
      type: bool
      sample: false
    phase:
      description: V(Pending) when no node takes it, V(Failed) when the node it is bound to rejects it, else V(null).
      type: str
      sample: Pending
    reason:
      description: V(Unschedulable), V(SchedulingGated), or the kubelet's rejection reason (V(OutOfcpu)...), else V(null).
      type: str
      sample: Unschedulable
    message:
      description: kube-scheduler's message (C(Successfully assigned ...) or C(0/N nodes are available ...)), or the kubelet's.
      type: str
      sample: "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.."
    nodes:
      description: The reasons, node by node, of the nodes that did not take it.
      type: dict
      sample: {node1: [Insufficient cpu], node2: [Insufficient cpu]}
    scores:
      description: The scores of the nodes that could take it (the highest wins).
      type: dict
      sample: {node1: 485, node2: 470}
    waiting:
      description: Whether the pod waits by design (scheduling gates, another scheduler) rather than for want of a node.
      type: bool
      sample: false
      version_added: 0.2.0
unscheduled:
  description: >-
    The Pod objects of the pods no node takes (C(phase) Pending or Failed, with C(PodScheduled) and the message),
    the waiting ones included.
  returned: success
  type: list
  elements: dict
  sample:
    - apiVersion: v1
      kind: Pod
      metadata: {name: huge, namespace: default}
      status:
        phase: Pending
        conditions:
          - {type: PodScheduled, status: "False", reason: Unschedulable, message: "0/2 nodes are available: 2 Insufficient cpu. ..."}
not_placed:
  description:
    - One line a reason for the pods no node takes (not the waiting pods) - those pods as C(namespace/name), a run
      of numbered names as its first and last (C(default/web-000..web-089)) - and that reason's message of
      RV(decisions), once.
  returned: success
  type: list
  elements: str
  sample: ["default/huge: 0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.."]
msg:
  description: One line naming where each pod goes and why the others go nowhere.
  returned: always
  type: str
  sample: "placed 1 pod(s): default/web on node1 (stays); 1 pod(s) not placed: default/huge: 0/2 nodes are available: ..."
'''
