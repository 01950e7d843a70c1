"""Unit tests of _spec.interpod and the new scheduling fields of _spec.scheduling: the API server's
validation of pod (anti-)affinity, topology spread constraints, toleration operators Lt/Gt, scheduling
gates, schedulerName and preemptionPolicy, with its messages."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import interpod
from ansible_collections.hostpods.core.plugins.module_utils._spec import scheduling

from hostpods_fakes import doc

ANTI = 'spec.affinity.podAntiAffinity'
REQ = ANTI + '.requiredDuringSchedulingIgnoredDuringExecution[0]'
SPREAD = 'spec.topologySpreadConstraints[0]'


def errors_of(**spec):
    pod_spec = doc('p', **spec)['spec']
    return scheduling.scheduling_errors(pod_spec) + interpod.interpod_errors(pod_spec)


def anti(*terms, preferred=()):
    return {'podAntiAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': list(terms),
                                'preferredDuringSchedulingIgnoredDuringExecution': list(preferred)}}


def term(topology='kubernetes.io/hostname', **extra):
    out = {'labelSelector': {'matchLabels': {'app': 'web'}}, 'topologyKey': topology}
    out.update(extra)
    return out


def spread(**extra):
    out = {'maxSkew': 1, 'topologyKey': 'zone', 'whenUnsatisfiable': 'DoNotSchedule',
           'labelSelector': {'matchLabels': {'app': 'web'}}}
    out.update(extra)
    return out


def test_valid_interpod_fields_have_no_errors():
    affinity = anti(term(namespaces=['default', 'other'], matchLabelKeys=['rev'], mismatchLabelKeys=['tenant']),
                    term('zone', namespaceSelector={}, labelSelector={'matchExpressions': [
                        {'key': 'app', 'operator': 'In', 'values': ['a', 'b']}, {'key': 'x', 'operator': 'Exists'}]}),
                    preferred=[{'weight': 100, 'podAffinityTerm': term()}])
    affinity['podAffinity'] = {'requiredDuringSchedulingIgnoredDuringExecution': [term('zone')]}
    assert errors_of(affinity=affinity, topologySpreadConstraints=[
        spread(minDomains=2, nodeAffinityPolicy='Ignore', nodeTaintsPolicy='Honor', matchLabelKeys=['rev']),
        spread(whenUnsatisfiable='ScheduleAnyway')]) == []


@pytest.mark.parametrize('spec, expected', [
    ({'affinity': anti({'labelSelector': {}})}, [REQ + '.topologyKey: Required value: can not be empty']),
    ({'affinity': anti(term('bad key'))},
     [REQ + '.topologyKey: Invalid value: "bad key": name part must consist of alphanumeric characters, \'-\', \'_\' or '
      "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
      "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
    ({'affinity': anti(term(labelSelector={'matchExpressions': [{'key': 'app', 'operator': 'In'}]}))},
     [REQ + ".labelSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or "
      "'NotIn'"]),
    ({'affinity': anti(term(labelSelector={'matchExpressions': [{'key': 'app', 'operator': 'Exists', 'values': ['x']}]}))},
     [REQ + ".labelSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
      "'DoesNotExist'"]),
    ({'affinity': anti(term(labelSelector={'matchExpressions': [{'key': 'app', 'operator': 'Gt', 'values': ['1']}]}))},
     [REQ + '.labelSelector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator']),
    ({'affinity': anti(term(namespaces=['Bad_NS']))},
     [REQ + ".namespaces[0]: Invalid value: \"Bad_NS\": a lowercase RFC 1123 label must consist of lower case "
      "alphanumeric characters or '-', and must start and end with an alphanumeric character"]),
    ({'affinity': anti({'topologyKey': 'zone', 'matchLabelKeys': ['rev']})},
     [REQ + '.labelSelector: Forbidden: must be specified when matchLabelKeys or mismatchLabelKeys is set']),
    ({'affinity': anti(term(matchLabelKeys=['rev'], mismatchLabelKeys=['rev']))},
     [REQ + '.matchLabelKeys[0]: Invalid value: "rev": exists in both matchLabelKeys and mismatchLabelKeys']),
    ({'affinity': anti(preferred=[{'weight': 0, 'podAffinityTerm': term()}])},
     [ANTI + '.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100']),
    ({'topologySpreadConstraints': [spread(maxSkew=0)]}, [SPREAD + '.maxSkew: Invalid value: 0: must be greater than zero']),
    ({'topologySpreadConstraints': [spread(topologyKey='')]}, [SPREAD + '.topologyKey: Required value: can not be empty']),
    ({'topologySpreadConstraints': [spread(whenUnsatisfiable='Maybe')]},
     [SPREAD + '.whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"']),
    ({'topologySpreadConstraints': [spread(), spread(maxSkew=2)]},
     [SPREAD + '.{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"']),
    ({'topologySpreadConstraints': [spread(minDomains=0)]}, [SPREAD + '.minDomains: Invalid value: 0: must be greater than zero']),
    ({'topologySpreadConstraints': [spread(minDomains=2, whenUnsatisfiable='ScheduleAnyway')]},
     [SPREAD + '.minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway']),
    ({'topologySpreadConstraints': [spread(nodeTaintsPolicy='Always')]},
     [SPREAD + '.nodeTaintsPolicy: Unsupported value: "Always": supported values: "Honor", "Ignore"']),
    ({'topologySpreadConstraints': [spread(matchLabelKeys=['app'])]},
     [SPREAD + '.matchLabelKeys[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector']),
    ({'topologySpreadConstraints': [spread(labelSelector=None, matchLabelKeys=['rev'])]},
     [SPREAD + '.matchLabelKeys: Forbidden: must not be specified when labelSelector is not set']),
])
def test_interpod_errors(spec, expected):
    assert errors_of(**spec) == expected


@pytest.mark.parametrize('toleration, expected', [
    ({'key': 'sla', 'operator': 'Gt', 'value': '950', 'effect': 'NoSchedule'}, []),
    ({'key': 'sla', 'operator': 'Lt', 'value': '-3'}, []),
    ({'key': 'sla', 'operator': 'Lt', 'value': '0'}, []),
    ({'key': 'sla', 'operator': 'Gt', 'value': '0950'},
     ['spec.tolerations[0].value: Invalid value: "0950": must be a valid decimal integer in canonical form']),
    ({'key': 'sla', 'operator': 'Gt', 'value': 'high'},
     ['spec.tolerations[0].value: Invalid value: "high": must be a valid decimal integer in canonical form']),
    ({'key': 'sla', 'operator': 'Lt', 'value': '99999999999999999999'},
     ['spec.tolerations[0].value: Invalid value: "99999999999999999999": must be a valid decimal integer in canonical form']),
])
def test_comparison_toleration_operators(toleration, expected):
    assert errors_of(tolerations=[toleration]) == expected


@pytest.mark.parametrize('spec, expected', [
    ({'schedulingGates': [{'name': 'example.com/quota'}, {'name': 'ready'}]}, []),
    ({'schedulingGates': [{'name': 'a'}, {'name': 'a'}]}, ['spec.schedulingGates[1]: Duplicate value: "a"']),
    ({'schedulingGates': [{'name': 'a'}], 'nodeName': 'n1'},
     ['spec.nodeName: Forbidden: cannot be set until all schedulingGates have been removed']),
    ({'schedulerName': 'my-scheduler'}, []),
    ({'schedulerName': 'My_Scheduler'},
     ["spec.schedulerName: Invalid value: \"My_Scheduler\": a lowercase RFC 1123 subdomain must consist of lower case "
      "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"]),
    ({'preemptionPolicy': 'Never', 'priorityClassName': 'high'}, []),
    ({'preemptionPolicy': 'Sometimes'},
     ['spec.preemptionPolicy: Unsupported value: "Sometimes": supported values: "Never", "PreemptLowerPriority"']),
])
def test_gates_scheduler_name_and_preemption_policy(spec, expected):
    assert errors_of(**spec) == expected
