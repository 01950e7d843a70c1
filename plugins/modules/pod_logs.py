#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pod_logs
short_description: Read a pod container's log, like C(kubectl logs)
version_added: 0.1.0
description:
  - Returns the log of one container (init containers included) of a pod made by M(hostpods.core.pod).
author:
  - hostpods developers (@hostpods)
extends_documentation_fragment:
  - hostpods.core._docker
  - hostpods.core._pod_ref
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: none
  idempotent:
    description: Reads only.
    support: full
options:
  tail_lines:
    description: Only the last lines of the log.
    type: int
    version_added: 0.1.0
  since_seconds:
    description: Only the lines written in the last seconds.
    type: int
    version_added: 0.1.0
  previous:
    description: The log of the container's instance before its last restart.
    type: bool
    default: false
    version_added: 0.1.0
  timestamps:
    description: Start each line with its RFC 3339 timestamp.
    type: bool
    default: false
    version_added: 0.1.0
'''

EXAMPLES = r'''
- name: The log of the only container of pod web
  hostpods.core.pod_logs:
    name: web
  register: web_log

- name: The last 20 lines of the sidecar of the instance before its last restart
  hostpods.core.pod_logs:
    name: web
    container: sidecar
    previous: true
    tail_lines: 20
'''

RETURN = r'''
container:
  description: The container whose log this is.
  returned: success
  type: str
  sample: httpd
log:
  description: The log text.
  returned: success
  type: str
  sample: "started\nserving on 8080\n"
log_lines:
  description: The log, one item per line.
  returned: success
  type: list
  elements: str
  sample: [started, serving on 8080]
'''

from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pod_logs
from ansible_collections.hostpods.core.plugins.module_utils._module import run


def main():
    run(options.POD_LOGS, lambda client, module: pod_logs(client, module.params))


if __name__ == '__main__':
    main()
