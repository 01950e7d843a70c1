"""The supported-field tree (``_spec.fields``) is the source: the pod module's documentation and the
README name every pod and container field hostpods supports, and claim none it refuses."""

import importlib
import os
import re

import pytest
import yaml

from ansible_collections.hostpods.core.plugins.module_utils._spec import fields

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
REFUSED_EXAMPLES = ('serviceAccountName', 'ephemeralContainers', 'volumeDevices', 'hostUsers', 'resourceClaims',
                    'hostnameOverride')


def module_text():
    doc = yaml.safe_load(importlib.import_module('ansible_collections.hostpods.core.plugins.modules.pod').DOCUMENTATION)
    return '\n'.join(doc['description'])


def readme_text():
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as handle:
        return handle.read()


def supported(tree):
    return sorted(key for key, value in tree.items() if not isinstance(value, (fields.Ignored, fields.Forbidden))
                  and key not in ('apiVersion', 'kind'))


SPEC_FIELDS = supported(fields.POD['spec'])
CONTAINER_FIELDS = supported(fields.CONTAINER)


@pytest.mark.parametrize('field', SPEC_FIELDS + CONTAINER_FIELDS)
def test_the_module_documentation_names_every_supported_field(field):
    assert 'C(%s)' % field in module_text() or 'C(%s.' % field in module_text(), field


@pytest.mark.parametrize('field', SPEC_FIELDS + CONTAINER_FIELDS)
def test_the_readme_names_every_supported_field(field):
    assert re.search(r'`%s[`.\[ ]' % re.escape(field), readme_text()), field


@pytest.mark.parametrize('field', [f for f in REFUSED_EXAMPLES if f not in SPEC_FIELDS + CONTAINER_FIELDS])
def test_no_refused_field_is_claimed_supported(field):
    readme = readme_text()
    table = readme[readme.index('## What it does, field by field'):readme.index('Every field of a manifest is checked')]
    assert '`%s`' % field not in table, field


def refused(tree, path=()):
    """The fields ``tree`` refuses with a reason (``fields.Refused``), as paths."""
    while isinstance(tree, fields.ListOf):
        tree = tree.item
    if isinstance(tree, fields.Refused):
        return [path]
    if not isinstance(tree, dict):
        return []
    return [found for key, value in tree.items() for found in refused(value, path + (key,))]


@pytest.mark.parametrize('path', refused(fields.POD), ids='.'.join)
def test_the_readme_and_the_module_documentation_name_every_field_refused_with_a_reason(path):
    assert re.search(r'`%s`' % re.escape(path[-1]), readme_text()), path
    assert 'C(%s)' % path[-1] in module_text(), path
