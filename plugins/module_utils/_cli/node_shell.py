# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the command's writes through another machine's engine (``--docker-host``), as node-shell tools reach a
node through its runtime: a short-lived privileged helper container (``HELPER_IMAGE``, which every node has) in the
host's PID namespace runs ``nsenter -t 1 -m -u -i -n -p -- NODE_COMMAND VERB ...``, so the node's own ``hostpods``
runs in the node's namespaces (its files, mounts, locks and agent, exactly as a local run), attached to this
terminal, its exit code passed on, the helper removed afterwards. ``apply``, ``delete``, ``diff`` and ``run`` go so
(``-f`` files read here, sent on its stdin as one JSON ``List``, ``-f -`` there); ``port-forward`` listens here and relays
each connection through a helper in the pod's network namespace (``nc 127.0.0.1 PORT``)."""

from __future__ import annotations

import argparse
import json
import sys
import uuid

from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError, Exit
from ansible_collections.hostpods.core.plugins.module_utils._spec.naming import VERSION

HELPER_IMAGE = 'hostpods/busybox:1.35'  # the node role provides it on every node (roles/node/tasks/helper.yml)
NODE_COMMAND = '/usr/local/bin/hostpods'  # where the node role installs the command (node_bin_dir)
NODE_LIBRARY = '/usr/local/lib/hostpods'  # and its library (node_lib_dir), which its launcher runs
VERBS = ('apply', 'delete', 'diff', 'run')
HELPER_LABEL = 'io.hostpods.node-shell'
WAIT_SECONDS = 60
# Run in the node's namespaces: the node's command when it is there and of this version, else the message
# (its first argument names the version, the second the message, the rest the command's arguments).
CHECK = (r'''want=$1 msg=$2; shift 2; found=missing
lib=%s/ansible_collections/hostpods/core/plugins/module_utils
if [ -x %s ]; then found=$(sed -n "s/^VERSION = .\([^'\"]*\).*/\1/p" $lib/_spec/naming.py); fi
if [ "$found" != "$want" ]; then printf '%%s (found: %%s)\n' "$msg" "${found:-unknown}" >&2; exit 1; fi
exec %s "$@"''' % (NODE_LIBRARY, NODE_COMMAND, NODE_COMMAND))
# What the node's command does as root there (mounts, setns, files of any owner), beside the engine's defaults: not
# ``Privileged``, which an engine in a container (a node of the cluster role) cannot give, nor ``ALL`` (the engine
# refuses a capability it has not got itself, CAP_SYS_RESOURCE there).
NODE_CAPABILITIES = ['SYS_ADMIN', 'SYS_PTRACE', 'NET_ADMIN', 'DAC_READ_SEARCH']
SKIPPED = ('help', 'docker_host', 'filename', 'recursive')


def elsewhere(ctx):
    """The name of the machine whose engine ``--docker-host`` (``DOCKER_HOST``) reaches when it is another one."""
    from ansible_collections.hostpods.core.plugins.module_utils._runtime import host
    return host.engine_elsewhere(ctx.client) if ctx.docker_host else ''


def node_argv(verb, args, extra, from_stdin):
    """The command line that does on the node what ``args`` (parsed here) ask: each option as given, in its long
    form with its value (an argv: no quoting), ``-f -`` for the files read here (``from_stdin``)."""
    from ansible_collections.hostpods.core.plugins.module_utils._cli import parser
    argv, options = [verb], []
    for action in parser.build(verb)._actions:
        value = getattr(args, action.dest, None)
        if action.dest in SKIPPED or value is None:
            continue
        if not action.option_strings:  # a positional
            argv += [str(item) for item in value] if isinstance(value, list) else [str(value)]
        elif value != action.default:
            flag = action.option_strings[-1]
            if isinstance(action, argparse._StoreTrueAction):
                options.append(flag)
            else:
                options += ['%s=%s' % (flag, item) for item in (value if isinstance(value, list) else [value])]
    argv += options + (['--filename=-'] if from_stdin else [])
    return argv + (['--'] + list(extra) if extra is not None else [])


def run_verb(ctx, verb, args, extra, node):
    """``verb`` done by the node's own command on ``node``: its output here, its exit code (an Exit)."""
    stdin = None
    if getattr(args, 'filename', None):
        from ansible_collections.hostpods.core.plugins.module_utils._cli.apply import documents
        docs = documents(ctx, args, verb)  # checked here first, as a local run checks them: errors name the files
        # one JSON List: the node reads it without PyYAML
        stdin = json.dumps({'apiVersion': 'v1', 'kind': 'List', 'items': [doc for doc, _origin in docs]}).encode('utf-8')
    message = ('error: the hostpods command on the node %s is missing or not of version %s (this one\'s): run the '
               'hostpods.core.node role on %s' % (node, VERSION, node))
    argv = ['nsenter', '-t', '1', '-m', '-u', '-i', '-n', '-p', '--', '/bin/sh', '-c', CHECK, 'sh', VERSION, message]
    body = {'Cmd': argv + node_argv(verb, args, extra, stdin is not None),
            'HostConfig': {'CapAdd': NODE_CAPABILITIES, 'SecurityOpt': ['seccomp=unconfined', 'apparmor=unconfined'],
                           'PidMode': 'host', 'UsernsMode': 'host', 'NetworkMode': 'host'}}
    raise Exit(helper(ctx.client, body, node, stdin=stdin, stdout_fd=_fileno(ctx.stdout, 1),
                      stderr_fd=_fileno(ctx.stderr, 2)))


def _fileno(stream, default):
    try:
        stream.flush()
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return default


def helper(client, body, node, stdin=None, stdin_fd=None, stdout_fd=1, stderr_fd=2):
    """Run a helper container (``body``: its command and host settings, the image ``HELPER_IMAGE``) attached: the
    bytes ``stdin`` (or what ``stdin_fd`` reads) its input, its output onto the file descriptors; its exit code.
    The container is removed however it ends (by the engine, without its exit code, with ``AutoRemove``: then it
    goes even when this process is interrupted meanwhile)."""
    import socket
    from ansible_collections.hostpods.core.plugins.module_utils._cli.attach import _pump
    from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
    body = dict(body, Image=HELPER_IMAGE, Labels={HELPER_LABEL: VERSION}, OpenStdin=True, StdinOnce=True,
                AttachStdin=True, AttachStdout=True, AttachStderr=True, Tty=False)
    try:
        container_id = client.create_container('hostpods-node-shell-%s' % uuid.uuid4().hex[:12], body)
    except HostpodsError as exc:
        if 'No such image' in exc.msg:
            raise CliError('the node %s has no image %s to run hostpods there (its helper): run the hostpods.core.node '
                           'role on %s (%s)' % (node, HELPER_IMAGE, node, exc.msg))
        raise
    started, code = False, None
    try:
        connection, sock, rest = client.attach(container_id)
        try:
            client.start(container_id)
            started = True
            if stdin is not None:
                sock.sendall(stdin)
            if stdin_fd is None:
                sock.shutdown(socket.SHUT_WR)
            _pump(sock, stdin_fd, stdout_fd, stderr_fd, False, rest)
        finally:
            sock.close()
            del connection
        if body['HostConfig'].get('AutoRemove'):
            return None
        code = client.wait(container_id, WAIT_SECONDS)
    finally:
        if not (started and body['HostConfig'].get('AutoRemove')):
            client.remove_container(container_id)
    if code is None:
        raise CliError('the helper container on the node %s did not end within %d seconds' % (node, WAIT_SECONDS))
    return code


def relay_to_pod(client, sandbox_id, port, node):
    """A ``port-forward`` handler of one accepted connection: relayed to ``127.0.0.1:port`` in the pod's network
    namespace (its sandbox's) through a helper of its own (busybox ``nc``), which ends with the connection."""
    body = {'Cmd': ['nc', '127.0.0.1', str(port)],
            'HostConfig': {'NetworkMode': 'container:%s' % sandbox_id, 'AutoRemove': True}}

    def handle(connection):
        helper(client, body, node, stdin_fd=connection.fileno(), stdout_fd=connection.fileno(),
               stderr_fd=_fileno(sys.stderr, 2))
    return handle
