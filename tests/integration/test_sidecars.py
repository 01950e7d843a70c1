"""Sidecars (init containers with restartPolicy: Always) on the real engine."""

from harness import containers, docker, inspect, ok, pod, poll, shell_container, sleeper, wait_until


def test_sidecar_starts_in_order_keeps_running_and_counts_as_ready(pods):
    name = pods.name('sidecar')
    mount = [{'name': 'www', 'mountPath': '/www'}]
    manifest = pod(name, [
        shell_container('app', 'trap "exit 0" TERM; wget -qO /tmp/got http://localhost:9000/index.html; sleep 3600 & wait'),
    ], initContainers=[
        shell_container('setup', 'echo from-sidecar > /www/index.html', volumeMounts=mount),
        shell_container('server', 'exec httpd -f -p 9000 -h /www', volumeMounts=mount, restartPolicy='Always'),
        # a later init container can use the sidecar: it started first and keeps running
        shell_container('wait-server', 'until wget -qO- http://localhost:9000/index.html; do sleep 0.2; done'),
    ], volumes=[{'name': 'www', 'emptyDir': {}}], terminationGracePeriodSeconds=1)
    obj = pods.four_step(manifest)['pods'][0]
    uid = obj['metadata']['uid']
    server = inspect('k8s_server_%s_default_%s_0' % (name, uid))
    assert server['State']['Running'] and server['HostConfig']['RestartPolicy']['Name'] == 'no'   # the agent restarts
    found = {n.split('_')[1]: s for n, s in containers(pods.prefix).items()}
    assert found == {'POD': 'running', 'setup': 'exited', 'server': 'running', 'wait-server': 'exited', 'app': 'running'}
    assert docker('exec', 'k8s_app_%s_default_%s_0' % (name, uid), 'sh', '-c',
                  'for i in $(seq 50); do [ -s /tmp/got ] && break; sleep 0.1; done; cat /tmp/got') == 'from-sidecar'
    listed = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))
    assert listed['rows'][0]['ready'] == '2/2' and listed['rows'][0]['status'] == 'Running'
    inits = {s['name']: s for s in listed['pods'][0]['status']['initContainerStatuses']}
    assert inits['server']['started'] and inits['server']['ready']
    # the node agent restarts a sidecar that dies (a new instance), whatever the pod's restartPolicy
    docker('kill', 'k8s_server_%s_default_%s_0' % (name, uid))   # SIGKILL from outside (its PID 1 ignores a TERM)
    wait_until(lambda: containers(pods.prefix).get('k8s_server_%s_default_%s_1' % (name, uid)) == 'running', 60)
    again = poll(lambda: ok(pods.run({'name': name}, module='hostpods.core.pod_info')),
                 lambda r: {s['name']: s for s in r['pods'][0]['status']['initContainerStatuses']}['server']['ready'])
    assert again['pods'][0]['status']['phase'] == 'Running'
    server = {s['name']: s for s in again['pods'][0]['status']['initContainerStatuses']}['server']
    assert server['restartCount'] == 1 and 'running' in server['state']


def test_sidecar_of_a_finished_pod_is_stopped(pods):
    """When the app containers of a Never pod are done, the node agent stops its sidecars (as the kubelet does);
    the pod is Succeeded and the next apply changes nothing."""
    name = pods.name('done')
    manifest = pod(name, [shell_container('job', 'echo done')],
                   initContainers=[sleeper('logger', restartPolicy='Always')],
                   restartPolicy='Never', terminationGracePeriodSeconds=1)
    ok(pods.apply(manifest))
    wait_until(lambda: [s for n, s in containers(pods.prefix).items() if '_logger_' in n] == ['exited'], 60)
    again = ok(pods.apply(manifest))
    assert again['changed'] is False and again['pods'][0]['status']['phase'] == 'Succeeded'
