"""Lifecycle hooks and termination messages on the real engine."""

import time

from harness import containers, docker, ok, pod, shell_container


def test_termination_messages(pods):
    name = pods.name('msg')
    manifest = pod(name, [
        shell_container('file', 'echo "bye from file" > /dev/termination-log; exit 3'),
        shell_container('custom', 'echo "custom path" > /tmp/why; exit 0', terminationMessagePath='/tmp/why'),
        shell_container('logs', 'echo "it broke"; exit 1', terminationMessagePolicy='FallbackToLogsOnError'),
    ], restartPolicy='Never', terminationGracePeriodSeconds=1)
    ok(pods.apply(manifest))
    listed = ok(pods.play(('hostpods.core.pod_info', {'name': name},
                           {'until': "RESULT.pods[0].status.phase == 'Failed'", 'retries': 30, 'delay': 1}))[0])
    states = {s['name']: s['state']['terminated'] for s in listed['pods'][0]['status']['containerStatuses']}
    assert (states['file']['exitCode'], states['file']['message']) == (3, 'bye from file\n')
    assert states['custom']['message'] == 'custom path\n'
    assert states['logs']['message'] == 'it broke'


def test_post_start_and_pre_stop_hooks(pods, tmp_path):
    name = pods.name('hooks')
    host_dir = str(tmp_path)
    mount = [{'name': 'out', 'mountPath': '/out'}]
    manifest = pod(name, [shell_container(
        'app', 'trap "exit 0" TERM; sleep 3600 & wait', volumeMounts=mount,
        lifecycle={'postStart': {'exec': {'command': ['sh', '-c', 'echo started > /out/post-start']}},
                   'preStop': {'exec': {'command': ['sh', '-c', 'echo stopping > /out/pre-stop']}}})],
                   volumes=[{'name': 'out', 'hostPath': {'path': host_dir}}], terminationGracePeriodSeconds=5)
    obj = pods.four_step(manifest)['pods'][0]
    with open('%s/post-start' % host_dir) as handle:      # the hook ran before the apply returned
        assert handle.read() == 'started\n'
    deleted = ok(pods.apply(manifest, state='absent'))
    assert deleted['pods'][0]['action'] == 'deleted'
    with open('%s/pre-stop' % host_dir) as handle:
        assert handle.read() == 'stopping\n'
    assert obj['metadata']['uid'] and containers(pods.prefix) == {}


def test_pre_stop_sleep_counts_against_the_grace_period(pods):
    name = pods.name('sleepy')
    manifest = pod(name, [shell_container('app', 'trap "exit 0" TERM; sleep 3600 & wait',
                                          lifecycle={'preStop': {'sleep': {'seconds': 3}}})],
                   terminationGracePeriodSeconds=10)
    ok(pods.apply(manifest))
    started = time.monotonic()
    ok(pods.apply(manifest, state='absent'))
    assert time.monotonic() - started >= 3


def test_failing_post_start_kills_the_container(pods):
    name = pods.name('poststart')
    manifest = pod(name, [shell_container('app', 'sleep 3600', lifecycle={
        'postStart': {'exec': {'command': ['sh', '-c', 'exit 7']}}})], restartPolicy='Never',
        terminationGracePeriodSeconds=1)
    result = pods.apply(manifest)
    assert result.get('failed') and 'PostStartHookError' in result['msg'] and 'exited with 7' in result['msg']
    states = {n.split('_')[1]: s for n, s in containers(pods.prefix).items()}
    assert states['app'] == 'exited'
    assert docker('ps', '-q', '--filter', 'name=k8s_app_%s_' % name) == ''


def test_http_get_pre_stop_reaches_the_pod(pods, tmp_path):
    name = pods.name('httphook')
    host_dir = str(tmp_path)
    # the server logs each request to a hostPath file; preStop GETs /shutdown on the named port (it exists: 200)
    server = shell_container('web', 'mkdir -p /w && echo ok > /w/shutdown && exec httpd -f -v -p 8080 -h /w 2>> /out/requests',
                             ports=[{'name': 'http', 'containerPort': 8080}],
                             volumeMounts=[{'name': 'out', 'mountPath': '/out'}],
                             lifecycle={'preStop': {'httpGet': {'path': '/shutdown', 'port': 'http'}}})
    manifest = pod(name, [server], volumes=[{'name': 'out', 'hostPath': {'path': host_dir}}],
                   terminationGracePeriodSeconds=3)
    ok(pods.apply(manifest))
    ok(pods.apply(manifest, state='absent'))
    with open('%s/requests' % host_dir) as handle:      # busybox httpd -v logs the client and the answer
        requests = handle.read().splitlines()
    assert len(requests) == 1 and requests[0].endswith('response:200')   # the hook's GET, from the node
