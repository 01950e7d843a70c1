#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pod_info
short_description: List pods on a Docker host with their status, like C(kubectl get pods)
version_added: 0.1.0
description:
  - Reads the pods that M(hostpods.core.pod) made on the node's Docker engine and reports them as Pod objects whose
    C(status) is what a kubelet would report, plus the columns of C(kubectl get pods -o wide).
author:
  - hostpods developers (@hostpods)
extends_documentation_fragment:
  - hostpods.core._docker
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
  idempotent:
    description: Reads only.
    support: full
options:
  name:
    description: Only the pod of this name.
    type: str
    version_added: 0.1.0
  namespace:
    description: The namespace to list.
    type: str
    default: default
    version_added: 0.1.0
  all_namespaces:
    description: List the pods of every namespace (O(namespace) is ignored), like C(kubectl get pods -A).
    type: bool
    default: false
    version_added: 0.1.0
  label_selectors:
    description:
      - Kubernetes label selectors the pods' labels must all match. Each item may hold several requirements
        separated by commas.
      - "C(key=value) (or C(key==value)), C(key!=value), C(key in (a,b)), C(key notin (a,b)), C(key) (the label
        exists) and C(!key) (it does not)."
    type: list
    elements: str
    default: []
    version_added: 0.1.0
  node_name:
    description:
      - The name of this node, reported in each pod's C(spec.nodeName), in the C(node) column and in RV(node).
      - Defaults to the C(name) of the node facts (C(/etc/ansible/facts.d/hostpods.fact), written by the
        P(hostpods.core.node#role) role), else the host name; the same default as M(hostpods.core.pod)'s.
    type: str
    version_added: 0.1.0
'''

EXAMPLES = r'''
- name: The pods of the default namespace
  hostpods.core.pod_info:
  register: listing

- name: Print them as kubectl get pods -o wide would
  ansible.builtin.debug:
    msg: "{{ listing.rows | hostpods.core.pod_table }}"

- name: Select by labels across namespaces
  hostpods.core.pod_info:
    all_namespaces: true
    label_selectors:
      - app=web
      - tier in (frontend, edge)
      - "!legacy"
'''

RETURN = r'''
pods:
  description:
    - The pods, sorted by namespace and name, as C(kubectl get pod -o yaml) shows them.
    - "C(status) holds C(phase), C(conditions) (PodReadyToStartContainers, Initialized, Ready, ContainersReady,
      PodScheduled), C(podIP), C(podIPs), C(hostIP), C(startTime), C(qosClass), C(containerStatuses) (sorted by name) and
      C(initContainerStatuses) (spec order), each with C(state), C(lastState), C(ready), C(started), C(restartCount),
      C(image), C(imageID) and C(containerID) (C(docker://...))."
  returned: always
  type: list
  elements: dict
  sample: [{apiVersion: v1, kind: Pod, metadata: {name: web, namespace: default}, status: {phase: Running}}]
rows:
  description: The columns of C(kubectl get pods -o wide), one dict per pod, with kubectl's STATUS words.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The pod's name.
      type: str
      sample: web
    namespace:
      description: The pod's namespace.
      type: str
      sample: default
    ready:
      description: Ready containers over containers.
      type: str
      sample: 1/2
    status:
      description: kubectl's STATUS, e.g. V(Running), V(Completed), V(Init:0/2), V(CrashLoopBackOff).
      type: str
      sample: Running
    restarts:
      description: Restarts, with the age of the last one.
      type: str
      sample: 2 (40s ago)
    age:
      description: Time since the pod was created.
      type: str
      sample: 5m
    ip:
      description: The pod IP, or V(<none>).
      type: str
      sample: 172.17.0.2
    node:
      description: The node the pod runs on.
      type: str
      sample: node1
events:
  description:
    - The selected pods' events, oldest first, as Kubernetes Event objects, recorded by M(hostpods.core.pod) (source
      V(hostpods)) and by the node agent (source V(hostpods-agent)) with the kubelet's reasons and messages
      (C(Pulling), C(Pulled), C(Created), C(Started), C(Killing), C(Unhealthy), C(BackOff), C(Failed),
      C(FailedPostStartHook), C(DeadlineExceeded), ...). A repeated event raises its C(count) and C(lastTimestamp);
      each pod keeps its last 50.
    - The P(hostpods.core.pod_describe#filter) filter prints them as the C(Events) table of C(kubectl describe pod).
  returned: always
  type: list
  elements: dict
  version_added: 0.2.0
  sample:
    - type: Warning
      reason: BackOff
      message: Back-off restarting failed container app in pod web_default(0f6c...)
      count: 4
      firstTimestamp: '2026-11-28T10:00:12Z'
      lastTimestamp: '2026-11-28T10:02:40Z'
      involvedObject: {kind: Pod, name: web, namespace: default, uid: 0f6c..., fieldPath: 'spec.containers{app}'}
      source: {component: hostpods-agent, host: node1}
agent:
  description:
    - The node agent C(hostpods-agent) as its heartbeat (C(/run/hostpods/agent.json)) shows it, with C(running)
      true when the heartbeat is under 30 s old.
    - When it is missing or stale, C(running) is false, C(warning) says so and the module returns that warning;
      nothing restarts containers or runs probes on this node.
  returned: always
  type: dict
  version_added: 0.2.0
  contains:
    running:
      description: Whether the agent wrote its heartbeat in the last 30 s.
      type: bool
    pid:
      description: The agent's process ID.
      type: int
      returned: when the agent wrote a heartbeat
    version:
      description: The agent's version.
      type: str
      returned: when the agent wrote a heartbeat
    started_at:
      description: When the agent started (RFC 3339).
      type: str
      returned: when the agent wrote a heartbeat
    last_sync:
      description: When it last finished a pass over the node's pods (RFC 3339).
      type: str
      returned: when the agent wrote a heartbeat
    warning:
      description: Why the agent is not running here, and how to install it.
      type: str
      returned: when RV(agent.running) is false
  sample: {running: true, pid: 812, version: 0.2.0, started_at: '2026-11-28T09:58:01Z', last_sync: '2026-11-28T10:03:07Z'}
node:
  description:
    - This node as the scheduler sees it (M(hostpods.core.pod_schedule) reads it), that is its name, labels (with
      C(kubernetes.io/hostname) always set), taints, allocatable resources and whether it is cordoned.
    - Read from the node facts C(/etc/ansible/facts.d/hostpods.fact) when the host has them; otherwise the host
      name, no taints, and the host's cpu and memory.
  returned: always
  type: dict
  sample:
    name: node1
    labels: {kubernetes.io/hostname: node1, disk: ssd}
    taints: [{key: dedicated, value: gpu, effect: NoSchedule}]
    allocatable: {cpu: 2000m, memory: "4026531840", pods: "110"}
    unschedulable: false
    podCIDR: 10.244.1.0/24
'''

from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pod_info
from ansible_collections.hostpods.core.plugins.module_utils._module import run


def main():
    run(options.POD_INFO, lambda client, module: pod_info(client, module.params))


if __name__ == '__main__':
    main()
