"""Each module's documented options, its argument spec and its action plugin's accepted keys come
from one source (``_options``): this test fails when they drift apart."""

import importlib

import pytest
import yaml

from ansible_collections.hostpods.core.plugins.action.pod import ActionModule as PodAction
from ansible_collections.hostpods.core.plugins.action.pod_schedule import ActionModule as ScheduleAction
from ansible_collections.hostpods.core.plugins.doc_fragments._docker import ModuleDocFragment as DockerFragment
from ansible_collections.hostpods.core.plugins.doc_fragments._pod_ref import ModuleDocFragment as PodRefFragment
from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._module import argument_spec

FRAGMENTS = {'hostpods.core._docker': yaml.safe_load(DockerFragment.DOCUMENTATION)['options'],
             'hostpods.core._pod_ref': yaml.safe_load(PodRefFragment.DOCUMENTATION)['options']}
KEYS = ('type', 'default', 'elements', 'choices', 'required', 'no_log')


def documented(module):
    doc = yaml.safe_load(importlib.import_module('ansible_collections.hostpods.core.plugins.modules.' + module).DOCUMENTATION)
    out = {}
    for fragment in doc.get('extends_documentation_fragment') or []:
        out.update(FRAGMENTS.get(fragment, {}))
    out.update(doc.get('options') or {})  # as Ansible merges them: a module's own option replaces a fragment's
    return out


def comparable(option):
    out = {key: option[key] for key in KEYS if option.get(key) not in (None, False)}
    if out.get('default') == []:
        del out['default']
    return out


@pytest.mark.parametrize('module', sorted(options.MODULES))
def test_documentation_matches_the_options(module):
    docs, spec = documented(module), options.MODULES[module]
    assert sorted(docs) == sorted(spec)
    for name in spec:
        wanted = comparable(spec[name])
        wanted.pop('no_log', None)  # documentation does not repeat no_log
        assert comparable(docs[name]) == wanted, name


def test_argument_specs_come_from_the_options():
    spec = argument_spec(options.POD)
    assert sorted(spec) == sorted(options.POD)
    assert spec['docker_host']['fallback'][1] == ['DOCKER_HOST'] and 'env' not in spec['docker_host']
    assert spec['secret_data']['no_log'] is True


def test_action_plugins_accept_exactly_the_modules_options():
    assert PodAction._VALID_ARGS == frozenset(options.POD)
    assert ScheduleAction._VALID_ARGS == frozenset(options.POD_SCHEDULE)


def test_library_defaults_and_unknown_options():
    assert options.defaults(options.POD, {'state': 'absent'})['wait_timeout'] == 120
    with pytest.raises(ValueError):
        options.defaults(options.POD, {'nope': 1})
