# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the controller's ``docker`` CLI, and connections that run commands and move files through
``docker exec`` (``hostpods.core.docker_node`` into node containers, ``hostpods.core.pod`` into the containers
of pods, on this engine or chained through a node container).

Files are streamed through the exec (``cat``), so they land with the owner of the exec user and also work
on ``tmpfs`` mounts, where ``docker cp`` does not.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

display = Display()

# What the docker CLI prints (with rc 1, like any failing command would) when the exec itself could not
# start; anything else comes from the command in the container.
DOCKER_ERRORS = (b'Error: No such container', b'Error response from daemon:', b'Cannot connect to the Docker daemon',
                 b'error during connect', b'Error: No such object')


class DockerCli:
    """The ``docker`` CLI of the controller, talking to one engine (``docker_host``), or to the engine inside
    the node container ``node`` of that engine (``docker exec -i <node> docker ...``)."""

    def __init__(self, cli='docker', docker_host=None, extra_args=(), node=None, plugin='hostpods.core'):
        self.cli = cli or 'docker'
        self.docker_host = docker_host
        self.extra_args = list(extra_args or [])
        self.node = node
        self.plugin = plugin
        self._path = None

    def where(self):
        """Where the commands go, for messages."""
        return 'node container %s' % self.node if self.node else 'the Docker engine%s' % (
            ' at %s' % self.docker_host if self.docker_host else '')

    def argv(self, args):
        """The argv of ``docker <args>`` on the engine (through the node container when there is one)."""
        if self._path is None:
            path = self.cli if os.path.sep in self.cli else shutil.which(self.cli)
            if not path:
                raise AnsibleError('%s: the docker CLI (%s) is not in PATH on the controller' % (self.plugin, self.cli))
            self._path = path
        argv = [self._path]
        if self.docker_host:
            argv += ['--host', self.docker_host]
        argv += self.extra_args
        if self.node:
            argv += ['exec', '-i', self.node, 'docker']
        return argv + list(args)

    def popen(self, args, stdin=subprocess.PIPE, stdout=subprocess.PIPE):
        return subprocess.Popen([to_bytes(a, errors='surrogate_or_strict') for a in self.argv(args)],
                                stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)

    def run(self, args, in_data=None, timeout=None):
        """``(rc, stdout, stderr)`` of ``docker <args>`` (bytes)."""
        proc = self.popen(args, stdin=subprocess.PIPE if in_data is not None else subprocess.DEVNULL)
        try:
            stdout, stderr = proc.communicate(in_data, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise AnsibleConnectionFailure('%s: docker %s on %s did not answer within %s s'
                                           % (self.plugin, ' '.join(args[:2]), self.where(), timeout))
        return proc.returncode, stdout, stderr

    def engine_failed(self, rc, stderr):
        """Whether a failed call never reached its container (so its host is unreachable, not failed)."""
        return rc != 0 and stderr.lstrip().startswith(DOCKER_ERRORS)


class DockerExecConnection(ConnectionBase):
    """Commands and files through ``docker exec`` into one container: ``_make_cli()`` says which engine,
    ``_target()`` which container (both given by the subclass)."""

    has_pipelining = True
    _docker_cli = None

    def _make_cli(self):
        """The DockerCli of the engine the target container runs on."""
        raise NotImplementedError

    def _cli(self):
        if self._docker_cli is None:
            self._docker_cli = self._make_cli()
        return self._docker_cli

    def _target(self):
        raise NotImplementedError

    def _describe(self):
        """The host, for messages and logs."""
        return self._target()

    def _exec_argv(self, command, interactive=True):
        """``docker exec`` of an argv list in the target container."""
        args = ['exec']
        if interactive:
            args.append('-i')
        user = self.get_option('remote_user')
        if user:
            args += ['--user', user]
        return self._cli().argv(args + [self._target()] + list(command))

    def _check_docker_error(self, rc, stderr):
        """An exec that never reached the container makes the host unreachable."""
        if self._cli().engine_failed(rc, stderr):
            raise AnsibleConnectionFailure('%s: cannot exec in %s: %s'
                                           % (self.transport, self._describe(), to_native(stderr.strip())))

    @staticmethod
    def _absolute(path):
        """Paths are relative to / (the exec's working directory is the image's, not a home)."""
        if not path.startswith('/'):
            path = '/' + path
        return os.path.normpath(path)

    @staticmethod
    def _popen(argv, stdin, stdout=subprocess.PIPE):
        return subprocess.Popen([to_bytes(a, errors='surrogate_or_strict') for a in argv],
                                stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)

    # -- ConnectionBase --------------------------------------------------------------------------------

    def _connect(self):
        if not self._connected:
            display.vvv('ESTABLISH DOCKER EXEC CONNECTION TO %s (user %s)'
                        % (self._describe(), self.get_option('remote_user') or 'default'), host=self._play_context.remote_addr)
            self._connected = True
        return self

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if sudoable and self.become and self.become.expect_prompt():
            raise AnsibleError('%s: become with a password prompt is not supported; use become without a password'
                               % self.transport)
        executable = self._play_context.executable or '/bin/sh'
        argv = self._exec_argv([executable, '-c', to_text(cmd, errors='surrogate_or_strict')])
        display.vvv('EXEC %s' % (argv,), host=self._describe())
        proc = self._popen(argv, subprocess.PIPE)
        stdout, stderr = proc.communicate(in_data)
        self._check_docker_error(proc.returncode, stderr)
        return proc.returncode, stdout, stderr

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        out_path = self._absolute(out_path)
        display.vvv('PUT %s TO %s' % (in_path, out_path), host=self._describe())
        b_in_path = to_bytes(in_path, errors='surrogate_or_strict')
        if not os.path.isfile(b_in_path):
            raise AnsibleFileNotFound('file or module does not exist: %s' % to_native(in_path))
        # The path is an argument ($0) of the remote shell, never part of its script: no quoting needed.
        argv = self._exec_argv(['/bin/sh', '-c', 'cat > "$0"', out_path])
        with open(b_in_path, 'rb') as source:
            proc = self._popen(argv, source)
            stdout, stderr = proc.communicate()
        self._check_docker_error(proc.returncode, stderr)
        if proc.returncode != 0:
            raise AnsibleError('failed to put %s to %s:%s (rc %d): %s'
                               % (in_path, self._describe(), out_path, proc.returncode, to_native(stderr or stdout)))

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        in_path = self._absolute(in_path)
        display.vvv('FETCH %s TO %s' % (in_path, out_path), host=self._describe())
        argv = self._exec_argv(['cat', '--', in_path], interactive=False)
        b_out_path = to_bytes(out_path, errors='surrogate_or_strict')
        partial = b_out_path + b'.partial'
        try:
            with open(partial, 'wb') as target:
                proc = self._popen(argv, subprocess.DEVNULL, stdout=target)
                stderr = proc.communicate()[1]
            self._check_docker_error(proc.returncode, stderr)
            if proc.returncode != 0:
                raise AnsibleError('failed to fetch %s:%s (rc %d): %s'
                                   % (self._describe(), in_path, proc.returncode, to_native(stderr)))
            os.replace(partial, b_out_path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def reset(self):
        self.close()

    def close(self):
        self._connected = False
