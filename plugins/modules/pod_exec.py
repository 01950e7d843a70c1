#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pod_exec
short_description: Run a command in a pod's container, like C(kubectl exec)
version_added: 0.1.0
description:
  - Runs a command in a running container of a pod made by M(hostpods.core.pod) and returns its exit code and output.
  - A non-zero exit code fails the task, as with M(ansible.builtin.command), and the result still holds RV(rc),
    RV(stdout) and RV(stderr); use C(failed_when) to accept other codes.
author:
  - hostpods developers (@hostpods)
extends_documentation_fragment:
  - hostpods.core._docker
  - hostpods.core._pod_ref
attributes:
  check_mode:
    description: In check mode the command is not run; the task reports a change.
    support: full
  diff_mode:
    description: No diff is reported.
    support: none
  idempotent:
    description: A command may change anything; the task always reports a change.
    support: none
options:
  command:
    description:
      - A list is run as it is (argv); a string is run by C(/bin/sh -c).
    type: raw
    required: true
    version_added: 0.1.0
  stdin:
    description: Text given to the command on its standard input.
    type: str
    version_added: 0.1.0
'''

EXAMPLES = r'''
- name: Read a file in the web container
  hostpods.core.pod_exec:
    name: web
    container: httpd
    command: [cat, /www/index.html]
  register: page

- name: A shell command with input; a non-zero rc is reported, not hidden
  hostpods.core.pod_exec:
    name: web
    command: "grep -c hello"
    stdin: "hello\nworld\n"
  register: counted
  failed_when: counted.rc not in [0, 1]
'''

RETURN = r'''
container:
  description: The container the command ran in.
  returned: success
  type: str
  sample: httpd
rc:
  description: The command's exit code.
  returned: success, when the command ran
  type: int
  sample: 0
stdout:
  description: Its standard output.
  returned: success, when the command ran
  type: str
  sample: "hello\n"
stdout_lines:
  description: Its standard output, one item per line.
  returned: success, when the command ran
  type: list
  elements: str
  sample: [hello]
stderr:
  description: Its standard error.
  returned: success, when the command ran
  type: str
  sample: ""
stderr_lines:
  description: Its standard error, one item per line.
  returned: success, when the command ran
  type: list
  elements: str
  sample: []
'''

from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pod_exec
from ansible_collections.hostpods.core.plugins.module_utils._module import run


def main():
    run(options.POD_EXEC, lambda client, module: pod_exec(client, module.params, module.check_mode))


if __name__ == '__main__':
    main()
