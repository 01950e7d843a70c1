"""kubectl debug (issue 14 item 4): hostpods.core.pod_debug adds an ephemeral container to a running pod, in its
target's PID namespace; it shows in spec.ephemeralContainers and status.ephemeralContainerStatuses, is never
restarted (by the engine or the node agent), survives an unchanged re-apply, and goes with the pod."""

import calendar
import json
import time

from harness import containers, docker, inspect, ok, pod, shell_container, sleeper

HEARTBEAT = '/run/hostpods/agent.json'


def epoch(stamp):
    return calendar.timegm(time.strptime(stamp[:19], '%Y-%m-%dT%H:%M:%S'))


def agent_synced_after(moment, timeout=90):
    """Wait until the node agent finished a sync pass at least 11 s after ``moment`` (its resync of every pod
    is 10 s), so it has seen what happened then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(HEARTBEAT) as handle:
            if epoch(json.load(handle)['last_sync']) >= moment + 11:
                return
        time.sleep(1)
    raise AssertionError('the node agent did not sync in %d s' % timeout)


def of(prefix, container):
    return sorted(name for name in containers(prefix) if name.startswith('k8s_%s_' % container))


def test_an_ephemeral_container_joins_its_target_is_never_restarted_and_goes_with_the_pod(pods):
    name = pods.name('web')
    manifest = pod(name, [shell_container('app', 'trap "exit 0" TERM; sleep 3600 & wait'), sleeper('side')],
                   terminationGracePeriodSeconds=1)
    debug = {'name': name, 'container': 'probe', 'image': 'hostpods/busybox:1.35', 'target': 'app',
             'command': ['sh', '-c', 'sleep 3600']}
    try:
        ok(pods.apply(manifest, wait=True))
        before = containers(pods.prefix)
        checked = ok(pods.run(debug, module='hostpods.core.pod_debug', check=True))           # 1. check mode
        assert checked['changed'] is True and checked['container'] == 'probe'
        assert checked['planned_steps'] == ['record ephemeral container probe in spec.ephemeralContainers',
                                            'start ephemeral probe (target app)']
        assert containers(pods.prefix) == before
        added = ok(pods.run(debug, module='hostpods.core.pod_debug'))                       # 2. added
        assert added['changed'] is True
        [probe] = of(name, 'probe')
        info = inspect(probe)
        [app] = [n for n in of(name, 'app') if containers(pods.prefix)[n] == 'running']
        assert info['HostConfig']['PidMode'] == 'container:%s' % inspect(app)['Id']
        assert info['HostConfig']['RestartPolicy']['Name'] == 'no' and info['HostConfig']['NetworkMode'].startswith('container:')
        assert info['Config']['Labels']['annotation.io.kubernetes.container.type'] == 'ephemeral'
        spec, status = added['pod']['spec'], added['pod']['status']
        assert [c['name'] for c in spec['ephemeralContainers']] == ['probe']
        assert spec['ephemeralContainers'][0]['targetContainerName'] == 'app'
        [entry] = status['ephemeralContainerStatuses']
        assert (entry['name'], entry['ready'], list(entry['state'])) == ('probe', False, ['running'])
        # it sees the target's processes, and the pod's network
        ps = ok(pods.run({'name': name, 'container': 'probe', 'command': 'ps -o args'}, module='hostpods.core.pod_exec'))
        assert 'sleep 3600 & wait' in ps['stdout'] or 'trap' in ps['stdout'], ps['stdout']
        for check in (False, True):                                                         # 3. and 4. unchanged
            again = ok(pods.run(debug, module='hostpods.core.pod_debug', check=check))
            assert again['changed'] is False, again
            assert check or again['docker_calls']['write'] == 0

        # an unchanged re-apply of the pod neither removes it nor reports a change
        reapplied = ok(pods.apply(manifest))
        assert reapplied['changed'] is False and reapplied['docker_calls']['write'] == 0
        assert [s['name'] for s in reapplied['pods'][0]['status']['ephemeralContainerStatuses']] == ['probe']
        assert of(name, 'probe') == [probe]

        # it exits: never restarted, by the engine or the node agent
        docker('kill', probe)  # its own process: PID 1 of the namespace it joined is the target's
        deadline = time.monotonic() + 30
        while containers(pods.prefix)[probe] == 'running' and time.monotonic() < deadline:
            time.sleep(0.5)
        finished = epoch(inspect(probe)['State']['FinishedAt'])
        agent_synced_after(finished)
        assert of(name, 'probe') == [probe] and containers(pods.prefix)[probe] == 'exited'
        listed = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['pods'][0]
        [entry] = listed['status']['ephemeralContainerStatuses']
        assert 'terminated' in entry['state'] and entry['restartCount'] == 0
        assert listed['status']['phase'] == 'Running'

        # without a name each call adds another, as kubectl debug does
        first = ok(pods.run(dict(debug, container=None, target=None), module='hostpods.core.pod_debug'))
        second = ok(pods.run(dict(debug, container=None, target=None), module='hostpods.core.pod_debug'))
        assert first['container'].startswith('debugger-') and second['container'] != first['container']
        assert [c['name'] for c in second['pod']['spec']['ephemeralContainers']] == [
            'probe', first['container'], second['container']]

        # refusals, before anything is touched
        refused = pods.play(
            ('hostpods.core.pod_debug', dict(debug, command=['sleep', '1'])),
            ('hostpods.core.pod_debug', dict(debug, container='app')),
            ('hostpods.core.pod_debug', dict(debug, container='other', target='nope')),
            ('hostpods.core.pod_debug', dict(debug, name=pods.name('none'))))
        messages = [result['msg'] for result in refused]
        assert 'existing ephemeral containers "probe" may not be changed' in messages[0], messages
        assert 'name: Duplicate value: "app"' in messages[1] and 'targetContainerName: Not found: "nope"' in messages[2]
        assert messages[3] == 'pods "%s" not found in namespace "default"' % pods.name('none')

        # it goes with the pod
        ok(pods.apply(manifest, state='absent'))
        assert containers(pods.prefix) == {}
    finally:
        pods.apply(manifest, state='absent')


def test_a_manifest_cannot_set_ephemeral_containers(pods):
    manifest = pod(pods.name('set'), [sleeper()], ephemeralContainers=[{'name': 'x', 'image': 'hostpods/busybox:1.35'}])
    refused = pods.apply(manifest)
    assert refused.get('failed') and 'spec.ephemeralContainers: Forbidden: cannot be set on create' in refused['msg']
    assert containers(pods.prefix) == {}
