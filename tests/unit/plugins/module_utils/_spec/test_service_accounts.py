"""Unit tests: service accounts are accepted as a kubelet without an API server takes them (the name, no token),
the apply warns once naming the pods, and the projected sources that need an API server are refused with why."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._plan.node import NodeContext
from ansible_collections.hostpods.core.plugins.module_utils._reconcile import Batch
from ansible_collections.hostpods.core.plugins.module_utils._spec import downward
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import notices

from hostpods_fakes import container, doc

NO_TOKEN = notices.NO_TOKEN


def load(document, check_schema=True):
    return manifest.load_pods([(document, 'm.yaml')], check_schema=check_schema)[0]


def refusal(document, check_schema=True):
    with pytest.raises(ManifestError) as info:
        manifest.load_pods([(document, 'm.yaml')], check_schema=check_schema)
    return info.value.details['errors'][0]


@pytest.mark.parametrize('given, stored', [
    ({'serviceAccountName': 'builder'}, {'serviceAccountName': 'builder', 'serviceAccount': 'builder'}),
    ({'serviceAccount': 'legacy'}, {'serviceAccountName': 'legacy', 'serviceAccount': 'legacy'}),
    # the API server keeps serviceAccountName and writes it over the deprecated field
    ({'serviceAccountName': 'new', 'serviceAccount': 'old'}, {'serviceAccountName': 'new', 'serviceAccount': 'new'}),
    ({'serviceAccountName': ''}, {}),
    ({}, {}),
])
def test_the_deprecated_service_account_is_the_same_field(given, stored):
    spec = load(doc('web', containers=[container('app')], **given))['spec']
    assert {key: spec[key] for key in ('serviceAccountName', 'serviceAccount') if key in spec} == stored


def test_the_downward_api_serves_the_name():
    pod = load(doc('web', containers=[container('app')], serviceAccount='legacy'))
    assert downward.field_value(pod, 'spec.serviceAccountName', {}) == 'legacy'


def test_a_service_account_name_is_a_dns_subdomain():
    assert refusal(doc('web', containers=[container('app')], serviceAccountName='Not_Valid')).startswith(
        'm.yaml Pod "web": spec.serviceAccountName: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain')


@pytest.mark.parametrize('source, why', [
    ({'serviceAccountToken': {'path': 'token', 'audience': 'vault'}}, 'needs the TokenRequest API'),
    ({'clusterTrustBundle': {'path': 'ca.pem', 'name': 'bundle'}}, 'needs ClusterTrustBundle objects'),
])
@pytest.mark.parametrize('check_schema', [True, False])
def test_sources_that_need_an_api_server_are_refused_with_the_reason(source, why, check_schema):
    volumes = [{'name': 'v', 'projected': {'sources': [{'configMap': {'name': 'c'}}, source]}}]
    line = refusal(doc('web', containers=[container('app')], volumes=volumes), check_schema)
    assert line == 'm.yaml Pod "web": spec.volumes[0].projected.sources[1].%s: not supported by hostpods: %s, from ' \
                   'an API server, which hostpods does not have' % (next(iter(source)), why)


def test_a_pod_certificate_source_is_refused_with_the_reason():
    source = {'podCertificate': {'signerName': 'x/y', 'keyType': 'ED25519'}}
    volumes = [{'name': 'v', 'projected': {'sources': [source]}}]
    line = refusal(doc('web', containers=[container('app')], volumes=volumes), check_schema=False)
    assert 'spec.volumes[0].projected.sources[0].podCertificate: not supported by hostpods: needs the ' \
           'PodCertificateRequest API and a signer' in line


# ----------------------------------------------------------------------------- the warning

@pytest.mark.parametrize('spec, expected', [
    ({'serviceAccountName': 'sa'}, [NO_TOKEN]),
    ({'serviceAccount': 'sa'}, [NO_TOKEN]),
    ({'automountServiceAccountToken': True}, [NO_TOKEN]),
    ({'serviceAccountName': 'sa', 'automountServiceAccountToken': True}, [NO_TOKEN]),
    ({'serviceAccountName': 'sa', 'automountServiceAccountToken': False}, []),   # exact: no token is wanted
    ({'automountServiceAccountToken': False}, []),
    ({}, []),                                                                    # nothing asked: nothing said
])
def test_pod_notices(spec, expected):
    assert notices.pod_notices(doc('web', containers=[container('app')], **spec)) == expected


def test_grouped_names_each_pod_once_per_message():
    entries = [(('default', 'a'), 'm1'), (('default', 'b'), 'm1'), (('ns', 'c'), 'm2'), (('default', 'a'), 'm1')]
    assert notices.grouped(entries) == ['m1: pods default/a, default/b', 'm2: pod ns/c']


def test_grouped_counts_the_pods_it_does_not_name():
    entries = [(('default', 'p%02d' % index), 'm') for index in range(12)]
    assert notices.grouped(entries) == ['m: pods %s and 2 more' % ', '.join('default/p%02d' % i for i in range(10))]


def test_an_apply_warns_once_naming_the_pods():
    pods = [doc('a', containers=[container('app')], serviceAccountName='sa'),
            doc('b', containers=[container('app')], serviceAccount='sa'),
            doc('c', containers=[container('app')], serviceAccountName='sa', automountServiceAccountToken=False),
            doc('d', containers=[container('app')])]
    batch = Batch(options.defaults(options.POD, {'definition': pods}))
    assert batch.warnings(NodeContext(name='n')) == ['%s: pods default/a, default/b' % NO_TOKEN]


def test_pods_left_out_by_the_label_selector_are_not_named():
    pods = [doc('a', containers=[container('app')], labels={'tier': 'web'}, serviceAccountName='sa'),
            doc('b', containers=[container('app')], labels={'tier': 'db'}, serviceAccountName='sa')]
    batch = Batch(options.defaults(options.POD, {'definition': pods, 'label_selectors': ['tier=web']}))
    assert batch.warnings(NodeContext(name='n')) == ['%s: pod default/a' % NO_TOKEN]


@pytest.mark.parametrize('meta, spec, expected', [
    ({'ownerReferences': [{'apiVersion': 'v1', 'kind': 'Node', 'name': 'n', 'uid': 'u'}]}, {},
     [notices.CONTROL_PLANE[0][1]]),
    ({'finalizers': ['example.com/x']}, {}, [notices.CONTROL_PLANE[1][1]]),
    ({}, {'overhead': {'cpu': '10m'}}, [notices.CONTROL_PLANE[2][1]]),
    ({'ownerReferences': [], 'finalizers': []}, {}, []),
])
def test_fields_only_a_control_plane_acts_on_are_warned_about(meta, spec, expected):
    document = doc('web', containers=[container('app')], **spec)
    document['metadata'].update(meta)
    assert notices.pod_notices(document) == expected


def test_the_control_plane_warnings_come_once_naming_the_pods():
    documents = []
    for name in ('a', 'b'):
        document = doc(name, containers=[container('app')])
        document['metadata']['finalizers'] = ['example.com/x']
        documents.append((document, 'm.yaml'))
    warnings = []
    manifest.load_manifests(documents, check_schema=True, warnings=warnings)
    assert notices.grouped(warnings) == ['%s: pods default/a, default/b' % notices.CONTROL_PLANE[1][1]]
