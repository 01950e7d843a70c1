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
