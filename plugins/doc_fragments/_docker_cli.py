# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE doc fragment: the options of the connections that go through the controller's docker CLI."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
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
  docker_cli:
    description:
      - The C(docker) command on the controller, a name looked up in E(PATH) or a path.
    type: str
    default: docker
    vars:
      - name: ansible_hostpods_docker_cli
    env:
      - name: HOSTPODS_DOCKER_CLI
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
requirements:
  - the C(docker) CLI on the controller
notes:
  - Privilege escalation that asks for a password is not supported; C(become) without a password works.
  - Files are streamed through C(docker exec) (C(cat)), so they land with the owner of the exec user and
    also work on C(tmpfs) mounts, where C(docker cp) does not; the container needs C(/bin/sh) and C(cat).
'''
