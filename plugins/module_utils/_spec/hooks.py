# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: lifecycle hooks (postStart, preStop) and termination messages: their rules. Pure.

Handlers: ``exec`` (in the container), ``httpGet`` (from the node to the pod IP), ``sleep``;
``tcpSocket`` is accepted and not run, as on a kubelet (``_runtime.handlers`` runs them).
``termination_message`` picks the message of a terminated container from its file, or its log
under ``FallbackToLogsOnError``.
"""

from __future__ import annotations

import re

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

HANDLERS = ('exec', 'httpGet', 'sleep', 'tcpSocket')
SCHEMES = ('HTTP', 'HTTPS')
HEADER_NAME = re.compile(r'^[-A-Za-z0-9]+$')
HEADER_NAME_MSG = ("a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex "
                   "used for validation is '[-A-Za-z0-9]+')")
POLICIES = ('File', 'FallbackToLogsOnError')
MAX_MESSAGE_BYTES = 4096
FALLBACK_LINES, FALLBACK_BYTES = 80, 2048


def lifecycle_errors(container, path, regular_init):
    """Kubernetes' validation of ``lifecycle`` and the termination message fields."""
    errors = []
    lifecycle = container.get('lifecycle')
    if lifecycle is not None and regular_init:
        errors.append('%s.lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always' % path)
    for hook, handler in (lifecycle or {}).items():
        given = [kind for kind in HANDLERS if kind in (handler or {})]
        where = '%s.lifecycle.%s' % (path, hook)
        if len(given) != 1:
            errors.append('%s: %s' % (where, 'Required value: must specify a handler type' if not given
                                      else 'Forbidden: may not specify more than 1 handler type'))
        elif given[0] == 'exec' and not handler['exec'].get('command'):
            errors.append('%s.exec.command: Required value' % where)
        elif given[0] in ('httpGet', 'tcpSocket'):
            errors += _network_handler_errors(handler[given[0]], '%s.%s' % (where, given[0]))
        elif given[0] == 'sleep' and not 0 <= handler['sleep'].get('seconds', -1):
            errors.append('%s.sleep.seconds: Invalid value: must be greater than or equal to 0' % where)
    message_path = container.get('terminationMessagePath', '/dev/termination-log')
    if not message_path.startswith('/'):
        errors += podspec.invalid(path + '.terminationMessagePath', message_path, [naming.ABSOLUTE])
    if container.get('terminationMessagePolicy', 'File') not in POLICIES:
        errors.append('%s.terminationMessagePolicy: Unsupported value: %s: supported values: "%s"'
                      % (path, podspec.quoted(container['terminationMessagePolicy']), '", "'.join(POLICIES)))
    return errors


def _network_handler_errors(action, where):
    """``validateHTTPGetAction`` / ``validateTCPSocketAction``: a port number or name, a known scheme, header
    names that are header names (nothing else reaches the request the node sends)."""
    port = action.get('port')
    if port is None:
        return ['%s.port: Required value' % where]
    if isinstance(port, str):
        errors = podspec.invalid(where + '.port', port, podspec.port_name_problems(port))
    else:
        errors = [] if 0 < port < 65536 else ['%s.port: Invalid value: %d: must be between 1 and 65535, inclusive'
                                              % (where, port)]
    if action.get('scheme', 'HTTP') not in SCHEMES:
        errors.append('%s.scheme: Unsupported value: %s: supported values: "%s"'
                      % (where, podspec.quoted(action['scheme']), '", "'.join(SCHEMES)))
    for header in action.get('httpHeaders') or []:
        if not HEADER_NAME.match(header.get('name') or ''):
            errors += podspec.invalid(where + '.httpHeaders', header.get('name') or '', [HEADER_NAME_MSG])
    return errors


def resolve_port(port, ports):
    """A numeric port, or the containerPort of the named port."""
    if isinstance(port, int) or str(port).isdigit():
        return int(port)
    for item in ports or []:
        if item.get('name') == port:
            return item['containerPort']
    raise ValueError('port "%s" is not a port of the container' % port)


def termination_message(policy, exit_code, file_text, log_tail):
    """``state.terminated.message``: the file (at most 4096 bytes), or with FallbackToLogsOnError and a
    failure with an empty file, the end of the log (80 lines, 2048 bytes)."""
    text = (file_text or '')[:MAX_MESSAGE_BYTES]
    if not text and policy == 'FallbackToLogsOnError' and exit_code not in (0, None):
        lines = (log_tail or '').splitlines()[-FALLBACK_LINES:]
        text = '\n'.join(lines)[-FALLBACK_BYTES:]
    return text
