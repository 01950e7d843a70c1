"""Pod volumes on the real engine: emptyDir (disk and Memory), hostPath, persistentVolumeClaim, readOnly, subPath.

Kubernetes is the specification (reference/kubelet.md section 9): each feature is applied with the four-step
check (check -> apply -> re-apply -> check) and its effect is then observed from inside the pod's containers.
"""

import os
import subprocess

import pytest

from harness import BUSYBOX, containers, docker, inspect, pod, sleeper, wait_until


# ---------------------------------------------------------------------------------------------- helpers
def cname(container, pod_name, uid, attempt=0, namespace='default'):
    """The Docker name of a pod's container (``POD`` for the sandbox)."""
    return 'k8s_%s_%s_%s_%s_%d' % (container, pod_name, namespace, uid, attempt)


def sh(container, script):
    """Run ``sh -c script`` inside a container: ``(rc, stdout + stderr)``."""
    proc = subprocess.run(['docker', 'exec', container, 'sh', '-c', script], capture_output=True, text=True, check=False)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def ok(container, script):
    rc, out = sh(container, script)
    assert rc == 0, 'in %s: %r exited %d: %s' % (container, script, rc, out)
    return out


def volumes_with(text):
    """Names of the Docker volumes whose name contains ``text``."""
    return [v for v in docker('volume', 'ls', '-q').splitlines() if text in v]


def pod_volumes(uid):
    """Names of the Docker volumes labelled with the pod uid."""
    return docker('volume', 'ls', '-q', '--filter', 'label=io.kubernetes.pod.uid=%s' % uid).splitlines()


def mount(container, destination):
    """The Docker mount of ``container`` at ``destination``."""
    found = [m for m in inspect(container)['Mounts'] if m['Destination'] == destination]
    assert len(found) == 1, inspect(container)['Mounts']
    return found[0]


def proc_mount(container, path):
    """The ``/proc/mounts`` line of ``path`` inside the container: ``(fstype, options)``."""
    for line in ok(container, 'cat /proc/mounts').splitlines():
        fields = line.split()
        if fields[1] == path:
            return fields[2], fields[3]
    raise AssertionError('%s is not a mount point in %s' % (path, container))


def vm(name, path, **extra):
    body = {'name': name, 'mountPath': path}
    body.update(extra)
    return body


def fast(manifest):
    """Deletes must not wait 30 s for containers that ignore SIGTERM."""
    manifest['spec'].setdefault('terminationGracePeriodSeconds', 1)
    return manifest


def repair_sandbox(pods, manifest, name, uid, how):
    """Stop or remove the pod's sandbox behind Ansible's back; the node agent makes a new one (attempt 1) and
    the container again in it; the next apply changes nothing. Returns the running app container."""
    if how == 'stop':
        docker('stop', '-t', '1', cname('POD', name, uid))
    else:
        docker('rm', '-f', cname('POD', name, uid))

    def running():
        return [n for n, state in containers(pods.prefix).items() if state == 'running' and n.endswith('_1')
                and (n.startswith('k8s_main_') or n.startswith('k8s_POD_'))]
    found = wait_until(lambda: len(running()) == 2 and running(), 60)
    again = assert_ok(pods.apply(manifest))
    assert again['changed'] is False and again['pods'][0]['metadata']['uid'] == uid
    return next(n for n in found if n.startswith('k8s_main_'))


def assert_ok(result):
    assert not result.get('failed'), result.get('msg')
    return result


# ---------------------------------------------------------------------------------------------- emptyDir
def test_empty_dir_is_shared_by_the_pod_and_removed_with_it(pods):
    name = pods.name('share')
    writer = sleeper('writer', volumeMounts=[vm('scratch', '/data')])
    reader = sleeper('reader', volumeMounts=[vm('scratch', '/shared')])
    manifest = fast(pod(name, [writer, reader], volumes=[{'name': 'scratch', 'emptyDir': {}}]))

    checked = pods.apply(manifest, check=True)
    assert_ok(checked)
    assert volumes_with(pods.prefix) == [], 'check mode created a volume'

    result = pods.four_step(manifest)
    uid = result['pods'][0]['metadata']['uid']
    owned = pod_volumes(uid)
    assert len(owned) == 1, owned
    volume = owned[0]
    assert docker('volume', 'inspect', '--format', '{{.Driver}}', volume) == 'local'

    # Both containers mount the same Docker volume.
    for container, path in (('writer', '/data'), ('reader', '/shared')):
        found = mount(cname(container, name, uid), path)
        assert found['Type'] == 'volume' and found['Name'] == volume and found['RW'] is True

    # One writes, the other reads; the directory is world-writable as on a kubelet.
    ok(cname('writer', name, uid), 'echo hello-from-writer > /data/msg')
    assert ok(cname('reader', name, uid), 'cat /shared/msg') == 'hello-from-writer'
    ok(cname('reader', name, uid), 'echo back > /shared/reply')
    assert ok(cname('writer', name, uid), 'cat /data/reply') == 'back'
    assert ok(cname('writer', name, uid), 'stat -c %a /data') == '777'

    deleted = assert_ok(pods.apply(manifest, state='absent'))
    assert deleted['changed'] is True and deleted['pods'][0]['action'] == 'deleted'
    assert containers(pods.prefix) == {}
    assert pod_volumes(uid) == []
    assert volume not in docker('volume', 'ls', '-q').splitlines()


@pytest.mark.parametrize('how', ['stop', 'rm'])
def test_empty_dir_lives_as_long_as_the_pod_uid(pods, how):
    """A new sandbox for the same pod (the old one stopped or removed behind Ansible's back) keeps the emptyDir
    contents: on a kubelet an emptyDir lives as long as the pod UID, whatever happens to the sandbox."""
    name = pods.name('keep')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('scratch', '/data')])],
                        volumes=[{'name': 'scratch', 'emptyDir': {}}]))
    uid = assert_ok(pods.apply(manifest))['pods'][0]['metadata']['uid']
    ok(cname('main', name, uid), 'echo kept > /data/f')

    main = repair_sandbox(pods, manifest, name, uid, how)
    assert ok(main, 'cat /data/f') == 'kept'


# ---------------------------------------------------------------------------------------------- emptyDir: Memory
def test_memory_empty_dir_is_a_tmpfs_shared_by_init_and_app_containers(pods):
    name = pods.name('mem')
    init = {'name': 'seed', 'image': BUSYBOX, 'command': ['sh', '-c', 'echo seeded-by-init > /cache/seed'],
            'volumeMounts': [vm('cache', '/cache')]}
    manifest = fast(pod(name, [sleeper('a', volumeMounts=[vm('cache', '/cache')]),
                               sleeper('b', volumeMounts=[vm('cache', '/mem')])],
                        initContainers=[init], volumes=[{'name': 'cache', 'emptyDir': {'medium': 'Memory'}}]))
    result = pods.four_step(manifest)
    uid = result['pods'][0]['metadata']['uid']
    a, b = cname('a', name, uid), cname('b', name, uid)

    assert proc_mount(a, '/cache')[0] == 'tmpfs'
    assert proc_mount(b, '/mem')[0] == 'tmpfs'
    # What the init container wrote is there for the app containers.
    assert ok(a, 'cat /cache/seed') == 'seeded-by-init'
    assert ok(b, 'cat /mem/seed') == 'seeded-by-init'
    # One tmpfs for the pod: a write in one container is seen by the other.
    ok(a, 'echo from-a > /cache/x')
    assert ok(b, 'cat /mem/x') == 'from-a'

    assert_ok(pods.apply(manifest, state='absent'))
    assert pod_volumes(uid) == []


def test_memory_empty_dir_size_limit_sizes_the_tmpfs(pods):
    name = pods.name('memsize')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('cache', '/cache')])],
                        volumes=[{'name': 'cache', 'emptyDir': {'medium': 'Memory', 'sizeLimit': '8Mi'}}]))
    result = pods.four_step(manifest)
    main = cname('main', name, result['pods'][0]['metadata']['uid'])
    fstype, options = proc_mount(main, '/cache')
    assert fstype == 'tmpfs'
    assert 'size=8192k' in options.split(','), options
    assert ok(main, "df -k /cache | tail -n 1 | awk '{print $2}'") == '8192'
    ok(main, 'dd if=/dev/zero of=/cache/small bs=1024 count=4096')
    rc, out = sh(main, 'dd if=/dev/zero of=/cache/big bs=1024 count=8192')
    assert rc != 0 and 'No space left' in out, out


@pytest.mark.parametrize('how', ['stop', 'rm'])
def test_memory_empty_dir_lives_as_long_as_the_pod_uid(pods, how):
    """A new sandbox for the same pod keeps the tmpfs contents: the volume belongs to the pod, not the sandbox."""
    name = pods.name('memkeep')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('cache', '/cache')])],
                        volumes=[{'name': 'cache', 'emptyDir': {'medium': 'Memory'}}]))
    uid = assert_ok(pods.apply(manifest))['pods'][0]['metadata']['uid']
    ok(cname('main', name, uid), 'echo kept > /cache/f')

    main = repair_sandbox(pods, manifest, name, uid, how)
    assert proc_mount(main, '/cache')[0] == 'tmpfs'
    assert ok(main, 'cat /cache/f') == 'kept'


# ---------------------------------------------------------------------------------------------- hostPath
def test_host_path_is_a_bind_mount_of_the_host_directory(pods, tmp_path):
    host_dir = tmp_path / 'hostdir'
    host_dir.mkdir()
    (host_dir / 'from-host').write_text('written on the host\n')
    name = pods.name('bind')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('host', '/host')])],
                        volumes=[{'name': 'host', 'hostPath': {'path': str(host_dir)}}]))
    result = pods.four_step(manifest)
    main = cname('main', name, result['pods'][0]['metadata']['uid'])
    found = mount(main, '/host')
    assert found['Type'] == 'bind' and found['Source'] == str(host_dir)
    assert ok(main, 'cat /host/from-host') == 'written on the host'
    ok(main, 'echo written in the pod > /host/from-pod')
    assert (host_dir / 'from-pod').read_text() == 'written in the pod\n'


def test_host_path_directory_or_create_creates_the_directory(pods, tmp_path):
    target = tmp_path / 'made' / 'by' / 'hostpods'
    name = pods.name('dircreate')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('host', '/host')])],
                        volumes=[{'name': 'host', 'hostPath': {'path': str(target), 'type': 'DirectoryOrCreate'}}]))
    assert_ok(pods.apply(manifest, check=True))
    assert not os.path.exists(str(tmp_path / 'made')), 'check mode created the directory'

    result = pods.four_step(manifest)
    assert target.is_dir()
    assert oct(target.stat().st_mode & 0o777) == oct(0o755)
    main = cname('main', name, result['pods'][0]['metadata']['uid'])
    ok(main, 'echo hi > /host/file')
    assert (target / 'file').read_text() == 'hi\n'


def test_host_path_file_or_create_creates_the_file(pods, tmp_path):
    target = tmp_path / 'app.log'
    name = pods.name('filecreate')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('log', '/var/log/app.log')])],
                        volumes=[{'name': 'log', 'hostPath': {'path': str(target), 'type': 'FileOrCreate'}}]))
    assert_ok(pods.apply(manifest, check=True))
    assert not target.exists(), 'check mode created the file'

    result = pods.four_step(manifest)
    assert target.is_file() and target.read_text() == ''
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    main = cname('main', name, result['pods'][0]['metadata']['uid'])
    assert ok(main, 'test -f /var/log/app.log && echo file') == 'file'
    ok(main, 'echo line > /var/log/app.log')
    assert target.read_text() == 'line\n'


def test_host_path_directory_missing_fails_before_anything_is_created(pods, tmp_path):
    missing = tmp_path / 'does-not-exist'
    name = pods.name('nodir')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('host', '/host')])],
                        volumes=[{'name': 'host', 'hostPath': {'path': str(missing), 'type': 'Directory'}},
                                 {'name': 'scratch', 'emptyDir': {}}]))
    for check in (True, False):
        result = pods.apply(manifest, check=check)
        assert result.get('failed'), result
        assert 'hostPath type check failed: %s is not a directory' % missing in result['msg'], result['msg']
        assert containers(pods.prefix) == {}
        assert volumes_with(pods.prefix) == []
        assert not missing.exists()


def test_host_path_file_on_a_directory_fails_before_anything_is_created(pods, tmp_path):
    directory = tmp_path / 'a-directory'
    directory.mkdir()
    name = pods.name('notfile')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('conf', '/etc/app.conf')])],
                        volumes=[{'name': 'conf', 'hostPath': {'path': str(directory), 'type': 'File'}}]))
    result = pods.apply(manifest)
    assert result.get('failed'), result
    assert 'hostPath type check failed: %s is not a file' % directory in result['msg'], result['msg']
    assert containers(pods.prefix) == {}
    assert volumes_with(pods.prefix) == []


# ---------------------------------------------------------------------------------------------- persistentVolumeClaim
def test_persistent_volume_claim_outlives_the_pod(pods):
    claim = pods.name('data')
    volume = 'k8s_pvc_%s_default' % claim
    name = pods.name('db')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('data', '/var/lib/data')])],
                        volumes=[{'name': 'data', 'persistentVolumeClaim': {'claimName': claim}}]))
    try:
        assert volumes_with(claim) == []
        assert_ok(pods.apply(manifest, check=True))
        assert volumes_with(claim) == [], 'check mode created the claim volume'

        first = pods.four_step(manifest)
        uid = first['pods'][0]['metadata']['uid']
        assert volumes_with(claim) == [volume]
        assert mount(cname('main', name, uid), '/var/lib/data')['Name'] == volume
        ok(cname('main', name, uid), 'echo precious > /var/lib/data/f')

        deleted = assert_ok(pods.apply(manifest, state='absent'))
        assert deleted['pods'][0]['action'] == 'deleted'
        assert containers(pods.prefix) == {}
        assert volumes_with(claim) == [volume], 'the claim volume went with the pod'

        again = assert_ok(pods.apply(manifest))
        assert again['pods'][0]['action'] == 'created'
        new_uid = again['pods'][0]['metadata']['uid']
        assert new_uid != uid
        assert ok(cname('main', name, new_uid), 'cat /var/lib/data/f') == 'precious'

        assert_ok(pods.apply(manifest, state='absent'))
        assert volumes_with(claim) == [volume]
    finally:
        pods.apply(manifest, state='absent')
        docker('volume', 'rm', '-f', volume, check=False)
    assert volumes_with(claim) == []


def test_persistent_volume_claim_uses_an_existing_volume(pods):
    claim = pods.name('pre')
    volume = 'k8s_pvc_%s_default' % claim
    name = pods.name('user')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('data', '/data')])],
                        volumes=[{'name': 'data', 'persistentVolumeClaim': {'claimName': claim}}]))
    docker('volume', 'create', volume)
    try:
        docker('run', '--rm', '-v', '%s:/v' % volume, BUSYBOX, 'sh', '-c', 'echo seeded > /v/f')
        result = pods.four_step(manifest)
        uid = result['pods'][0]['metadata']['uid']
        assert ok(cname('main', name, uid), 'cat /data/f') == 'seeded'
    finally:
        pods.apply(manifest, state='absent')
        docker('volume', 'rm', '-f', volume, check=False)


# ---------------------------------------------------------------------------------------------- readOnly
def test_read_only_mounts_refuse_writes(pods, tmp_path):
    host_dir = tmp_path / 'ro'
    host_dir.mkdir()
    (host_dir / 'conf').write_text('x=1\n')
    claim = pods.name('roclaim')
    volume = 'k8s_pvc_%s_default' % claim
    name = pods.name('ro')
    writer = sleeper('writer', volumeMounts=[vm('scratch', '/data')])
    reader = sleeper('reader', volumeMounts=[vm('scratch', '/data', readOnly=True),
                                             vm('host', '/host', readOnly=True),
                                             vm('claim', '/claim')])
    manifest = fast(pod(name, [writer, reader], volumes=[
        {'name': 'scratch', 'emptyDir': {}},
        {'name': 'host', 'hostPath': {'path': str(host_dir), 'type': 'Directory'}},
        {'name': 'claim', 'persistentVolumeClaim': {'claimName': claim, 'readOnly': True}},
    ]))
    try:
        result = pods.four_step(manifest)
        uid = result['pods'][0]['metadata']['uid']
        w, r = cname('writer', name, uid), cname('reader', name, uid)
        ok(w, 'echo shared > /data/f')
        assert ok(r, 'cat /data/f') == 'shared'
        for path in ('/data/new', '/host/new', '/claim/new'):
            rc, out = sh(r, 'touch %s' % path)
            assert rc != 0 and 'Read-only file system' in out, (path, out)
        rc, out = sh(r, 'echo y=2 >> /host/conf')
        assert rc != 0
        assert (host_dir / 'conf').read_text() == 'x=1\n'
        assert not (host_dir / 'new').exists()
        assert proc_mount(r, '/data')[1].split(',')[0] == 'ro'
        assert proc_mount(w, '/data')[1].split(',')[0] == 'rw'
    finally:
        pods.apply(manifest, state='absent')
        docker('volume', 'rm', '-f', volume, check=False)


# ---------------------------------------------------------------------------------------------- subPath
def test_sub_path_shows_only_the_sub_directory_and_creates_it(pods):
    name = pods.name('sub')
    full = sleeper('full', volumeMounts=[vm('vol', '/all')])
    part = sleeper('part', volumeMounts=[vm('vol', '/part', subPath='nested/dir')])
    manifest = fast(pod(name, [full, part], volumes=[{'name': 'vol', 'emptyDir': {}}]))
    result = pods.four_step(manifest)
    uid = result['pods'][0]['metadata']['uid']
    f, p = cname('full', name, uid), cname('part', name, uid)

    # The sub directory was created inside the volume.
    assert ok(f, 'test -d /all/nested/dir && echo dir') == 'dir'
    ok(f, 'echo top > /all/top.txt && echo inner > /all/nested/dir/inner.txt')
    assert ok(p, 'ls -A /part') == 'inner.txt'
    assert ok(p, 'cat /part/inner.txt') == 'inner'
    ok(p, 'echo from-part > /part/back.txt')
    assert ok(f, 'cat /all/nested/dir/back.txt') == 'from-part'
    rc, _output = sh(p, 'test -e /part/top.txt || test -e /part/nested')
    assert rc != 0


def test_sub_path_of_a_host_path_is_created_on_the_host(pods, tmp_path):
    host_dir = tmp_path / 'site'
    host_dir.mkdir()
    (host_dir / 'other.txt').write_text('not for the pod\n')
    name = pods.name('hostsub')
    manifest = fast(pod(name, [sleeper(volumeMounts=[vm('site', '/www', subPath='public')])],
                        volumes=[{'name': 'site', 'hostPath': {'path': str(host_dir), 'type': 'Directory'}}]))
    assert_ok(pods.apply(manifest, check=True))
    assert not (host_dir / 'public').exists(), 'check mode created the subPath'

    result = pods.four_step(manifest)
    main = cname('main', name, result['pods'][0]['metadata']['uid'])
    assert (host_dir / 'public').is_dir()
    assert ok(main, 'ls -A /www') == ''
    (host_dir / 'public' / 'index.html').write_text('hello\n')
    assert ok(main, 'cat /www/index.html') == 'hello'


def test_sub_path_of_a_memory_empty_dir_is_in_the_tmpfs(pods):
    name = pods.name('memsub')
    full = sleeper('full', volumeMounts=[vm('mem', '/all')])
    part = sleeper('part', volumeMounts=[vm('mem', '/part', subPath='only')])
    manifest = fast(pod(name, [full, part], volumes=[{'name': 'mem', 'emptyDir': {'medium': 'Memory'}}]))
    result = pods.four_step(manifest)
    uid = result['pods'][0]['metadata']['uid']
    f, p = cname('full', name, uid), cname('part', name, uid)
    assert ok(f, 'test -d /all/only && echo dir') == 'dir'
    ok(f, 'echo inner > /all/only/x && echo top > /all/top')
    assert ok(p, 'ls -A /part') == 'x'
    assert ok(p, 'cat /part/x') == 'inner'
