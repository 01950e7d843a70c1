"""Unit tests of _security: securityContext -> Docker settings, runAsNonRoot, validation."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import security


def a_pod(pod_context=None, context=None):
    return {'metadata': {'name': 'web', 'namespace': 'default', 'uid': 'u1'},
            'spec': {'securityContext': pod_context or {},
                     'containers': [{'name': 'c', 'securityContext': context or {}}]}}


def settings(pod_context=None, context=None, text=None):
    pod = a_pod(pod_context, context)
    return security.container_settings(pod, pod['spec']['containers'][0], text)


def test_nothing_set_runs_unconfined_as_a_kubelet_without_seccomp_default():
    assert settings() == ({}, {'SecurityOpt': ['seccomp=unconfined']})


def test_user_group_and_groups():
    config, host = settings({'runAsUser': 1000, 'runAsGroup': 3000, 'supplementalGroups': [4000], 'fsGroup': 2000})
    assert config == {'User': '1000:3000'}
    assert host['GroupAdd'] == ['4000', '2000']           # fsGroup joins the supplemental groups


def test_container_settings_win_over_the_pod():
    config, _host = settings({'runAsUser': 1000, 'runAsGroup': 3000}, {'runAsUser': 2000})
    assert config == {'User': '2000:3000'}
    assert settings({}, {'runAsUser': 5})[0] == {'User': '5'}


def test_container_only_settings():
    _config, host = settings(context={'privileged': True, 'capabilities': {'add': ['NET_ADMIN'], 'drop': ['ALL']},
                                      'readOnlyRootFilesystem': True})
    assert host == {'Privileged': True, 'CapAdd': ['NET_ADMIN'], 'CapDrop': ['ALL'], 'ReadonlyRootfs': True}


@pytest.mark.parametrize('profile, text, expected', [
    ({'type': 'RuntimeDefault'}, None, None),
    ({'type': 'Unconfined'}, None, ['seccomp=unconfined']),
    ({'type': 'Localhost', 'localhostProfile': 'p.json'}, '{"defaultAction": "SCMP_ACT_ALLOW"}',
     ['seccomp={"defaultAction": "SCMP_ACT_ALLOW"}']),
])
def test_seccomp_profiles(profile, text, expected):
    assert settings({'seccompProfile': profile}, text=text)[1].get('SecurityOpt') == expected


def test_no_new_privileges():
    assert settings(context={'allowPrivilegeEscalation': False, 'seccompProfile': {'type': 'RuntimeDefault'}})[1] == {
        'SecurityOpt': ['no-new-privileges']}


@pytest.mark.parametrize('pod_context, context, image_user, expected', [
    ({}, {}, '', None),
    ({'runAsNonRoot': True}, {}, '', 'container has runAsNonRoot and image will run as root'),
    ({'runAsNonRoot': True}, {}, 'root', 'container has runAsNonRoot and image will run as root'),
    ({'runAsNonRoot': True}, {}, '0:0', 'container has runAsNonRoot and image will run as root'),
    ({'runAsNonRoot': True}, {}, '1000', None),
    ({'runAsNonRoot': True}, {}, 'nobody', 'container has runAsNonRoot and image has non-numeric user (nobody)'),
    ({'runAsNonRoot': True, 'runAsUser': 1000}, {}, '', None),
    ({}, {'runAsNonRoot': True, 'runAsUser': 0}, '1000', "container's runAsUser breaks non-root policy"),
    ({'runAsNonRoot': True}, {'runAsNonRoot': False}, '', None),
])
def test_run_as_non_root(pod_context, context, image_user, expected):
    pod = a_pod(pod_context, context)
    problem = security.non_root_error(pod, pod['spec']['containers'][0], image_user)
    if expected is None:
        assert problem is None
    else:
        assert problem.startswith(expected) and problem.endswith('(pod: "web_default(u1)", container: c)')


def test_sysctls_go_to_the_sandbox():
    pod = a_pod({'sysctls': [{'name': 'net.ipv4.ip_unprivileged_port_start', 'value': '0'}]})
    assert security.sysctl_settings(pod) == {'Sysctls': {'net.ipv4.ip_unprivileged_port_start': '0'}}
    assert security.sysctl_settings(a_pod()) == {}


@pytest.mark.parametrize('spec, expected', [
    ({'securityContext': {'sysctls': [{'name': 'kernel.msgmax', 'value': '1'}]}},
     'spec.securityContext.sysctls[0].name: Forbidden: sysctl "kernel.msgmax" is not in the safe set'),
    ({'securityContext': {'runAsUser': -1}}, 'spec.securityContext.runAsUser: Invalid value: -1'),
    ({'securityContext': {'seccompProfile': {'type': 'Other'}}}, 'spec.securityContext.seccompProfile.type: Unsupported value'),
    ({'securityContext': {'seccompProfile': {'type': 'Localhost'}}},
     'spec.securityContext.seccompProfile.localhostProfile: Required value'),
    ({'containers': [{'name': 'c', 'securityContext': {'privileged': True, 'allowPrivilegeEscalation': False}}]},
     'spec.containers[0].securityContext: Invalid value: cannot set `allowPrivilegeEscalation` to false'),
    ({'containers': [{'name': 'c', 'securityContext': {'capabilities': {'add': ['net admin']}}}]},
     'spec.containers[0].securityContext.capabilities.add[0]: Invalid value: "net admin"'),
    ({'securityContext': {'fsGroupChangePolicy': 'Sometimes'}},
     'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", '
     '"OnRootMismatch"'),
])
def test_validation(spec, expected):
    errors = security.security_errors(spec)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


# ----------------------------------------------------------------------------- what a Linux node does with the rest

def spec_of(pod_context=None, context=None, **spec):
    body = a_pod(pod_context, context)['spec']
    body.update(spec)
    return body


@pytest.mark.parametrize('spec, expected', [
    (spec_of({'supplementalGroupsPolicy': 'Merge', 'seLinuxChangePolicy': 'MountOption'}, {'procMount': 'Default'}),
     []),
    (spec_of({'supplementalGroupsPolicy': 'Loose'}),
     ['spec.securityContext.supplementalGroupsPolicy: Unsupported value: "Loose": supported values: "Merge", '
      '"Strict"']),
    (spec_of({'seLinuxChangePolicy': 'Never'}), ['spec.securityContext.seLinuxChangePolicy: Unsupported value: '
                                                 '"Never": supported values: "MountOption", "Recursive"']),
    (spec_of(context={'procMount': 'Raw'}), ['spec.containers[0].securityContext.procMount: Unsupported value: "Raw": '
                                             'supported values: "Default", "Unmasked"']),
    (spec_of(context={'procMount': 'Unmasked'}), ['spec.containers[0].securityContext.procMount: Invalid value: '
                                                  '"Unmasked": `hostUsers` must be false to use `Unmasked`']),
    (spec_of(os={'name': 'linux'}), []),
    (spec_of(os={'name': ''}), ['spec.os.name: Required value: cannot be empty']),
    (spec_of(os={'name': 'plan9'}), ['spec.os: Unsupported value: "plan9": supported values: "linux", "windows"']),
    (spec_of(context={'windowsOptions': {'runAsUserName': 'app'}}, os={'name': 'linux'}),
     ['spec.containers[0].securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod']),
    (spec_of({'runAsUser': 1}, {'privileged': True}, os={'name': 'windows'}),
     ['spec.securityContext.runAsUser: Forbidden: cannot be set for a windows pod',
      'spec.containers[0].securityContext.privileged: Forbidden: cannot be set for a windows pod']),
])
def test_linux_rules(spec, expected):
    assert security.linux_errors(spec) == expected


@pytest.mark.parametrize('options, expected', [
    ({'gmsaCredentialSpecName': 'webapp-1', 'gmsaCredentialSpec': '{}',
      'runAsUserName': 'NT AUTHORITY\\NETWORK SERVICE', 'hostProcess': False}, []),
    ({'gmsaCredentialSpecName': 'Web_App'}, ['spec.securityContext.windowsOptions.gmsaCredentialSpecName: Invalid '
                                             'value: "Web_App": a lowercase RFC 1123 subdomain must consist of lower '
                                             "case alphanumeric characters, '-' or '.', and must start and end with an "
                                             'alphanumeric character']),
    ({'gmsaCredentialSpec': ''}, ['spec.securityContext.windowsOptions.gmsaCredentialSpec: Invalid value: "": '
                                  'gmsaCredentialSpec cannot be an empty string']),
    ({'runAsUserName': 'a\\b\\c'}, ['spec.securityContext.windowsOptions.runAsUserName: Invalid value: "a\\b\\c": '
                                    'runAsUserName cannot contain more than one backslash']),
    ({'runAsUserName': 'dom\\..'}, ['spec.securityContext.windowsOptions.runAsUserName: Invalid value: "dom\\..": '
                                    "runAsUserName's User cannot contain only periods or spaces"]),
    ({'runAsUserName': 'a@b'}, ['spec.securityContext.windowsOptions.runAsUserName: Invalid value: "a@b": '
                                'runAsUserName\'s User cannot contain the following characters: "/\\:;|=,+*?<>@[]']),
])
def test_windows_options_rules(options, expected):
    assert security.windows_errors(spec_of({'windowsOptions': options})) == expected


def test_host_process_rules():
    spec = spec_of({'windowsOptions': {'hostProcess': True}}, {'windowsOptions': {'hostProcess': False}})
    spec['containers'].append({'name': 'd'})
    assert security.windows_errors(spec) == [
        'spec.containers[0].securityContext.windowsOptions.hostProcess: Invalid value: false: pod hostProcess value '
        'must be identical if both are specified, was true',
        'spec: Invalid value: "": If pod contains any hostProcess containers then all containers must be HostProcess '
        'containers',
        'spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers']


@pytest.mark.parametrize('pod_context, spec, modules, expected', [
    ({}, {}, (), None),
    ({'supplementalGroupsPolicy': 'Merge'}, {}, (), None),
    ({'supplementalGroupsPolicy': 'Strict'}, {}, ('apparmor',),
     ('SupplementalGroupsPolicyNotSupported', 'SupplementalGroupsPolicy=Strict is not supported in this node')),
    ({}, {'os': {'name': 'windows'}}, (), ('PodOSNotSupported', "Failed to admit pod as the OS field doesn't match "
                                                                'node OS')),
    ({}, {'os': {'name': 'linux'}}, (), None),
    ({'appArmorProfile': {'type': 'RuntimeDefault'}}, {}, (),
     ('AppArmor', 'Cannot enforce AppArmor: AppArmor is not enabled on the host')),
    ({'appArmorProfile': {'type': 'RuntimeDefault'}}, {}, ('apparmor',), None),
])
def test_the_kubelets_admission_on_a_linux_node(pod_context, spec, modules, expected):
    subject = a_pod(pod_context)
    subject['spec'].update(spec)
    assert security.admission_error(subject, modules) == expected


SELINUX = {'seLinuxOptions': {'type': 'spc_t'}}


def test_selinux_and_windows_options_on_a_node_without_selinux_are_warned_about():
    subject = a_pod(SELINUX, dict(SELINUX, windowsOptions={'runAsUserName': 'app'}))
    assert security.node_problems(subject, ('apparmor',)) == []
    assert security.node_notices(subject, ('apparmor',)) == [
        'spec.securityContext.seLinuxOptions: ' + security.NO_SELINUX,
        'spec.containers[*].securityContext.seLinuxOptions: ' + security.NO_SELINUX,
        'spec.containers[*].securityContext.windowsOptions: ' + security.NO_WINDOWS]


def test_selinux_options_on_a_node_with_selinux_are_refused_with_the_reason():
    subject = a_pod({'seLinuxChangePolicy': 'Recursive'}, SELINUX)
    assert security.node_problems(subject, ('selinux',)) == [
        'spec.securityContext.seLinuxChangePolicy: ' + security.SELINUX_REFUSED,
        'spec.containers[0].securityContext.seLinuxOptions: ' + security.SELINUX_REFUSED]
    assert 'hostpods' in security.SELINUX_REFUSED
    assert security.node_notices(subject, ('selinux',)) == []


# ----------------------------------------------------------------------------- seccomp's annotations

def annotated(annotations, pod_context=None, context=None):
    subject = a_pod(pod_context, context)
    subject['metadata']['annotations'] = annotations
    return subject


POD_KEY, CONTAINER_KEY = 'seccomp.security.alpha.kubernetes.io/pod', 'container.seccomp.security.alpha.kubernetes.io/c'


@pytest.mark.parametrize('annotations, pod_context, context, expected', [
    ({POD_KEY: 'runtime/default', CONTAINER_KEY: 'localhost/profiles/a.json'}, None, None, []),
    ({POD_KEY: 'docker/default'}, {'seccompProfile': {'type': 'RuntimeDefault'}}, None, []),
    ({POD_KEY: 'strict'}, None, None,
     ['metadata.annotations.%s: Invalid value: "strict": must be a valid seccomp profile' % POD_KEY]),
    ({CONTAINER_KEY: 'localhost/../x'}, None, None,
     ['metadata.annotations.%s: Invalid value: "../x": must not contain \'..\'' % CONTAINER_KEY]),
    ({POD_KEY: 'unconfined'}, {'seccompProfile': {'type': 'RuntimeDefault'}}, None,
     ['spec.securityContext.seccompProfile.type: Forbidden: seccomp type in annotation and field must match']),
    ({CONTAINER_KEY: 'localhost/a'}, None, {'seccompProfile': {'type': 'Localhost', 'localhostProfile': 'b'}},
     ['spec.containers[0].securityContext.seccompProfile.localhostProfile: Forbidden: seccomp profile in annotation '
      'and field must match']),
])
def test_seccomp_annotation_rules(annotations, pod_context, context, expected):
    assert security.seccomp_annotation_errors(annotated(annotations, pod_context, context)) == expected


def test_seccomp_annotations_without_their_field_are_warned_about():
    subject = annotated({POD_KEY: 'runtime/default', CONTAINER_KEY: 'unconfined'},
                        context={'seccompProfile': {'type': 'Unconfined'}})
    assert security.seccomp_notices(subject) == [
        'metadata.annotations[%s]: non-functional in v1.27+; use the "seccompProfile" field instead' % POD_KEY]
