# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the engine's HTTP API on its unix socket (or plain TCP) through the standard library's
``http.client``, for ``docker_client`` alone: kept-alive connections a thread, a connection of its own for a
call that waits or streams, a hijacked one for an exec's output, and the engine's multiplexed stream frames.
Errors are EngineErrors (the engine's message; ``missing`` for a 404)."""

from __future__ import annotations

import http.client
import json
import select
import socket
import struct
import threading
import time
from urllib.parse import urlencode, urlsplit

DEFAULT_SOCKET = '/var/run/docker.sock'


class EngineError(Exception):
    """The engine answered a read with an error (``explanation``: its message; ``missing``: a 404)."""

    def __init__(self, explanation, missing=False):
        super().__init__(explanation)
        self.explanation, self.missing = explanation, missing


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__('localhost', timeout=timeout)
        self.socket_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


class EngineHTTP:
    """The engine's read-only JSON endpoints, and the exec calls of probes, through ``http.client``, a
    kept-alive connection a thread."""

    def __init__(self, base_url, timeout):
        url = base_url or 'unix://' + DEFAULT_SOCKET
        parts = urlsplit(url)
        if parts.scheme in ('unix', 'http+unix'):
            self.connect = lambda seconds=timeout: UnixConnection(parts.path or DEFAULT_SOCKET, seconds)
        elif parts.scheme in ('tcp', 'http') and parts.hostname:
            self.connect = lambda seconds=timeout: http.client.HTTPConnection(parts.hostname, parts.port or 2375,
                                                                              timeout=seconds)
        else:
            raise ValueError('not a unix socket or plain TCP: %s' % url)
        self.local = threading.local()

    def get(self, path, params=None, raw=False):
        """The decoded JSON (``raw``: the bytes) of ``GET path?params`` (an EngineError for an error status)."""
        body = self._request('GET', path + ('?' + urlencode(params) if params else ''))
        if raw:
            return body
        return json.loads(body) if body else None

    def post(self, path, payload=None, params=None, method='POST'):
        """The decoded JSON answer of ``POST path?params`` with the JSON ``payload`` (an EngineError for an
        error status); ``method``: another verb (``DELETE``)."""
        data = json.dumps(payload).encode('utf-8') if payload is not None else None
        body = self._request(method, path + ('?' + urlencode(params) if params else ''), data)
        return json.loads(body) if body else None

    def once(self, method, path, params, timeout):
        """``method path?params`` on a connection of its own that waits up to ``timeout`` seconds (a stop
        within its grace period): the kept-alive connections are for calls that answer at once."""
        connection = self.connect(timeout)
        try:
            connection.request(method, path + ('?' + urlencode(params) if params else ''))
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status >= 400:
            raise EngineError(message_of(body, response.status), missing=response.status == 404)

    def _request(self, method, target, payload=None):
        headers = {'Content-Type': 'application/json'} if payload is not None else {}
        for attempt in (1, 2):  # a kept-alive connection the engine closed is opened again, once
            connection = getattr(self.local, 'connection', None) or self.connect()
            self.local.connection = connection
            try:
                connection.request(method, target, body=payload, headers=headers)
                response = connection.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
        if response.status >= 400:
            raise EngineError(message_of(body, response.status), missing=response.status == 404)
        return body

    def hijack(self, path, payload):
        """``POST path`` (the JSON ``payload``, None: no body) on a connection of its own that the engine turns
        into a raw stream, as it does for an exec's start or a container's attach: ``(socket, the bytes read past the answer's headers)``. The
        caller closes the socket."""
        connection = self.connect()
        connection.connect()
        sock = connection.sock
        body = json.dumps(payload).encode('utf-8') if payload is not None else b''
        kind = b'Content-Type: application/json\r\n' if payload is not None else b''
        try:
            sock.sendall(b'POST %s HTTP/1.1\r\nHost: docker\r\n%sContent-Length: %d\r\n\r\n%s'
                         % (path.encode('ascii'), kind, len(body), body))
            received = b''
            while b'\r\n\r\n' not in received:
                chunk = sock.recv(65536)
                if not chunk:
                    raise EngineError('the engine closed the connection of POST %s' % path)
                received += chunk
            head, rest = received.split(b'\r\n\r\n', 1)
            status = int(head.split(b' ', 2)[1])
            if status >= 400:
                length = [int(line.split(b':', 1)[1]) for line in head.split(b'\r\n')[1:]
                          if line.lower().startswith(b'content-length:')]
                while length and len(rest) < length[0]:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    rest += chunk
                raise EngineError(message_of(rest, status), missing=status == 404)
        except BaseException:
            sock.close()
            raise
        return sock, rest

    def stream(self, path, params=None):
        """The JSON objects of a finite streamed answer (``/events`` with ``until``)."""
        connection = self.connect()  # a connection of its own: the engine closes it at the end
        try:
            connection.request('GET', path + '?' + urlencode(params or {}))
            response = connection.getresponse()
            text = response.read().decode('utf-8', 'replace')
            if response.status >= 400:
                raise EngineError(text.strip(), missing=response.status == 404)
        finally:
            connection.close()
        decoder, index, out = json.JSONDecoder(), 0, []
        while index < len(text):
            if text[index].isspace():
                index += 1
                continue
            item, index = decoder.raw_decode(text, index)
            out.append(item)
        return out


def message_of(body, status):
    """The engine's message in an error answer (its JSON ``message``, else the text)."""
    try:
        message = json.loads(body).get('message') or body.decode('utf-8', 'replace')
    except (ValueError, AttributeError):
        message = body.decode('utf-8', 'replace')
    return message.strip() or 'HTTP %d' % status


def read_frames(raw, deadline, limit, pending=b''):
    """Read the engine's multiplexed stream (8-byte frame headers: stream, size; ``pending``: its first
    bytes, already read) until it ends or ``deadline`` (monotonic) passes. Returns ``({1: stdout, 2: stderr},
    ended)``, each kept to ``limit`` bytes."""
    streams = {1: b'', 2: b''}
    pending = take_frames(streams, pending, limit)
    while True:
        remaining = deadline - time.monotonic()
        buffered = getattr(raw, 'pending', lambda: 0)()  # a TLS socket may hold decrypted bytes select cannot see
        if not buffered and (remaining <= 0 or not select.select([raw], [], [], remaining)[0]):
            return streams, False
        chunk = raw.recv(65536)
        if not chunk:
            return streams, True
        pending = take_frames(streams, pending + chunk, limit)


def take_frames(streams, pending, limit):
    """Add the whole frames of ``pending`` to ``streams`` (each kept to ``limit`` bytes); the rest."""
    while len(pending) >= 8:
        kind, size = struct.unpack('>BxxxL', pending[:8])
        if len(pending) < 8 + size:
            break
        if kind in streams:
            streams[kind] = (streams[kind] + pending[8:8 + size])[:limit]
        pending = pending[8 + size:]
    return pending
