# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the nodes the controller reads pods from, and how it reaches them.

A node is this machine's engine (read in this process, with the ``docker`` SDK, as ``pod_info`` reads it),
or a node container of ``hostpods.core.cluster`` (its engine and its files are inside it: ``pod_info``'s
library call runs there, in the node's ``python3``, from a zip of this collection's ``module_utils`` sent
through ``docker exec -i``; the node needs Python and the docker SDK, as for the modules).
"""

from __future__ import annotations

import io
import json
import os
import zipfile

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hostpods.core.plugins.module_utils import _kubectl
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.plugin_utils._docker_exec import DockerCli

# The labels hostpods.core.cluster puts on its node containers (roles/cluster/vars/main.yml).
CLUSTER_LABEL = 'io.hostpods.cluster'
NODE_INDEX_LABEL = 'io.hostpods.node'
PACKAGE = 'ansible_collections.hostpods.core.plugins.module_utils'

# Run in the node: the request (one JSON line) and the zip of module_utils come on stdin; the answer is
# the JSON of the library call on stdout, or {"failed": true, "msg": ...}.
BOOTSTRAP = r'''
import importlib, json, os, sys, tempfile, traceback
request, payload = sys.stdin.buffer.read().split(b"\n", 1)
request = json.loads(request)
handle, path = tempfile.mkstemp(prefix="hostpods-", suffix=".zip")
try:
    with os.fdopen(handle, "wb") as out:
        out.write(payload)
    sys.path.insert(0, path)
    try:
        module = importlib.import_module(request["module"])
        result = getattr(module, request["function"])(request["params"])
    except Exception as exc:
        result = {"failed": True, "msg": getattr(exc, "msg", None) or "%s: %s" % (type(exc).__name__, exc),
                  "exception": traceback.format_exc()}
    sys.stdout.write(json.dumps(result, default=str))
finally:
    os.unlink(path)
'''

_PAYLOAD = []


class NodeError(AnsibleError):
    """A node could not be read."""


def payload():
    """A zip of this collection's ``module_utils`` (every package level with an ``__init__.py``), made once."""
    if not _PAYLOAD:
        root = os.path.dirname(os.path.abspath(_kubectl.__file__))
        prefix = PACKAGE.replace('.', '/')
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
            levels = prefix.split('/')
            for depth in range(1, len(levels) + 1):
                archive.writestr('/'.join(levels[:depth]) + '/__init__.py', '')
            for directory, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != '__pycache__')
                relative = os.path.relpath(directory, root)
                for name in sorted(files):
                    if name.endswith('.py') and not (relative == '.' and name == '__init__.py'):
                        arcname = os.path.normpath(os.path.join(prefix, relative, name))
                        archive.write(os.path.join(directory, name), arcname)
        _PAYLOAD.append(buffer.getvalue())
    return _PAYLOAD[0]


def remote_call(cli, container, function, params, python='python3', timeout=60):
    """``function(params)`` of ``module_utils`` (``'_kubectl.node_pods'``), run in the container ``container``
    of ``cli``'s engine; its JSON answer."""
    module, _dot, name = function.rpartition('.')
    request = json.dumps({'module': '%s.%s' % (PACKAGE, module), 'function': name, 'params': params}).encode('utf-8')
    rc, out, err = cli.run(['exec', '-i', container, python, '-c', BOOTSTRAP], in_data=request + b'\n' + payload(),
                           timeout=timeout)
    if rc != 0:
        raise NodeError('cannot run %s in node container %s (rc %d): %s'
                        % (python, container, rc, to_native(err.strip() or out.strip())))
    try:
        return json.loads(out)
    except ValueError:
        raise NodeError('node container %s answered no JSON: %s %s' % (container, to_native(out[:400]), to_native(err[:400])))


def cluster_nodes(cli, cluster, timeout=60):
    """The running node containers of the ``hostpods.core.cluster`` named ``cluster``, by node number."""
    rc, out, err = cli.run(['ps', '--filter', 'label=%s=%s' % (CLUSTER_LABEL, cluster), '--filter', 'label=%s' % NODE_INDEX_LABEL,
                            '--format', '{{.Label "%s"}} {{.Names}}' % NODE_INDEX_LABEL], timeout=timeout)
    if rc != 0:
        raise NodeError('cannot list the nodes of cluster %s on %s: %s' % (cluster, cli.where(), to_native(err.strip())))
    found = []
    for line in to_native(out).splitlines():
        index, _space, name = line.strip().partition(' ')
        found.append((int(index) if index.isdigit() else 0, name))
    return [name for _index, name in sorted(found)]


def node_pods(node, params, docker_cli='docker', timeout=60):
    """``pod_info``'s answer (``pods``, ``rows``, ``node``) of one node: ``{'container': ..., 'docker_host': ...,
    'python': ...}`` (a node container), or ``{'docker_host': ...}`` (this machine's engine)."""
    if node.get('container'):
        cli = DockerCli(docker_cli, node.get('docker_host'), plugin='hostpods.core.pods')
        result = remote_call(cli, node['container'], '_kubectl.node_pods', params, node.get('python') or 'python3', timeout)
    else:
        try:
            result = _kubectl.node_pods(dict(params, docker_host=node.get('docker_host')))
        except HostpodsError as exc:
            result = {'failed': True, 'msg': exc.msg}
    if result.get('failed'):
        raise NodeError(result.get('msg') or 'pod_info failed')
    return result


def access_vars(node, docker_cli='docker'):
    """The variables that make the ``hostpods.core.pod`` connection reach the pods of ``node``."""
    out = {}
    if node.get('container'):
        out['ansible_hostpods_node_container'] = node['container']
    if node.get('docker_host'):
        out['ansible_hostpods_docker_host'] = node['docker_host']
    if docker_cli and docker_cli != 'docker':
        out['ansible_hostpods_docker_cli'] = docker_cli
    return out
