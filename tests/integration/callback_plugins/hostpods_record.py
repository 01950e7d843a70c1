# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test and benchmark helper: a callback that writes every task result of a playbook run, with its seconds, to
$HOSTPODS_RECORD (JSON)."""

from __future__ import annotations

DOCUMENTATION = r'''
name: hostpods_record
type: aggregate
short_description: Write every task result of the run and its duration to the JSON file named by E(HOSTPODS_RECORD)
description:
  - For the integration tests and the benchmarks (C(bench/)) only.
requirements:
  - enabled in the configuration (E(ANSIBLE_CALLBACKS_ENABLED))
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'hostpods_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.records, self.started = [], {}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.started[task._uuid] = time.monotonic()

    def _add(self, status, result):
        task = result._task
        self.records.append({'task': task.get_name(), 'host': result._host.get_name(), 'status': status,
                             'seconds': time.monotonic() - self.started.get(task._uuid, time.monotonic()),
                             'result': result._result})

    def v2_runner_on_ok(self, result):
        self._add('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._add('failed', result)

    def v2_runner_on_skipped(self, result):
        self._add('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._add('unreachable', result)

    def v2_playbook_on_stats(self, stats):
        with open(os.environ['HOSTPODS_RECORD'], 'w', encoding='utf-8') as handle:
            json.dump(self.records, handle, default=str)
