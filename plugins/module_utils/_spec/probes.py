# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: liveness, readiness and startup probes: their validation, defaults and targets. Pure.

``probe_errors`` is the API server's validation (``validateLivenessProbe`` and its siblings) with
its messages, plus one rule of hostpods' own: a named port must be one of the container's ports
(the API server accepts any valid name and the kubelet then reports "probe errored" for ever).
``defaults`` is ``SetDefaults_Probe`` and ``SetDefaults_HTTPGetAction``: a zero or missing timing
field is its default, as Go's zero value is "unset". ``http_request`` and ``exec_command`` build
what the kubelet's prober sends (``NewRequestForHTTPGetAction``, ``ExpandContainerCommandOnlyStatic``);
``_runtime.probes`` sends it, and ``_agent.prober`` schedules it.
"""

from __future__ import annotations

import re

from ansible_collections.hostpods.core.plugins.module_utils._spec.expansion import expand
from ansible_collections.hostpods.core.plugins.module_utils._spec.hooks import resolve_port
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import port_name_problems

# (probe type, container field, the type as the kubelet's events name it), in the API server's order
TYPES = (('liveness', 'livenessProbe', 'Liveness'), ('readiness', 'readinessProbe', 'Readiness'),
         ('startup', 'startupProbe', 'Startup'))
KINDS = {kind: field for kind, field, _name in TYPES}
NAMES = {kind: name for kind, _field, name in TYPES}
HANDLERS = ('exec', 'httpGet', 'tcpSocket', 'grpc')
SCHEMES = ('HTTP', 'HTTPS')
DEFAULTS = (('timeoutSeconds', 1), ('periodSeconds', 10), ('successThreshold', 1), ('failureThreshold', 3))
TIMINGS = ('initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold')
USER_AGENT = 'kube-probe/1.33'
HEADER_NAME = re.compile(r'^[-A-Za-z0-9]+$')
HEADER_MSG = ("a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', "
              "regex used for validation is '[-A-Za-z0-9]+')")
FORBIDDEN_IN_INIT = 'Forbidden: may not be set for init containers without restartPolicy=Always'


# ----------------------------------------------------------------------------- defaults

def defaults(probe):
    """A defaulted copy of ``probe`` as the API server stores it: timeout 1, period 10, success
    threshold 1, failure threshold 3 (a zero is unset, as in Go); ``initialDelaySeconds`` 0 is unset
    (readers take ``.get('initialDelaySeconds', 0)``); ``httpGet`` path ``/`` and scheme ``HTTP``;
    ``grpc.service`` ``""``."""
    out = dict(probe)
    for field, value in DEFAULTS:
        if not out.get(field):
            out[field] = value
    if not out.get('initialDelaySeconds'):
        out.pop('initialDelaySeconds', None)
    if isinstance(out.get('httpGet'), dict):
        out['httpGet'] = dict(out['httpGet'])
        out['httpGet']['path'] = out['httpGet'].get('path') or '/'
        out['httpGet']['scheme'] = out['httpGet'].get('scheme') or 'HTTP'
    if isinstance(out.get('grpc'), dict):
        out['grpc'] = dict(out['grpc'], service=out['grpc'].get('service') or '')
    return out


def default_container(container):
    """Default the probes of one container in place; a null probe is unset, as in the API."""
    for field in KINDS.values():
        if field in container:
            if container[field] is None:
                del container[field]
            else:
                container[field] = defaults(container[field])


# ----------------------------------------------------------------------------- validation

def probe_errors(container, path, regular_init):
    """The API server's messages for a container's probes (on a defaulted container); a regular init
    container may have none."""
    errors = []
    for kind, field, _name in TYPES:
        probe = container.get(field)
        if probe is None:
            continue
        where = '%s.%s' % (path, field)
        if regular_init:
            errors.append('%s: %s' % (where, FORBIDDEN_IN_INIT))
            continue
        errors += _handler_errors(probe, where, container.get('ports'))
        errors += _timing_errors(probe, where, kind)
    return errors


def _timing_errors(probe, where, kind):
    errors = ['%s.%s: Invalid value: %d: must be greater than or equal to 0' % (where, field, probe[field])
              for field in TIMINGS if probe.get(field, 0) < 0]
    grace = probe.get('terminationGracePeriodSeconds')
    if grace is not None and grace <= 0:
        errors.append('%s.terminationGracePeriodSeconds: Invalid value: %d: must be greater than 0' % (where, grace))
    if kind == 'readiness' and grace is not None:
        errors.append('%s.terminationGracePeriodSeconds: Invalid value: %d: must not be set for readinessProbes'
                      % (where, grace))
    if kind != 'readiness' and probe.get('successThreshold') != 1:
        errors.append('%s.successThreshold: Invalid value: %d: must be 1' % (where, probe.get('successThreshold')))
    return errors


def _handler_errors(probe, where, ports):
    given = [kind for kind in HANDLERS if probe.get(kind) is not None]
    if not given:
        return ['%s: Required value: must specify a handler type' % where]
    errors = ['%s.%s: Forbidden: may not specify more than 1 handler type' % (where, kind) for kind in given[1:]]
    kind = given[0]
    handler = probe[kind]
    if kind == 'exec' and not handler.get('command'):
        errors.append('%s.exec.command: Required value' % where)
    if kind in ('httpGet', 'tcpSocket', 'grpc'):
        errors += port_errors(handler.get('port', 0), '%s.%s.port' % (where, kind), ports)
    if kind == 'httpGet':
        if not handler.get('path'):
            errors.append('%s.httpGet.path: Required value' % where)
        if handler.get('scheme') not in SCHEMES:
            errors.append('%s.httpGet.scheme: Unsupported value: "%s": supported values: "%s"'
                          % (where, handler.get('scheme'), '", "'.join(SCHEMES)))
        errors += ['%s.httpGet.httpHeaders: Invalid value: "%s": %s' % (where, header.get('name', ''), HEADER_MSG)
                   for header in handler.get('httpHeaders') or [] if not HEADER_NAME.match(header.get('name', ''))]
    return errors


def port_errors(port, path, ports):
    """``ValidatePortNumOrName``, and a named port must be one of ``ports`` (the container's)."""
    if isinstance(port, int):
        if 1 <= port <= 65535:
            return []
        return ['%s: Invalid value: %d: must be between 1 and 65535, inclusive' % (path, port)]
    problems = port_name_problems(port)
    if problems:
        return ['%s: Invalid value: "%s": %s' % (path, port, problem) for problem in problems]
    if not any(item.get('name') == port for item in ports or []):
        return ['%s: Not found: "%s": no port of this container has that name (a rule of hostpods, not of Kubernetes, '
                'whose kubelet would fail every probe)' % (path, port)]
    return []


# ----------------------------------------------------------------------------- what a probe sends

def exec_command(probe, container):
    """``exec.command`` with ``$(VAR)`` expanded from the container's static env only: each ``env``
    item's literal ``value`` (``valueFrom`` items expand to ""), as ``ExpandContainerCommandOnlyStatic``."""
    static = {item['name']: item.get('value', '') for item in container.get('env') or [] if item.get('name')}
    return [expand(word, static) for word in probe['exec']['command']]


def canonical_header(name):
    """Go's ``CanonicalMIMEHeaderKey``: ``x-my-header`` is ``X-My-Header``."""
    return '-'.join(part[:1].upper() + part[1:].lower() for part in name.split('-'))


def join_host_port(host, port):
    """Go's ``net.JoinHostPort``: an IPv6 address in brackets."""
    return '[%s]:%d' % (host, port) if ':' in host else '%s:%d' % (host, port)


def http_request(get, container, pod_ip):
    """``(url, headers)`` of an ``httpGet`` probe: to ``host`` or the pod IP, the port by number or by
    the container's port name; the probe's headers (names canonical, repeated names joined), then
    ``User-Agent: kube-probe/1.33`` and ``Accept: */*`` unless given (a given empty Accept is dropped:
    None). Raises ValueError when the port does not resolve or there is no address."""
    port = resolve_port(get.get('port'), container.get('ports'))
    host = get.get('host') or pod_ip
    if not host:
        raise ValueError('the pod has no IP address yet')
    headers = {}
    for header in get.get('httpHeaders') or []:
        name = canonical_header(header['name'])
        value = header.get('value', '')
        headers[name] = '%s, %s' % (headers[name], value) if name in headers else value
    headers.setdefault('User-Agent', USER_AGENT)
    if headers.setdefault('Accept', '*/*') == '':
        headers['Accept'] = None
    path = get.get('path') or '/'
    url = '%s://%s%s' % ((get.get('scheme') or 'HTTP').lower(), join_host_port(host, port),
                         path if path.startswith('/') else '/' + path)
    return url, headers


def socket_address(probe, container, pod_ip):
    """``(host, port)`` a ``tcpSocket`` or ``grpc`` probe dials (grpc always the pod IP). Raises ValueError."""
    if 'grpc' in probe:
        host, port = pod_ip, probe['grpc']['port']
    else:
        host, port = probe['tcpSocket'].get('host') or pod_ip, resolve_port(probe['tcpSocket'].get('port'),
                                                                            container.get('ports'))
    if not host:
        raise ValueError('the pod has no IP address yet')
    return host, port


# ----------------------------------------------------------------------------- what a failure does

def kill_grace(container, kind, pod_grace):
    """The grace period of a kill after a failed ``liveness`` or ``startup`` probe: the probe's
    ``terminationGracePeriodSeconds``, else the pod's."""
    grace = (container.get(KINDS[kind]) or {}).get('terminationGracePeriodSeconds')
    return pod_grace if grace is None else grace


def kill_message(name, kind, restart):
    """The kubelet's ``Killing`` message after a failed liveness or startup probe."""
    return 'Container %s failed %s probe%s' % (name, kind, ', will be restarted' if restart else '')


def probe_paths(pod):
    """The paths of a pod's probes (``spec.containers[0].livenessProbe``...): what needs the node agent."""
    out = []
    for key in ('initContainers', 'containers'):
        for index, container in enumerate(pod['spec'].get(key) or []):
            out.extend('spec.%s[%d].%s' % (key, index, field) for _kind, field, _name in TYPES if container.get(field))
    return out
