"""securityContext on the real engine, observed from inside the pod: id, capabilities, a read-only root,
no_new_privs, seccomp, sysctls, fsGroup ownership of volumes, and runAsNonRoot's refusal."""

import os

from harness import containers, docker, pod, sleeper


def in_pod(container, script):
    return docker('exec', container, 'sh', '-c', script)


def test_users_groups_capabilities_and_read_only_root(pods):
    name = pods.name('sec')
    mount = [{'name': 'data', 'mountPath': '/data'}]
    manifest = pod(name, [
        sleeper('app', volumeMounts=mount, securityContext={
            'runAsGroup': 3000, 'readOnlyRootFilesystem': True, 'allowPrivilegeEscalation': False,
            'capabilities': {'drop': ['ALL'], 'add': ['NET_BIND_SERVICE']}}),
        sleeper('other', volumeMounts=mount, securityContext={'runAsUser': 2000}),
    ], securityContext={'runAsUser': 1000, 'supplementalGroups': [4000], 'fsGroup': 2000,
                        'sysctls': [{'name': 'net.ipv4.ip_unprivileged_port_start', 'value': '80'}]},
        volumes=[{'name': 'data', 'emptyDir': {}}], terminationGracePeriodSeconds=1)
    obj = pods.four_step(manifest)['pods'][0]
    app, other = ('k8s_%s_%s_default_%s_0' % (c, name, obj['metadata']['uid']) for c in ('app', 'other'))
    ids = in_pod(app, 'id -u; id -g; id -G')
    uid, gid, groups = ids.splitlines()
    assert (uid, gid) == ('1000', '3000') and {'4000', '2000'} <= set(groups.split())
    assert in_pod(other, 'id -u') == '2000'                      # the container's runAsUser wins
    status = in_pod(app, 'cat /proc/self/status')
    fields = dict(line.split(':', 1) for line in status.splitlines() if ':' in line)
    assert int(fields['CapBnd'].strip(), 16) == 1 << 10          # only CAP_NET_BIND_SERVICE (10)
    assert fields['NoNewPrivs'].strip() == '1'
    assert fields['Seccomp'].strip() == '0'                      # unconfined, as a kubelet without seccomp-default
    assert 'Read-only file system' in in_pod(app, 'touch /probe 2>&1; true')
    # fsGroup: the emptyDir belongs to group 2000 with setgid, so both users can share files
    assert in_pod(app, 'stat -c %g:%A /data') == '2000:drwxrwsrwx'
    in_pod(app, 'echo shared > /data/f')
    assert in_pod(other, 'cat /data/f; stat -c %g /data/f') == 'shared\n2000'
    assert in_pod(app, 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start') == '80'


def test_run_as_non_root_refuses_a_root_image(pods):
    name = pods.name('nonroot')
    manifest = pod(name, [sleeper('root-image', securityContext={'runAsNonRoot': True}),
                          sleeper('fine', securityContext={'runAsNonRoot': True, 'runAsUser': 1000})],
                   terminationGracePeriodSeconds=1)
    result = pods.apply(manifest)
    assert result.get('failed')
    assert 'CreateContainerConfigError: container has runAsNonRoot and image will run as root' in result['msg']
    started = {n.split('_')[1]: s for n, s in containers(pods.prefix).items()}
    assert started == {'POD': 'running', 'fine': 'running'}     # the other container starts, as on a kubelet


def test_seccomp_runtime_default_filters_syscalls(pods):
    name = pods.name('seccomp')
    manifest = pod(name, [sleeper('app')], securityContext={'seccompProfile': {'type': 'RuntimeDefault'}},
                   terminationGracePeriodSeconds=1)
    obj = pods.apply(manifest)['pods'][0]
    status = in_pod('k8s_app_%s_default_%s_0' % (name, obj['metadata']['uid']), 'cat /proc/self/status')
    assert 'Seccomp:\t2' in status                               # SECCOMP_MODE_FILTER: the engine's default profile


def test_host_pid_and_host_ipc(pods):
    name = pods.name('hostns')
    manifest = pod(name, [sleeper('app')], hostPID=True, hostIPC=True, terminationGracePeriodSeconds=1)
    obj = pods.four_step(manifest)['pods'][0]
    container = 'k8s_app_%s_default_%s_0' % (name, obj['metadata']['uid'])
    assert in_pod(container, 'readlink /proc/self/ns/pid') == os.readlink('/proc/self/ns/pid')
    assert in_pod(container, 'readlink /proc/self/ns/ipc') == os.readlink('/proc/self/ns/ipc')
    assert 'dockerd' in in_pod(container, 'ps -o comm')          # the node's processes are visible


def test_seccomp_localhost_profile_from_the_node(pods):
    import json
    name = pods.name('localhost')
    profile_dir = '/var/lib/kubelet/seccomp'
    os.makedirs(profile_dir, exist_ok=True)
    profile = os.path.join(profile_dir, '%s.json' % pods.prefix)
    # allow everything but mkdir/mkdirat, which fail with EPERM
    with open(profile, 'w') as handle:
        json.dump({'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [
            {'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO'}]}, handle)
    try:
        manifest = pod(name, [sleeper('app', securityContext={
            'seccompProfile': {'type': 'Localhost', 'localhostProfile': '%s.json' % pods.prefix}})],
            terminationGracePeriodSeconds=1)
        obj = pods.apply(manifest)['pods'][0]
        container = 'k8s_app_%s_default_%s_0' % (name, obj['metadata']['uid'])
        assert 'Seccomp:\t2' in in_pod(container, 'cat /proc/self/status')
        assert 'Operation not permitted' in in_pod(container, 'mkdir /tmp/x 2>&1; true')
    finally:
        os.remove(profile)


# ----------------------------------------------------------------------------- service accounts

def test_service_accounts_are_accepted_without_a_token_and_warned_about_once(pods):
    """A kubelet without an API server: the name feeds the downward API, no token is mounted; one warning an
    apply names both pods that would have had one (not the one that says automountServiceAccountToken: false)."""
    env = [{'name': 'SA', 'valueFrom': {'fieldRef': {'fieldPath': 'spec.serviceAccountName'}}}]
    names = [pods.name('sa-a'), pods.name('sa-b'), pods.name('sa-none')]
    manifests = [pod(names[0], [sleeper('app', env=env)], serviceAccountName='builder',
                     terminationGracePeriodSeconds=1),
                 pod(names[1], [sleeper('app')], serviceAccount='legacy', terminationGracePeriodSeconds=1),
                 pod(names[2], [sleeper('app')], serviceAccountName='quiet', automountServiceAccountToken=False,
                     terminationGracePeriodSeconds=1)]
    applied = pods.four_step(manifests)
    warnings = [w for w in applied.get('warnings', []) if 'service account token' in w]
    assert warnings == ['serviceAccountName: no service account token is mounted: hostpods has no API server to '
                        'issue one (the name only feeds the downward API; automountServiceAccountToken: false says so '
                        'and silences this warning): pods default/%s, default/%s' % (names[0], names[1])]
    first = applied['pods'][0]
    assert first['spec']['serviceAccountName'] == first['spec']['serviceAccount'] == 'builder'
    assert applied['pods'][1]['spec']['serviceAccountName'] == 'legacy'
    container = 'k8s_app_%s_default_%s_0' % (names[0], first['metadata']['uid'])
    assert in_pod(container, 'echo $SA') == 'builder'
    assert in_pod(container, 'ls /var/run/secrets/kubernetes.io/serviceaccount 2>&1; true').endswith(
        'No such file or directory')
    again = pods.apply(manifests, check=True)
    assert [w for w in again.get('warnings', []) if 'service account token' in w] == warnings  # check mode too


def test_a_token_source_is_refused_before_anything_is_touched(pods):
    volume = {'name': 'token', 'projected': {'sources': [{'serviceAccountToken': {'path': 'token'}}]}}
    result = pods.apply(pod(pods.name('token'), [sleeper('app')], volumes=[volume]))
    assert result.get('failed')
    assert 'spec.volumes[0].projected.sources[0].serviceAccountToken: not supported by hostpods: needs the ' \
           'TokenRequest API, from an API server, which hostpods does not have' in result['msg']
    assert containers(pods.prefix) == {}


# ----------------------------------------------------------------------------- AppArmor and the kubelet's admission

def kernel_has_apparmor():
    """As the kubelet (and hostpods' node context) tell it."""
    enabled = '/sys/module/apparmor/parameters/enabled'
    return os.path.exists('/sys/kernel/security/apparmor') and os.path.exists(enabled) and \
        open(enabled).read().startswith('Y')


def test_apparmor_profiles_are_enforced_or_the_pod_is_rejected_as_by_a_kubelet(pods):
    """A profile (the field or the deprecated annotation) is the engine's apparmor= option; on a node without AppArmor
    the kubelet rejects the pod (Cannot enforce AppArmor) rather than run it unconfined: nothing of it is created, and
    the other pods of the call run. Unconfined needs no AppArmor."""
    names = [pods.name('aa-field'), pods.name('aa-annotation'), pods.name('aa-unconfined')]
    unconfined = pod(names[2], [sleeper('app', securityContext={'appArmorProfile': {'type': 'Unconfined'}})],
                     terminationGracePeriodSeconds=1)
    manifests = [pod(names[0], [sleeper('app')], securityContext={'appArmorProfile': {'type': 'RuntimeDefault'}},
                     terminationGracePeriodSeconds=1),
                 pod(names[1], [sleeper('app')], terminationGracePeriodSeconds=1,
                     annotations={'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default'}),
                 unconfined]
    pods.four_step(unconfined)
    result = pods.apply(manifests)
    assert 'metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]: deprecated since v1.30; use ' \
           'the "appArmorProfile" field instead: pod default/%s' % names[1] in result.get('warnings', [])
    by_name = {p['metadata']['name']: p for p in result['pods']}
    running = {n.split('_')[2] for n, state in containers(pods.prefix).items() if state == 'running'}
    if kernel_has_apparmor():
        assert not result.get('failed'), result.get('msg')
        for name in names:
            obj = by_name[name]
            current = in_pod('k8s_app_%s_default_%s_0' % (name, obj['metadata']['uid']), 'cat /proc/1/attr/current')
            assert current == ('unconfined' if name == names[2] else 'docker-default (enforce)'), (name, current)
        return
    assert result.get('failed')
    for name in names[:2]:
        status = by_name[name]['status']
        assert (by_name[name]['action'], status['phase'], status['reason']) == ('rejected', 'Failed', 'AppArmor')
        assert status['message'] == 'Pod was rejected: Cannot enforce AppArmor: AppArmor is not enabled on the host'
    # one line for the reason, naming both pods (pods refused for one reason are named once)
    assert result['msg'].endswith(': default/%s, default/%s: Pod was rejected: Cannot enforce AppArmor: AppArmor is not '
                                  'enabled on the host' % (names[0], names[1])), result['msg']
    assert result['msg'].startswith('2 pod(s) cannot run on node ')
    assert running == {names[2]}                                  # nothing of the rejected pods is on the host
    assert by_name[names[2]]['status']['phase'] == 'Running'
    checked = pods.apply(manifests, check=True)                   # check mode says the same, and changes nothing
    assert checked.get('failed') and 'Cannot enforce AppArmor' in checked['msg']
    assert {n.split('_')[2] for n, s in containers(pods.prefix).items() if s == 'running'} == {names[2]}


def test_strict_supplemental_groups_and_another_os_are_rejected_as_by_a_kubelet(pods):
    """The engine always adds the image's groups of the user (Merge), so Strict is rejected as a kubelet whose runtime
    cannot do it rejects it; a Windows pod is rejected on this Linux node."""
    strict, windows = pods.name('strict'), pods.name('windows')
    result = pods.apply([
        pod(strict, [sleeper('app')], securityContext={'supplementalGroupsPolicy': 'Strict', 'runAsUser': 1000}),
        pod(windows, [sleeper('app')], os={'name': 'windows'})])
    assert result.get('failed')
    by_name = {p['metadata']['name']: p['status'] for p in result['pods']}
    assert (by_name[strict]['reason'], by_name[strict]['message']) == (
        'SupplementalGroupsPolicyNotSupported', 'Pod was rejected: SupplementalGroupsPolicy=Strict is not supported in '
                                                'this node')
    assert (by_name[windows]['reason'], by_name[windows]['message']) == (
        'PodOSNotSupported', "Pod was rejected: Failed to admit pod as the OS field doesn't match node OS")
    assert containers(pods.prefix) == {}


def test_fields_a_linux_node_takes_without_effect_are_accepted_and_warned_about_once(pods):
    """Merge groups, the default /proc, SELinux options (this node has no SELinux: no label, as on a kubelet whose node
    has none), Windows options (ignored on Linux) and os linux: the pods run, and one warning a field names them."""
    if os.path.exists('/sys/fs/selinux/enforce'):
        raise AssertionError('this test expects a node without SELinux (hostpods refuses seLinuxOptions there)')
    names = [pods.name('linux-a'), pods.name('linux-b')]
    context = {'seLinuxOptions': {'type': 'spc_t', 'level': 's0:c123,c456'}, 'procMount': 'Default',
               'windowsOptions': {'runAsUserName': 'ContainerUser'}}
    manifests = [pod(name, [sleeper('app', securityContext=context)], terminationGracePeriodSeconds=1,
                     securityContext={'supplementalGroupsPolicy': 'Merge', 'seLinuxChangePolicy': 'MountOption'})
                 for name in names]
    applied = pods.four_step(manifests)
    pods_named = 'pods default/%s, default/%s' % tuple(names)
    warnings = applied.get('warnings', [])
    assert 'spec.containers[*].securityContext.seLinuxOptions: has no effect: SELinux is not enabled on this node ' \
           '(as on a kubelet whose node has none), so no label is given to the pod: %s' % pods_named in warnings
    assert 'spec.securityContext.seLinuxChangePolicy: has no effect: SELinux is not enabled on this node (as on a ' \
           'kubelet whose node has none), so no label is given to the pod: %s' % pods_named in warnings
    assert 'spec.containers[*].securityContext.windowsOptions: has no effect on a Linux node, whose kubelet ignores ' \
           'windowsOptions: %s' % pods_named in warnings
    assert len(warnings) == 3


def test_what_the_engine_cannot_do_for_one_pod_is_refused_with_the_reason(pods):
    result = pods.apply(pod(pods.name('userns'), [sleeper('app', securityContext={'procMount': 'Unmasked'})],
                            hostUsers=False))
    assert result.get('failed')
    assert 'spec.hostUsers: Unsupported value: false: not supported by hostpods, which takes only true (a pod of its ' \
           'own user namespace needs what the Docker engine cannot give one container: its user namespaces ' \
           '(userns-remap) are one mapping for the whole daemon)' in result['msg']
    assert containers(pods.prefix) == {}
