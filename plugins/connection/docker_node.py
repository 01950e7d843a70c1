# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: docker_node
short_description: Reach hostpods node containers with C(docker exec), without SSH
version_added: 0.1.0
description:
  - Runs commands in, and copies files to and from, a running container through the C(docker) CLI on the
    controller (C(docker exec -i)). Made for the node containers of the P(hostpods.core.cluster#role) role,
    but any container with C(/bin/sh) and C(cat) works; modules also need Python in the container.
  - Pipelining is on by default (nodes run as root, there is no C(requiretty) to fear); it runs a module
    with one C(docker exec).
  - A missing or stopped container makes the host unreachable, not failed.
author:
  - hostpods developers (@hostpods)
extends_documentation_fragment:
  - hostpods.core._docker_cli
options:
  remote_addr:
    description:
      - The name or ID of the container.
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_hostpods_container
    version_added: 0.1.0
'''

EXAMPLES = r'''
# inventory.yml: the nodes of a cluster made by the hostpods.core.cluster role
# all:
#   children:
#     hostpods_nodes:
#       vars:
#         ansible_connection: hostpods.core.docker_node
#         ansible_python_interpreter: /usr/bin/python3
#       hosts:
#         hostpods-dev-node1:
#         hostpods-dev-node2:

- name: Pods on the node containers
  hosts: hostpods_nodes
  gather_facts: false
  tasks:
    - name: Apply a pod inside each node
      hostpods.core.pod:
        src: manifests/
        sandbox_image: hostpods/pause:3.10

# ad hoc:
#   ansible -i 'hostpods-dev-node1,' -c hostpods.core.docker_node all -m ansible.builtin.ping
'''

from ansible_collections.hostpods.core.plugins.plugin_utils._docker_exec import DockerCli, DockerExecConnection


class Connection(DockerExecConnection):
    """Commands and files through ``docker exec`` into a (node) container."""

    transport = 'hostpods.core.docker_node'

    def _make_cli(self):
        return DockerCli(self.get_option('docker_cli'), self.get_option('docker_host'),
                         self.get_option('docker_extra_args'), plugin=self.transport)

    def _target(self):
        return self.get_option('remote_addr')

    def _describe(self):
        return 'container %s' % self._target()
