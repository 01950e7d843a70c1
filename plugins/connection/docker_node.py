# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: docker_node
short_description: Reach hostpods node containers with C(docker exec), without SSH
version_added: 0.1.0
description:
  - Runs commands in, and copies files to and from, a running container through the C(docker) CLI on the
    controller (C(docker exec -i)). Made for the node containers of the P(hostpods.core.cluster#role) role,
    but any container with C(/bin/sh) and C(cat) works; modules also need Python in the container.
  - Files are streamed through C(docker exec) (C(cat)), so they land with the owner of the exec user and
    also work on C(tmpfs) mounts, where C(docker cp) does not.
  - Pipelining is on by default (nodes run as root, there is no C(requiretty) to fear); it runs a module
    with one C(docker exec).
  - A missing or stopped container makes the host unreachable, not failed.
author:
  - hostpods developers (@hostpods)
requirements:
  - the C(docker) CLI on the controller
notes:
  - Privilege escalation that asks for a password is not supported; C(become) without a password works.
options:
  remote_addr:
    description:
      - The name or ID of the container.
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_hostpods_container
    version_added: 0.1.0
  remote_user:
    description:
      - The user commands run as in the container (C(docker exec --user)).
      - When unset, the container's default user (usually V(root)).
    type: str
    vars:
      - name: ansible_user
      - name: ansible_hostpods_user
    env:
      - name: ANSIBLE_REMOTE_USER
    ini:
      - section: defaults
        key: remote_user
    keyword:
      - name: remote_user
    cli:
      - name: user
    version_added: 0.1.0
  docker_host:
    description:
      - The Docker engine that runs the container, for example V(unix:///var/run/docker.sock) or
        V(tcp://10.0.0.5:2375); given to the CLI as C(--host).
      - When unset, the CLI's own choice (its current context, or E(DOCKER_HOST) of its environment).
    type: str
    vars:
      - name: ansible_hostpods_docker_host
    env:
      - name: HOSTPODS_DOCKER_HOST
      - name: DOCKER_HOST
    version_added: 0.1.0
  docker_cli:
    description:
      - The C(docker) command on the controller, a name looked up in E(PATH) or a path.
    type: str
    default: docker
    vars:
      - name: ansible_hostpods_docker_cli
    env:
      - name: HOSTPODS_DOCKER_CLI
    version_added: 0.1.0
  docker_extra_args:
    description:
      - More arguments for the C(docker) CLI before its subcommand, for example V(--context other).
    type: list
    elements: str
    default: []
    vars:
      - name: ansible_hostpods_docker_extra_args
    env:
      - name: HOSTPODS_DOCKER_EXTRA_ARGS
    version_added: 0.1.0
  pipelining:
    description:
      - Run modules by piping them to the interpreter's standard input (one C(docker exec) a module)
        instead of copying them to a temporary file first.
    type: bool
    default: true
    vars:
      - name: ansible_pipelining
      - name: ansible_hostpods_pipelining
    env:
      - name: ANSIBLE_PIPELINING
    ini:
      - section: defaults
        key: pipelining
      - section: connection
        key: pipelining
    version_added: 0.1.0
'''

EXAMPLES = r'''
# inventory.yml: the nodes of a cluster made by the hostpods.core.cluster role
# all:
#   children:
#     hostpods_nodes:
#       vars:
#         ansible_connection: hostpods.core.docker_node
#         ansible_python_interpreter: /usr/bin/python3
#       hosts:
#         hostpods-dev-node1:
#         hostpods-dev-node2:

- name: Pods on the node containers
  hosts: hostpods_nodes
  gather_facts: false
  tasks:
    - name: Apply a pod inside each node
      hostpods.core.pod:
        src: manifests/
        sandbox_image: hostpods/pause:3.10

# ad hoc:
#   ansible -i 'hostpods-dev-node1,' -c hostpods.core.docker_node all -m ansible.builtin.ping
'''

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
_DOCKER_ERRORS = (b'Error: No such container', b'Error response from daemon:', b'Cannot connect to the Docker daemon',
                  b'error during connect')


class Connection(ConnectionBase):
    """Commands and files through ``docker exec`` into a (node) container."""

    transport = 'hostpods.core.docker_node'
    has_pipelining = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._docker = None

    # -- helpers ---------------------------------------------------------------------------------------

    def _container(self):
        return self.get_option('remote_addr')

    def _docker_base(self):
        """The docker CLI and its global options, as a list of arguments."""
        if self._docker is None:
            cli = self.get_option('docker_cli') or 'docker'
            path = cli if os.path.sep in cli else shutil.which(cli)
            if not path:
                raise AnsibleError('hostpods.core.docker_node: the docker CLI (%s) is not in PATH on the controller' % cli)
            self._docker = path
        argv = [self._docker]
        if self.get_option('docker_host'):
            argv += ['--host', self.get_option('docker_host')]
        argv += list(self.get_option('docker_extra_args') or [])
        return argv

    def _exec_argv(self, command, interactive=True):
        """``docker exec`` of an argv list in the container."""
        argv = self._docker_base() + ['exec']
        if interactive:
            argv.append('-i')
        user = self.get_option('remote_user')
        if user:
            argv += ['--user', user]
        return argv + [self._container()] + list(command)

    def _check_docker_error(self, rc, stderr):
        """An exec that never reached the container makes the host unreachable."""
        if rc != 0 and stderr.lstrip().startswith(_DOCKER_ERRORS):
            raise AnsibleConnectionFailure('hostpods.core.docker_node: cannot exec in container %s: %s'
                                           % (self._container(), to_native(stderr.strip())))

    @staticmethod
    def _absolute(path):
        """Paths are relative to / (the exec's working directory is the image's, not a home)."""
        if not path.startswith('/'):
            path = '/' + path
        return os.path.normpath(path)

    # -- ConnectionBase --------------------------------------------------------------------------------

    def _connect(self):
        if not self._connected:
            display.vvv('ESTABLISH DOCKER EXEC CONNECTION TO %s (user %s)'
                        % (self._container(), self.get_option('remote_user') or 'default'), host=self._container())
            self._connected = True
        return self

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if sudoable and self.become and self.become.expect_prompt():
            raise AnsibleError('hostpods.core.docker_node: become with a password prompt is not supported; '
                               'use become without a password (the nodes run as root)')
        executable = self._play_context.executable or '/bin/sh'
        argv = self._exec_argv([executable, '-c', to_text(cmd, errors='surrogate_or_strict')])
        display.vvv('EXEC %s' % (argv,), host=self._container())
        proc = subprocess.Popen([to_bytes(a, errors='surrogate_or_strict') for a in argv],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = proc.communicate(in_data)
        self._check_docker_error(proc.returncode, stderr)
        return proc.returncode, stdout, stderr

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        out_path = self._absolute(out_path)
        display.vvv('PUT %s TO %s' % (in_path, out_path), host=self._container())
        b_in_path = to_bytes(in_path, errors='surrogate_or_strict')
        if not os.path.isfile(b_in_path):
            raise AnsibleFileNotFound('file or module does not exist: %s' % to_native(in_path))
        # The path is an argument ($0) of the remote shell, never part of its script: no quoting needed.
        argv = self._exec_argv(['/bin/sh', '-c', 'cat > "$0"', out_path])
        with open(b_in_path, 'rb') as source:
            proc = subprocess.Popen([to_bytes(a, errors='surrogate_or_strict') for a in argv],
                                    stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            stdout, stderr = proc.communicate()
        self._check_docker_error(proc.returncode, stderr)
        if proc.returncode != 0:
            raise AnsibleError('failed to put %s to %s:%s (rc %d): %s'
                               % (in_path, self._container(), out_path, proc.returncode, to_native(stderr or stdout)))

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        in_path = self._absolute(in_path)
        display.vvv('FETCH %s TO %s' % (in_path, out_path), host=self._container())
        argv = self._exec_argv(['cat', '--', in_path], interactive=False)
        b_out_path = to_bytes(out_path, errors='surrogate_or_strict')
        partial = b_out_path + b'.partial'
        try:
            with open(partial, 'wb') as target:
                proc = subprocess.Popen([to_bytes(a, errors='surrogate_or_strict') for a in argv],
                                        stdin=subprocess.DEVNULL, stdout=target, stderr=subprocess.PIPE)
                stderr = proc.communicate()[1]
            self._check_docker_error(proc.returncode, stderr)
            if proc.returncode != 0:
                raise AnsibleError('failed to fetch %s:%s (rc %d): %s'
                                   % (self._container(), in_path, proc.returncode, to_native(stderr)))
            os.replace(partial, b_out_path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)

    def reset(self):
        self.close()

    def close(self):
        self._connected = False
