"""Unit tests: every problem of a manifest in one round (schema errors, fields hostpods refuses and the API
server's rules together), a value of the wrong type in one line naming the type it must have, and hostpods'
own rules saying they are hostpods'."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest

from hostpods_fakes import container, doc


def problems(document, check_schema=True):
    with pytest.raises(ManifestError) as info:
        manifest.load_manifests([(document, 'm.yaml')], check_schema=check_schema)
    (line,) = info.value.details['errors']
    return line.split(': ', 1)[1].split('; ')


def mixed():
    """A schema error (a map for a list), a field hostpods does not take, and a rule of the API server."""
    document = doc('web', containers=[container('app', env={'A': 'b'}), container('app')])
    document['spec']['hostnameOverride'] = 'other'
    return document


@pytest.mark.parametrize('check_schema', [True, False])
def test_schema_errors_unsupported_fields_and_api_rules_come_together(check_schema):
    assert problems(mixed(), check_schema) == [
        'spec.containers[0].env: Invalid value: a map: must be a list',
        'spec.hostnameOverride: field not supported by hostpods yet',
        'spec.containers[1].name: Duplicate value: "app"',
    ]


def test_each_field_is_named_once():
    """The schema and the field tree both see a value of the wrong type: the schema's line alone is kept, and the
    API server's rules say nothing of a field left out for its type (its 'Required value' would be noise)."""
    document = doc('web', containers=[container('app', image=['busybox'], ports='80')])
    assert problems(document) == [
        'spec.containers[0].image: Invalid value: a list: must be a string',
        'spec.containers[0].ports: Invalid value: "80": must be a list',
    ]


def test_an_unknown_field_is_named_once():
    document = doc('web', containers=[container('app', bogus=1)])
    assert problems(document) == ['spec.containers[0].bogus: unknown field (not in the Kubernetes %s Pod schema)'
                                  % manifest._validator()[0]]


def test_a_consequence_of_a_refused_field_is_not_said_again():
    """A ``valueFrom`` whose one source hostpods does not take is not also "must specify one of"."""
    env = [{'name': 'A', 'valueFrom': {'fileKeyRef': {'path': 'x'}}}]
    document = doc('web', containers=[container('app', env=env)])
    assert problems(document, check_schema=False) == [
        'spec.containers[0].env[0].valueFrom.fileKeyRef: field not supported by hostpods yet']


@pytest.mark.parametrize('field, value, expected', [
    ('workingDir', {'a': 'b'}, 'spec.containers[0].workingDir: Invalid value: a map: must be a string'),
    ('workingDir', ['a'], 'spec.containers[0].workingDir: Invalid value: a list: must be a string'),
    ('workingDir', 12, 'spec.containers[0].workingDir: Invalid value: 12: must be a string'),
    ('env', 'text', 'spec.containers[0].env: Invalid value: "text": must be a list'),
    ('tty', 'yes', 'spec.containers[0].tty: Invalid value: "yes": must be a boolean'),
])
def test_a_value_of_the_wrong_type_is_one_line_naming_the_type(field, value, expected):
    document = doc('web', containers=[container('app', **{field: value})])
    for check_schema in (True, False):
        assert problems(document, check_schema) == [expected]


def test_a_big_value_of_the_wrong_type_is_never_dumped():
    big = {'key-%d' % index: ['x' * 100] * 10 for index in range(100)}
    document = doc('web', containers=[container('app', command=big)])
    for check_schema in (True, False):
        (line,) = problems(document, check_schema)
        assert line == 'spec.containers[0].command: Invalid value: a map: must be a list' + (
            '' if check_schema else ' of strings')


@pytest.mark.parametrize('value, expected', [
    ([1], 'must be a string or a number'),          # a quantity
])
def test_a_quantity_of_the_wrong_type_names_both_types(value, expected):
    document = doc('web', containers=[container('app', resources={'limits': {'cpu': value}})])
    (line,) = problems(document)
    assert line == 'spec.containers[0].resources.limits.cpu: Invalid value: a list: %s' % expected


def test_an_int_or_string_of_the_wrong_type_names_both_types():
    probe = {'tcpSocket': {'port': {'n': 1}}}
    document = doc('web', containers=[container('app', livenessProbe=probe)])
    (line,) = problems(document)
    assert line == ('spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: a map: '
                    'must be a string or an integer')


def test_items_of_a_list_left_out_keep_the_other_items_checked():
    """A list item of the wrong type stands in as an empty map: the next items' indexes and rules hold."""
    document = doc('web', containers=[container('app')])
    document['spec']['containers'] = ['text', container('app'), container('app')]
    assert problems(document) == [
        'spec.containers[0]: Invalid value: "text": must be a map',
        'spec.containers[2].name: Duplicate value: "app"',
    ]


def test_a_manifest_that_is_no_map_is_one_problem():
    with pytest.raises(ManifestError) as info:
        manifest.load_manifests([(['a'], 'm.yaml')], check_schema=True)
    assert info.value.details['errors'] == ['m.yaml: a manifest must be a mapping, not list']


# ----------------------------------------------------------------------------- hostpods' own rules say so

@pytest.mark.parametrize('change, path', [
    (lambda d: d['spec']['containers'][0].update(volumeMounts=[{'name': 'v', 'mountPath': 'C:\\data'}]),
     'spec.containers[0].volumeMounts[0].mountPath'),
    (lambda d: d['spec'].update(volumes=[{'name': 'v', 'hostPath': {'path': 'C:\\data'}}]),
     'spec.volumes[0].hostPath.path'),
    (lambda d: d['spec']['containers'][0].update(ports=[{'containerPort': 80, 'hostPort': 80, 'hostIP': 'localhost'}]),
     'spec.containers[0].ports[0].hostIP'),
    (lambda d: d['spec']['containers'][0].update(livenessProbe={'httpGet': {'path': '/', 'port': 'web'}}),
     'spec.containers[0].livenessProbe.httpGet.port'),
    (lambda d: d['spec'].update(hostNetwork=True, dnsConfig={'nameservers': ['1.1.1.1']}), 'spec.dnsConfig'),
    (lambda d: d['spec'].update(hostUsers=False), 'spec.hostUsers'),
])
def test_a_rule_of_hostpods_own_says_it_is_hostpods(change, path):
    """Kubernetes accepts these (a Windows path is valid for a Windows node); hostpods on a Linux Docker host does
    not, and its message says the rule is hostpods', not Kubernetes'."""
    document = doc('web', containers=[container('app')], volumes=[{'name': 'v', 'emptyDir': {}}])
    change(document)
    lines = [line for line in problems(document) if line.startswith(path + ':')]
    assert lines and all('hostpods' in line for line in lines), problems(document)
