"""Volume mounts on the real engine: mountPropagation (HostToContainer sees the node's later mounts, on an emptyDir
through its mount point; a hostPath on a private mount fails as the engine says), recursiveReadOnly (IfPossible is
not recursive on this engine, Enabled is refused naming its version), emptyDir's mode, ephemeral volumes (a claim
owned by the pod, removed with it), and the volumes a Docker host cannot have refused with the reason."""

import json
import os
import subprocess
import time

import pytest

from harness import containers, docker, inspect, ok, pod, shell_container, sleeper

KEEP = 'trap "exit 0" TERM; sleep 3600 & wait'


def volume_mountpoint(name, uid, volume):
    return docker('volume', 'inspect', '--format', '{{.Mountpoint}}', 'k8s_emptydir_%s_default_%s_%s' % (name, uid, volume))


def poll(read, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError('timed out')


def host_mounts():
    with open('/proc/self/mountinfo') as handle:
        return [line.split()[4] for line in handle]


def test_host_to_container_propagation_through_an_emptydir(pods):
    # (Bidirectional needs a privileged container, which this machine's runtime cannot start: "unable to apply
    # caps"; its engine body, rshared, is a unit test)
    name = pods.name('prop')
    manifest = pod(name, [
        sleeper('watch', volumeMounts=[{'name': 'data', 'mountPath': '/data', 'mountPropagation': 'HostToContainer'}]),
    ], volumes=[{'name': 'data', 'emptyDir': {}}], terminationGracePeriodSeconds=1)
    uid = pods.four_step(manifest)['pods'][0]['metadata']['uid']
    point = volume_mountpoint(name, uid, 'data')
    watch = 'k8s_watch_%s_default_%s_0' % (name, uid)
    assert [(m['Source'], m['Propagation']) for m in inspect(watch)['Mounts'] if m['Destination'] == '/data'] == \
        [(point, 'rslave')]
    # a mount the node makes later shows in the container
    later = os.path.join(point, 'later')
    os.makedirs(later, exist_ok=True)
    subprocess.run(['mount', '-t', 'tmpfs', 'none', later], check=True)
    try:
        with open(os.path.join(later, 'by-node'), 'w') as handle:
            handle.write('node')
        assert poll(lambda: docker('exec', watch, 'cat', '/data/later/by-node', check=False) == 'node')
        # the pod's removal unmounts what is mounted in its emptyDir before removing it
        ok(pods.apply(manifest, state='absent'))
        assert not [point_ for point_ in host_mounts() if point_.startswith(point)]
        assert containers(pods.prefix) == {} and not os.path.exists(point)
    finally:
        subprocess.run(['umount', later], capture_output=True, check=False)


def test_propagation_from_a_host_path_on_a_private_mount_fails_as_the_engine_says(pods, tmp_path):
    name = pods.name('private')
    result = pods.apply(pod(name, [sleeper('app', volumeMounts=[
        {'name': 'host', 'mountPath': '/host', 'mountPropagation': 'HostToContainer'}])],
        volumes=[{'name': 'host', 'hostPath': {'path': str(tmp_path)}}], terminationGracePeriodSeconds=1))
    assert result['failed'] and 'is mounted on / but it is not a shared or slave mount' in result['msg'], result['msg']


def test_recursive_read_only_if_possible_is_not_recursive_here_and_enabled_is_refused(pods, tmp_path):
    sub = tmp_path / 'sub'
    sub.mkdir()
    subprocess.run(['mount', '-t', 'tmpfs', 'none', str(sub)], check=True)
    try:
        name = pods.name('rro')
        manifest = pod(name, [sleeper('app', volumeMounts=[
            {'name': 'host', 'mountPath': '/ro', 'readOnly': True, 'recursiveReadOnly': 'IfPossible'}])],
            volumes=[{'name': 'host', 'hostPath': {'path': str(tmp_path)}}], terminationGracePeriodSeconds=1)
        uid = pods.four_step(manifest)['pods'][0]['metadata']['uid']
        app = 'k8s_app_%s_default_%s_0' % (name, uid)
        assert docker('exec', app, 'touch', '/ro/top', check=False) == ''
        assert not (tmp_path / 'top').exists()  # read-only at the top...
        docker('exec', app, 'touch', '/ro/sub/below')
        assert (sub / 'below').exists()  # ...and not below: this engine (API 1.41) makes no recursive read-only mount
        enabled = pod(pods.name('rro2'), [sleeper('app', volumeMounts=[
            {'name': 'host', 'mountPath': '/ro', 'readOnly': True, 'recursiveReadOnly': 'Enabled'}])],
            volumes=[{'name': 'host', 'hostPath': {'path': str(tmp_path)}}])
        refused = pods.apply(enabled)
        assert refused['failed']
        assert ('spec.containers[0].volumeMounts[0].recursiveReadOnly: Enabled needs an engine that makes recursive '
                'read-only mounts (API 1.44, Docker 25 or later)') in refused['msg'], refused['msg']
        assert not [c for c in containers(pods.prefix) if 'rro2' in c]
        ok(pods.apply(manifest, state='absent'))
    finally:
        subprocess.run(['umount', '-l', str(sub)], check=False)


def test_empty_dir_mode_on_disk_and_in_memory(pods):
    name = pods.name('mode')
    manifest = pod(name, [sleeper('app', volumeMounts=[{'name': 'disk', 'mountPath': '/disk'},
                                                       {'name': 'mem', 'mountPath': '/mem'}])],
                   volumes=[{'name': 'disk', 'emptyDir': {'mode': 0o750}},
                            {'name': 'mem', 'emptyDir': {'medium': 'Memory', 'mode': 0o700, 'sizeLimit': '8Mi'}}],
                   terminationGracePeriodSeconds=1)
    uid = pods.four_step(manifest)['pods'][0]['metadata']['uid']
    app = 'k8s_app_%s_default_%s_0' % (name, uid)
    assert docker('exec', app, 'stat', '-c', '%a', '/disk', '/mem').split() == ['750', '700']
    assert 'size=8192k' in docker('exec', app, 'grep', ' /mem ', '/proc/mounts')


@pytest.mark.parametrize('source, why', [
    ({'nfs': {'server': '10.0.0.1', 'path': '/exports'}}, 'needs an NFS mount, which hostpods does not make'),
    ({'awsElasticBlockStore': {'volumeID': 'vol-1'}}, "needs an AWS EBS volume, a cloud provider's disk"),
    ({'csi': {'driver': 'ebs.csi.aws.com'}}, 'needs a CSI driver, which only a kubelet registers and calls'),
    ({'emptyDir': {'medium': 'HugePages'}}, '"HugePages" needs hugepages-<size> resources'),
])
def test_volumes_a_docker_host_cannot_have_are_refused_with_the_reason(pods, source, why):
    result = pods.apply(pod(pods.name('vol'), [sleeper('app')], volumes=[dict(source, name='v')]))
    assert result['failed'] and 'not supported by hostpods: ' in result['msg'] and why in result['msg'], result['msg']
    assert containers(pods.prefix) == {}


def ephemeral(storage='1Gi'):
    return {'name': 'scratch', 'ephemeral': {'volumeClaimTemplate': {
        'metadata': {'labels': {'type': 'scratch'}},
        'spec': {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': storage}}}}}}


def stored_claim(name):
    path = '/var/lib/hostpods/objects/default/persistentvolumeclaims/%s.json' % name
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def test_an_ephemeral_volume_is_a_claim_owned_by_the_pod_and_removed_with_it(pods):
    name = pods.name('eph')
    manifest = pod(name, [shell_container('app', 'echo kept > /scratch/file; ' + KEEP,
                                          volumeMounts=[{'name': 'scratch', 'mountPath': '/scratch'}])],
                   volumes=[ephemeral()], terminationGracePeriodSeconds=1)
    uid = pods.four_step(manifest)['pods'][0]['metadata']['uid']
    claim = stored_claim('%s-scratch' % name)
    assert claim['metadata']['ownerReferences'] == [{'apiVersion': 'v1', 'kind': 'Pod', 'name': name, 'uid': uid,
                                                     'controller': True, 'blockOwnerDeletion': True}]
    assert claim['metadata']['labels'] == {'type': 'scratch'}
    assert claim['spec']['resources']['requests']['storage'] == '1Gi'
    volume = 'k8s_pvc_%s-scratch_default' % name
    labels = json.loads(docker('volume', 'inspect', '--format', '{{json .Labels}}', volume))
    assert labels['io.kubernetes.pod.uid'] == uid and labels['hostpods.io/volume-type'] == 'ephemeral'
    assert poll(lambda: docker('exec', 'k8s_app_%s_default_%s_0' % (name, uid), 'cat', '/scratch/file',
                               check=False) == 'kept')
    ok(pods.apply(manifest, state='absent'))
    assert stored_claim('%s-scratch' % name) is None
    assert docker('volume', 'ls', '-q', '--filter', 'name=%s' % volume) == ''


def test_an_ephemeral_volume_whose_claim_is_not_the_pods_is_refused(pods):
    name = pods.name('taken')
    claim = {'apiVersion': 'v1', 'kind': 'PersistentVolumeClaim', 'metadata': {'name': '%s-scratch' % name},
             'spec': {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}}}
    ok(pods.apply(claim))
    try:
        result = pods.apply(pod(name, [sleeper('app', volumeMounts=[{'name': 'scratch', 'mountPath': '/s'}])],
                                volumes=[ephemeral()]))
        assert result['failed']
        assert 'PVC default/%s-scratch was not created for pod default/%s (pod is not owner)' % (name, name) \
            in result['msg'], result['msg']
        assert containers(pods.prefix) == {}
        assert 'ownerReferences' not in stored_claim('%s-scratch' % name)['metadata']  # the user's claim, untouched
    finally:
        ok(pods.apply(claim, state='absent'))
