# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods exec``: a command in a pod's container (``_kubectl.exec_target`` finds it, as for
the ``pod_exec`` module), attached to this terminal: with ``-t`` a real TTY (the local terminal in raw
mode, its size passed on at the start and on each SIGWINCH), with ``-i`` stdin forwarded; the command's
exit code is the exit code (kubectl's ``command terminated with exit code N`` on stderr)."""

from __future__ import annotations

import os
import select
import signal
import socket
import struct
import sys

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError
from ansible_collections.hostpods.core.plugins.module_utils._cli.logs import pick_container, pod_name

CHUNK = 65536
NO_TTY = 'Unable to use a TTY - input is not a terminal or the right kind of file'


def run(ctx, verb, args, extra):
    from ansible_collections.hostpods.core.plugins.module_utils._kubectl import exec_target
    if not extra:
        raise CliError('you must specify at least one command for the container')
    name = pod_name(args.pod)
    container = pick_container(ctx, name, args.container, quiet=args.quiet)
    target = {'name': name, 'namespace': ctx.namespace, 'container': container}
    _container, container_id = exec_target(ctx.client, target)
    stdin_fd = _fileno(sys.stdin) if args.stdin else None
    tty = bool(args.tty and args.stdin)
    if tty and (stdin_fd is None or not os.isatty(stdin_fd)):
        tty = False
        if not args.quiet:
            ctx.err(NO_TTY)
    code = attach(ctx.client, container_id, extra, stdin_fd, _fileno(ctx.stdout) or 1, _fileno(ctx.stderr) or 2, tty)
    if code:
        if not args.quiet:
            ctx.err('command terminated with exit code %d' % code)
        raise common.Exit(code)
    return 0


def _fileno(stream):
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def terminal_size(fd):
    """``(rows, columns)`` of a terminal, or None."""
    import fcntl
    import termios
    try:
        rows, columns = struct.unpack('hhhh', fcntl.ioctl(fd, termios.TIOCGWINSZ, b'\0' * 8))[:2]
    except OSError:
        return None
    return (rows, columns) if rows and columns else None


class _RawTerminal:
    """The local terminal in raw mode while the command runs (restored however it ends)."""

    def __init__(self, fd):
        self.fd, self.saved = fd, None

    def __enter__(self):
        import termios
        import tty
        self.saved = termios.tcgetattr(self.fd)
        tty.setraw(self.fd)
        return self

    def __exit__(self, *exc):
        import termios
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)


def attach(client, container_id, argv, stdin_fd, stdout_fd, stderr_fd, tty):
    """Run ``argv`` in the container wired to these file descriptors; its exit code."""
    exec_id, connection, sock, rest = client.exec_attach(container_id, argv, stdin=stdin_fd is not None, tty=tty)
    previous = None
    try:
        if tty:
            def resize(*_args):
                size = terminal_size(stdin_fd)
                if size:
                    client.exec_resize(exec_id, *size)
            resize()
            previous = signal.signal(signal.SIGWINCH, resize)
            with _RawTerminal(stdin_fd):
                _pump(sock, stdin_fd, stdout_fd, stderr_fd, tty, rest)
        else:
            _pump(sock, stdin_fd, stdout_fd, stderr_fd, tty, rest)
    finally:
        if previous is not None:
            signal.signal(signal.SIGWINCH, previous)
        sock.close()
        del connection
    return client.exec_exit_code(exec_id)


def _write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


class _Frames:
    """The engine's multiplexed stream (8-byte headers: stream, size) split onto stdout and stderr."""

    def __init__(self, stdout_fd, stderr_fd):
        self.buffer, self.fds = b'', {1: stdout_fd, 2: stderr_fd}

    def feed(self, data):
        self.buffer += data
        while len(self.buffer) >= 8:
            kind, size = struct.unpack('>BxxxL', self.buffer[:8])
            if len(self.buffer) < 8 + size:
                return
            payload, self.buffer = self.buffer[8:8 + size], self.buffer[8 + size:]
            _write_all(self.fds[2] if kind == 2 else self.fds[1], payload)


def _pump(sock, stdin_fd, stdout_fd, stderr_fd, tty, rest=b''):
    """Copy stdin to the socket and the socket to stdout (and stderr) until the command ends (``rest``: the
    stream's bytes already read)."""
    frames = None if tty else _Frames(stdout_fd, stderr_fd)
    if rest:
        _write_all(stdout_fd, rest) if frames is None else frames.feed(rest)
    watched = [sock] + ([stdin_fd] if stdin_fd is not None else [])
    while True:
        try:
            ready, _w, _x = select.select(watched, [], [])
        except InterruptedError:  # SIGWINCH
            continue
        if sock in ready:
            data = sock.recv(CHUNK)
            if not data:
                return
            if frames is None:
                _write_all(stdout_fd, data)
            else:
                frames.feed(data)
        if stdin_fd is not None and stdin_fd in ready:
            data = os.read(stdin_fd, CHUNK)
            if data:
                sock.sendall(data)
            else:  # end of input: the command sees it (a TTY gets it as ^D in raw mode)
                watched.remove(stdin_fd)
                if not tty:
                    try:
                        sock.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
