"""Image volumes (``spec.volumes[].image``) on this engine (Docker 20.10, API 1.41: no image mounts of its own,
the overlay2 storage driver): the image is pulled per its pullPolicy, its layers are mounted read-only on the pod's
volume directory on the node and bound into the containers; unmounted when the pod goes or a re-apply changes or
drops the volume; mounted again, the containers made again, by the node agent when the node lost the mount (a
restart)."""

import os
import subprocess
import tempfile

import pytest

from harness import STATE_DIR, agent_held_off, containers, docker, node_mounts, ok, pod, sleeper, wait_until


def build(tag, dockerfile, files=None):
    """Build ``tag`` locally (no registry) from ``dockerfile`` and the context ``files`` ({name: text})."""
    with tempfile.TemporaryDirectory() as context:
        for name, text in dict(files or {}, Dockerfile=dockerfile).items():
            with open(os.path.join(context, name), 'w') as handle:
                handle.write(text)
        docker('build', '-q', '-t', tag, context)


@pytest.fixture(scope='module')
def images():
    """Two local images: ``layers``, busybox with files added in two more layers (an overlay of its layers), and
    ``single``, one file FROM scratch (one layer: a read-only bind of it). Removed at the end."""
    suffix = os.urandom(4).hex()
    layers, single = 'hostpods-test/imgvol-layers:%s' % suffix, 'hostpods-test/imgvol-single:%s' % suffix
    build(layers, 'FROM hostpods/busybox:1.35\nRUN mkdir /data && echo one > /data/one\nRUN echo two > /data/two\n')
    build(single, 'FROM scratch\nCOPY motd /motd\n', {'motd': 'from a single layer\n'})
    yield {'layers': layers, 'single': single}
    docker('rmi', layers, single, check=False)


def mount_kinds(uid):
    """``{volume name: (file system type, mount options)}`` of what the node mounted in the pod's volumes."""
    base = '%s/%s/volumes/' % (STATE_DIR, uid)
    out = {}
    with open('/proc/self/mountinfo') as handle:
        for line in handle:
            fields = line.split()
            if fields[4].startswith(base) and '/' not in fields[4][len(base):]:
                out[fields[4][len(base):]] = (fields[fields.index('-') + 1], fields[5].split(','))
    return out


def run(container, *argv):
    return subprocess.run(['docker', 'exec', container] + list(argv), capture_output=True, text=True, check=False)


def image_pod(name, images, **extra):
    return pod(name, [sleeper('app', volumeMounts=[
        {'name': 'layers', 'mountPath': '/layers'},
        {'name': 'single', 'mountPath': '/single'},
        {'name': 'layers', 'mountPath': '/two', 'subPath': 'data/two'},
    ])], volumes=[{'name': 'layers', 'image': {'reference': images['layers'], 'pullPolicy': 'Never'}},
                  {'name': 'single', 'image': {'reference': images['single']}}],
        terminationGracePeriodSeconds=1, **extra)


def test_an_image_volume_is_the_images_file_system_read_only(pods, images):
    name = pods.name('imgvol')
    applied = pods.four_step(image_pod(name, images))['pods'][0]
    uid = applied['metadata']['uid']
    assert applied['spec']['volumes'][1]['image']['pullPolicy'] == 'IfNotPresent'  # a tag: as a container's image
    app = 'k8s_app_%s_default_%s_0' % (name, uid)
    assert docker('exec', app, 'cat', '/layers/data/one', '/layers/data/two', '/two', '/single/motd') == \
        'one\ntwo\ntwo\nfrom a single layer'
    for path in ('/layers/new', '/single/new', '/layers/data/one'):
        written = run(app, 'sh', '-c', 'echo x >> %s' % path)
        assert written.returncode != 0 and 'Read-only file system' in written.stderr, (path, written)
    kinds = mount_kinds(uid)
    assert kinds['layers'][0] == 'overlay' and kinds['single'][0] != 'overlay', kinds
    for kind, options in kinds.values():  # read-only, and as Kubernetes mounts image volumes: noexec (nosuid, nodev)
        assert {'ro', 'nosuid', 'nodev', 'noexec'} <= set(options), kinds
    events = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['events']
    assert 'Container image "%s" already present on machine' % images['single'] in [e['message'] for e in events]

    ok(pods.apply(image_pod(name, images), state='absent'))
    assert node_mounts('%s/%s' % (STATE_DIR, uid)) == [] and not os.path.exists('%s/%s' % (STATE_DIR, uid))
    assert containers(pods.prefix) == {}


def test_a_re_apply_that_changes_or_drops_an_image_volume_re_makes_the_pod_and_its_mounts(pods, images):
    name = pods.name('imgchg')

    def manifest(volumes):
        return pod(name, [sleeper('app', volumeMounts=[{'name': v['name'], 'mountPath': '/v'} for v in volumes])],
                   volumes=volumes, terminationGracePeriodSeconds=1)
    uid = ok(pods.apply(manifest([{'name': 'v', 'image': {'reference': images['single']}}])))['pods'][0]['metadata']['uid']
    changed = ok(pods.apply(manifest([{'name': 'v', 'image': {'reference': images['layers']}}])))
    assert [p['action'] for p in changed['pods']] == ['recreated'] and changed['pods'][0]['metadata']['uid'] == uid
    assert docker('exec', 'k8s_app_%s_default_%s_0' % (name, uid), 'cat', '/v/data/one') == 'one'
    assert mount_kinds(uid)['v'][0] == 'overlay'
    dropped = ok(pods.apply(manifest([{'name': 'w', 'emptyDir': {}}])))
    assert [p['action'] for p in dropped['pods']] == ['recreated']
    assert mount_kinds(uid) == {} and not os.path.exists('%s/%s/volumes/v' % (STATE_DIR, uid))


def test_an_image_volume_under_never_with_no_image_fails_as_the_kubelet_says(pods):
    name = pods.name('imgnever')
    missing = '%s/missing:1' % pods.prefix
    manifest = pod(name, [sleeper('app', volumeMounts=[{'name': 'v', 'mountPath': '/v'}])],
                   volumes=[{'name': 'v', 'image': {'reference': missing, 'pullPolicy': 'Never'}}],
                   terminationGracePeriodSeconds=1)
    checked = pods.apply(manifest, check=True)
    assert 'image volume v (ErrImageNeverPull: %s is not present) (mounted on the node)' % missing in \
        checked['pods'][0]['planned_steps'], checked
    result = pods.apply(manifest)
    assert result.get('failed') is True
    message = 'Container image "%s" is not present with pull policy of Never' % missing
    assert 'image volume "v": ErrImageNeverPull: %s' % message in result['msg'], result['msg']
    assert not [n for n in containers(pods.prefix) if n.startswith('k8s_app_')]  # no container without its volume
    events = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['events']
    said = {(e['type'], e['reason']) for e in events if e['message'] == message}   # the agent may have tried again
    assert said == {('Warning', 'ErrImageNeverPull')}, events


@pytest.mark.parametrize('engine', ['restarts nothing', 'started the containers'])
def test_after_a_node_restart_the_agent_mounts_the_image_again(pods, images, engine):
    """A restart takes the node's mounts: the image volumes' and the subPath's pin. The containers are stopped, or
    also started again by the engine on the empty directories left. Check mode changes nothing and leaves the repair
    to the node agent, which makes the containers again (same UID, attempt 1) on the image mounted anew; the next
    apply changes nothing."""
    name = pods.name('imgboot')
    manifest = image_pod(name, images)
    uid = ok(pods.apply(manifest))['pods'][0]['metadata']['uid']
    try:
        ids = containers(pods.prefix)
        with agent_held_off(name):   # the node is down: nothing keeps the pod meanwhile
            for container in sorted(ids, key=lambda c: c.startswith('k8s_POD')):   # the app first, the sandbox last
                docker('stop', '-t', '1', container)
            for point in node_mounts('%s/%s' % (STATE_DIR, uid)):
                subprocess.run(['umount', '-l', point], check=True)
            assert mount_kinds(uid) == {}
            if engine == 'started the containers':
                for container in sorted(ids, key=lambda c: not c.startswith('k8s_POD')):   # the sandbox first
                    docker('start', container)
                assert run('k8s_app_%s_default_%s_0' % (name, uid), 'ls', '/single').stdout == ''   # an empty dir
            before = containers(pods.prefix)
            checked = ok(pods.apply(manifest, check=True))
            assert checked['changed'] is False and checked['pods'][0]['action'] == 'unchanged'
            assert containers(pods.prefix) == before and mount_kinds(uid) == {}
        app = 'k8s_app_%s_default_%s_1' % (name, uid)
        wait_until(lambda: containers(pods.prefix).get(app) == 'running', 90)
        assert docker('exec', app, 'cat', '/layers/data/one', '/two', '/single/motd') == 'one\ntwo\nfrom a single layer'
        assert sorted((volume, kind[0] == 'overlay') for volume, kind in mount_kinds(uid).items()) == \
            [('layers', True), ('single', False)]
        again = ok(pods.apply(manifest))
        assert again['changed'] is False and again['pods'][0]['metadata']['uid'] == uid
    finally:
        ok(pods.apply(manifest, state='absent'))
    assert node_mounts('%s/%s' % (STATE_DIR, uid)) == [] and not os.path.exists('%s/%s' % (STATE_DIR, uid))
