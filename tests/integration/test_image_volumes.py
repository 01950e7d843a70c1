"""Image volumes (``spec.volumes[].image``) on this engine (Docker 20.10, API 1.41: no image mounts of its own,
the overlay2 storage driver): the image is pulled per its pullPolicy, its layers are mounted read-only on the pod's
volume directory on the node and bound into the containers; unmounted when the pod goes or a re-apply changes or
drops the volume. (A mount the node lost is the planner's and the agent's: unit tests, as the agent on this machine
runs the library the node role installed.)"""

import os
import subprocess
import tempfile

import pytest

from harness import STATE_DIR, containers, docker, node_mounts, ok, pod, sleeper


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
    assert [(e['type'], e['reason']) for e in events if e['message'] == message] == [('Warning', 'ErrImageNeverPull')]
