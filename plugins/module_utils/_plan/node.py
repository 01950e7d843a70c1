# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the node a call runs on, as one value read once per call (see ``_runtime.host.read_node``). Pure.

Every layer that needs the node (the scheduler's admission, the planner's sandbox image, the
executor's downward API and resolver, the status' ``spec.nodeName`` and ``status.hostIP``) takes
it from here, so each fact has one source and one rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.hostpods.core.plugins.module_utils._plan import translate
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

# The kubelet's default --pod-infra-container-image.
DEFAULT_SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10'
NODE_FACTS_PATH = '/etc/ansible/facts.d/hostpods.fact'  # the node role's facts of a node


@dataclass(frozen=True)
class NodeContext:
    """This node.

    ``scheduling`` is the node as ``_scheduler`` reads nodes (name, labels, taints, allocatable,
    unschedulable); ``host_ip`` is ``status.hostIP`` of its pods (and a hostNetwork pod's IP): the
    node facts' ``address``, else the engine's bridge gateway, as a kubelet reports its node's IP;
    ``allocatable`` is cpu (millicores) and memory (bytes) for the downward API; ``resolv_conf`` the
    node's resolver (parsed); ``etc_hosts`` the node's ``/etc/hosts`` text (hostNetwork pods);
    ``agent`` whether the node agent runs (its heartbeat is fresh); ``security`` the kernel's security modules
    that are enabled (``apparmor``, ``selinux``), as the kubelet checks them before it admits a pod; ``engine``
    what the Docker engine says of itself (``version``, ``api``: its API version, ``cgroupDriver``,
    ``cgroupVersion``, ``storageDriver``); ``sandbox_image_from`` who named the sandbox image (``option``, ``facts`` or
    ``default``)."""
    name: str
    sandbox_image: str = DEFAULT_SANDBOX_IMAGE
    sandbox_image_from: str = 'default'
    host_ip: str = ''
    address: str = ''
    pod_cidr: str = ''
    allocatable: dict = field(default_factory=dict)
    scheduling: dict = field(default_factory=dict)
    resolv_conf: dict = field(default_factory=dict)
    etc_hosts: str = ''
    facts: dict = field(default_factory=dict)
    agent: bool = False  # the node agent runs: it restarts containers (the engine does not)
    security: tuple = ()
    engine: dict = field(default_factory=dict)

    @property
    def pod_cgroups(self):
        """The engine's cgroup driver when each pod gets a cgroup of its own (``naming.pod_cgroup``) holding its
        sandbox and containers, as under a kubelet: ``cgroupfs`` (hostpods makes the cgroup) or ``systemd``
        (systemd makes the pod's slice); else ``''``."""
        driver = self.engine.get('cgroupDriver')
        return driver if driver in naming.CGROUP_DRIVERS else ''

    @property
    def image_mounts_on_node(self):
        """Whether hostpods mounts the pod's ``image`` volumes on the node (their image's overlay2 layers, read-only):
        on engines before image mounts (``Mount.Type=image``, API 1.48), which the engine makes itself."""
        return not translate.engine_mounts_images(self.engine.get('api'))

    def runtime(self):
        """What containers get from the node: the downward API's facts, and who restarts them."""
        return {'hostIP': self.host_ip, 'nodeName': self.name, 'allocatable': dict(self.allocatable),
                'supervised': self.agent, 'podCgroups': self.pod_cgroups, 'engineApi': self.engine.get('api', '')}

    def sandbox_image_problem(self, cause):
        """Why a pod cannot get its sandbox when the sandbox image is missing and its pull failed (``cause``):
        which image, who named it, and how to provide it."""
        named = {'option': 'the sandbox_image option names it',
                 'facts': "the node facts (%s) name it as sandboxImage" % NODE_FACTS_PATH,
                 'default': "it is the kubelet's default: no sandbox_image option, and no node facts name one"}
        return ('the sandbox (pause) image %s is not on node %s and cannot be pulled (%s): every pod needs it for '
                'the sandbox that holds its namespaces, as a kubelet needs its --pod-infra-container-image, and %s. '
                'Provide it: run the hostpods.core.node role on this node (it builds hostpods/pause:3.10 offline, '
                'node_sandbox_source=build, and names it in the node facts; scripts/setup.sh does so on the machine it '
                'sets up), or load an image there (docker load) and give its name as sandbox_image'
                % (self.sandbox_image, self.name, cause, named.get(self.sandbox_image_from, named['default'])))
