# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods port-forward``: listening sockets on the node relaying TCP to the pod's IP
(``_runtime.forward``), with kubectl's port syntax and messages, until interrupted. Through another machine's
engine the sockets listen here and each connection goes through a helper in the pod there (``_cli.node_shell``)."""

from __future__ import annotations

import time

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError
from ansible_collections.hostpods.core.plugins.module_utils._cli.logs import pod_name

WATCH_SECONDS = 2.0


SAME = 'same'


def parse_ports(words):
    """``[(local, remote)]`` of ``[LOCAL:]REMOTE`` words: ``local`` a port number, None for a free port
    (``:REMOTE``) or ``SAME`` (no colon: the remote port's number); ``remote`` a number or a port name."""
    out = []
    for word in words:
        local, colon, remote = word.rpartition(':')
        if not remote:
            raise CliError('invalid port format "%s": remote port is missing' % word)
        if not colon:
            out.append((SAME, remote))
            continue
        if local and not (local.isdigit() and 0 < int(local) < 65536):
            raise CliError("Error parsing local port '%s': should be an integer between 1 and 65535" % local)
        out.append((int(local) if local else None, remote))
    return out


def remote_port(pod, name, word):
    """A remote port number, or a port name resolved against the pod's container ports."""
    if word.isdigit():
        port = int(word)
        if not 0 < port < 65536:
            raise CliError('Error parsing remote port \'%s\': must be between 1 and 65535' % word)
        return port
    for container in pod['spec']['containers']:
        for port in container.get('ports') or []:
            if port.get('name') == word:
                return port['containerPort']
    raise CliError('Pod \'%s\' does not have a named port \'%s\'' % (name, word))


def addresses(given):
    """The addresses to listen on: ``localhost`` is 127.0.0.1 and ::1 (comma-separated lists allowed)."""
    out = []
    for item in given or ['localhost']:
        for address in item.split(','):
            address = address.strip()
            for one in (['127.0.0.1', '::1'] if address == 'localhost' else [address]):
                if one not in out:
                    out.append(one)
    return out


def _shown(address):
    return '[%s]' % address if ':' in address else address


def run(ctx, verb, args, extra):
    from ansible_collections.hostpods.core.plugins.module_utils._cli import node_shell
    from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pod_info
    from ansible_collections.hostpods.core.plugins.module_utils._runtime import forward
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
    name = pod_name(args.pod)
    pods = pod_info(ctx.client, {'name': name, 'namespace': ctx.namespace, 'all_namespaces': False,
                                 'label_selectors': [], 'node_name': None}, node=ctx.node)['pods']
    if not pods:
        raise common.NotFound('Pod', name)
    pod = pods[0]
    if pod['status'].get('phase') != 'Running' or not pod['status'].get('podIP'):
        raise CliError('unable to forward port because pod is not running. Current status=%s'
                       % pod['status'].get('phase'))
    wanted = []
    for local, remote in parse_ports(args.ports):
        number = remote_port(pod, name, remote)
        wanted.append((number if local == SAME else local, number))
    node = node_shell.elsewhere(ctx)  # another machine's engine: the pod's IP is on its bridge, relay through it
    sandbox = node and read_records(ctx.client)[(ctx.namespace, name)].sandbox.id
    listening = []
    try:  # Ctrl-C ends it with 0 (kubectl's way), from the first "Forwarding from" line on
        for local, remote in wanted:
            sockets, errors = forward.listen(addresses(args.address), local or 0)
            if not sockets:
                raise CliError('unable to listen on any of the requested ports: %s' % '; '.join(errors))
            for sock in sockets:
                address, port = sock.getsockname()[:2]
                ctx.out('Forwarding from %s:%d -> %d' % (_shown(address), port, remote))
            listening.append((sockets, remote, sockets[0].getsockname()[1]))
        for sockets, remote, port in listening:
            target = node_shell.relay_to_pod(ctx.client, sandbox, remote, node) if node else \
                (pod['status']['podIP'], remote)
            forward.serve_all(sockets, target,
                              on_connection=lambda port=port: ctx.out('Handling connection for %d' % port),
                              on_error=lambda exc, remote=remote: ctx.err(
                                  'E0000 error forwarding port %d to pod %s, uid %s: %s'
                                  % (remote, name, pod['metadata'].get('uid', ''), exc)))
        _until_pod_ends(ctx, name, pod['metadata'].get('uid'))
    except KeyboardInterrupt:
        return 0
    raise CliError('lost connection to pod')


def _until_pod_ends(ctx, name, uid):
    """Return when the pod is gone or replaced (kubectl stops forwarding then)."""
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
    while True:
        time.sleep(WATCH_SECONDS)
        record = read_records(ctx.client).get((ctx.namespace, name))
        if record is None or record.uid != uid or not (record.sandbox and record.sandbox.running):
            return
