"""Unit tests of _spec.scheduling: the API server's validation of the scheduling fields."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import scheduling

from hostpods_fakes import doc


def errors_of(**spec):
    return scheduling.scheduling_errors(doc('p', **spec)['spec'])


def req(key_, operator, *values):
    out = {'key': key_, 'operator': operator}
    if values:
        out['values'] = list(values)
    return out


def required(*terms):
    return {'nodeAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': {'nodeSelectorTerms': list(terms)}}}


REQUIRED_PATH = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms'


def test_valid_scheduling_fields_have_no_errors():
    assert errors_of(
        nodeName='node-1.example.com', nodeSelector={'disk': 'ssd', 'example.com/zone': 'z1', 'empty': ''},
        affinity={'nodeAffinity': {
            'requiredDuringSchedulingIgnoredDuringExecution': {'nodeSelectorTerms': [
                {'matchExpressions': [req('disk', 'In', 'ssd'), req('gpu', 'DoesNotExist'), req('gen', 'Gt', '3')]},
                {'matchFields': [req('metadata.name', 'NotIn', 'node-2')]}, {}]},
            'preferredDuringSchedulingIgnoredDuringExecution': [
                {'weight': 100, 'preference': {'matchExpressions': [req('zone', 'Exists')]}}]}},
        tolerations=[{'key': 'dedicated', 'operator': 'Equal', 'value': 'gpu', 'effect': 'NoSchedule'},
                     {'key': 'evict', 'operator': 'Exists', 'effect': 'NoExecute', 'tolerationSeconds': 30},
                     {'operator': 'Exists'}, {'key': 'k', 'value': 'v'}]) == []


@pytest.mark.parametrize('spec, expected', [
    ({'nodeName': 'Node_1'}, ['spec.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain must consist of '
                              "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"]),
    ({'nodeSelector': {'bad key': 'x'}}, ['spec.nodeSelector: Invalid value: "bad key": name part must consist of alphanumeric '
                                          "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                                          "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                                          "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
    ({'nodeSelector': {'/x': 'y'}}, ['spec.nodeSelector: Invalid value: "/x": prefix part must be non-empty']),
    ({'nodeSelector': {'Example.com/x': 'y'}},
     ["spec.nodeSelector: Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower "
      "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"]),
    ({'nodeSelector': {'a/b/c': 'y'}}, ['spec.nodeSelector: Invalid value: "a/b/c": a qualified name must consist of '
                                        "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                        "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
                                        "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional "
                                        "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]),
    ({'nodeSelector': {'k' * 64: 'y'}}, ['spec.nodeSelector: Invalid value: "%s": name part must be no more than 63 characters'
                                         % ('k' * 64)]),
    ({'nodeSelector': {'disk': '-ssd'}}, ['spec.nodeSelector: Invalid value: "-ssd": a valid label must be an empty string or '
                                          "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                          "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                                          "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
    ({'affinity': required()}, [REQUIRED_PATH + ': Required value: must have at least one node selector term']),
    ({'affinity': required({'matchExpressions': [req('disk', 'In')]})},
     [REQUIRED_PATH + "[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]),
    ({'affinity': required({'matchExpressions': [req('disk', 'Exists', 'x')]})},
     [REQUIRED_PATH + "[0].matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
      "'DoesNotExist'"]),
    ({'affinity': required({'matchExpressions': [req('gen', 'Gt', '1', '2')]})},
     [REQUIRED_PATH + "[0].matchExpressions[0].values: Required value: must be specified single value when `operator` is "
      "'Lt' or 'Gt'"]),
    ({'affinity': required({'matchExpressions': [req('disk', 'Like', 'x')]})},
     [REQUIRED_PATH + '[0].matchExpressions[0].operator: Invalid value: "Like": not a valid selector operator']),
    ({'affinity': required({'matchExpressions': [req('', 'Exists')]})},
     [REQUIRED_PATH + '[0].matchExpressions[0].key: Invalid value: "": name part must be non-empty']),
    ({'affinity': required({'matchFields': [req('metadata.name', 'In', 'a', 'b')]})},
     [REQUIRED_PATH + "[0].matchFields[0].values: Required value: must be only one value when `operator` is 'In' or "
      "'NotIn' for node field selector"]),
    ({'affinity': required({'matchFields': [req('metadata.uid', 'Exists')]})},
     [REQUIRED_PATH + '[0].matchFields[0].operator: Invalid value: "Exists": not a valid selector operator',
      REQUIRED_PATH + '[0].matchFields[0].key: Unsupported value: "metadata.uid": supported values: "metadata.name"']),
    ({'affinity': {'nodeAffinity': {'preferredDuringSchedulingIgnoredDuringExecution': [
        {'weight': 0, 'preference': {'matchExpressions': [req('a', 'In')]}}]}}},
     ['spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in '
      'the range 1-100',
      "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values: "
      "Required value: must be specified when `operator` is 'In' or 'NotIn'"]),
    ({'tolerations': [{'value': 'x'}]},
     ['spec.tolerations[0].operator: Invalid value: "": operator must be Exists when `key` is empty, which means '
      '"match all values and all keys"']),
    ({'tolerations': [{'key': 'k', 'operator': 'Exists', 'value': 'v'}]},
     ["spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"]),
    ({'tolerations': [{'key': 'k', 'operator': 'In'}]},
     ['spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists", "Gt", "Lt"']),
    ({'tolerations': [{'key': 'k', 'operator': 'Exists', 'effect': 'NoSchedule', 'tolerationSeconds': 5}]},
     ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"]),
    ({'tolerations': [{'key': 'k', 'operator': 'Exists', 'effect': 'Never'}]},
     ['spec.tolerations[0].effect: Unsupported value: "Never": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"']),
    ({'tolerations': [{'key': 'bad key', 'operator': 'Exists'}]},
     ['spec.tolerations[0].key: Invalid value: "bad key": name part must consist of alphanumeric characters, \'-\', \'_\' '
      "or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
      "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
])
def test_scheduling_errors(spec, expected):
    assert errors_of(**spec) == expected


def test_load_pods_accepts_the_scheduling_fields():
    raw = doc('p', nodeName='n1', nodeSelector={'disk': 'ssd'}, tolerations=[{'operator': 'Exists'}],
              affinity=required({'matchExpressions': [req('disk', 'In', 'ssd')]}))
    [loaded] = manifest.load_pods([(raw, 'm.yaml')])
    assert loaded['spec']['nodeName'] == 'n1' and loaded['spec']['tolerations'] == [{'operator': 'Exists'}]
    [loaded] = manifest.load_pods([(doc('p', affinity={'podAffinity': {}}, schedulerName='other'), 'm.yaml')])
    assert loaded['spec']['affinity'] == {'podAffinity': {}} and loaded['spec']['schedulerName'] == 'other'
    with pytest.raises(ManifestError) as info:
        manifest.load_pods([(doc('p', tolerations=[{'key': 'k', 'operator': 'In'}]), 'm.yaml')])
    assert 'spec.tolerations[0].operator: Unsupported value: "In"' in info.value.msg
