"""Unit tests of _spec.apparmor: the API server's rules and warning, the kubelet's choice of a container's
profile, dockershim's engine option, and the kubelet's admission on nodes with and without AppArmor."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._plan import translate
from ansible_collections.hostpods.core.plugins.module_utils._spec import apparmor
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import notices

from hostpods_fakes import container, doc, pod, with_uid

KEY = 'container.apparmor.security.beta.kubernetes.io/'
NOT_ENABLED = ('AppArmor', 'Cannot enforce AppArmor: AppArmor is not enabled on the host')
DEPRECATED = 'deprecated since v1.30; use the "appArmorProfile" field instead'


def with_profiles(pod_profile=None, app=None, annotations=None):
    sc = {'appArmorProfile': app} if app else {}
    return pod('web', containers=[container('app', securityContext=sc), container('side')], annotations=annotations,
               securityContext={'appArmorProfile': pod_profile} if pod_profile else {})


# ----------------------------------------------------------------------------- which profile, which option

@pytest.mark.parametrize('pod_profile, app, annotations, expected_app, expected_side', [
    (None, None, None, None, None),
    ({'type': 'RuntimeDefault'}, None, None, {'type': 'RuntimeDefault'}, {'type': 'RuntimeDefault'}),
    ({'type': 'RuntimeDefault'}, {'type': 'Unconfined'}, None, {'type': 'Unconfined'}, {'type': 'RuntimeDefault'}),
    # the annotation comes before the pod's field, as the kubelet reads a static pod
    ({'type': 'RuntimeDefault'}, None, {KEY + 'app': 'unconfined'}, {'type': 'Unconfined'}, {'type': 'RuntimeDefault'}),
    (None, None, {KEY + 'side': 'localhost/k8s-nginx'}, None, {'type': 'Localhost', 'localhostProfile': 'k8s-nginx'}),
    # the container's own field comes first
    (None, {'type': 'RuntimeDefault'}, {KEY + 'app': 'unconfined'}, {'type': 'RuntimeDefault'}, None),
    # an annotation that names no profile counts for nothing
    ({'type': 'Unconfined'}, None, {KEY + 'app': 'bogus'}, {'type': 'Unconfined'}, {'type': 'Unconfined'}),
])
def test_the_profile_of_each_container(pod_profile, app, annotations, expected_app, expected_side):
    subject = with_profiles(pod_profile, app, annotations)
    app_container, side = subject['spec']['containers']
    assert apparmor.profile(subject, app_container) == expected_app
    assert apparmor.profile(subject, side) == expected_side


@pytest.mark.parametrize('profile, options', [
    (None, []),
    ({'type': 'RuntimeDefault'}, []),                               # the engine's docker-default applies by itself
    ({'type': 'Unconfined'}, ['apparmor=unconfined']),
    ({'type': 'Localhost', 'localhostProfile': 'k8s-deny-write'}, ['apparmor=k8s-deny-write']),
])
def test_dockershims_engine_option(profile, options):
    subject = with_profiles(app=profile)
    assert apparmor.docker_options(subject, subject['spec']['containers'][0]) == options


def test_the_container_body_carries_the_option_next_to_the_others():
    """Where the node has AppArmor the option reaches the engine (this machine has none: see the integration test
    of the rejection)."""
    subject = with_uid(with_profiles(app={'type': 'Localhost', 'localhostProfile': 'k8s-deny-write'}))
    subject['spec']['containers'][0]['securityContext']['allowPrivilegeEscalation'] = False
    body = translate.container_body(subject, subject['spec']['containers'][0], 'container', 0, 'sandbox', 'pause')
    assert body['HostConfig']['SecurityOpt'] == ['seccomp=unconfined', 'no-new-privileges', 'apparmor=k8s-deny-write']
    side = translate.container_body(subject, subject['spec']['containers'][1], 'container', 0, 'sandbox', 'pause')
    assert side['HostConfig']['SecurityOpt'] == ['seccomp=unconfined']


def test_an_annotation_reaches_the_engine():
    subject = with_uid(with_profiles(annotations={KEY + 'side': 'unconfined'}))
    body = translate.container_body(subject, subject['spec']['containers'][1], 'container', 0, 'sandbox', 'pause')
    assert 'apparmor=unconfined' in body['HostConfig']['SecurityOpt']


# ----------------------------------------------------------------------------- admission

@pytest.mark.parametrize('pod_profile, app, annotations, enabled, expected', [
    (None, None, None, False, None),
    ({'type': 'Unconfined'}, None, None, False, None),               # unconfined needs no AppArmor
    (None, {'type': 'Unconfined'}, {KEY + 'side': 'unconfined'}, False, None),
    ({'type': 'RuntimeDefault'}, None, None, False, NOT_ENABLED),
    (None, {'type': 'Localhost', 'localhostProfile': 'p'}, None, False, NOT_ENABLED),
    (None, None, {KEY + 'side': 'runtime/default'}, False, NOT_ENABLED),
    ({'type': 'RuntimeDefault'}, None, None, True, None),
    (None, None, {KEY + 'side': 'localhost/p'}, True, None),
    (None, None, {KEY + 'side': 'localhost/'}, True,
     ('AppArmor', 'Cannot enforce AppArmor: invalid empty AppArmor profile name: "localhost/"')),
])
def test_the_kubelets_admission(pod_profile, app, annotations, enabled, expected):
    assert apparmor.admission_error(with_profiles(pod_profile, app, annotations), enabled) == expected


# ----------------------------------------------------------------------------- the API server's rules

def errors_of(document):
    with pytest.raises(ManifestError) as info:
        manifest.load_pods([(document, 'm.yaml')])
    return info.value.details['errors'][0].split(': ', 1)[1].split('; ')


@pytest.mark.parametrize('profile, expected', [
    ({'type': 'Localhost'}, 'spec.containers[0].securityContext.appArmorProfile.localhostProfile: Required value: '
                            'must be set when AppArmor type is Localhost'),
    ({'type': 'Localhost', 'localhostProfile': ' p '}, 'spec.containers[0].securityContext.appArmorProfile.'
                                                       'localhostProfile: Invalid value: " p ": must not be padded '
                                                       'with whitespace'),
    ({'type': 'RuntimeDefault', 'localhostProfile': 'p'}, 'spec.containers[0].securityContext.appArmorProfile.'
                                                          'localhostProfile: Invalid value: "p": can only be set when '
                                                          'AppArmor type is Localhost'),
    ({'type': 'Strict'}, 'spec.containers[0].securityContext.appArmorProfile.type: Unsupported value: "Strict": '
                         'supported values: "Localhost", "RuntimeDefault", "Unconfined"'),
    ({}, 'spec.containers[0].securityContext.appArmorProfile.type: Required value: type is required when '
         'appArmorProfile is set'),
])
def test_field_rules(profile, expected):
    assert errors_of(doc('web', containers=[container('app', securityContext={'appArmorProfile': profile})])) == [
        expected]


@pytest.mark.parametrize('annotations, expected', [
    ({KEY + 'ghost': 'runtime/default'},
     'metadata.annotations[%sghost]: Invalid value: "ghost": container not found' % KEY),
    ({KEY + 'app': 'docker-default'},
     'metadata.annotations[%sapp]: Invalid value: "docker-default": invalid AppArmor profile name: "docker-default"'
     % KEY),
])
def test_annotation_rules(annotations, expected):
    assert errors_of(doc('web', containers=[container('app')], annotations=annotations)) == [expected]


@pytest.mark.parametrize('field, annotation, expected', [
    ({'type': 'RuntimeDefault'}, 'unconfined', 'type: Forbidden: apparmor type in annotation and field must match'),
    ({'type': 'Unconfined'}, 'runtime/default', 'type: Forbidden: apparmor type in annotation and field must match'),
    ({'type': 'Localhost', 'localhostProfile': 'a'}, 'runtime/default',
     'type: Forbidden: apparmor type in annotation and field must match'),
    ({'type': 'Localhost', 'localhostProfile': 'a'}, 'localhost/b',
     'localhostProfile: Forbidden: apparmor profile in annotation and field must match'),
])
@pytest.mark.parametrize('where', ['container', 'pod'])
def test_an_annotation_and_its_field_must_match(field, annotation, expected, where):
    """The container's field, else the pod's, is compared with the container's annotation."""
    sc = {'appArmorProfile': field}
    document = doc('web', containers=[container('app', securityContext=sc if where == 'container' else {})],
                   annotations={KEY + 'app': annotation}, securityContext=sc if where == 'pod' else {})
    assert errors_of(document) == ['spec.containers[0].securityContext.appArmorProfile.' + expected]


@pytest.mark.parametrize('field, annotation', [
    ({'type': 'RuntimeDefault'}, 'runtime/default'), ({'type': 'Unconfined'}, 'unconfined'),
    ({'type': 'Localhost', 'localhostProfile': 'a'}, 'localhost/a'),
])
def test_a_matching_annotation_is_accepted(field, annotation):
    document = doc('web', containers=[container('app', securityContext={'appArmorProfile': field})],
                   annotations={KEY + 'app': annotation})
    assert manifest.load_pods([(document, 'm.yaml')], check_schema=True)


# ----------------------------------------------------------------------------- the API server's warning

@pytest.mark.parametrize('pod_profile, app, annotations, warned', [
    (None, None, {KEY + 'app': 'runtime/default'}, True),
    (None, None, {KEY + 'app': 'bogus-but-unchecked-here'}, True),
    ({'type': 'RuntimeDefault'}, None, {KEY + 'app': 'runtime/default'}, False),   # it only repeats the pod's field
    ({'type': 'RuntimeDefault'}, None, {KEY + 'app': 'unconfined'}, True),
    (None, {'type': 'RuntimeDefault'}, {KEY + 'app': 'runtime/default'}, False),   # the container has its field
    (None, None, None, False),
])
def test_the_deprecation_warning(pod_profile, app, annotations, warned):
    document = doc('web', containers=[container('app', securityContext={'appArmorProfile': app} if app else {})],
                   annotations=annotations, securityContext={'appArmorProfile': pod_profile} if pod_profile else {})
    expected = ['metadata.annotations[%sapp]: %s' % (KEY, DEPRECATED)] if warned else []
    assert apparmor.deprecation_notices(document) == expected
    assert [n for n in notices.pod_notices(document) if 'apparmor' in n] == expected
