# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: pod
short_description: Run tasks in the containers of hostpods pods, like C(kubectl exec) and C(kubectl cp)
version_added: 0.2.0
description:
  - Runs commands in, and copies files to and from, a container of a pod that M(hostpods.core.pod) runs, through
    the C(docker) CLI on the controller (C(docker exec -i)), as P(kubernetes.core.kubectl#connection) does with
    C(kubectl exec) on a Kubernetes cluster.
  - The pod is found by its name and namespace (the C(io.kubernetes.pod.*) labels of its containers) at the
    start of every task, so a container replaced since the last task (a new attempt) is the one reached.
  - Pods on this machine's engine (or the engine of O(docker_host)) are reached directly; pods on a node of
    P(hostpods.core.cluster#role) through the node container (O(node_container)) with C(docker exec -i <node>
    docker exec -i <container> ...), so the controller needs no route to the node's engine.
  - The P(hostpods.core.pods#inventory) inventory sets every variable this connection needs.
  - "M(ansible.builtin.raw) and M(ansible.builtin.script) work in any container with C(/bin/sh); other modules
    (M(ansible.builtin.command), M(ansible.builtin.copy), M(ansible.builtin.template), M(ansible.builtin.fetch),
    M(ansible.builtin.setup), ...) need Python in the container, as on any host."
  - A pod that is not found, a container that is not running, or a node container that is missing makes the
    host unreachable, not failed.
author:
  - hostpods developers (@hostpods)
extends_documentation_fragment:
  - hostpods.core._docker_cli
options:
  remote_addr:
    description:
      - The pod, as V(<pod>), V(<namespace>/<pod>) or V(<namespace>/<pod>/<container>) (the host names of the
        P(hostpods.core.pods#inventory) inventory); O(namespace) and O(container) win over the parts given here.
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_hostpods_pod
    version_added: 0.2.0
  namespace:
    description:
      - The pod's namespace.
      - When unset, the one of O(remote_addr), else V(default).
    type: str
    vars:
      - name: ansible_hostpods_namespace
    version_added: 0.2.0
  container:
    description:
      - The container of the pod to run in, an app container or a running init container (a sidecar).
      - When unset, the one of O(remote_addr), else the container C(kubectl exec) picks, that is the one the pod's
        C(kubectl.kubernetes.io/default-container) annotation names, else the first app container.
    type: str
    vars:
      - name: ansible_hostpods_pod_container
    version_added: 0.2.0
  node_container:
    description:
      - The node container (of P(hostpods.core.cluster#role)) whose engine runs the pod; commands go through
        C(docker exec) into it and there through its own C(docker) CLI.
      - When unset, the pod runs on the engine the controller's C(docker) CLI talks to (see O(docker_host)).
    type: str
    vars:
      - name: ansible_hostpods_node_container
    version_added: 0.2.0
'''

EXAMPLES = r'''
# With the hostpods.core.pods inventory (it sets the connection and its variables):
#   ansible -i pods.hostpods.yml default/web -m ansible.builtin.raw -a 'cat /etc/hostname'

# Ad hoc, without an inventory: the pod "web" of the namespace "shop", its container "nginx"
#   ansible -i 'shop/web/nginx,' -c hostpods.core.pod all -m ansible.builtin.raw -a 'nginx -T'

# A pod on a node of a hostpods.core.cluster cluster
- name: Files in and out of a pod
  hosts: shop/web
  gather_facts: false
  vars:
    ansible_connection: hostpods.core.pod
    ansible_hostpods_node_container: hostpods-dev-node2
  tasks:
    - name: Copy a script into the pod and run it (no Python needed in the container)
      ansible.builtin.script: files/report.sh

    - name: A module (Python in the container needed)
      ansible.builtin.command: python3 -c 'import platform; print(platform.node())'
      changed_when: false
'''

import json

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pick_container, running_instance
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import group_pods, listing_entry
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.plugin_utils._docker_exec import DockerCli, DockerExecConnection
from ansible_collections.hostpods.core.plugins.plugin_utils._pod_hosts import HostsError, parse_address

LOOKUP_TIMEOUT = 60


class Connection(DockerExecConnection):
    """Commands and files through ``docker exec`` into the running container of a pod."""

    transport = 'hostpods.core.pod'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._container_id = None

    def _make_cli(self):
        return DockerCli(self.get_option('docker_cli'), self.get_option('docker_host'), self.get_option('docker_extra_args'),
                         node=self.get_option('node_container'), plugin=self.transport)

    def _address(self):
        try:
            return parse_address(self.get_option('remote_addr'), self.get_option('namespace'), self.get_option('container'))
        except HostsError as exc:
            raise AnsibleConnectionFailure('%s: %s' % (self.transport, exc))

    def _describe(self):
        namespace, pod, container = self._address()
        where = ' on node container %s' % self.get_option('node_container') if self.get_option('node_container') else ''
        return 'pod %s/%s%s%s' % (namespace, pod, ' container %s' % container if container else '', where)

    def _docker(self, args):
        """``docker <args>`` for the lookup: its stdout, or the host is unreachable."""
        cli = self._cli()
        rc, out, err = cli.run(args, timeout=LOOKUP_TIMEOUT)
        if rc != 0 and (cli.engine_failed(rc, err) or not out.strip()):
            raise AnsibleConnectionFailure('%s: cannot look up %s: %s' % (self.transport, self._describe(), to_native(err.strip())))
        return out

    def _target(self):
        """The ID of the running container the tasks go to (looked up once a connection)."""
        if self._container_id is None:
            namespace, pod, container = self._address()
            ids = self._docker(['ps', '--all', '--quiet', '--no-trunc', '--filter', 'label=%s=%s' % (naming.POD_NAME, pod),
                                '--filter', 'label=%s=%s' % (naming.POD_NAMESPACE, namespace)]).split()
            # A container removed between the two calls is left out of the answer (docker inspect prints the others).
            infos = json.loads(self._docker(['inspect'] + [to_native(i) for i in ids])) if ids else []
            record = group_pods([listing_entry(info) for info in infos]).get((namespace, pod))
            try:
                name = pick_container(record, namespace, pod, container, kubectl_default=True)
                self._container_id = running_instance(record, name).id
            except HostpodsError as exc:
                raise AnsibleConnectionFailure('%s: %s (on %s)' % (self.transport, exc.msg, self._cli().where()))
        return self._container_id

    def close(self):
        super().close()
        self._container_id = None
