# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: TCP forwarding from the node to a pod (``kubectl port-forward``): listening sockets on
local addresses, each accepted connection relayed to the pod's IP and port from the node, so no tool
is needed in the image."""

from __future__ import annotations

import select
import socket
import threading

CHUNK = 65536
CONNECT_TIMEOUT = 10


def listen(addresses, port):
    """Bound, listening sockets on ``addresses`` (IPv4 or IPv6 literals) at ``port`` (0: one free port,
    the same on every address); ``(sockets, errors)``, an error text per address that failed."""
    sockets, errors = [], []
    for address in addresses:
        family = socket.AF_INET6 if ':' in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind((address, port))
            sock.listen(64)
        except OSError as exc:
            sock.close()
            errors.append('unable to listen on %s:%d: %s' % (address, port, exc.strerror or exc))
            continue
        port = port or sock.getsockname()[1]
        sockets.append(sock)
    return sockets, errors


def relay(one, other):
    """Copy bytes both ways between two connected sockets until both directions are closed."""
    open_ends = {one: other, other: one}
    try:
        while open_ends:
            ready, _w, _x = select.select(list(open_ends), [], [])
            for source in ready:
                data = source.recv(CHUNK)
                target = open_ends[source]
                if data:
                    target.sendall(data)
                    continue
                del open_ends[source]
                try:
                    target.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
    except OSError:
        pass
    finally:
        one.close()
        other.close()


def serve(listener, target, on_connection=None, on_error=None):
    """Accept connections on ``listener`` forever, relaying each to ``target`` (ip, port) in a thread; or
    ``target`` a function that relays one accepted connection (a relay through another machine's engine)."""
    while True:
        client, _peer = listener.accept()
        if on_connection:
            on_connection()
        relay_one = _handled if callable(target) else _forward
        threading.Thread(target=relay_one, args=(client, target, on_error), daemon=True).start()


def _handled(client, handle, on_error):
    try:
        handle(client)
    except Exception as exc:  # pylint: disable=broad-except  # one connection's failure, reported; the others go on
        if on_error:
            on_error(exc)
    finally:
        client.close()


def _forward(client, target, on_error):
    try:
        upstream = socket.create_connection(target, timeout=CONNECT_TIMEOUT)
        upstream.settimeout(None)
    except OSError as exc:
        client.close()
        if on_error:
            on_error(exc)
        return
    relay(client, upstream)


def serve_all(listeners, target, on_connection=None, on_error=None):
    """``serve`` every listener (daemon threads); returns the threads."""
    threads = [threading.Thread(target=serve, args=(sock, target, on_connection, on_error), daemon=True)
               for sock in listeners]
    for thread in threads:
        thread.start()
    return threads
