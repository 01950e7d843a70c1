# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: every module's options, defined once as plain data (no Ansible import).

``_module.argument_spec`` turns them into ``AnsibleModule`` argument specs, action plugins take
their accepted keys from here, the library calls (``_reconcile``) their defaults, and a unit test
checks each module's DOCUMENTATION against them, so none of these can drift.
``env`` names an environment variable the option falls back to.
"""

from __future__ import annotations

NO_DEFINITION = 'one of definition, src or template is required (or, with state=absent, label_selectors)'

DOCKER = {
    'docker_host': {'type': 'str', 'env': 'DOCKER_HOST'},
}

POD = dict({
    'definition': {'type': 'raw'},
    'src': {'type': 'path'},
    'template': {'type': 'raw'},
    'state': {'type': 'str', 'default': 'present', 'choices': ['present', 'absent']},
    'namespace': {'type': 'str', 'default': 'default'},
    'wait': {'type': 'bool', 'default': False},
    'wait_timeout': {'type': 'int', 'default': 120},
    'force': {'type': 'bool', 'default': False},
    'grace_period': {'type': 'int'},
    'sandbox_image': {'type': 'str'},
    'label_selectors': {'type': 'list', 'elements': 'str'},
    'node_name': {'type': 'str'},
    'placement': {'type': 'dict'},
    'secret_data': {'type': 'list', 'elements': 'dict', 'no_log': True},
    'prune': {'type': 'bool', 'default': False},
    'applyset': {'type': 'str'},
    'prune_claims': {'type': 'bool', 'default': False},
}, **DOCKER)

POD_INFO = dict({
    'name': {'type': 'str'},
    'namespace': {'type': 'str', 'default': 'default'},
    'all_namespaces': {'type': 'bool', 'default': False},
    'label_selectors': {'type': 'list', 'elements': 'str', 'default': []},
    'node_name': {'type': 'str'},
}, **DOCKER)

POD_REF = dict({
    'name': {'type': 'str', 'required': True},
    'namespace': {'type': 'str', 'default': 'default'},
    'container': {'type': 'str'},
}, **DOCKER)

POD_LOGS = dict(POD_REF, **{
    'tail_lines': {'type': 'int'},
    'since_seconds': {'type': 'int'},
    'previous': {'type': 'bool', 'default': False},
    'timestamps': {'type': 'bool', 'default': False},
})

POD_EXEC = dict(POD_REF, **{
    'command': {'type': 'raw', 'required': True},
    'stdin': {'type': 'str'},
})

POD_DEBUG = dict(POD_REF, **{
    'image': {'type': 'str', 'required': True},
    'command': {'type': 'list', 'elements': 'str'},
    'args': {'type': 'list', 'elements': 'str'},
    'target': {'type': 'str'},
    'image_pull_policy': {'type': 'str', 'choices': ['Always', 'IfNotPresent', 'Never']},
})

POD_SCHEDULE = {
    'definition': {'type': 'raw'},
    'src': {'type': 'path'},
    'template': {'type': 'raw'},
    'namespace': {'type': 'str', 'default': 'default'},
    'nodes': {'type': 'dict', 'required': True},
}

# The option a module's DOCUMENTATION describes, by module name (the unit test walks this).
MODULES = {'pod': POD, 'pod_info': POD_INFO, 'pod_logs': POD_LOGS, 'pod_exec': POD_EXEC, 'pod_debug': POD_DEBUG,
           'pod_schedule': POD_SCHEDULE}


def defaults(options, given=None):
    """``given`` completed with the options' defaults (for library calls without AnsibleModule)."""
    out = {name: spec.get('default') for name, spec in options.items()}
    out.update(given or {})
    unknown = sorted(set(out) - set(options))
    if unknown:
        raise ValueError('unsupported parameters: %s' % ', '.join(unknown))
    return out
