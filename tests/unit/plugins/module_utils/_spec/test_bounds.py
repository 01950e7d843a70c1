"""Unit tests of _spec/bounds: reading manifests within bounds (size, nesting, aliases) and short errors."""

import time

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import bounds
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import yaml_bounds
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

from hostpods_fakes import doc


def laughs(levels, width=9, key='labels'):
    """A Pod whose ``metadata.<key>`` holds the classic "billion laughs": each level ``width`` aliases of the last."""
    lines = ['    l0: &l0 [%s]' % ','.join(['"lol"'] * width)]
    for level in range(1, levels):
        lines.append('    l%d: &l%d [%s]' % (level, level, ','.join(['*l%d' % (level - 1)] * width)))
    return ('apiVersion: v1\nkind: Pod\nmetadata:\n  name: bomb\n  %s:\n%s\n'
            'spec: {containers: [{name: c, image: busybox}]}\n' % (key, '\n'.join(lines)))


@pytest.fixture(autouse=True, params=['libyaml', 'python'])
def loader(request, monkeypatch):
    """Every test twice: with libyaml's parser (when PyYAML has it) and with PyYAML's own."""
    if request.param == 'python':
        monkeypatch.setattr(yaml_bounds, 'Loader', yaml_bounds.PyLoader)
    return request.param


def parse_error(text, source='bomb.yaml'):
    with pytest.raises(ManifestError) as info:
        manifest.parse_text(text, source)
    return info.value.msg


# ----------------------------------------------------------------------------- aliases

def test_billion_laughs_of_a_kilobyte_is_refused_at_once_with_its_place():
    text = laughs(10)
    assert len(text) < 1400
    started = time.monotonic()
    msg = parse_error(text)
    assert time.monotonic() - started < 2
    assert msg.startswith('bomb.yaml:')
    assert 'expands to more than 8388608 bytes once its aliases are expanded' in msg
    assert len(msg) < 400


def test_merge_key_bomb_is_refused_before_it_is_built():
    lines = ['m0: &m0 {a: 1, b: 2, c: 3}']
    for level in range(1, 12):
        lines.append('m%d: &m%d {<<: [%s], k%d: x}' % (level, level, ', '.join(['*m%d' % (level - 1)] * 9), level))
    msg = parse_error('\n'.join(lines) + '\n')
    assert 'once its aliases are expanded' in msg


def test_aliases_summed_over_the_documents_of_one_text():
    one = laughs(6)      # about 9**6 * 4 units: under the bound alone
    assert manifest.parse_text(one, 'one.yaml')
    msg = parse_error('---\n'.join([one] * 40))
    assert 'once its aliases are expanded' in msg


def test_ordinary_anchors_and_merge_keys_are_read():
    text = ('apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: &labels {app: web}}\nspec:\n'
            '  nodeSelector: *labels\n  containers:\n  - &c {name: a, image: busybox, env: [{name: X, value: "1"}]}\n'
            '  - <<: *c\n    name: b\n')
    [(document, _origin)] = manifest.parse_text(text, 'web.yaml')
    assert document['spec']['nodeSelector'] == {'app': 'web'}
    assert [c['name'] for c in document['spec']['containers']] == ['a', 'b']
    assert document['spec']['containers'][1]['env'] == [{'name': 'X', 'value': '1'}]


def test_text_of_a_str_subclass_is_read():
    class Tagged(str):
        """As Ansible hands over a definition string: a subclass of str, which libyaml alone refuses."""

    [(document, _origin)] = manifest.parse_text(Tagged('apiVersion: v1\nkind: Pod\n'), 'tagged')
    assert document == {'apiVersion': 'v1', 'kind': 'Pod'}


def test_recursive_alias_is_refused():
    msg = parse_error('a: &a [1, *a]\n', 'loop.yaml')
    assert msg == 'loop.yaml:1:11: cannot parse manifest: %s' % bounds.RECURSIVE


# ----------------------------------------------------------------------------- nesting, size, values

@pytest.mark.parametrize('depth', [101, 1000, 100000])
def test_deep_nesting_is_refused_without_exhausting_the_stack(depth):
    msg = parse_error('[' * depth + ']' * depth, 'deep.yaml')
    assert msg == 'deep.yaml:1:101: cannot parse manifest: nested deeper than 100 levels (hostpods reads at most 100)'


def test_nesting_up_to_the_bound_is_read():
    [(document, _origin)] = manifest.parse_text('[' * 100 + ']' * 100, 'deep.yaml')
    assert isinstance(document, list)


def test_text_over_the_size_bound_is_refused_by_name_before_parsing():
    text = 'a: "%s"\n' % ('x' * bounds.MAX_TEXT_BYTES)
    msg = parse_error(text, 'huge.yaml')
    assert msg == ('huge.yaml: Too long: %d bytes: hostpods reads at most 8388608 bytes (8 MiB) of manifests from one '
                   'file or text' % len(text))


def test_size_bound_counts_utf8_bytes():
    text = 'a: "%s"\n' % ('é' * (bounds.MAX_TEXT_BYTES // 2))
    assert 'Too long' in parse_error(text)


@pytest.mark.parametrize('text, where, problem', [
    ('a: ' + '1' * 5000 + '\n', 'v.yaml:1:4', 'an integer of 5000 digits is out of range'),
    ('a:\n  b: 2024-13-45\n', 'v.yaml:2:6', 'invalid value: month must be in 1..12'),
])
def test_values_the_loader_cannot_build_are_refused_with_their_place(text, where, problem):
    assert parse_error(text, 'v.yaml') == '%s: cannot parse manifest: %s' % (where, problem)


# ----------------------------------------------------------------------------- documents given as data

def test_data_bomb_of_shared_references_is_refused():
    level = ['lol'] * 9
    for _level in range(10):
        level = [level] * 9
    document = doc('bomb', labels={'x': level})
    with pytest.raises(ManifestError) as info:
        manifest.collect_documents([doc('good'), document])
    assert info.value.msg == 'definition[1]: ' + bounds.TOO_BIG


def test_data_that_contains_itself_is_refused():
    document = doc('loop')
    document['spec']['loop'] = [document]
    with pytest.raises(ManifestError) as info:
        manifest.collect_documents(document)
    assert info.value.msg == 'definition: ' + bounds.RECURSIVE


def test_data_nested_too_deeply_is_refused():
    value = 'leaf'
    for _level in range(200):
        value = [value]
    with pytest.raises(ManifestError) as info:
        manifest.collect_documents(doc('deep', labels={'x': value}))
    assert info.value.msg == 'definition: ' + bounds.TOO_DEEP


@pytest.mark.parametrize('value, problem', [
    ({'a': ['x'] * 10}, None),
    ([[]] * 100, None),                                   # shared (empty) lists count each time they appear
    ('x' * bounds.MAX_EXPANDED, bounds.TOO_BIG),
    ({'k' * bounds.MAX_EXPANDED: 1}, bounds.TOO_BIG),     # keys count too
    ([['x' * 1024] * 1024] * 9, bounds.TOO_BIG),          # 9 MiB of one shared list
])
def test_data_problem(value, problem):
    assert bounds.data_problem(value) == problem


# ----------------------------------------------------------------------------- short errors

def test_error_lines_keeps_ten_short_messages():
    errors = ['e%d: %s' % (index, 'x' * 3000) for index in range(25)]
    lines = bounds.error_lines(errors)
    assert len(lines) == 11
    assert all(len(line) < 1100 for line in lines)
    assert lines[0].startswith('e0: xxx') and lines[0].endswith('...(3004 characters)')
    assert lines[-1] == '... and 15 more problems'
    assert bounds.error_lines(['a', 'b']) == ['a', 'b']


def test_batch_lines_keeps_twenty_manifests():
    assert bounds.batch_lines(['p'] * 3) == ['p'] * 3
    lines = bounds.batch_lines(['p%d' % index for index in range(23)])
    assert lines[:20] == ['p%d' % index for index in range(20)]
    assert lines[20:] == ['... and 3 more manifests with problems']


def test_a_batch_of_many_bad_manifests_gives_a_short_message():
    documents = [(doc('Bad_%d' % index, containers=[{'name': 'Bad_C', 'image': ''}] * 30), 'm%d' % index)
                 for index in range(200)]
    with pytest.raises(ManifestError) as info:
        manifest.load_manifests(documents)
    assert len(info.value.msg) < 64 * 1024
    assert info.value.msg.endswith('... and 180 more manifests with problems')
