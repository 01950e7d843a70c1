# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the only code that talks to the Docker engine.

A thin layer over the ``docker`` SDK's low-level APIClient. Every call is counted as a read or a
write (``calls``), so a re-apply of unchanged pods can prove it made no mutating call, and every
engine error (a missing object included) becomes a DockerError naming the call and its object.

The JSON calls (listings and inspects: all that ``pod_info`` and ``hostpods get`` need; creating,
starting, stopping and removing containers and volumes: all that an apply and a delete make) go
through the standard library's HTTP client (``engine_http``) on the engine's unix socket (or plain TCP): a tenth of the
SDK's cost a call, and the SDK (with requests) is imported only when a call needs it, so a command
on a node answers fast. Engines reached otherwise (ssh://, TLS) are reached through the SDK.

At most ``MAX_ENGINE_CALLS`` calls work at once; a call that mostly waits (a stop within its grace
period, a hook's or a probe's exec, a container's end) takes no slot, so many pods' waits overlap.
"""

from __future__ import annotations

import functools
import http.client
import importlib.util
import ipaddress
import json
import socket
import sys
import threading
import time
from urllib.parse import quote, urlencode

from ansible_collections.hostpods.core.plugins.module_utils._errors import DockerError
from ansible_collections.hostpods.core.plugins.module_utils._runtime.concurrency import MAX_ENGINE_CALLS
from ansible_collections.hostpods.core.plugins.module_utils._runtime.engine_http import (
    EngineError, EngineHTTP, read_frames)
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import ImageRef

HAS_DOCKER = importlib.util.find_spec('docker') is not None
DOCKER_IMPORT_ERROR = None if HAS_DOCKER else ImportError("No module named 'docker'")

DEFAULT_TIMEOUT = 60
EXEC_EXIT_POLLS, EXEC_EXIT_SECONDS = 50, 0.02


class _Seconds(int):
    """Epoch seconds with their fraction, for the engine's ``since``/``until``: the SDK accepts only
    ints there before 6.0 (Debian 12's is 5.0.3) and sends ``str(value)``, which keeps the fraction."""

    def __new__(cls, value):
        seconds = super().__new__(cls, max(1, int(value)))
        seconds.text = '%.9f' % value
        return seconds

    def __str__(self):
        return self.text

    __repr__ = __str__


def _log_window(since=None, until=None):
    """The ``since``/``until`` arguments of a log read (epoch seconds, fractions kept)."""
    kwargs = {}
    if since:
        kwargs['since'] = _Seconds(since)
    if until:
        kwargs['until'] = _Seconds(until)
    return kwargs


def _sdk():
    """The docker SDK, imported on first use (a DockerError when it is not installed)."""
    try:
        import docker
    except ImportError as exc:
        raise DockerError('the docker Python SDK is required: %s' % exc)
    return docker


def _engine_errors():
    """The exceptions an engine call may raise (the SDK's only once it is imported)."""
    errors = (EngineError, OSError, http.client.HTTPException, ValueError)
    if 'docker' in sys.modules:
        from docker.errors import DockerException
        from requests.exceptions import RequestException
        errors += (DockerException, RequestException)
    return errors


def _missing(exc):
    """Whether an engine error says the object does not exist."""
    if isinstance(exc, EngineError):
        return exc.missing
    return 'docker' in sys.modules and isinstance(exc, sys.modules['docker'].errors.NotFound)


def _filters(filters):
    """The engine's ``filters`` parameter (each value a list), as the SDK sends it."""
    return json.dumps({key: value if isinstance(value, list) else [value] for key, value in filters.items()})


def _call(kind, waits=False):
    """An engine call, counted as a ``kind`` (read or write), its errors made DockerErrors naming it. It
    takes one of the client's slots while it works, unless it mostly ``waits``."""
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            with self._lock:
                self.calls[kind] += 1
            try:
                if waits:
                    return method(self, *args, **kwargs)
                with self._slots:
                    return method(self, *args, **kwargs)
            except DockerError:
                raise
            except _engine_errors() as exc:
                target = ' %s' % args[0] if args and isinstance(args[0], str) else ''
                raise DockerError('Docker %s%s failed: %s' % (method.__name__, target,
                                                              getattr(exc, 'explanation', None) or exc))
        return wrapper
    return decorate


class _EngineReads:
    """The connection to the engine (``http.client`` where it can, else the SDK) and its reads."""

    def __init__(self, docker_host=None, timeout=DEFAULT_TIMEOUT):
        self.docker_host, self.timeout = docker_host, timeout
        self.calls = {'read': 0, 'write': 0}
        self._lock, self._api_lock, self._api = threading.Lock(), threading.Lock(), None
        self._slots = threading.BoundedSemaphore(MAX_ENGINE_CALLS)
        try:
            self._reads = EngineHTTP(docker_host, timeout)
        except ValueError:
            self._reads = None
        try:
            if self._reads is not None:
                self._reads.get('/_ping', raw=True)
            else:
                self._sdk_client()  # the SDK's client asks the engine its version
        except DockerError:
            raise
        except _engine_errors() as exc:
            where = ' at %s' % docker_host if docker_host else ''
            reason = getattr(exc, 'explanation', None) or exc
            raise DockerError('Cannot reach the Docker engine%s: %s' % (where, reason))

    @property
    def api(self):
        """The SDK's low-level client, made on first use."""
        with self._api_lock:
            if self._api is None:
                kwargs = {'version': 'auto', 'timeout': self.timeout, 'max_pool_size': 16}
                if self.docker_host:
                    kwargs['base_url'] = self.docker_host
                self._api = _sdk().APIClient(**kwargs)
        return self._api

    def _sdk_client(self):
        return self.api

    def _get(self, path, params, call, *args, **kwargs):
        """A read: ``GET path?params`` through ``http.client`` where it can, else the SDK's same ``call``."""
        if self._reads is None:
            return getattr(self.api, call)(*args, **kwargs)
        return self._reads.get(path, params)

    def _send(self, method, path, params, payload, call, *args, **kwargs):
        """A write: ``method path?params`` with the JSON ``payload`` through ``http.client`` where it can, else
        the SDK's same ``call``; the decoded answer."""
        if self._reads is None:
            return getattr(self.api, call)(*args, **kwargs)
        return self._reads.post(path, payload, params, method)

    # ------------------------------------------------------------------ reads
    @_call('read')
    def pod_containers(self, uid=None, name=None, namespace=None):
        """Sparse listing (one call) of every container carrying the pod labels."""
        filters = ['%s=%s' % (naming.POD_UID, uid) if uid else naming.POD_UID]
        if name:
            filters.append('%s=%s' % (naming.POD_NAME, name))
        if namespace:
            filters.append('%s=%s' % (naming.POD_NAMESPACE, namespace))
        return self._get('/containers/json', {'all': 1, 'filters': _filters({'label': filters})},
                         'containers', all=True, filters={'label': filters})

    @_call('read')
    def writable_layer_sizes(self, uid):
        """``{container ID: bytes}`` of a pod's containers' writable layers (the engine's ``SizeRw``; one listing
        with ``size=1``, which makes the engine measure them)."""
        filters = {'label': ['%s=%s' % (naming.POD_UID, uid)]}
        found = self._get('/containers/json', {'all': 1, 'size': 1, 'filters': _filters(filters)},
                          'containers', all=True, size=True, filters=filters)
        return {item['Id']: item.get('SizeRw') or 0 for item in found}

    @_call('read')
    def inspect_container(self, container_id):
        try:
            return self._get('/containers/%s/json' % quote(container_id, safe=''), None, 'inspect_container',
                             container_id)
        except _engine_errors() as exc:
            if _missing(exc):
                return None
            raise

    @_call('read')
    def image_references(self):
        """Every tag, digest and ID of the local images."""
        refs = set()
        for image in self._get('/images/json', None, 'images'):
            refs.update(image.get('RepoTags') or [])
            refs.update(image.get('RepoDigests') or [])
            refs.add(image['Id'])
        refs.discard('<none>:<none>')
        return refs

    @_call('read')
    def inspect_image(self, image):
        try:
            return self._get('/images/%s/json' % quote(image, safe='/:@'), None, 'inspect_image', image)
        except _engine_errors() as exc:
            if _missing(exc):
                return None
            raise

    @_call('read')
    def inspect_volume(self, name):
        try:
            return self._get('/volumes/%s' % quote(name, safe=''), None, 'inspect_volume', name)
        except _engine_errors() as exc:
            if _missing(exc):
                return None
            raise

    @_call('read')
    def pod_volumes(self, uid=None):
        """The volumes labelled with a pod UID (``uid``: of that pod only), in one listing."""
        filters = {'label': '%s=%s' % (naming.POD_UID, uid) if uid else naming.POD_UID}
        found = self._get('/volumes', {'filters': _filters(filters)}, 'volumes', filters=filters)
        return (found or {}).get('Volumes') or []

    @_call('read')
    def logs(self, container_id, tail='all', timestamps=False, since=None, until=None):
        kwargs = dict(_log_window(since, until), tail=tail, timestamps=timestamps)
        return self.api.logs(container_id, **kwargs).decode('utf-8', errors='replace')

    @_call('read')
    def logs_stream(self, container_id, tail='all', timestamps=False, since=None, follow=True):
        """The log of a container as it is written (``follow``): an iterator of byte chunks that ends
        when the container stops."""
        return self.api.logs(container_id, stream=True, follow=follow, tail=tail, timestamps=timestamps,
                             **_log_window(since))

    @_call('read', waits=True)
    def stats(self, container_id):
        """One sample of the engine's statistics of a running container (cpu over the last second, memory)."""
        try:
            return self.api.stats(container_id, stream=False)
        except _engine_errors() as exc:
            if _missing(exc):
                return None
            raise

    @_call('read')
    def last_exit_code(self, container_id, since):
        """The exit code of the container's last ``die`` event since ``since`` (epoch seconds), or None."""
        code = None
        filters = {'container': container_id, 'event': 'die'}
        if self._reads is not None:  # until now (its fraction kept): the engine answers at once
            events = self._reads.stream('/events', {'since': int(since), 'until': '%.9f' % time.time(),
                                                    'filters': _filters(filters)})
        else:
            events = self.api.events(since=int(since), until=int(time.time()) + 1, decode=True, filters=filters)
        for event in events:
            try:
                code = int(((event.get('Actor') or {}).get('Attributes') or {}).get('exitCode'))
            except (TypeError, ValueError):
                pass
        return code

    @_call('read', waits=True)
    def wait(self, container_id, timeout):
        """The exit code, or None when ``timeout`` seconds pass first. A wait the engine broke off (the container
        removed under it) is answered from an inspect: its exit code, or a DockerError when it is gone."""
        api = self.api
        from requests.exceptions import RequestException
        started = time.monotonic()
        try:
            code = api.wait(container_id, timeout=timeout).get('StatusCode')
        except RequestException:  # its read timed out, or the engine broke it off
            code = None
        if code is not None or time.monotonic() - started >= timeout - 0.5:
            return code
        state = (self.inspect_container(container_id) or {}).get('State')
        if state is None:
            raise DockerError('Docker wait %s failed: No such container: %s' % (container_id, container_id))
        return None if state.get('Running') else state.get('ExitCode')


class DockerClient(_EngineReads):
    """The engine as hostpods uses it: its reads (``_EngineReads``), the execs and the writes."""

    # ------------------------------------------------------------------ execs and writes
    @_call('write', waits=True)
    def exec_run(self, container_id, argv, stdin=None):
        """Run ``argv`` in a running container; returns ``(rc, stdout bytes, stderr bytes)``."""
        from docker.utils.socket import consume_socket_output, demux_adaptor, frames_iter
        exec_id = self.api.exec_create(container_id, argv, stdin=stdin is not None)['Id']
        if stdin is None:
            stdout, stderr = self.api.exec_start(exec_id, demux=True)
        else:
            sock = self.api.exec_start(exec_id, socket=True)
            raw = getattr(sock, '_sock', sock)
            try:
                raw.sendall(stdin)
                raw.shutdown(socket.SHUT_WR)
                frames = (demux_adaptor(*frame) for frame in frames_iter(sock, tty=False))
                stdout, stderr = consume_socket_output(frames, demux=True)
            finally:
                sock.close()
        return self.api.exec_inspect(exec_id).get('ExitCode'), stdout or b'', stderr or b''

    @_call('write', waits=True)
    def exec_probe(self, container_id, argv, timeout, limit):
        """Run ``argv`` in a running container within ``timeout`` seconds, as a probe does. Returns
        ``(exit code, stdout bytes, stderr bytes, pid)``: each stream at most ``limit`` bytes; when the
        time runs out, the exit code is None and ``pid`` the exec's host PID (still running: the
        engine has no call that kills an exec), else ``pid`` is None."""
        deadline = time.monotonic() + timeout
        if self._reads is None:
            exec_id = self.api.exec_create(container_id, argv)['Id']
            sock, rest = self.api.exec_start(exec_id, socket=True), b''
            inspect = functools.partial(self.api.exec_inspect, exec_id)
        else:  # the agent's most frequent call: http.client, a third of the SDK's cost
            exec_id = self._reads.post('/containers/%s/exec' % quote(container_id, safe=''), {
                'Cmd': list(argv), 'AttachStdin': False, 'AttachStdout': True, 'AttachStderr': True, 'Tty': False})['Id']
            sock, rest = self._reads.hijack('/exec/%s/start' % exec_id, {'Detach': False, 'Tty': False})
            inspect = functools.partial(self._reads.get, '/exec/%s/json' % exec_id)
        try:
            streams, ended = read_frames(getattr(sock, '_sock', sock), deadline, limit, rest)
        finally:
            sock.close()
        info = inspect()
        while ended and info.get('Running') and time.monotonic() < deadline:  # output closed, process not done
            time.sleep(0.02)
            info = inspect()
        if info.get('Running'):
            return None, streams[1], streams[2], info.get('Pid')
        return info.get('ExitCode'), streams[1], streams[2], None

    @_call('write', waits=True)
    def exec_attach(self, container_id, argv, stdin=False, tty=False):
        """Start ``argv`` in a running container, attached: ``(exec id, connection, socket, rest)``. The socket
        carries the terminal's bytes with ``tty``, else the engine's multiplexed stdout/stderr frames;
        what is sent to it is the command's stdin (when ``stdin``). Keep ``connection`` while using it.
        ``rest``: the stream's first bytes, read with the answer's headers (over TCP they often come together)."""
        if self._reads is None:
            exec_id = self.api.exec_create(container_id, argv, stdin=stdin, tty=tty)['Id']
            connection = self.api.exec_start(exec_id, tty=tty, socket=True)
            return exec_id, connection, getattr(connection, '_sock', connection), b''
        exec_id = self._reads.post('/containers/%s/exec' % quote(container_id, safe=''), {
            'Cmd': list(argv), 'AttachStdin': bool(stdin), 'AttachStdout': True, 'AttachStderr': True, 'Tty': bool(tty)})['Id']
        sock, rest = self._reads.hijack('/exec/%s/start' % exec_id, {'Detach': False, 'Tty': bool(tty)})
        return exec_id, sock, sock, rest

    @_call('write')
    def attach(self, container_id):
        """Attach to a container's stdin, stdout and stderr (before its start: nothing is missed), as ``docker
        run -i`` does: ``(connection, socket, rest)`` as ``exec_attach`` gives them (the multiplexed frames without a
        TTY); half-closing the socket (``SHUT_WR``) closes the container's stdin."""
        params = {'stream': 1, 'stdin': 1, 'stdout': 1, 'stderr': 1}
        if self._reads is None:
            connection = self.api.attach_socket(container_id, params=params)
            return connection, getattr(connection, '_sock', connection), b''
        sock, rest = self._reads.hijack('/containers/%s/attach?%s' % (quote(container_id, safe=''), urlencode(params)),
                                        None)
        return sock, sock, rest

    @_call('write')
    def exec_resize(self, exec_id, height, width):
        self.api.exec_resize(exec_id, height=height, width=width)

    @_call('read')
    def exec_exit_code(self, exec_id):
        """The exit code of a finished exec (the engine may mark it finished a moment after its stream ends)."""
        info = self.api.exec_inspect(exec_id)
        for _poll in range(EXEC_EXIT_POLLS):
            if not info.get('Running'):
                break
            time.sleep(EXEC_EXIT_SECONDS)
            info = self.api.exec_inspect(exec_id)
        return info.get('ExitCode')

    @_call('read')
    def bridge_gateway(self):
        """The address of the node on the engine's default bridge (a hostNetwork pod's IP)."""
        network = self._get('/networks/bridge', None, 'inspect_network', 'bridge')
        configs = ((network.get('IPAM') or {}).get('Config')) or [{}]
        if configs[0].get('Gateway'):
            return configs[0]['Gateway']
        subnet = configs[0].get('Subnet')  # the engine's default: the subnet's first address
        return str(next(ipaddress.ip_network(subnet, strict=False).hosts())) if subnet else ''

    @_call('read')
    def engine_host(self):
        """The machine the engine runs on, as ``docker info`` names it: ``{'name', 'cpu', 'memory'}``
        (millicores, bytes), read once."""
        if getattr(self, '_engine_host', None) is None:
            info = self._get('/info', None, 'info')
            self._engine_host = {'name': info.get('Name') or '', 'cpu': int(info.get('NCPU') or 1) * 1000,
                                 'memory': int(info.get('MemTotal') or 0)}
        return self._engine_host

    @_call('read')
    def engine_info(self):
        """What the engine says of itself: ``{'version', 'api', 'cgroupDriver', 'cgroupVersion', 'rootDir', 'runtimes',
        'defaultRuntime', 'storageDriver'}`` (``rootDir``: its data root, ``DockerRootDir``, the file system of the
        node's ``ephemeral-storage``; ``runtimes``: the names of the runtimes it has, sorted; ``storageDriver``: where
        its image layers are, ``overlay2``...)."""
        info = self._get('/info', None, 'info')
        version = self._get('/version', None, 'version')
        return {'version': version.get('Version') or info.get('ServerVersion') or '', 'api': version.get('ApiVersion') or '',
                'cgroupDriver': info.get('CgroupDriver') or '', 'cgroupVersion': str(info.get('CgroupVersion') or '1'),
                'rootDir': info.get('DockerRootDir') or '',
                'runtimes': sorted(info.get('Runtimes') or {}), 'defaultRuntime': info.get('DefaultRuntime') or 'runc',
                'storageDriver': info.get('Driver') or ''}

    @_call('read')
    def volume_users(self, name):
        """The containers (sparse listing) that mount a volume."""
        return self._get('/containers/json', {'all': 1, 'filters': _filters({'volume': name})},
                         'containers', all=True, filters={'volume': name})

    @_call('write')
    def pull(self, image, auth_config=None):
        ref = ImageRef(image)
        output = self.api.pull(ref.pull_repository, tag=ref.pull_tag, auth_config=auth_config)
        for line in (output or '').splitlines():  # the engine reports a failed pull inside the stream
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get('error') or event.get('errorDetail'):
                raise DockerError('Docker pull failed: %s' % (event.get('error') or event['errorDetail'].get('message')))

    @_call('write')
    def create_volume(self, name, labels, driver_opts=None):
        payload = {'Name': name, 'Driver': 'local', 'Labels': labels}
        if driver_opts:
            payload['DriverOpts'] = driver_opts
        return self._send('POST', '/volumes/create', None, payload, 'create_volume', name=name, driver='local',
                          driver_opts=driver_opts or None, labels=labels)

    @_call('write')
    def remove_volume(self, name):
        try:
            self._send('DELETE', '/volumes/%s' % quote(name, safe=''), {'force': 1}, None, 'remove_volume', name,
                       force=True)
        except _engine_errors() as exc:
            if not _missing(exc):
                raise

    @_call('write')
    def create_container(self, name, body):
        body = {key: value for key, value in body.items() if value is not None}  # as the SDK sends it
        return self._send('POST', '/containers/create', {'name': name}, body, 'create_container_from_config', body,
                          name=name)['Id']

    @_call('write')
    def start(self, container_id):
        self._send('POST', '/containers/%s/start' % quote(container_id, safe=''), None, None, 'start', container_id)

    @_call('write', waits=True)
    def stop(self, container_id, timeout):
        """Stop a container within ``timeout`` seconds (its stop signal, then SIGKILL), as ``docker stop``."""
        try:
            if self._reads is None:
                self.api.stop(container_id, timeout=timeout)
            else:
                self._reads.once('POST', '/containers/%s/stop' % quote(container_id, safe=''), {'t': timeout},
                                 self.timeout + timeout)
        except _engine_errors() as exc:
            if not _missing(exc):
                raise

    @_call('write')
    def update_restart_policy(self, container_id, name):
        """Change who restarts a container, in place (``no``: the node agent does)."""
        self.api.update_container(container_id, restart_policy={'Name': name})

    @_call('write')
    def update_resources(self, container_id, settings):
        """Resize a container in place: ``settings`` are its CpuShares, CpuPeriod, CpuQuota, Memory, MemorySwap."""
        keys = {'CpuShares': 'cpu_shares', 'CpuPeriod': 'cpu_period', 'CpuQuota': 'cpu_quota', 'Memory': 'mem_limit',
                'MemorySwap': 'memswap_limit'}
        self.api.update_container(container_id, **{keys[key]: value for key, value in settings.items()})

    @_call('write')
    def remove_container(self, container_id):
        try:
            self._send('DELETE', '/containers/%s' % quote(container_id, safe=''), {'v': 0, 'force': 1}, None,
                       'remove_container', container_id, v=False, force=True)
        except _engine_errors() as exc:
            if not _missing(exc):
                raise
