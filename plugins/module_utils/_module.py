# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the modules' side: argument specs from ``_options``, a Docker client, and the one place
where a hostpods error becomes ``fail_json``.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import (
    DOCKER_IMPORT_ERROR, HAS_DOCKER, DockerClient)


def argument_spec(options):
    """An AnsibleModule argument spec from ``_options`` data (``env`` becomes an env_fallback)."""
    spec = {}
    for name, option in options.items():
        option = dict(option)
        env = option.pop('env', None)
        if env:
            option['fallback'] = (env_fallback, [env])
        spec[name] = option
    return spec


def run(options, function, **kwargs):
    """Run a module: ``function(client, params, check_mode)`` with a Docker client; exit with its
    result, or fail once on a hostpods error (its ``details`` are returned with the failure)."""
    module = AnsibleModule(argument_spec=argument_spec(options), supports_check_mode=True, **kwargs)
    if not HAS_DOCKER:
        module.fail_json(msg=missing_required_lib('docker'), exception=str(DOCKER_IMPORT_ERROR))
    try:
        client = DockerClient(module.params.get('docker_host'))
        module.exit_json(**function(client, module))
    except HostpodsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)
