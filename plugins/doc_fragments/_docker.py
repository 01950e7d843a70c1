# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE doc fragment: options shared by every module that talks to the Docker engine."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  docker_host:
    description:
      - The Docker engine to talk to, for example V(unix:///var/run/docker.sock) or V(tcp://127.0.0.1:2375).
      - When unset, E(DOCKER_HOST) is used, then the local engine's socket.
      - "C(subPath) mounts and C(hostPath) volumes need the engine to run on the managed node itself."
      - "Another machine's engine (one whose C(docker info) name is not the managed node's host name) can be read
        (M(hostpods.core.pod_info), M(hostpods.core.pod_logs), M(hostpods.core.pod_exec)); M(hostpods.core.pod) refuses
        it before touching anything, since a pod's files and its record for the node agent live on the node that runs
        it: run the task on that node."
    type: str
requirements:
  - docker (the Python SDK) >= 7.0 on the managed node
'''
