# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: run one probe from the node, as the kubelet's prober does (``pkg/kubelet/prober/prober.go``,
``pkg/probe/{exec,http,tcp,grpc}``).

``ProbeRunner(client).run(probe, target)`` returns ``(result, output)``: ``SUCCESS``, ``WARNING`` (an
HTTP redirect to another host: a success the kubelet reports with a ``ProbeWarning`` event) or
``FAILURE``, with the kubelet's output (the text after "Liveness probe failed: "). It raises
``ProbeError`` when the probe could not run at all (a port name that does not resolve, an exec the
engine refuses, no gRPC library): the kubelet retries such a probe 3 times, then throws the result
away. ``target`` is ``{'containerID', 'podIP', 'container'}`` (``container``: the container's spec).

- ``exec``: through the engine, ``$(VAR)`` expanded from the static env; stdout then stderr, 10 KiB;
  on timeout the exec's process tree is killed by its host PID (dockershim left it running).
- ``httpGet``: from the node to the pod IP (or ``host``) through ``handlers.http_get``; 200-399 succeed.
- ``tcpSocket``: a connect within the timeout.
- ``grpc``: ``grpc.health.v1.Health/Check`` over python3-grpcio's generic unary call, the request
  and the answer (de)serialised here by hand (no generated stubs); only ``SERVING`` succeeds.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import signal
import socket
import time

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._runtime.handlers import HTTPFailure, http_get
from ansible_collections.hostpods.core.plugins.module_utils._spec import probes as spec

SUCCESS, WARNING, FAILURE = 'success', 'warning', 'failure'
RETRIES = 3  # maxProbeRetries: on errors only
MAX_OUTPUT = 10 * 1024  # an exec probe's output the kubelet keeps
HEALTH_CHECK = '/grpc.health.v1.Health/Check'
SERVING_STATUS = {0: 'UNKNOWN', 1: 'SERVING', 2: 'NOT_SERVING', 3: 'SERVICE_UNKNOWN'}
GRPC_MISSING = 'gRPC probes need gRPC for Python on the node (Debian: apt-get install python3-grpcio): %s'


class ProbeError(Exception):
    """The probe could not run; the kubelet records "probe errored" and throws the result away."""


class ProbeRunner:
    """Runs probes with one docker client (``DockerClient``; only ``exec_probe`` is used)."""

    def __init__(self, client, kill=None):
        self.client = client
        self.kill = kill or kill_process_tree

    def run(self, probe, target):
        """``(result, output)`` of one probe, retried up to 3 times on errors; raises ProbeError."""
        error = None
        for _attempt in range(RETRIES):
            try:
                return self.run_once(probe, target)
            except ProbeError as exc:
                error = exc
        raise error

    def run_once(self, probe, target):
        timeout = probe.get('timeoutSeconds') or 1
        container = target.get('container') or {}
        try:
            if 'exec' in probe:
                return self.run_exec(spec.exec_command(probe, container), target['containerID'], timeout)
            if 'httpGet' in probe:
                return run_http(*spec.http_request(probe['httpGet'], container, target.get('podIP')), timeout=timeout)
            if 'tcpSocket' in probe:
                return run_tcp(*spec.socket_address(probe, container, target.get('podIP')), timeout=timeout)
            if 'grpc' in probe:
                host, port = spec.socket_address(probe, container, target.get('podIP'))
                return run_grpc(host, port, probe['grpc'].get('service') or '', timeout)
        except ValueError as exc:
            raise ProbeError(str(exc))
        raise ProbeError('the probe has no handler')

    def run_exec(self, argv, container_id, timeout):
        try:
            code, stdout, stderr, pid = self.client.exec_probe(container_id, argv, timeout, MAX_OUTPUT)
        except (HostpodsError, OSError) as exc:
            raise ProbeError(str(exc))
        if code is None:
            if pid:
                self.kill(pid)
            return FAILURE, 'command %s timed out' % go_quote(' '.join(argv))
        output = (stdout + stderr)[:MAX_OUTPUT].decode('utf-8', errors='replace')
        return (SUCCESS if code == 0 else FAILURE), output


# ----------------------------------------------------------------------------- network handlers

def run_http(url, headers, timeout):
    """``DoHTTPProbe``: 200-299 succeed; a redirect left unfollowed (another host) is a warning."""
    try:
        status, body = http_get(url, headers, timeout)
    except HTTPFailure as exc:
        if exc.status is not None:
            return FAILURE, 'HTTP probe failed with statuscode: %d' % exc.status
        return FAILURE, 'Get %s: %s' % (go_quote(exc.url or url), go_http_error(exc.cause, exc.url or url))
    text = body.decode('utf-8', errors='replace')
    if 300 <= status < 400:
        return WARNING, 'Probe terminated redirects, Response body: %s' % text
    return SUCCESS, text


def run_tcp(host, port, timeout):
    """``DoTCPProbe``: a connect within the timeout succeeds."""
    address = spec.join_host_port(host, port)
    try:
        connection = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        return FAILURE, go_dial_error(exc, address, host)
    connection.close()
    return SUCCESS, ''


def run_grpc(host, port, service, timeout):
    """``grpcProber.Probe``: connect (insecure) and call Health/Check within one deadline."""
    try:
        import grpc
    except ImportError as exc:
        raise ProbeError(GRPC_MISSING % exc)
    address = spec.join_host_port(host, port)
    deadline = time.monotonic() + timeout
    channel = grpc.insecure_channel(address, options=[('grpc.primary_user_agent', spec.USER_AGENT)])
    try:
        try:
            grpc.channel_ready_future(channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            return FAILURE, 'timeout: failed to connect service "%s" within %s: context deadline exceeded' % (
                address, go_duration(timeout))
        check = channel.unary_unary(HEALTH_CHECK)  # no serialisers: bytes in, bytes out
        try:
            answer = check(health_request(service), timeout=max(deadline - time.monotonic(), 0.001))
        except grpc.RpcError as exc:
            return FAILURE, grpc_failure(grpc, exc, timeout)
    finally:
        channel.close()
    try:
        status = health_status(answer)
    except ValueError as exc:
        return FAILURE, 'error: health rpc probe failed: rpc error: code = Internal desc = %s' % exc
    if status != 1:
        return FAILURE, 'service unhealthy (responded with "%s")' % SERVING_STATUS.get(status, status)
    return SUCCESS, 'service healthy'


def grpc_failure(grpc, exc, timeout):
    code = exc.code()
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return ('error: this server does not implement the grpc health protocol (grpc.health.v1.Health): %s'
                % exc.details())
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return 'timeout: health rpc did not complete within %s' % go_duration(timeout)
    return 'error: health rpc probe failed: rpc error: code = %s desc = %s' % (go_code(code.name), exc.details())


# ----------------------------------------------------------------------------- the health protocol by hand

def health_request(service):
    """``HealthCheckRequest{service}`` in protobuf: field 1, length-delimited (absent when empty)."""
    data = service.encode('utf-8')
    return b'\x0a' + _varint(len(data)) + data if data else b''


def health_status(message):
    """``HealthCheckResponse.status`` (field 1, varint; 0 when absent); other fields are skipped."""
    status, index = 0, 0
    while index < len(message):
        key, index = _read_varint(message, index)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, index = _read_varint(message, index)
            if field == 1:
                status = value
        elif wire == 2:
            size, index = _read_varint(message, index)
            index += size
        elif wire in (1, 5):
            index += 8 if wire == 1 else 4
        else:
            raise ValueError('grpc: failed to unmarshal the received message: wire type %d' % wire)
        if index > len(message):
            raise ValueError('grpc: failed to unmarshal the received message: unexpected EOF')
    return status


def _varint(value):
    out = b''
    while True:
        byte, value = value & 0x7f, value >> 7
        out += bytes([byte | (0x80 if value else 0)])
        if not value:
            return out


def _read_varint(data, index):
    value, shift = 0, 0
    while True:
        if index >= len(data):
            raise ValueError('grpc: failed to unmarshal the received message: unexpected EOF')
        byte = data[index]
        value |= (byte & 0x7f) << shift
        index, shift = index + 1, shift + 7
        if not byte & 0x80:
            return value, index


# ----------------------------------------------------------------------------- killing a timed-out exec

def kill_process_tree(pid):
    """SIGKILL a process of the node and every process under it (children first seen, then killed)."""
    family = [pid]
    for parent in family:
        family.extend(_children(parent))
    for member in family:
        try:
            os.kill(member, signal.SIGKILL)
        except OSError:
            pass


def _children(pid):
    children = []
    try:
        tasks = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return children
    for task in tasks:
        try:
            with open('/proc/%d/task/%s/children' % (pid, task)) as handle:
                children.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            pass
    return children


# ----------------------------------------------------------------------------- Go's words for errors

def go_quote(text):
    """Go's ``%q`` of a string (close enough: JSON's escaping of quotes, backslashes and controls)."""
    return json.dumps(text, ensure_ascii=False)


def go_duration(seconds):
    """Go's ``time.Duration`` String() of whole seconds: ``1s``, ``1m30s``, ``1h0m0s``."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return '%dh%dm%ds' % (hours, minutes, secs)
    return '%dm%ds' % (minutes, secs) if minutes else '%ds' % secs


def go_code(name):
    """A gRPC status code as Go prints it: ``NOT_FOUND`` is ``NotFound``, ``CANCELLED`` ``Canceled``."""
    return 'Canceled' if name == 'CANCELLED' else ''.join(part.capitalize() for part in name.split('_'))


def go_dial_error(exc, address, host):
    """What Go's dialer says: ``dial tcp 10.0.0.5:80: connect: connection refused``, ``... i/o timeout``."""
    if isinstance(exc, socket.gaierror):
        return 'dial tcp: lookup %s: no such host' % host
    if isinstance(exc, (socket.timeout, TimeoutError)) or exc.errno in (errno.ETIMEDOUT, errno.EAGAIN):
        return 'dial tcp %s: i/o timeout' % address
    return 'dial tcp %s: connect: %s' % (address, (exc.strerror or str(exc)).lower())


def go_http_error(exc, url):
    """What Go's HTTP client says after ``Get "url": `` for a request without an answer."""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    if isinstance(exc, http.client.RemoteDisconnected):
        return 'EOF'
    if isinstance(exc, OSError) and exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH) \
            or isinstance(exc, socket.gaierror):
        parts = url.split('/')[2] if '//' in url else url
        host = parts.rsplit(':', 1)[0].strip('[]')
        return go_dial_error(exc, parts, host)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or 'EOF'
