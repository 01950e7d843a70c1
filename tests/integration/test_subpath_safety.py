"""subPath safety on the real engine, as the kubelet has it since CVE-2017-1002101: whatever a pod plants in
its volume, a subPath never leads a container out of it; one that would fails that container with the
kubelet's CreateContainerConfigError, its siblings run, and nothing of the node shows in the pod."""

import os
import subprocess

from harness import STATE_DIR, containers, docker, node_mounts, ok, pod, poll, shell_container, sleeper


def vm(name, path, **extra):
    return dict({'name': name, 'mountPath': path}, **extra)


def names(prefix):
    """``{container name: state}`` of the pod's containers."""
    return {name.split('_')[1]: state for name, state in containers(prefix).items()}


def sh(container, script):
    proc = subprocess.run(['docker', 'exec', container, 'sh', '-c', script], capture_output=True, text=True, check=False)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def in_container(container, script):
    rc, out = sh(container, script)
    assert rc == 0, 'in %s: %r exited %d: %s' % (container, script, rc, out)
    return out


def cname(container, pod_name, uid, attempt=0):
    return 'k8s_%s_%s_default_%s_%d' % (container, pod_name, uid, attempt)


def prepare_error(volume, container):
    return 'failed to prepare subPath for volumeMount "%s" of container "%s"' % (volume, container)


def create_error(volume, container):
    return 'failed to create subPath directory for volumeMount "%s" of container "%s"' % (volume, container)


def waiting_of(pods, name):
    listed = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['pods'][0]
    return {s['name']: s['state'].get('waiting') for s in listed['status']['containerStatuses']}


def test_a_symlink_to_the_nodes_etc_planted_by_an_init_container_is_refused(pods):
    """The CVE's attack: ``ln -s /etc /data/x`` in an init container, then ``subPath: x``: the container that
    would get the node's /etc is not created; the pod's other container runs; the pod goes without a trace."""
    name = pods.name('etc')
    plant = shell_container('plant', 'ln -s /etc /data/x', volumeMounts=[vm('data', '/data')])
    victim = shell_container('app', 'cat /mnt/debian_version; sleep 3600', volumeMounts=[vm('data', '/mnt', subPath='x')])
    manifest = pod(name, [victim, sleeper('side', volumeMounts=[vm('data', '/data')])], initContainers=[plant],
                   terminationGracePeriodSeconds=1, volumes=[{'name': 'data', 'emptyDir': {}}])
    try:
        result = pods.apply(manifest)
        assert result.get('failed'), "the node's /etc reached the container, which printed the node's " \
            "/etc/debian_version: %r" % docker('logs', cname('app', name, result['pods'][0]['metadata']['uid']))
        assert result['msg'] == 'pod "%s": container "app": CreateContainerConfigError: %s' % (
            name, prepare_error('data', 'app'))
        assert names(pods.prefix) == {'POD': 'running', 'plant': 'exited', 'side': 'running'}
        uid = result['pods'][0]['metadata']['uid']

        def failures():
            events = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['events']
            return sum(e['count'] for e in events if e['reason'] == 'Failed'
                       and e['involvedObject'].get('fieldPath') == 'spec.containers{app}')
        poll(failures, lambda count: count >= 2, 90)   # the node agent tries again, and is refused again
        again = ok(pods.apply(manifest))   # the pod is as applied: the re-apply changes nothing
        assert again['changed'] is False
        assert names(pods.prefix) == {'POD': 'running', 'plant': 'exited', 'side': 'running'}
        assert waiting_of(pods, name)['app'] == {'reason': 'CreateContainerConfigError',
                                                 'message': prepare_error('data', 'app')}
        assert in_container(cname('side', name, uid), 'readlink /data/x') == '/etc'   # the pod's own view is untouched
        assert node_mounts(os.path.join(STATE_DIR, uid)) == []   # nothing was pinned
    finally:
        ok(pods.apply(manifest, state='absent'))
    assert containers(pods.prefix) == {} and not os.path.exists(os.path.join(STATE_DIR, uid))


def test_every_way_out_of_a_volume_is_refused_and_a_link_inside_is_followed(pods, tmp_path):
    """Absolute and relative links, a link as a parent of an existing file or of a directory to create, a
    dangling link, the same in a hostPath: each container that would leave its volume is refused with the
    kubelet's message, nothing is created outside, and a link that stays inside the volume works."""
    outside, site = tmp_path / 'outside', tmp_path / 'site'
    outside.mkdir()
    site.mkdir()
    os.symlink('/etc', str(site / 'link'))
    dangling = '/tmp/%s-dangling' % pods.prefix
    name = pods.name('ways')
    script = ('ln -s /etc /data/abs && ln -s ../../../../../../../../etc /data/rel && ln -s %s /data/out && '
              'ln -s %s /data/dangle && mkdir /data/in && echo inside > /data/in/f && ln -s in /data/alias'
              % (outside, dangling))
    plant = shell_container('plant', script, volumeMounts=[vm('data', '/data')])
    ways = {'abs': 'abs', 'rel': 'rel', 'file': 'abs/passwd', 'newdir': 'out/new', 'dangle': 'dangle'}
    apps = [sleeper(key, volumeMounts=[vm('data', '/m', subPath=path)]) for key, path in sorted(ways.items())]
    apps += [sleeper('host', volumeMounts=[vm('site', '/m', subPath='link')]),
             sleeper('inside', volumeMounts=[vm('data', '/m', subPath='alias')])]
    manifest = pod(name, apps, initContainers=[plant], terminationGracePeriodSeconds=1,
                   volumes=[{'name': 'data', 'emptyDir': {}}, {'name': 'site', 'hostPath': {'path': str(site)}}])
    try:
        result = pods.apply(manifest)
        assert result.get('failed')
        expected = {'abs': prepare_error('data', 'abs'), 'rel': prepare_error('data', 'rel'),
                    'file': prepare_error('data', 'file'), 'host': prepare_error('site', 'host'),
                    'newdir': create_error('data', 'newdir'), 'dangle': create_error('data', 'dangle')}
        for key, message in expected.items():
            assert 'container "%s": CreateContainerConfigError: %s' % (key, message) in result['msg']
        assert names(pods.prefix) == {'POD': 'running', 'plant': 'exited', 'inside': 'running'}
        uid = result['pods'][0]['metadata']['uid']
        assert in_container(cname('inside', name, uid), 'cat /m/f') == 'inside'
        waiting = waiting_of(pods, name)
        assert {key: (waiting[key] or {}).get('message') for key in expected} == expected
        assert os.listdir(str(outside)) == [] and not os.path.lexists(dangling)
    finally:
        ok(pods.apply(manifest, state='absent'))


def test_a_sub_path_stays_pinned_when_the_volume_changes_under_it(pods):
    """The engine binds the node's pin of the subPath, not a path in the volume: a sibling that swaps the
    directory for a symlink to /etc, and a restart of the container by the engine, change nothing."""
    name = pods.name('pin')
    full, part = sleeper('full', volumeMounts=[vm('data', '/all')]), sleeper('part', volumeMounts=[vm('data', '/p',
                                                                                                      subPath='sub')])
    manifest = pod(name, [full, part], terminationGracePeriodSeconds=1, volumes=[{'name': 'data', 'emptyDir': {}}])
    result = pods.four_step(manifest)
    uid = result['pods'][0]['metadata']['uid']
    pin = os.path.join(STATE_DIR, uid, 'volume-subpaths', 'data', 'part', '0')
    assert node_mounts(os.path.join(STATE_DIR, uid)) == [pin]
    in_container(cname('full', name, uid), 'echo mine > /all/sub/f && mv /all/sub /all/moved && ln -s /etc /all/sub')
    docker('restart', '-t', '1', cname('part', name, uid))
    assert in_container(cname('part', name, uid), 'ls /p; cat /p/f') == 'f\nmine'
    assert sh(cname('part', name, uid), 'test -e /p/debian_version')[0] != 0
    ok(pods.apply(manifest, state='absent'))
    assert node_mounts(os.path.join(STATE_DIR, uid)) == [] and not os.path.exists(os.path.join(STATE_DIR, uid))


def test_deleting_a_pod_unmounts_its_sub_paths_and_keeps_the_claims_data(pods):
    """The pod's directory goes with the pod, but never through a pin into the volume it pins: the claim's
    sub directory and its files stay."""
    claim = '%s-keep' % pods.prefix
    volume = 'k8s_pvc_%s_default' % claim
    name = pods.name('claim')
    writer = shell_container('w', 'echo kept > /k/f; sleep 3600', volumeMounts=[vm('d', '/k', subPath='keep')])
    manifest = pod(name, [writer], terminationGracePeriodSeconds=1,
                   volumes=[{'name': 'd', 'persistentVolumeClaim': {'claimName': claim}}])
    try:
        uid = pods.four_step(manifest)['pods'][0]['metadata']['uid']
        assert len(node_mounts(os.path.join(STATE_DIR, uid))) == 1
        ok(pods.apply(manifest, state='absent'))
        assert not os.path.exists(os.path.join(STATE_DIR, uid))
        reader = docker('run', '--rm', '-v', '%s:/v' % volume, 'hostpods/busybox:1.35', 'cat', '/v/keep/f')
        assert reader == 'kept'
    finally:
        pods.apply(manifest, state='absent')
        docker('volume', 'rm', '-f', volume, check=False)
