# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the node itself: its facts, resolver and hosts file, cpu and memory, host paths.

``read_node`` reads everything a call needs of the node once, into a ``NodeContext``.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import time

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._plan import placement
from ansible_collections.hostpods.core.plugins.module_utils._plan.node import DEFAULT_SANDBOX_IMAGE, NODE_FACTS_PATH, NodeContext
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._runtime.files import read_text
from ansible_collections.hostpods.core.plugins.module_utils._spec import dns

NODE_FACTS = NODE_FACTS_PATH
RESOLV_CONFS = ('/run/systemd/resolve/resolv.conf', '/etc/resolv.conf')


# ----------------------------------------------------------------------------- reading the node

def read_node_facts(path=NODE_FACTS):
    """The node facts the node role writes (JSON, or an executable fact script printing it); None without them."""
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        try:
            facts = json.loads(text)
        except ValueError:
            if not os.access(path, os.X_OK):
                raise
            facts = json.loads(subprocess.run([path], capture_output=True, text=True, check=True, timeout=30).stdout)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise HostpodsError('cannot read the node facts %s: %s' % (path, exc))
    if not isinstance(facts, dict):
        raise HostpodsError('cannot read the node facts %s: not a JSON object' % path)
    return facts


def storage_capacity(path):
    """The capacity in bytes of the file system holding ``path`` (its blocks, as cadvisor reports a node's
    ``ephemeral-storage``), 0 when it cannot be read."""
    try:
        found = os.statvfs(path)
    except OSError:
        return 0
    return found.f_blocks * found.f_frsize


def node_allocatable(root_dir=''):
    """This host's cpu (millicores), memory (bytes) and, given the engine's data root, ephemeral-storage (bytes:
    the capacity of its file system; the kubelet's eviction threshold is not taken off, as hostpods evicts for
    no node pressure)."""
    memory = 0
    try:
        with open('/proc/meminfo', encoding='ascii') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {'cpu': (os.cpu_count() or 1) * 1000, 'memory': memory,
            'ephemeral-storage': storage_capacity(root_dir) if root_dir else 0}


def host_resolv_conf():
    """The node's resolver settings (systemd-resolved's upstream file where there is one)."""
    for path in RESOLV_CONFS:
        if os.path.exists(path):
            return dns.parse_resolv_conf(read_text(path))
    return dns.parse_resolv_conf('')


APPARMOR_FS, APPARMOR_ENABLED = '/sys/kernel/security/apparmor', '/sys/module/apparmor/parameters/enabled'
SELINUX_FS = '/sys/fs/selinux/enforce'


def security_modules(root='/'):
    """The kernel's security modules that are on: ``apparmor`` as the kubelet (and the engine) tell it (its file
    system is there and its module says Y), ``selinux`` when its file system is mounted."""
    def path(name):
        return os.path.join(root, name.lstrip('/'))
    found = []
    if os.path.exists(path(APPARMOR_FS)) and read_text(path(APPARMOR_ENABLED)).startswith('Y'):
        found.append('apparmor')
    if os.path.exists(path(SELINUX_FS)):
        found.append('selinux')
    return tuple(found)


def engine_elsewhere(client):
    """The name of the machine whose engine ``client`` reaches when it is not this one, else ``''``.

    Only a ``docker_host`` leads elsewhere; its engine is this machine's when ``docker info`` names this
    host (a socket of another path, a TCP port of this host), else another machine's (a node over TCP)."""
    if not getattr(client, 'docker_host', None):  # no client, the local engine (or a stand-in without one)
        return ''
    name = client.engine_host()['name']
    return '' if name == socket.gethostname() else name


FILES_ELSEWHERE = ('a pod\'s files (hosts file, volumes, termination logs) and its record for the node agent live on '
                   'the node that runs it: %s there (a playbook with it in the inventory, or the hostpods command, '
                   'which with --docker-host runs the node\'s own hostpods there); get, describe, logs, exec and '
                   'top work from here')


def refuse_elsewhere(client, what, why):
    """A HostpodsError when ``client`` reaches another machine's engine, before ``what`` touches anything."""
    elsewhere = engine_elsewhere(client)
    if elsewhere:
        raise HostpodsError('cannot %s through the Docker engine at %s: it runs on %s, not on this host (%s): %s'
                            % (what, client.docker_host, elsewhere, socket.gethostname(), why))


def read_node(client=None, node_name=None, sandbox_image=None, facts_path=NODE_FACTS, strict=True, with_engine=False):
    """This node, read once: its facts (the node role's), else the host itself.

    ``strict=False`` (deleting pods) tolerates unreadable facts and reads nothing of the engine.
    The host IP is the facts' ``address``, else the engine's bridge gateway (``client``); ``with_engine``
    (who makes containers: an apply, the node agent) reads the engine's version and cgroup driver too."""
    elsewhere = engine_elsewhere(client) if strict else ''
    try:  # another machine's engine: its node is the engine's host (this machine's facts and agent are not its)
        facts = {} if elsewhere else read_node_facts(facts_path) or {}
    except HostpodsError:
        if strict:
            raise
        facts = {}
    engine = client.engine_info() if client is not None and strict and with_engine else {}
    resources = ({key: client.engine_host()[key] for key in ('cpu', 'memory')} if elsewhere
                 else node_allocatable(engine.get('rootDir')))
    scheduling = placement.node_from_facts(facts, elsewhere or socket.gethostname(), resources, node_name)
    address = facts.get('address') or ''
    host_ip = address or (client.bridge_gateway() if client is not None and strict else '')
    allocatable = placement.downward_allocatable(scheduling)
    agent = not elsewhere and nodestate.agent_view(nodestate.read_heartbeat(), time.time())['running']
    origin = 'option' if sandbox_image else 'facts' if facts.get('sandboxImage') else 'default'
    return NodeContext(agent=agent, name=scheduling['name'], sandbox_image_from=origin,
                       sandbox_image=sandbox_image or facts.get('sandboxImage') or DEFAULT_SANDBOX_IMAGE,
                       host_ip=host_ip, address=address, pod_cidr=facts.get('podCIDR') or '', allocatable=allocatable,
                       scheduling=scheduling, resolv_conf=host_resolv_conf(), etc_hosts=read_text('/etc/hosts'),
                       facts=facts, security=security_modules(), engine=engine)


def host_path_kinds(paths):
    """``{path: 'directory'|'file'|'socket'|'char'|'block'|'other'|'missing'}`` (read-only)."""
    out = {}
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            out[path] = 'missing'
            continue
        for test, kind in ((stat.S_ISDIR, 'directory'), (stat.S_ISREG, 'file'), (stat.S_ISSOCK, 'socket'),
                           (stat.S_ISCHR, 'char'), (stat.S_ISBLK, 'block')):
            if test(mode):
                out[path] = kind
                break
        else:
            out[path] = 'other'
    return out
