"""Unit tests: refusals quote values only as short excerpts (schema errors included) and never a Secret's values."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

from hostpods_fakes import container, doc

HUGE = 'Z' * 200000
NEVER = '(the values of a Secret are never shown)'


def refusal(document, check_schema=True):
    with pytest.raises(ManifestError) as info:
        manifest.load_manifests([(document, 'm.yaml')], check_schema=check_schema)
    return info.value


# ----------------------------------------------------------------------------- excerpts

@pytest.mark.parametrize('value, shown', [
    ('short', 'short'),
    ('x' * 65, 'x' * 64 + '...(65 characters)'),
    (12, '12'),
    ({'a': 1}, "{'a': 1}"),
    ([[['x' * 1000] * 1000] * 1000], "[[[...], [...], [...], [...], ...]]"),            # a billion characters, summarised without printing them
])
def test_excerpt(value, shown):
    assert podspec.excerpt(value) == shown


def test_quoted_and_invalid():
    assert podspec.quoted('v') == '"v"' and podspec.quoted(3) == '3'
    assert podspec.invalid('a.b', 'v', ['one', 'two']) == ['a.b: Invalid value: "v": one', 'a.b: Invalid value: "v": two']
    assert podspec.invalid('a.b', 'v', []) == []


# ----------------------------------------------------------------------------- schema errors

@pytest.mark.parametrize('change, expected', [
    (lambda d: d['spec'].update(terminationGracePeriodSeconds=HUGE),
     'spec.terminationGracePeriodSeconds: Invalid value: "%s...(200000 characters)": must be an integer' % ('Z' * 64)),
    (lambda d: d['spec'].update(restartPolicy=HUGE),
     'spec.restartPolicy: Unsupported value: "%s...(200000 characters)": supported values: "Always", "OnFailure", '
     '"Never"' % ('Z' * 64)),
    (lambda d: d['spec']['containers'][0].update(ports=[{'hostPort': 80}]),
     'spec.containers[0].ports[0].containerPort: Required value'),
    (lambda d: d['spec']['containers'][0].update(**{HUGE: 1}),
     'spec.containers[0].%s...(200000 characters): unknown field' % ('Z' * 64)),
    (lambda d: d['metadata'].update(labels={'a': [HUGE] * 1000}),
     'metadata.labels.a: Invalid value: a list: must be a string'),   # a list or map is named, never printed
])
def test_schema_errors_quote_values_short(change, expected):
    document = doc('web')
    change(document)
    error = refusal(document)
    assert expected in error.msg
    assert len(error.msg) < 600


# ----------------------------------------------------------------------------- Secrets

SECRET_VALUE = 'hunter2-very-secret'


@pytest.mark.parametrize('body', [
    {'data': {'password': 12345678}},
    {'data': {'password': [SECRET_VALUE]}},
    {'stringData': {'password': {'nested': SECRET_VALUE}}},
    {'stringData': SECRET_VALUE},
    {'data': [SECRET_VALUE]},
])
@pytest.mark.parametrize('check_schema', [True, False])
def test_secret_values_of_the_wrong_type_are_never_shown(body, check_schema):
    secret = dict(body, apiVersion='v1', kind='Secret', metadata={'name': 'creds'})
    error = refusal(secret, check_schema)
    assert SECRET_VALUE not in error.msg and '12345678' not in error.msg
    assert NEVER in error.msg
    assert all(SECRET_VALUE not in line for line in error.details['errors'])


def test_secret_key_errors_name_the_key_and_hide_the_value():
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'creds'}, 'stringData': {'password': 1}}
    assert refusal(secret, check_schema=False).details['errors'] == [
        'm.yaml Secret "creds": stringData[password]: Invalid value: must be a string %s' % NEVER]


# ----------------------------------------------------------------------------- every kind of value, cut short

@pytest.mark.parametrize('change', [
    lambda d: d['spec'].update(hostname=HUGE),
    lambda d: d['spec'].update(dnsPolicy=HUGE),
    lambda d: d['spec'].update(nodeName=HUGE),
    lambda d: d['spec'].update(nodeSelector={HUGE: HUGE}),
    lambda d: d['spec'].update(hostAliases=[{'ip': HUGE, 'hostnames': [HUGE]}]),
    lambda d: d['spec'].update(dnsConfig={'nameservers': [HUGE], 'searches': [HUGE]}),
    lambda d: d['spec'].update(tolerations=[{'key': HUGE, 'operator': HUGE, 'effect': HUGE}]),
    lambda d: d['spec'].update(volumes=[{'name': HUGE, 'hostPath': {'path': HUGE, 'type': HUGE}}]),
    lambda d: d['spec'].update(volumes=[{'name': 'v', 'emptyDir': {'medium': HUGE, 'sizeLimit': HUGE}}]),
    lambda d: d['spec'].update(volumes=[{'name': 'v', 'configMap': {'name': 'c', 'items': [{'key': 'k', 'path': HUGE}]}}]),
    lambda d: d['spec']['containers'][0].update(image=' %s ' % HUGE, imagePullPolicy=HUGE),
    lambda d: d['spec']['containers'][0].update(env=[{'name': HUGE, 'valueFrom': {'fieldRef': {'fieldPath': HUGE}}}]),
    lambda d: d['spec']['containers'][0].update(envFrom=[{'prefix': HUGE, 'configMapRef': {'name': HUGE}}]),
    lambda d: d['spec']['containers'][0].update(volumeMounts=[{'name': HUGE, 'mountPath': HUGE, 'subPath': HUGE}]),
    lambda d: d['spec']['containers'][0].update(ports=[{'containerPort': 80, 'name': HUGE, 'protocol': HUGE,
                                                        'hostIP': HUGE}]),
    lambda d: d['spec']['containers'][0].update(resources={'limits': {'cpu': HUGE, 'memory': '1' + 'e' * 10}}),
    lambda d: d['spec']['containers'][0].update(terminationMessagePath=HUGE, terminationMessagePolicy=HUGE),
    lambda d: d['spec']['containers'][0].update(securityContext={'capabilities': {'add': [HUGE]},
                                                                 'seccompProfile': {'type': HUGE}}),
    lambda d: d['spec']['containers'][0].update(lifecycle={'preStop': {'httpGet': {'port': HUGE, 'scheme': HUGE}}}),
    lambda d: d['metadata'].update(labels={HUGE: HUGE}, annotations={HUGE: 'v'}),
    lambda d: d.update(kind=HUGE),
    lambda d: d.update(apiVersion=HUGE),
], ids=lambda change: '')
@pytest.mark.parametrize('check_schema', [True, False])
def test_refusals_never_embed_a_long_value(change, check_schema):
    document = doc('web', containers=[container('c')])
    change(document)
    error = refusal(document, check_schema)
    assert 'Z' * 65 not in error.msg, error.msg[:2000]
    assert len(error.msg) < 12000
