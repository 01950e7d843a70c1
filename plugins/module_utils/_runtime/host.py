# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the node's own files: its facts, resolver and hosts file, cpu and memory, host paths,
and the state hostpods keeps under ``/var/lib/hostpods``.

``read_node`` reads everything a call needs of the node once, into a ``NodeContext``; the writers
here are the only code that writes the node's state files (atomically).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import time

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._plan import placement
from ansible_collections.hostpods.core.plugins.module_utils._plan.node import DEFAULT_SANDBOX_IMAGE, NodeContext
from ansible_collections.hostpods.core.plugins.module_utils._spec import dns

NODE_FACTS = '/etc/ansible/facts.d/hostpods.fact'
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


def node_allocatable():
    """This host's cpu (millicores) and memory (bytes)."""
    memory = 0
    try:
        with open('/proc/meminfo', encoding='ascii') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {'cpu': (os.cpu_count() or 1) * 1000, 'memory': memory}


def host_resolv_conf():
    """The node's resolver settings (systemd-resolved's upstream file where there is one)."""
    for path in RESOLV_CONFS:
        if os.path.exists(path):
            return dns.parse_resolv_conf(read_text(path))
    return dns.parse_resolv_conf('')


def read_node(client=None, node_name=None, sandbox_image=None, facts_path=NODE_FACTS, strict=True):
    """This node, read once: its facts (the node role's), else the host itself.

    ``strict=False`` (deleting pods) tolerates unreadable facts and reads nothing of the engine.
    The host IP is the facts' ``address``, else the engine's bridge gateway (``client``)."""
    try:
        facts = read_node_facts(facts_path) or {}
    except HostpodsError:
        if strict:
            raise
        facts = {}
    scheduling = placement.node_from_facts(facts, socket.gethostname(), node_allocatable(), node_name)
    address = facts.get('address') or ''
    host_ip = address or (client.bridge_gateway() if client is not None and strict else '')
    allocatable = placement.downward_allocatable(scheduling)
    return NodeContext(name=scheduling['name'], sandbox_image=sandbox_image or facts.get('sandboxImage') or DEFAULT_SANDBOX_IMAGE,
                       host_ip=host_ip, address=address, pod_cidr=facts.get('podCIDR') or '', allocatable=allocatable,
                       scheduling=scheduling, resolv_conf=host_resolv_conf(), etc_hosts=read_text('/etc/hosts'),
                       facts=facts)


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


def read_text(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except OSError:
        return ''


def list_dir(path):
    """The names in a directory of the node, or none when it is missing or unreadable."""
    try:
        return os.listdir(path)
    except OSError:
        return []


def modified(path):
    """When a file of the node was last written (epoch seconds), or None."""
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def read_json(path):
    """A JSON file of the node's state, or None when missing or unreadable."""
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


# ----------------------------------------------------------------------------- writing the node's state

def write_file(path, text, mode=0o644, private=False):
    """Write a file of the node's state atomically (its directory 0755, or 0700 when ``private``)."""
    os.makedirs(os.path.dirname(path), 0o700 if private else 0o755, exist_ok=True)
    with open(path + '.tmp', 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(path + '.tmp', mode)
    os.replace(path + '.tmp', path)


def remove_file(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)


def set_group_ownership(root, group):
    """chgrp -R ``group``, group read-write, setgid on directories (SetVolumeOwnership)."""
    for directory, _dirs, files in os.walk(root):
        for path in [directory] + [os.path.join(directory, name) for name in files]:
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            os.chown(path, -1, group)
            extra = stat.S_IRGRP | stat.S_IWGRP | (stat.S_IXGRP | stat.S_ISGID if stat.S_ISDIR(mode) else 0)
            os.chmod(path, stat.S_IMODE(mode) | extra)


def write_atomic_dir(target, files):
    """The kubelet's AtomicWriter: the files go to a new timestamped directory, ``..data`` is switched
    to it atomically, each top-level name is a symlink through ``..data``, and older versions go."""
    parent = os.path.dirname(target)
    os.makedirs(parent, 0o700, exist_ok=True)  # only root reaches the volumes on the node
    os.chmod(parent, 0o700)
    os.makedirs(target, 0o755, exist_ok=True)
    now = time.time_ns()
    version = '..' + time.strftime('%Y_%m_%d_%H_%M_%S', time.gmtime(now // 10 ** 9)) + '.%09d' % (now % 10 ** 9)
    for relative, (data, mode) in files.items():
        path = os.path.join(target, version, relative)
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        with open(path, 'wb') as handle:
            handle.write(data)
        os.chmod(path, mode)
    os.makedirs(os.path.join(target, version), 0o755, exist_ok=True)
    os.symlink(version, os.path.join(target, '..data_tmp'))
    os.replace(os.path.join(target, '..data_tmp'), os.path.join(target, '..data'))
    _prune_versions(target, version, {relative.split('/', 1)[0] for relative in files})


def _prune_versions(target, version, tops):
    for name in os.listdir(target):
        path = os.path.join(target, name)
        if name.startswith('..'):
            if name not in ('..data', version) and os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
        elif name not in tops and os.path.islink(path):
            os.remove(path)
    for name in tops:
        if not os.path.lexists(os.path.join(target, name)):
            os.symlink(os.path.join('..data', name), os.path.join(target, name))
