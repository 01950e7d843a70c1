"""Unit tests of _spec/readiness: readiness gates validated, warned about, and never waited for in vain."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import notices
from ansible_collections.hostpods.core.plugins.module_utils._spec import readiness
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

from hostpods_fakes import container, doc


def gated(*kinds, **spec):
    return doc('web', containers=[container('app')], readinessGates=[{'conditionType': kind} for kind in kinds], **spec)


def test_gates_are_accepted_and_warned_about_once():
    warnings = []
    pods, _objects = manifest.load_manifests([(gated('example.com/lb'), 'm.yaml'),
                                              (dict(gated('example.com/lb'), metadata={'name': 'db'}), 'm.yaml')],
                                             check_schema=True, warnings=warnings)
    assert [pod['spec']['readinessGates'] for pod in pods] == [[{'conditionType': 'example.com/lb'}]] * 2
    assert notices.grouped(warnings) == ['%s: pods default/web, default/db' % readiness.NOTICE]
    assert notices.pod_notices(gated('ContainersReady')) == []  # the node reports that one itself


def test_a_condition_type_is_a_qualified_name():
    with pytest.raises(ManifestError) as info:
        manifest.load_manifests([(gated('bad type'), 'm.yaml')], check_schema=True)
    [line] = info.value.details['errors']
    assert 'spec.readinessGates[0].conditionType: Invalid value: "bad type": name part must consist of' in line


@pytest.mark.parametrize('kinds, policy, expected', [
    (('example.com/lb',), 'Always', True),
    (('example.com/lb',), 'Never', False),  # it finishes: wait waits for that
    (('ContainersReady',), 'Always', False),
    ((), 'Always', False),
])
def test_never_ready(kinds, policy, expected):
    pod = manifest.load_pods([(gated(*kinds, restartPolicy=policy), 'm.yaml')])[0]
    assert readiness.never_ready(pod) is expected


def test_wait_refusal_names_the_pods_and_gates():
    pods = manifest.load_pods([(gated('example.com/lb', 'example.com/dns'), 'm.yaml'),
                               (dict(gated(), metadata={'name': 'plain'}), 'm.yaml')])
    assert readiness.wait_refusal(pods) == (
        'Cannot wait for pods to be ready: pod default/web: spec.readinessGates "example.com/lb", "example.com/dns": '
        'only an API client sets a readiness gate\'s condition and hostpods has no API server, so the Ready condition '
        'stays False (ReadinessGatesNotReady)')
    assert readiness.wait_refusal(pods[1:]) is None


def test_the_kubelets_messages():
    spec = {'readinessGates': [{'conditionType': 'a.io/x'}, {'conditionType': 'Initialized'}]}
    assert readiness.unready_message(spec, [{'type': 'Initialized', 'status': 'False'}]) == (
        'corresponding condition of pod readiness gate "a.io/x" does not exist., '
        'the status of pod readiness gate "Initialized" is not "True", but False')
    assert readiness.unready_message({}, []) is None
