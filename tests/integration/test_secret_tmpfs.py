"""Secret volumes on a tmpfs of their own, as the kubelet keeps them: never on the node's disk, written again
from the stored Secret when the node lost them (a tmpfs is empty after a restart), gone with the pod."""

import os
import subprocess

import pytest

from harness import STATE_DIR, agent_held_off, containers, docker, node_mounts, ok, pod, sleeper, wait_until


def objects(prefix):
    return [{'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': prefix + '-creds'},
             'stringData': {'password': 'pw-' + prefix}},
            {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': prefix + '-cfg'}, 'data': {'color': 'red'}}]


def consumer(prefix, name):
    mounts = [{'name': 'creds', 'mountPath': '/etc/creds'}, {'name': 'mixed', 'mountPath': '/etc/mixed'},
              {'name': 'conf', 'mountPath': '/etc/conf'}, {'name': 'creds', 'mountPath': '/pw', 'subPath': 'password'}]
    return pod(name, [sleeper('app', volumeMounts=mounts)], terminationGracePeriodSeconds=1, volumes=[
        {'name': 'creds', 'secret': {'secretName': prefix + '-creds', 'defaultMode': 0o400}},
        {'name': 'mixed', 'projected': {'sources': [{'secret': {'name': prefix + '-creds'}},
                                                    {'configMap': {'name': prefix + '-cfg'}}]}},
        {'name': 'conf', 'configMap': {'name': prefix + '-cfg'}}])


def node_table():
    """``{mount point: type}`` of the node."""
    with open('/proc/self/mountinfo') as handle:
        lines = [line.split() for line in handle]
    return {fields[4]: fields[fields.index('-', 6) + 1] for fields in lines}


def in_app(pods, name, uid, script, attempt=0):
    return docker('exec', 'k8s_app_%s_default_%s_%d' % (name, uid, attempt), 'sh', '-c', script)


def volume_dir(uid, volume):
    return os.path.join(STATE_DIR, uid, 'volumes', volume)


def reads_secrets(pods, name, uid, attempt=0):
    prefix = pods.prefix
    assert in_app(pods, name, uid, 'cat /etc/creds/password; echo; cat /etc/mixed/password; echo; cat /etc/mixed/color; '
                  'echo; cat /pw', attempt) == 'pw-%s\npw-%s\nred\npw-%s' % (prefix, prefix, prefix)


def test_secret_volumes_are_each_a_tmpfs_and_go_with_the_pod(pods):
    name = pods.name('tmpfs')
    batch = [consumer(pods.prefix, name)] + objects(pods.prefix)
    try:
        checked = ok(pods.apply(batch, check=True))
        planned = checked['pods'][0]['planned_steps']
        assert {'project creds (tmpfs)', 'project mixed (tmpfs)', 'project conf'} <= set(planned), planned
        uid = pods.four_step(batch)['pods'][0]['metadata']['uid']
        table = node_table()
        assert table.get(volume_dir(uid, 'creds')) == 'tmpfs' and table.get(volume_dir(uid, 'mixed')) == 'tmpfs'
        assert volume_dir(uid, 'conf') not in table                     # a ConfigMap's files stay on the disk
        reads_secrets(pods, name, uid)
        fields = in_app(pods, name, uid, 'grep " /etc/creds " /proc/mounts').split()
        assert fields[2] == 'tmpfs' and fields[3].startswith('ro,'), fields
    finally:
        ok(pods.apply(batch, state='absent'))
    assert node_mounts(os.path.join(STATE_DIR, uid)) == [] and not os.path.exists(os.path.join(STATE_DIR, uid))


@pytest.mark.parametrize('engine', ['restarts nothing', 'started the containers'])
def test_after_a_node_restart_the_secrets_are_written_again(pods, engine):
    """A restart empties the tmpfs and takes the subPath pins: the node's mounts are undone and the pod's
    containers stopped, or also started again by the engine on what was left. Check mode changes nothing and
    leaves the repair to the node agent, which runs (its heartbeat is fresh: restarts are its own); the agent
    makes the pod again (same UID) with its Secret files on a new tmpfs, from the Secret the node stored, and
    nothing of them on the disk (a stale copy there goes); the next apply changes nothing."""
    name = pods.name('reboot')
    batch = [consumer(pods.prefix, name)] + objects(pods.prefix)
    alone = [batch[0]]   # the pod without its objects: the files come from the Secret the node stored
    try:
        uid = ok(pods.apply(batch))['pods'][0]['metadata']['uid']
        ids = {c: docker('inspect', '--format', '{{.Id}}', c) for c in containers(pods.prefix)}
        with agent_held_off(name):   # the node is down: nothing keeps the pod meanwhile
            for container in sorted(ids, key=lambda c: c.startswith('k8s_POD')):   # the app first, the sandbox last
                docker('stop', '-t', '1', container)
            for point in node_mounts(os.path.join(STATE_DIR, uid)):
                subprocess.run(['umount', '-l', point], check=True)
            with open(os.path.join(volume_dir(uid, 'creds'), 'stale'), 'w') as handle:
                handle.write('a copy on the disk')
            if engine == 'started the containers':
                for container in sorted(ids, key=lambda c: not c.startswith('k8s_POD')):   # the sandbox first
                    docker('start', container)
                assert in_app(pods, name, uid, 'ls /etc/creds') == 'stale'   # what the disk held, no Secret
            before = containers(pods.prefix)
            checked = ok(pods.apply(alone, check=True))
            assert checked['changed'] is False and checked['pods'][0]['action'] == 'unchanged'
            assert containers(pods.prefix) == before and os.path.exists(os.path.join(volume_dir(uid, 'creds'), 'stale'))
        wait_until(lambda: containers(pods.prefix).get('k8s_app_%s_default_%s_1' % (name, uid)) == 'running', 90)
        assert node_table().get(volume_dir(uid, 'creds')) == 'tmpfs'
        reads_secrets(pods, name, uid, attempt=1)
        again = ok(pods.apply(alone))
        assert again['changed'] is False and again['pods'][0]['metadata']['uid'] == uid
        subprocess.run(['umount', '-l', volume_dir(uid, 'creds')], check=True)   # look under the tmpfs
        assert os.listdir(volume_dir(uid, 'creds')) == []                         # nothing on the disk
    finally:
        ok(pods.apply(batch, state='absent'))
    assert not os.path.exists(os.path.join(STATE_DIR, uid))


def test_files_removed_from_a_mounted_tmpfs_are_written_again_in_place(pods):
    name = pods.name('gone')
    batch = [consumer(pods.prefix, name)] + objects(pods.prefix)
    alone = [batch[0]]   # the pod without its objects: the files come from the Secret the node stored
    try:
        uid = ok(pods.apply(batch))['pods'][0]['metadata']['uid']
        app = 'k8s_app_%s_default_%s_0' % (name, uid)
        started = docker('inspect', '--format', '{{.State.StartedAt}}', app)
        with agent_held_off(name):
            subprocess.run('rm -rf %s/* %s/..?*' % (volume_dir(uid, 'creds'), volume_dir(uid, 'creds')), shell=True,
                           check=True)
            assert docker('exec', app, 'ls', '-A', '/etc/creds') == ''
            checked = ok(pods.apply(alone, check=True))['pods'][0]
            assert checked['action'] == 'updated'
            assert [step for step in checked['planned_steps'] if not step.startswith('record ')] == [
                'project creds (tmpfs)']
        # the node agent writes them again (it reads a pod's volumes at least every 10 s), in the same container
        wait_until(lambda: docker('exec', app, 'cat', '/etc/creds/password', check=False) == 'pw-' + pods.prefix, 60)
        assert docker('inspect', '--format', '{{.State.StartedAt}}', app) == started
        assert ok(pods.apply(alone))['changed'] is False
    finally:
        ok(pods.apply(batch, state='absent'))
