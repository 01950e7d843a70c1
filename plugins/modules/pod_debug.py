#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pod_debug
short_description: Add an ephemeral debug container to a running pod, like C(kubectl debug)
version_added: 0.2.0
description:
  - Adds an ephemeral container to a running pod made by M(hostpods.core.pod), as C(kubectl debug POD --image=IMAGE
    [--target=CONTAINER] [-c NAME] -- COMMAND) does on Kubernetes. It joins the pod's sandbox (its network, IPC and
    hostname, so it sees the pod's C(localhost)) and, with O(target), the PID namespace of that container (so
    C(ps) shows its processes and C(/proc/<pid>/root) reaches its files).
  - "As Kubernetes' ephemeral containers: it is listed in the pod's C(spec.ephemeralContainers) and its state in
    C(status.ephemeralContainerStatuses) (never ready); it is never restarted (its engine restart policy is C(no) and
    the node agent leaves it alone, even when it exits); it cannot be changed or removed once added; and it goes
    with the pod (deleting the pod, or recreating it for a changed spec, removes it). Applying the pod again unchanged
    neither removes it nor reports a change. The node keeps it in the pod's record
    (C(/var/lib/hostpods/pods/<uid>/ephemeral.json)), never in the applied manifest."
  - It runs with C(stdin) and C(tty) off, its logs are read with M(hostpods.core.pod_logs) (O(container)) and
    commands run in it with M(hostpods.core.pod_exec); C(kubectl cp) is the C(hostpods.core.pod) connection's job.
  - "The pod must be running, and O(target) (a container or init container of the pod) too. A manifest that sets
    C(spec.ephemeralContainers) itself is refused, as the API server refuses it on create."
author:
  - hostpods developers (@hostpods)
extends_documentation_fragment:
  - hostpods.core._docker
  - hostpods.core._pod_ref
attributes:
  check_mode:
    description: Reports the container that would be added (RV(container), RV(planned_steps)) and changes nothing.
    support: full
  diff_mode:
    description: No diff is reported.
    support: none
  idempotent:
    description:
      - Without O(container) each run adds a new container named C(debugger-xxxxx), as C(kubectl debug) does.
      - With O(container), a run that finds the same container there already reports no change and makes no mutating
        Docker call; a different container of that name is refused (ephemeral containers may not be changed).
    support: partial
options:
  # name and namespace come from hostpods.core._pod_ref; this container (the one added) replaces its container
  container:
    description:
      - The ephemeral container's name (C(kubectl debug -c)). Defaults to C(debugger-) and five random characters.
      - It must not be the name of another container of the pod.
    type: str
    version_added: 0.2.0
  image:
    description: The ephemeral container's image (C(--image)), pulled per O(image_pull_policy).
    type: str
    required: true
    version_added: 0.2.0
  command:
    description: The container's C(command) (its entrypoint; C(kubectl debug ... -- COMMAND)). Default, the image's.
    type: list
    elements: str
    version_added: 0.2.0
  args:
    description: The container's C(args) (the image's command when O(command) is not given).
    type: list
    elements: str
    version_added: 0.2.0
  target:
    description:
      - A container of the pod whose PID namespace the ephemeral container joins (C(--target)); it must be running.
      - Without it the container has its own PID namespace, or the pod's with C(shareProcessNamespace).
    type: str
    version_added: 0.2.0
  image_pull_policy:
    description: The container's C(imagePullPolicy); defaults as the API server defaults it.
    type: str
    choices: [Always, IfNotPresent, Never]
    version_added: 0.2.0
seealso:
  - name: Ephemeral containers
    description: Kubernetes' ephemeral containers, which this module adds.
    link: https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/
'''

EXAMPLES = r'''
- name: A shell next to the app container, in its PID namespace (kubectl debug web --image=busybox --target=app)
  hostpods.core.pod_debug:
    name: web
    image: hostpods/busybox:1.35
    target: app
    command: [sleep, "3600"]
  register: debug

- name: Look at the app's processes from it
  hostpods.core.pod_exec:
    name: web
    container: "{{ debug.container }}"
    command: ps

- name: A named debug container, added once however often the task runs
  hostpods.core.pod_debug:
    name: web
    container: netcheck
    image: hostpods/busybox:1.35
    command: [sh, -c, "wget -qO- http://localhost:8080/ && sleep 3600"]
'''

RETURN = r'''
changed:
  description: Whether a container was added (or would be, in check mode).
  returned: always
  type: bool
  sample: true
container:
  description: The ephemeral container's name.
  returned: always
  type: str
  sample: debugger-x7k2p
pod:
  description:
    - The pod as C(kubectl get pod -o yaml) shows it, with C(spec.ephemeralContainers) and
      C(status.ephemeralContainerStatuses).
  returned: when the pod exists
  type: dict
  sample:
    spec: {ephemeralContainers: [{name: debugger-x7k2p, image: "hostpods/busybox:1.35", targetContainerName: app}]}
    status: {ephemeralContainerStatuses: [{name: debugger-x7k2p, ready: false, state: {running: {}}}]}
planned_steps:
  description: In check mode, the steps the run would take.
  returned: in check mode
  type: list
  elements: str
  sample: ["record ephemeral container debugger-x7k2p in spec.ephemeralContainers", "start ephemeral debugger-x7k2p (target app)"]
docker_calls:
  description: How many reading and mutating calls this run made to the Docker engine.
  returned: always
  type: dict
  sample: {read: 5, write: 2}
'''

from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pod_debug
from ansible_collections.hostpods.core.plugins.module_utils._module import run


def main():
    run(options.POD_DEBUG, lambda client, module: pod_debug(client, module.params, module.check_mode))


if __name__ == '__main__':
    main()
