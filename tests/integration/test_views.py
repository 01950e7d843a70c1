"""What users see of their pods: pod_info (status and kubectl's STATUS words), wait, pod_logs, pod_exec and
delete by label selector, on the real engine. Kubernetes and kubectl (reference/kubelet.md §2) are the spec."""

import json
import re
import socket

from harness import BUSYBOX, containers, docker, inspect, ok, pod, shell_container, sleeper

TRAP = 'trap "exit 0" TERM; '


# ---------------------------------------------------------------------------------------------- helpers


def quick(name, containers_, **spec):
    """A pod labelled ``run=<name's prefix>`` that deletes in a second."""
    spec.setdefault('terminationGracePeriodSeconds', 1)
    labels = spec.pop('labels', {})
    return pod(name, containers_, labels=dict({'run': name.split('-')[0]}, **labels), **spec)


def by_name(items):
    """``{pod name: item}`` for Pod objects or rows."""
    return {item['metadata']['name'] if 'metadata' in item else item['name']: item for item in items}


def names(result):
    return [(p['metadata']['namespace'], p['metadata']['name']) for p in result['pods']]


def status_of(obj, container, init=False):
    found = [s for s in obj['status'].get('initContainerStatuses' if init else 'containerStatuses') or []
             if s['name'] == container]
    assert len(found) == 1, (container, obj['status'])
    return found[0]


def condition(obj, kind):
    found = [c for c in obj['status']['conditions'] if c['type'] == kind]
    assert len(found) == 1, obj['status']['conditions']
    return found[0]


def info(prefix, **args):
    """A pod_info task for the pods of this test (label ``run=<prefix>``)."""
    args['label_selectors'] = ['run=%s' % prefix] + list(args.get('label_selectors', []))
    return ('hostpods.core.pod_info', args)


def until_rows(prefix, expected, retries=20, **args):
    """A pod_info task polled until the STATUS of this test's pods is ``expected`` (``{name: status}``)."""
    return info(prefix, **args) + ({'until': "dict(RESULT.rows | map(attribute='name') | zip(RESULT.rows | "
                                             "map(attribute='status'))) == %s" % json.dumps(expected),
                                    'retries': retries, 'delay': 1},)


def rows_of(result):
    return {row['name']: (row['ready'], row['status']) for row in result['rows']}


def container_id(name, pod_name, uid, attempt=0, namespace='default'):
    return inspect('k8s_%s_%s_%s_%s_%d' % (name, pod_name, namespace, uid, attempt))['Id']


# ------------------------------------------------------------------------ 1. status and kubectl's words
def test_ready_pod_reports_kubelet_status_and_wide_row(pods):
    name = pods.name('ready')
    manifest = quick(name, [sleeper('zeta'), sleeper('alpha')], initContainers=[shell_container('setup', 'echo set up')])
    applied, listed = pods.play(('hostpods.core.pod', {'definition': manifest, 'wait': True, 'wait_timeout': 60}),
                                info(pods.prefix, name=name))
    ok(applied)
    obj = ok(listed)['pods'][0]
    assert [p['metadata']['name'] for p in listed['pods']] == [name]
    uid = obj['metadata']['uid']
    status = obj['status']
    assert status['phase'] == 'Running'
    assert {c['type']: c['status'] for c in status['conditions']} == {
        'PodReadyToStartContainers': 'True', 'Initialized': 'True', 'Ready': 'True', 'ContainersReady': 'True',
        'PodScheduled': 'True'}
    sandbox = inspect('k8s_POD_%s_default_%s_0' % (name, uid))
    assert status['podIP'] == sandbox['NetworkSettings']['IPAddress'] and status['podIP']
    assert status['podIPs'] == [{'ip': status['podIP']}]
    assert re.match(r'^\d+\.\d+\.\d+\.\d+$', status['hostIP'])
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', status['startTime'])
    # containerStatuses are sorted by name, not in spec order.
    assert [s['name'] for s in status['containerStatuses']] == ['alpha', 'zeta']
    for cstatus in status['containerStatuses']:
        assert cstatus['ready'] is True and cstatus['started'] is True
        assert cstatus['restartCount'] == 0
        assert 'running' in cstatus['state'] and cstatus['lastState'] == {}
        assert cstatus['image'] == BUSYBOX
        assert re.match(r'^docker(-pullable)?://.*sha256:[0-9a-f]{64}$', cstatus['imageID']), cstatus['imageID']
        assert cstatus['containerID'] == 'docker://' + container_id(cstatus['name'], name, uid)
    [setup] = status['initContainerStatuses']
    assert setup['name'] == 'setup' and setup['ready'] is True and setup['restartCount'] == 0
    assert setup['state']['terminated']['exitCode'] == 0
    assert setup['state']['terminated']['reason'] == 'Completed'
    assert setup['containerID'] == 'docker://' + container_id('setup', name, uid)
    [row] = listed['rows']
    assert row['name'] == name and row['namespace'] == 'default'
    assert (row['ready'], row['status'], row['restarts']) == ('2/2', 'Running', '0')
    assert row['ip'] == status['podIP']
    assert row['node'] == socket.gethostname()
    assert re.match(r'^\d+[smhd]$', row['age']), row['age']


def test_finished_pods_and_wait(pods):
    """Completed / Error / NotReady; wait returns once Never/OnFailure pods finish, times out on a pod that
    never gets Ready (with the pods' status in the result), and never waits in check mode."""
    done, failed, onfailure = pods.name('done'), pods.name('failed'), pods.name('onfailure')
    half, fresh = pods.name('half'), pods.name('fresh')
    # Each pod has a container that exits at once (so the pod is never Ready) and one that ends 3s later:
    # wait must keep waiting until the pod has finished.
    finishing = [
        quick(done, [shell_container('quick', 'exit 0'), shell_container('slow', 'sleep 3; echo done')], restartPolicy='Never'),
        quick(failed, [shell_container('quick', 'exit 0'), shell_container('fail', 'sleep 3; exit 3')], restartPolicy='Never'),
        quick(onfailure, [shell_container('quick', 'exit 0'), shell_container('slow', 'sleep 3')], restartPolicy='OnFailure'),
    ]
    half_pod = quick(half, [shell_container('quick', 'exit 0'), sleeper('main')], restartPolicy='Never')
    fresh_pod = quick(fresh, [sleeper()], restartPolicy='Never')
    waited, timed_out, checked, listed = pods.play(
        ('hostpods.core.pod', {'definition': finishing, 'wait': True, 'wait_timeout': 60}),
        ('hostpods.core.pod', {'definition': half_pod, 'wait': True, 'wait_timeout': 5}),
        ('hostpods.core.pod', {'definition': [half_pod, fresh_pod], 'wait': True, 'wait_timeout': 3},
         {'check_mode': True}),
        until_rows(pods.prefix, {done: 'Completed', failed: 'Error', onfailure: 'Completed', half: 'NotReady'}))
    # wait returned only once the pods had finished.
    ok(waited)
    phases = {p['metadata']['name']: p['status']['phase'] for p in waited['pods']}
    assert phases == {done: 'Succeeded', failed: 'Failed', onfailure: 'Succeeded'}
    # A pod that never gets Ready: the task fails at wait_timeout and still reports the pods' status.
    assert timed_out.get('failed') is True
    assert 'Timed out' in timed_out['msg'] and half in timed_out['msg'], timed_out['msg']
    [half_obj] = timed_out['pods']
    assert half_obj['status']['phase'] == 'Running'
    assert condition(half_obj, 'Ready')['status'] == 'False'
    # Check mode never waits (it would time out on both pods) and creates nothing.
    ok(checked)
    assert checked['changed'] is True
    assert {p['metadata']['name']: p['action'] for p in checked['pods']} == {half: 'unchanged', fresh: 'created'}
    assert not [c for c in containers(pods.prefix) if '_%s_' % fresh in c]
    # pod_info: kubectl's words, READY, phases and the terminated states.
    ok(listed)
    assert rows_of(listed) == {done: ('0/2', 'Completed'), failed: ('0/2', 'Error'),
                               onfailure: ('0/2', 'Completed'), half: ('1/2', 'NotReady')}
    objs = by_name(listed['pods'])
    assert {n: o['status']['phase'] for n, o in objs.items()} == {
        done: 'Succeeded', failed: 'Failed', onfailure: 'Succeeded', half: 'Running'}
    done_state = status_of(objs[done], 'slow')['state']['terminated']
    assert (done_state['exitCode'], done_state['reason']) == (0, 'Completed')
    failed_state = status_of(objs[failed], 'fail')['state']['terminated']
    assert (failed_state['exitCode'], failed_state['reason']) == (3, 'Error')
    assert failed_state['containerID'] == status_of(objs[failed], 'fail')['containerID']
    done_ready, failed_ready = condition(objs[done], 'Ready'), condition(objs[failed], 'Ready')
    assert (done_ready['status'], done_ready['reason']) == ('False', 'PodCompleted')
    assert (failed_ready['status'], failed_ready['reason']) == ('False', 'PodFailed')
    ready = condition(objs[half], 'Ready')
    assert (ready['status'], ready['reason']) == ('False', 'ContainersNotReady')
    assert ready['message'] == 'containers with unready status: [quick]'
    assert status_of(objs[half], 'main')['ready'] is True
    assert status_of(objs[half], 'quick')['state']['terminated']['reason'] == 'Completed'


def test_crash_loop_back_off(pods):
    """restartPolicy Always and exit 1: Docker restarts the container in place; while it backs off the pod is
    Running with the container waiting in CrashLoopBackOff."""
    name = pods.name('crash')
    manifest = quick(name, [shell_container('main', 'echo crashing; exit 1')])
    applied, listed = pods.play(('hostpods.core.pod', {'definition': manifest}),
                                until_rows(pods.prefix, {name: 'CrashLoopBackOff'}, retries=30))
    ok(applied)
    ok(listed)
    [row] = listed['rows']
    assert (row['ready'], row['status']) == ('0/1', 'CrashLoopBackOff')
    assert re.match(r'^[1-9]\d* \(\d+[smh] ago\)$', row['restarts']), row['restarts']
    [obj] = listed['pods']
    assert obj['status']['phase'] == 'Running'
    main = status_of(obj, 'main')
    assert main['state']['waiting']['reason'] == 'CrashLoopBackOff'
    assert main['restartCount'] >= 1 and main['ready'] is False and main['started'] is False
    last = main['lastState']['terminated']
    assert (last['exitCode'], last['reason']) == (1, 'Error')
    assert condition(obj, 'Ready')['status'] == 'False'


def test_init_container_status_words(pods):
    """Init:0/2 and Init:1/2 while an init container runs past wait_timeout (the task says it keeps running);
    Init:Error when an init container fails under restartPolicy Never. Init containers' logs are readable."""
    first, second, broken = pods.name('initzero'), pods.name('initone'), pods.name('initerr')
    long_init = shell_container('first', TRAP + 'sleep 120 & wait')
    manifests = [
        quick(first, [sleeper()], initContainers=[long_init, shell_container('second', 'exit 0')]),
        quick(second, [sleeper()], initContainers=[shell_container('first', 'echo one'), dict(long_init, name='second')]),
        quick(broken, [sleeper()], restartPolicy='Never', initContainers=[shell_container('bad', 'echo cannot prepare; exit 3')]),
    ]
    applied, listed, log = pods.play(
        ('hostpods.core.pod', {'definition': manifests, 'wait': True, 'wait_timeout': 5}),
        until_rows(pods.prefix, {first: 'Init:0/2', second: 'Init:1/2', broken: 'Init:Error'}, retries=10),
        ('hostpods.core.pod_logs', {'name': broken, 'container': 'bad'}))
    assert applied.get('failed') is True
    msg = applied['msg']
    assert 'keeps running' in msg and first in msg and second in msg, msg
    assert broken in msg and 'Init:Error' in msg and 'code 3' in msg, msg
    ok(listed)
    assert rows_of(listed) == {first: ('0/1', 'Init:0/2'), second: ('0/1', 'Init:1/2'), broken: ('0/1', 'Init:Error')}
    objs = by_name(listed['pods'])
    assert objs[first]['status']['phase'] == 'Pending'
    assert 'running' in status_of(objs[first], 'first', init=True)['state']
    assert status_of(objs[first], 'second', init=True)['state']['waiting']['reason'] == 'PodInitializing'
    assert status_of(objs[first], 'main')['state']['waiting']['reason'] == 'PodInitializing'
    initialized = condition(objs[first], 'Initialized')
    assert (initialized['status'], initialized['reason']) == ('False', 'ContainersNotInitialized')
    assert initialized['message'] == 'containers with incomplete status: [first second]'
    assert status_of(objs[second], 'first', init=True)['ready'] is True
    assert objs[broken]['status']['phase'] == 'Failed'
    bad = status_of(objs[broken], 'bad', init=True)['state']['terminated']
    assert (bad['exitCode'], bad['reason']) == (3, 'Error')
    assert ok(log)['log_lines'] == ['cannot prepare']


def test_err_image_never_pull(pods):
    """A container whose image is missing under imagePullPolicy Never waits with ErrImageNeverPull while the
    pod's other containers run, and the apply task fails naming it."""
    name = pods.name('neverpull')
    missing = '%s/missing:1' % pods.prefix
    manifest = quick(name, [sleeper('ok'), sleeper('absent', image=missing, imagePullPolicy='Never')])
    applied, listed = pods.play(('hostpods.core.pod', {'definition': manifest}), info(pods.prefix))
    assert applied.get('failed') is True
    assert 'ErrImageNeverPull' in applied['msg'] and 'absent' in applied['msg'] and missing in applied['msg'], \
        applied['msg']
    ok(listed)
    assert rows_of(listed) == {name: ('1/2', 'ErrImageNeverPull')}
    [obj] = listed['pods']
    assert obj['status']['phase'] == 'Pending'
    assert 'running' in status_of(obj, 'ok')['state']
    waiting = status_of(obj, 'absent')['state']['waiting']
    assert waiting == {'reason': 'ErrImageNeverPull',
                       'message': 'Container image "%s" is not present with pull policy of Never' % missing}
    uid = obj['metadata']['uid']
    assert containers(pods.prefix) == {'k8s_POD_%s_default_%s_0' % (name, uid): 'running',
                                       'k8s_ok_%s_default_%s_0' % (name, uid): 'running'}


# ------------------------------------------------------------------------------------ 2. pod_info selection
def test_pod_info_selects_by_name_namespace_and_labels(pods):
    ns, other = pods.name('ns'), pods.name('other')
    a, b, c, d = (pods.name(x) for x in 'abcd')
    manifests = [
        quick(a, [sleeper()], namespace=ns, labels={'app': 'web', 'env': 'prod'}),
        quick(b, [sleeper()], namespace=ns, labels={'app': 'web', 'env': 'dev', 'legacy': 'yes'}),
        quick(c, [sleeper()], namespace=ns, labels={'app': 'db', 'env': 'prod'}),
        quick(d, [sleeper()], namespace=other, labels={'app': 'web', 'env': 'staging'}),
    ]
    queries = [
        ({'namespace': ns}, [(ns, a), (ns, b), (ns, c)]),
        ({'namespace': ns, 'name': b}, [(ns, b)]),
        ({'namespace': other, 'name': b}, []),
        ({'namespace': ns, 'label_selectors': ['app=web']}, [(ns, a), (ns, b)]),
        ({'namespace': ns, 'label_selectors': ['app==web,env=prod']}, [(ns, a)]),
        ({'namespace': ns, 'label_selectors': ['app!=web']}, [(ns, c)]),
        ({'namespace': ns, 'label_selectors': ['env in (prod, staging)']}, [(ns, a), (ns, c)]),
        ({'namespace': ns, 'label_selectors': ['env notin (prod)']}, [(ns, b)]),
        ({'namespace': ns, 'label_selectors': ['legacy']}, [(ns, b)]),
        ({'namespace': ns, 'label_selectors': ['!legacy', 'app=web']}, [(ns, a)]),
        ({'all_namespaces': True, 'label_selectors': ['app=web']}, [(ns, a), (ns, b), (other, d)]),
        ({'all_namespaces': True, 'namespace': other}, [(ns, a), (ns, b), (ns, c), (other, d)]),
        ({}, []),  # the default namespace holds none of them
    ]
    results = pods.play(('hostpods.core.pod', {'definition': manifests, 'wait': True, 'wait_timeout': 60}),
                        *[info(pods.prefix, **args) for args, _expected in queries])
    ok(results[0])
    for (args, expected), result in zip(queries, results[1:]):
        ok(result)
        assert names(result) == expected, args
        assert [(r['namespace'], r['name']) for r in result['rows']] == expected, args
        assert all(r['status'] == 'Running' and r['ready'] == '1/1' for r in result['rows']), result['rows']


# ----------------------------------------------------------------------------------------------- 3. logs
def test_pod_logs_options_and_init_containers(pods):
    name = pods.name('talker')
    manifest = quick(name, [
        shell_container('lines', TRAP + 'for i in 1 2 3 4 5; do echo line $i; done; sleep 3600 & wait'),
        shell_container('clock', TRAP + 'echo early; sleep 10 & wait; while true; do echo late; sleep 1 & wait; done'),
    ], initContainers=[shell_container('prep', 'echo prepared; echo twice')])
    applied, unnamed, init, tail, stamped, late, recent, everything, previous, missing = pods.play(
        ('hostpods.core.pod', {'definition': manifest, 'wait': True, 'wait_timeout': 60}),
        ('hostpods.core.pod_logs', {'name': name}),
        ('hostpods.core.pod_logs', {'name': name, 'container': 'prep'}),
        ('hostpods.core.pod_logs', {'name': name, 'container': 'lines', 'tail_lines': 2},
         {'until': "RESULT.log_lines | length == 2", 'retries': 10, 'delay': 1}),
        ('hostpods.core.pod_logs', {'name': name, 'container': 'lines', 'tail_lines': 1, 'timestamps': True}),
        ('hostpods.core.pod_logs', {'name': name, 'container': 'clock'},
         {'until': "'late' in RESULT.log_lines", 'retries': 40, 'delay': 1}),
        ('hostpods.core.pod_logs', {'name': name, 'container': 'clock', 'since_seconds': 5}),
        ('hostpods.core.pod_logs', {'name': name, 'container': 'clock', 'since_seconds': 3600}),
        ('hostpods.core.pod_logs', {'name': name, 'container': 'lines', 'previous': True}),
        ('hostpods.core.pod_logs', {'name': name, 'container': 'nope'}))
    ok(applied)
    # Two containers: the container must be named; the error lists them as kubectl's does.
    assert unnamed.get('failed') is True
    assert unnamed['msg'] == ('a container name must be specified for pod %s, choose one of: [lines clock] '
                              'or one of the init containers: [prep]' % name), unnamed['msg']
    assert ok(init)['log_lines'] == ['prepared', 'twice'] and init['log'] == 'prepared\ntwice\n'
    assert ok(tail)['log_lines'] == ['line 4', 'line 5']
    [line] = ok(stamped)['log_lines']
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) line 5$', line), line
    assert ok(late)['log_lines'][0] == 'early'
    assert 'late' in ok(recent)['log_lines'] and 'early' not in recent['log_lines'], recent['log_lines']
    assert ok(everything)['log_lines'][0] == 'early'
    assert previous.get('failed') is True
    assert previous['msg'] == 'previous terminated container "lines" in pod "%s" not found' % name
    assert missing.get('failed') is True and 'nope' in missing['msg']


def test_pod_logs_previous_after_a_restart(pods):
    """restartPolicy Always: the node agent restarts the crashed container (a new instance); previous is the
    first run's log, the current log is only the running instance's. With one container, it need not be named."""
    name = pods.name('restarter')
    script = TRAP + ('if [ -e /work/ran ]; then echo second run; sleep 3600 & wait; '
                     'else touch /work/ran; echo first run; exit 1; fi')
    manifest = quick(name, [shell_container('main', script, volumeMounts=[{'name': 'work', 'mountPath': '/work'}])],
                     volumes=[{'name': 'work', 'emptyDir': {}}])
    applied, current, previous, listed = pods.play(
        ('hostpods.core.pod', {'definition': manifest}),
        ('hostpods.core.pod_logs', {'name': name},
         {'until': "RESULT.log_lines == ['second run']", 'retries': 20, 'delay': 1}),
        ('hostpods.core.pod_logs', {'name': name, 'previous': True}),
        info(pods.prefix))
    ok(applied)
    assert ok(current)['log_lines'] == ['second run'] and current['container'] == 'main'
    assert ok(previous)['log_lines'] == ['first run']
    # The status of a restarted container: restartCount 1, running, lastState = the first run's end.
    [row] = ok(listed)['rows']
    assert (row['ready'], row['status']) == ('1/1', 'Running')
    main = status_of(listed['pods'][0], 'main')
    assert main['restartCount'] == 1 and 'running' in main['state'] and main['ready'] is True
    last = main['lastState'].get('terminated')
    assert last and (last['exitCode'], last['reason']) == (1, 'Error'), main
    assert last['finishedAt'] <= main['state']['running']['startedAt']
    assert re.match(r'^1 \(\d+[smh] ago\)$', row['restarts']), row['restarts']


def test_pod_logs_previous_after_an_image_change(pods):
    """A changed image replaces the container (attempt 1); previous is the replaced instance's log."""
    name = pods.name('swapper')
    tag = '%s/busybox:2' % pods.prefix
    docker('tag', BUSYBOX, tag)
    try:
        script = TRAP + 'n=$(( $(cat /data/n 2>/dev/null || echo 0) + 1 )); echo $n > /data/n; echo instance $n; ' \
                        'sleep 3600 & wait'

        def manifest(image):
            return quick(name, [shell_container('main', script, image=image, imagePullPolicy='IfNotPresent',
                                                volumeMounts=[{'name': 'data', 'mountPath': '/data'}])],
                         volumes=[{'name': 'data', 'emptyDir': {}}])
        logged = {'until': "RESULT.log_lines | length > 0", 'retries': 10, 'delay': 1}
        first, before, swapped, current, previous, listed = pods.play(
            ('hostpods.core.pod', {'definition': manifest(BUSYBOX), 'wait': True, 'wait_timeout': 60}),
            ('hostpods.core.pod_logs', {'name': name}, logged),
            ('hostpods.core.pod', {'definition': manifest(tag), 'wait': True, 'wait_timeout': 60}),
            ('hostpods.core.pod_logs', {'name': name}, logged),
            ('hostpods.core.pod_logs', {'name': name, 'previous': True}),
            info(pods.prefix))
        ok(first)
        assert ok(before)['log_lines'] == ['instance 1']
        assert ok(swapped)['pods'][0]['action'] == 'updated'
        assert ok(current)['log_lines'] == ['instance 2']
        assert ok(previous)['log_lines'] == ['instance 1']
        main = status_of(ok(listed)['pods'][0], 'main')
        assert main['image'] == tag and main['restartCount'] == 1
        assert 'terminated' in main['lastState']
        assert listed['rows'][0]['status'] == 'Running'
        assert listed['rows'][0]['restarts'].startswith('1')
    finally:
        docker('rmi', tag, check=False)


# ----------------------------------------------------------------------------------------------- 4. exec
def test_pod_exec(pods):
    name = pods.name('box')
    manifest = quick(name, [sleeper('a'), sleeper('b')])
    applied, argv, literal, words, shell, piped, failing, unnamed, checked, after = pods.play(
        ('hostpods.core.pod', {'definition': manifest, 'wait': True, 'wait_timeout': 60}),
        ('hostpods.core.pod_exec', {'name': name, 'container': 'a', 'command': ['cat', '/etc/hostname']}),
        ('hostpods.core.pod_exec', {'name': name, 'container': 'a', 'command': ['echo', '$HOME', 'a;b']}),
        ('hostpods.core.pod_exec', {'name': name, 'container': 'b',
                                    'command': ['sh', '-c', 'echo "[$1]"', 'sh', 'two  words']}),
        ('hostpods.core.pod_exec', {'name': name, 'container': 'a', 'command': 'echo out; echo err >&2'}),
        ('hostpods.core.pod_exec', {'name': name, 'container': 'a', 'command': ['tr', 'a-z', 'A-Z'],
                                    'stdin': 'hello\nworld\n'}),
        ('hostpods.core.pod_exec', {'name': name, 'container': 'b', 'command': 'echo partial; echo oops >&2; exit 3'}),
        ('hostpods.core.pod_exec', {'name': name, 'command': ['true']}),
        ('hostpods.core.pod_exec', {'name': name, 'container': 'a', 'command': 'touch /tmp/ran'},
         {'check_mode': True}),
        ('hostpods.core.pod_exec', {'name': name, 'container': 'a', 'command': ['test', '-e', '/tmp/ran']}))
    ok(applied)
    assert (ok(argv)['rc'], argv['stdout'], argv['stderr']) == (0, name + '\n', '')
    assert argv['changed'] is True and argv['stdout_lines'] == [name]
    assert ok(literal)['stdout'] == '$HOME a;b\n'  # argv: no shell
    assert ok(words)['stdout'] == '[two  words]\n'
    assert (ok(shell)['rc'], shell['stdout'], shell['stderr']) == (0, 'out\n', 'err\n')
    assert shell['stderr_lines'] == ['err']
    assert ok(piped)['stdout'] == 'HELLO\nWORLD\n'
    # A non-zero rc fails the task, and the result keeps rc, stdout and stderr.
    assert failing.get('failed') is True
    assert (failing['rc'], failing['stdout'], failing['stderr']) == (3, 'partial\n', 'oops\n')
    assert unnamed.get('failed') is True and '[a b]' in unnamed['msg'], unnamed['msg']
    assert ok(checked)['changed'] is True
    assert after.get('failed') is True and after['rc'] == 1, 'check mode ran the command'


# --------------------------------------------------------------------------------- 5. delete by selector
def test_delete_by_label_selector_in_a_namespace(pods):
    ns, other = pods.name('ns'), pods.name('other')
    web1, web2, db, web3 = (pods.name(x) for x in ('web1', 'web2', 'db', 'web3'))
    manifests = [
        quick(web1, [sleeper()], namespace=ns, labels={'app': 'web'}),
        quick(web2, [sleeper()], namespace=ns, labels={'app': 'web', 'tier': 'edge'}),
        quick(db, [sleeper()], namespace=ns, labels={'app': 'db'}),
        quick(web3, [sleeper()], namespace=other, labels={'app': 'web'}),
    ]
    delete = {'state': 'absent', 'namespace': ns, 'label_selectors': ['app=web']}
    applied, checked, deleted, again, listed = pods.play(
        ('hostpods.core.pod', {'definition': manifests, 'wait': True, 'wait_timeout': 60}),
        ('hostpods.core.pod', delete, {'check_mode': True}),
        ('hostpods.core.pod', delete),
        ('hostpods.core.pod', delete),
        info(pods.prefix, all_namespaces=True))
    ok(applied)
    uids = {p['metadata']['name']: p['metadata']['uid'] for p in applied['pods']}
    assert ok(checked)['changed'] is True
    assert {(p['metadata']['name'], p['action']) for p in checked['pods']} == {(web1, 'deleted'), (web2, 'deleted')}
    assert ok(deleted)['changed'] is True
    assert sorted((p['metadata']['namespace'], p['metadata']['name'], p['action']) for p in deleted['pods']) == [
        (ns, web1, 'deleted'), (ns, web2, 'deleted')]
    assert {p['metadata']['name']: p['metadata'].get('uid') for p in deleted['pods']} == {
        web1: uids[web1], web2: uids[web2]}
    assert ok(again)['changed'] is False and again['pods'] == []
    assert rows_of(ok(listed)) == {db: ('1/1', 'Running'), web3: ('1/1', 'Running')}
    left = {name.split('_')[2] for name in containers(pods.prefix)}
    assert left == {db, web3}
