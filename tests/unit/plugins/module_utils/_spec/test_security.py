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
])
def test_validation(spec, expected):
    errors = security.security_errors(spec)
    assert len(errors) == 1 and errors[0].startswith(expected), errors
