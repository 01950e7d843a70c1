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

HANDLERS = ('exec', 'httpGet', 'sleep', 'tcpSocket')
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
        elif given[0] == 'httpGet' and handler['httpGet'].get('port') is None:
            errors.append('%s.httpGet.port: Required value' % where)
        elif given[0] == 'sleep' and not 0 <= handler['sleep'].get('seconds', -1):
            errors.append('%s.sleep.seconds: Invalid value: must be greater than or equal to 0' % where)
    message_path = container.get('terminationMessagePath', '/dev/termination-log')
    if not message_path.startswith('/'):
        errors.append('%s.terminationMessagePath: Invalid value: "%s": must be an absolute path' % (path, message_path))
    if container.get('terminationMessagePolicy', 'File') not in POLICIES:
        errors.append('%s.terminationMessagePolicy: Unsupported value: "%s": supported values: "%s"'
                      % (path, container['terminationMessagePolicy'], '", "'.join(POLICIES)))
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
