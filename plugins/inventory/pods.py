# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: pods
short_description: The pods (or their containers) of hostpods nodes as Ansible hosts
version_added: 0.2.0
description:
  - Lists the pods that M(hostpods.core.pod) runs on one or more nodes, as M(hostpods.core.pod_info) reports them,
    and adds each pod (or, with O(containers), each container of a pod) as a host that the
    P(hostpods.core.pod#connection) connection reaches, as P(kubernetes.core.k8s#inventory) and
    P(community.docker.docker_containers#inventory) do for Kubernetes pods and Docker containers.
  - "The nodes: this machine's Docker engine by default; or the node containers of a P(hostpods.core.cluster#role)
    cluster (O(cluster)); or a list (O(nodes)). A node container is read inside it: the
    M(hostpods.core.pod_info) library call runs in the node's Python (it needs the docker SDK, as the modules do)
    through C(docker exec), so the controller needs only the C(docker) CLI and no route to the node's engine."
  - "Groups: V(hostpods_pods) (every host of this source), V(namespace_<namespace>), V(node_<node>),
    V(label_<key>_<value>) for each of the pod's labels and, with O(containers), V(container_<name>); characters
    other than letters, digits and V(_) in group names become V(_). O(keyed_groups), O(groups) and O(compose)
    add more from the host variables."
  - "Host variables: C(hostpods_pod) (C(name), C(namespace), C(uid), C(labels), C(annotations), C(created),
    C(node), C(ip), C(host_ip), C(phase), C(ready), C(status) (kubectl's STATUS column), C(restarts), C(containers),
    C(init_containers)); with O(containers), C(hostpods_container) (C(name), C(image), C(init), C(ready),
    C(restart_count), C(state): V(running), V(waiting) or V(terminated)); with O(verbose_output),
    C(hostpods_pod_object) (the Pod object with its status); and the connection's: C(ansible_connection)
    (V(hostpods.core.pod)), C(ansible_hostpods_pod), C(ansible_hostpods_namespace),
    C(ansible_hostpods_pod_container), C(ansible_hostpods_node_container), C(ansible_hostpods_docker_host)."
  - Uses a YAML configuration file whose name ends with C(hostpods.yml) or C(hostpods.yaml).
author:
  - hostpods developers (@hostpods)
requirements:
  - the C(docker) CLI on the controller (nodes in containers)
  - the docker Python SDK on the controller (this machine's engine)
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
notes:
  - Pods of every phase are listed; only running containers can run tasks (a pod that is not running is
    unreachable). Group on C(hostpods_pod.phase) with O(keyed_groups) to pick the running ones.
  - A node that cannot be read is skipped with a warning; when no node can be read, the source fails.
  - Host names contain C(/) by default, which the C(ansible.builtin.jsonfile) fact cache cannot store; choose
    another O(host_format) with it.
options:
  plugin:
    description: The name of this plugin; the source is for it when this is set.
    required: true
    type: str
    choices: [hostpods.core.pods]
    version_added: 0.2.0
  nodes:
    description:
      - The nodes to read, each a dict. Without O(nodes) and O(cluster), this machine's engine.
    type: list
    elements: dict
    default: []
    suboptions:
      container:
        description:
          - A node container (of P(hostpods.core.cluster#role), or any container running a hostpods node with its own
            Docker engine, Python 3 and the docker SDK) on the engine O(nodes[].docker_host) or O(docker_host).
          - When unset, the node is the engine O(nodes[].docker_host) itself, read from this machine (the node's
            files, such as its facts, are this machine's).
        type: str
      docker_host:
        description:
          - The engine that runs the node container, or the node's engine itself when there is no
            O(nodes[].container). Defaults to O(docker_host).
        type: str
      python:
        description: The Python interpreter in the node container.
        type: str
        default: python3
    version_added: 0.2.0
  cluster:
    description:
      - The name of a P(hostpods.core.cluster#role) cluster (its C(cluster_name)) whose running node containers are
        read, found on the engine O(docker_host) by their C(io.hostpods.cluster) label. Added to O(nodes).
    type: str
    version_added: 0.2.0
  docker_host:
    description:
      - The Docker engine the controller talks to (for example V(unix:///var/run/docker.sock)), the one of this
        machine's pods, or the one running the node containers.
      - When unset, E(DOCKER_HOST), then the local engine.
    type: str
    env:
      - name: DOCKER_HOST
    version_added: 0.2.0
  docker_cli:
    description: The C(docker) command on the controller (a name looked up in E(PATH), or a path).
    type: str
    default: docker
    version_added: 0.2.0
  namespaces:
    description: Only the pods of these namespaces. Empty, the pods of every namespace.
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  label_selectors:
    description:
      - Kubernetes label selectors the pods' labels must all match, as M(hostpods.core.pod_info) takes them.
      - "C(key=value), C(key!=value), C(key in (a,b)), C(key notin (a,b)), C(key) and C(!key)."
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  containers:
    description:
      - V(false), one host a pod (tasks run in the container C(kubectl exec) picks, see
        P(hostpods.core.pod#connection)); V(true), one host a container of a pod (its app containers and sidecars).
    type: bool
    default: false
    version_added: 0.2.0
  host_format:
    description:
      - The host names, a Python format string with the fields C({namespace}), C({pod}), C({container}),
        C({node}) and C({uid}).
      - Defaults to V({namespace}/{pod}), and V({namespace}/{pod}/{container}) with O(containers).
      - When two pods make the same name (pods of one name on several nodes), the second is left out with a
        warning; add C({node}) then.
    type: str
    version_added: 0.2.0
  verbose_output:
    description: Add the whole Pod object (with its C(spec) and C(status)) as C(hostpods_pod_object).
    type: bool
    default: false
    version_added: 0.2.0
  timeout:
    description: Seconds to wait for each node's answer.
    type: int
    default: 60
    version_added: 0.2.0
'''

EXAMPLES = r'''
# pods.hostpods.yml: the pods of this machine, one host a pod
plugin: hostpods.core.pods

# ansible-inventory -i pods.hostpods.yml --graph
# ansible -i pods.hostpods.yml default/web -m ansible.builtin.raw -a 'cat /etc/hostname'
# ansible -i pods.hostpods.yml namespace_shop -m ansible.builtin.setup    # Python in the containers

---
# cluster.hostpods.yml: the pods of the nodes of the cluster made by
#   ansible-playbook hostpods.core.cluster -e cluster_name=dev
# one host a container, grouped by app and by phase too
plugin: hostpods.core.pods
cluster: dev
containers: true
label_selectors:
  - tier in (frontend, backend)
keyed_groups:
  - key: hostpods_pod.labels.app | default('none')
    prefix: app
  - key: hostpods_pod.phase
    prefix: phase
compose:
  pod_ip: hostpods_pod.ip

---
# Explicit nodes: this machine's engine and two node containers
plugin: hostpods.core.pods
nodes:
  - {}
  - container: hostpods-dev-node1
  - container: hostpods-dev-node2
    python: /usr/bin/python3
namespaces: [default, shop]
host_format: "{pod}.{namespace}"
'''

from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._spec import selectors
from ansible_collections.hostpods.core.plugins.plugin_utils._docker_exec import DockerCli
from ansible_collections.hostpods.core.plugins.plugin_utils._nodes import access_vars, cluster_nodes, node_pods
from ansible_collections.hostpods.core.plugins.plugin_utils._pod_hosts import HostsError, pod_hosts

display = Display()


def _safe(name):
    return to_safe_group_name(name, force=True, silent=True)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """The pods of hostpods nodes as hosts."""

    NAME = 'hostpods.core.pods'

    _sanitize_group_name = staticmethod(_safe)

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('hostpods.yml', 'hostpods.yaml'))

    def _nodes(self):
        """The nodes to read: ``[{'container', 'docker_host', 'python'}]``."""
        docker_host = self.get_option('docker_host')
        nodes = [dict(node) for node in self.get_option('nodes') or []]
        for node in nodes:
            unknown = sorted(set(node) - {'container', 'docker_host', 'python'})
            if unknown:
                raise AnsibleParserError('%s: unknown keys in nodes: %s' % (self.NAME, ', '.join(unknown)))
            node.setdefault('docker_host', docker_host)
        if self.get_option('cluster'):
            cli = DockerCli(self.get_option('docker_cli'), docker_host, plugin=self.NAME)
            found = cluster_nodes(cli, self.get_option('cluster'), self.get_option('timeout'))
            if not found:
                display.warning('%s: cluster %s has no running node container on %s'
                                % (self.NAME, self.get_option('cluster'), cli.where()))
            nodes += [{'container': name, 'docker_host': docker_host} for name in found]
        elif not nodes:
            nodes = [{'docker_host': docker_host}]
        return nodes

    def _read(self):
        """Every node's answer: ``[{'access': {...connection vars}, 'pods': [...], 'rows': [...]}]``."""
        params = {'all_namespaces': True, 'label_selectors': list(self.get_option('label_selectors') or [])}
        try:
            selectors.parse(params['label_selectors'])
        except HostpodsError as exc:
            raise AnsibleParserError('%s: %s' % (self.NAME, exc.msg))
        nodes = self._nodes()
        cli, timeout = self.get_option('docker_cli'), self.get_option('timeout')

        def read(node):
            try:
                return node, node_pods(node, params, cli, timeout), None
            except AnsibleError as exc:
                return node, None, exc

        listings, errors = [], []
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(nodes)))) as pool:
            for node, result, error in pool.map(read, nodes):
                where = node.get('container') or node.get('docker_host') or 'this machine'
                if error is not None:
                    errors.append((where, to_native(error.message)))
                    continue
                listings.append({'access': access_vars(node, cli), 'pods': result.get('pods') or [],
                                 'rows': result.get('rows') or []})
        if nodes and not listings:
            raise AnsibleParserError('%s: no node could be read: %s' % (self.NAME, '; '.join('%s: %s' % e for e in errors)))
        for where, message in errors:
            display.warning('%s: node %s left out: %s' % (self.NAME, where, message))
        return listings

    def _populate(self, listings):
        strict = self.get_option('strict')
        seen = {}
        for listing in listings:
            try:
                hosts = pod_hosts(listing['pods'], listing['rows'], listing['access'], self.get_option('containers'),
                                  self.get_option('host_format'), self.get_option('namespaces'),
                                  self.get_option('verbose_output'))
            except HostsError as exc:
                raise AnsibleParserError('%s: %s' % (self.NAME, exc))
            for host in hosts:
                name, variables = host['name'], host['vars']
                node = variables['hostpods_pod']['node']
                if name in seen:
                    display.warning('%s: host %s is a pod of node %s and of node %s: the second is left out; '
                                    'add {node} to host_format' % (self.NAME, name, seen[name], node))
                    continue
                seen[name] = node
                for group in host['groups']:
                    self.inventory.add_host(name, group=self.inventory.add_group(_safe(group)))
                for key, value in variables.items():
                    self.inventory.set_variable(name, key, value)
                self._set_composite_vars(self.get_option('compose'), variables, name, strict=strict)
                self._add_host_to_composed_groups(self.get_option('groups'), variables, name, strict=strict)
                self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, name, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        listings = None
        if use_cache:
            try:
                listings = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if listings is None:
            listings = self._read()
        if update_cache:
            self._cache[cache_key] = listings
        self._populate(listings)
