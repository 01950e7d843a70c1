"""Unit tests of _status: Pod objects with kubelet-style status from ``docker inspect`` dicts."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._views import status as status_mod
from ansible_collections.hostpods.core.plugins.module_utils._views.status import pod_object

from hostpods_fakes import (
    T1, T2, UID, ZERO, container, exited, inspected, inspected_sandbox, pod)


def obj(applied, instances, sandbox='running', host_ip='172.17.0.1'):
    if sandbox == 'running':
        sb = inspected_sandbox()
    elif sandbox == 'exited':
        sb = inspected_sandbox(running=False)
    else:
        sb = None
    return pod_object(applied, UID, sb, instances, host_ip=host_ip)


def cond(result, kind):
    [c] = [c for c in result['status']['conditions'] if c['type'] == kind]
    return c


def statuses(result):
    return {s['name']: s for s in result['status']['containerStatuses']}


def running(cid, **kwargs):
    return inspected(cid, status='running', **kwargs)


# ----------------------------------------------------------------------------- a healthy pod

def test_running_pod():
    applied = pod(containers=[container('web'), container('app')], labels={'a': 'b'})
    result = obj(applied, {'web': [running('w0')], 'app': [running('a0')]})
    assert result['apiVersion'] == 'v1' and result['kind'] == 'Pod'
    assert result['metadata'] == {'name': 'web', 'namespace': 'default', 'uid': UID, 'labels': {'a': 'b'},
                                  'annotations': {}, 'creationTimestamp': '2024-05-01T09:59:59Z'}
    st = result['status']
    assert st['phase'] == 'Running'
    assert st['qosClass'] == 'BestEffort'      # hostpods refuses resources, so no requests or limits
    # containerStatuses are sorted by container name, not in spec order
    assert [s['name'] for s in st['containerStatuses']] == ['app', 'web']
    web = statuses(result)['web']
    assert web['state'] == {'running': {'startedAt': '2024-05-01T10:00:00Z'}}
    assert web['ready'] is True and web['started'] is True
    assert web['restartCount'] == 0
    assert web['lastState'] == {}
    assert web['containerID'] == 'docker://w0'
    assert web['image'] == 'busybox:1.35'
    assert web['imageID'] == 'docker://sha256:' + 'ab' * 32
    assert st['podIP'] == '172.17.0.5' and st['podIPs'] == [{'ip': '172.17.0.5'}]
    assert st['hostIP'] == '172.17.0.1' and st['hostIPs'] == [{'ip': '172.17.0.1'}]
    assert st['startTime'] == '2024-05-01T10:00:00Z'
    assert 'initContainerStatuses' not in st
    for kind in ('PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'):
        c = cond(result, kind)
        assert c['status'] == 'True', kind
        assert 'reason' not in c and 'message' not in c
        assert c['lastProbeTime'] is None
    assert [c['type'] for c in st['conditions']] == [
        'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']


def test_host_ip_is_the_nodes_whatever_the_sandbox_network_says():
    result = obj(pod(), {'app': [running('a0')]}, host_ip='192.0.2.10')
    assert result['status']['hostIP'] == '192.0.2.10'   # the node context's one rule, not the sandbox's gateway
    assert 'hostIP' not in obj(pod(), {'app': [running('a0')]}, host_ip=None)['status']


def test_spec_and_status_show_the_image_of_the_newest_instance():
    # an image-only update does not rewrite the sandbox's applied spec; the status must not lag
    applied = pod(containers=[container('app', 'busybox:1.35')])
    result = obj(applied, {'app': [exited('a0', 137), running('a1', attempt=1, image='busybox:1.36')]})
    assert result['spec']['containers'][0]['image'] == 'busybox:1.36'
    assert statuses(result)['app']['image'] == 'busybox:1.36'
    assert applied['spec']['containers'][0]['image'] == 'busybox:1.35'     # the input is not modified


# ----------------------------------------------------------------------------- container states

def test_nothing_started_yet():
    result = obj(pod(containers=[container('app')]), {})
    app = statuses(result)['app']
    assert app['state'] == {'waiting': {'reason': 'ContainerCreating'}}
    assert app['ready'] is False and app['restartCount'] == 0 and app['lastState'] == {}
    assert 'containerID' not in app
    assert result['status']['phase'] == 'Pending'
    assert cond(result, 'ContainersReady')['reason'] == 'ContainersNotReady'


def test_no_sandbox_is_pending():
    result = obj(pod(), {}, sandbox=None)
    assert result['status']['phase'] == 'Pending'
    assert cond(result, 'PodReadyToStartContainers')['status'] == 'False'
    assert 'podIP' not in result['status'] and 'startTime' not in result['status']
    assert 'creationTimestamp' not in result['metadata']


def test_sandbox_not_running_has_no_network_condition():
    result = obj(pod(), {'app': [running('a0')]}, sandbox='exited')
    assert cond(result, 'PodReadyToStartContainers')['status'] == 'False'


def test_created_container_is_waiting():
    result = obj(pod(), {'app': [inspected('a0', status='created', started=ZERO)]})
    app = statuses(result)['app']
    assert list(app['state']) == ['waiting']
    assert app['ready'] is False and app['started'] is False
    assert result['status']['phase'] == 'Pending'


@pytest.mark.parametrize('code, oom, reason', [
    (0, False, 'Completed'),
    (1, False, 'Error'),
    (143, False, 'Error'),
    (137, True, 'OOMKilled'),
    (0, True, 'OOMKilled'),          # an app may handle the OOM kill and exit 0
])
def test_terminated_reasons(code, oom, reason):
    result = obj(pod(restartPolicy='Never'), {'app': [exited('a0', code, oom=oom)]})
    term = statuses(result)['app']['state']['terminated']
    assert term == {'exitCode': code, 'reason': reason, 'startedAt': '2024-05-01T10:00:00Z',
                    'finishedAt': '2024-05-01T10:05:00Z', 'containerID': 'docker://a0'}
    assert statuses(result)['app']['ready'] is False
    assert statuses(result)['app']['started'] is False


def test_container_that_could_not_run():
    info = exited('a0', 127, started=ZERO, finished=T1, error='exec: "nope": executable file not found in $PATH')
    result = obj(pod(restartPolicy='Never'), {'app': [info]})
    term = statuses(result)['app']['state']['terminated']
    assert term['reason'] == 'ContainerCannotRun'
    assert term['exitCode'] == 127
    assert term['message'] == 'exec: "nope": executable file not found in $PATH'
    assert term['startedAt'] == term['finishedAt'] == '2024-05-01T10:00:00Z'     # the create time


def test_container_the_engine_left_created_after_a_failed_start_could_not_run():
    """Docker leaves a container whose start failed in ``created`` with exit code 128 and the error."""
    info = inspected('a0', status='created', exit_code=128, started=ZERO, error='unable to apply caps: operation not permitted')
    term = statuses(obj(pod(restartPolicy='Never'), {'app': [info]}))['app']['state']['terminated']
    assert (term['reason'], term['exitCode'], term['message']) == ('ContainerCannotRun', 128,
                                                                   'unable to apply caps: operation not permitted')


@pytest.mark.parametrize('attempt, docker_restarts, expected', [(0, 0, 0), (2, 0, 2), (0, 3, 3), (2, 3, 5)])
def test_restart_count_is_attempt_plus_docker_restarts(attempt, docker_restarts, expected):
    result = obj(pod(), {'app': [running('a', attempt=attempt, restart_count=docker_restarts)]})
    assert statuses(result)['app']['restartCount'] == expected


def test_last_state_is_the_previous_instance():
    result = obj(pod(), {'app': [exited('a0', 0, finished=T1), exited('a1', 2, attempt=1, started=T1, finished=T2),
                                 running('a2', attempt=2, started=T2)]})
    app = statuses(result)['app']
    assert app['restartCount'] == 2
    assert app['state'] == {'running': {'startedAt': '2024-05-01T10:06:00Z'}}
    assert app['lastState'] == {'terminated': {'exitCode': 2, 'reason': 'Error', 'startedAt': '2024-05-01T10:05:00Z',
                                               'finishedAt': '2024-05-01T10:06:00Z', 'containerID': 'docker://a1'}}
    assert app['containerID'] == 'docker://a2'


@pytest.mark.parametrize('exit_code, reason', [(1, 'Error'), (0, 'Completed'), (None, 'Unknown')])
def test_last_state_of_a_container_restarted_in_place(exit_code, reason):
    # The engine restarted the container itself (restartPolicy Always): Docker keeps only the
    # previous run's FinishedAt; its exit code comes from the engine's events (None: lost).
    info = running('a0', restart_count=1, started=T2, finished=T1)
    result = pod_object(pod(), UID, inspected_sandbox(), {'app': [info]},
                        last_exits={} if exit_code is None else {'a0': exit_code})
    assert statuses(result)['app']['lastState'] == {'terminated': {
        'exitCode': exit_code, 'reason': reason, 'startedAt': None, 'finishedAt': '2024-05-01T10:05:00Z',
        'containerID': 'docker://a0'}}


def test_restarting_container_is_crash_looping():
    info = inspected('a0', status='restarting', exit_code=1, finished=T1, restart_count=4)
    result = obj(pod(), {'app': [info]})
    app = statuses(result)['app']
    assert app['state']['waiting']['reason'] == 'CrashLoopBackOff'
    assert app['state']['waiting']['message'] == \
        'back-off restarting failed container=app pod=web_default(%s)' % UID
    assert app['lastState']['terminated']['exitCode'] == 1
    assert app['lastState']['terminated']['reason'] == 'Error'
    assert app['ready'] is False
    assert app['restartCount'] == 4
    # a crash-looping container counts as stopped: an Always pod stays Running
    assert result['status']['phase'] == 'Running'


def test_time_conversion():
    assert status_mod._time('2024-05-01T10:00:00.123456789Z') == '2024-05-01T10:00:00Z'
    assert status_mod._time('2024-05-01T10:00:00Z') == '2024-05-01T10:00:00Z'
    assert status_mod._time(ZERO) is None
    assert status_mod._time('') is None and status_mod._time(None) is None


# ----------------------------------------------------------------------------- phase (getPhase)

def two(policy, init=None):
    return pod(restartPolicy=policy, containers=[container('a'), container('b')], init=init)


R = 'running'


def instance(spec, cid):
    if spec == R:
        return running(cid)
    if spec == 'crash':      # waiting in back-off, with the last termination known
        return inspected(cid, status='restarting', exit_code=1, finished=T1)
    if spec is None:
        return None
    return exited(cid, spec)


@pytest.mark.parametrize('policy, a, b, phase', [
    ('Always', R, R, 'Running'),
    ('Always', R, 0, 'Running'),
    ('Always', 0, 0, 'Running'),         # all in the process of restarting
    ('Always', 1, 'crash', 'Running'),
    ('OnFailure', R, 0, 'Running'),
    ('OnFailure', 0, 0, 'Succeeded'),
    ('OnFailure', 0, 1, 'Running'),      # the failed one restarts
    ('Never', R, 1, 'Running'),
    ('Never', 0, 0, 'Succeeded'),
    ('Never', 0, 1, 'Failed'),
    ('Never', 2, 1, 'Failed'),
    ('Always', R, None, 'Pending'),      # one container not created yet
    ('Never', 0, None, 'Pending'),
])
def test_phase(policy, a, b, phase):
    instances = {}
    for name, spec in (('a', a), ('b', b)):
        one = instance(spec, name + '0')
        if one is not None:
            instances[name] = [one]
    result = obj(two(policy), instances)
    assert result['status']['phase'] == phase


def test_succeeded_pod_conditions():
    result = obj(two('Never'), {'a': [exited('a0', 0)], 'b': [exited('b0', 0)]})
    assert result['status']['phase'] == 'Succeeded'
    for kind in ('Ready', 'ContainersReady'):
        c = cond(result, kind)
        assert c['status'] == 'False' and c['reason'] == 'PodCompleted' and 'message' not in c
    assert cond(result, 'Initialized')['status'] == 'True'


def test_failed_pod_conditions():
    result = obj(two('Never'), {'a': [exited('a0', 0)], 'b': [exited('b0', 1)]})
    assert result['status']['phase'] == 'Failed'
    for kind in ('Ready', 'ContainersReady'):
        c = cond(result, kind)
        assert c['status'] == 'False' and c['reason'] == 'PodFailed' and 'message' not in c


def test_not_ready_message_lists_containers_in_spec_order():
    # GenerateContainersReadyCondition walks spec.containers in order
    applied = pod(containers=[container('web'), container('app'), container('cache')])
    result = obj(applied, {'cache': [running('c0')]})
    c = cond(result, 'ContainersReady')
    assert c['status'] == 'False' and c['reason'] == 'ContainersNotReady'
    assert c['message'] == 'containers with unready status: [web app]'
    assert cond(result, 'Ready')['message'] == c['message']


def test_completed_container_beside_a_running_one_is_not_ready():
    result = obj(two('OnFailure'), {'a': [running('a0')], 'b': [exited('b0', 0)]})
    assert result['status']['phase'] == 'Running'
    assert cond(result, 'Ready')['status'] == 'False'
    assert cond(result, 'ContainersReady')['message'] == 'containers with unready status: [b]'


# ----------------------------------------------------------------------------- init containers

def inits():
    return [container('setup'), container('migrate')]


def test_init_container_running():
    result = obj(two('Always', init=inits()), {'setup': [running('s0')]})
    st = result['status']
    assert st['phase'] == 'Pending'
    assert [s['name'] for s in st['initContainerStatuses']] == ['setup', 'migrate']      # spec order
    setup, migrate = st['initContainerStatuses']
    assert 'running' in setup['state'] and setup['ready'] is False and setup['started'] is True
    assert migrate['state'] == {'waiting': {'reason': 'PodInitializing'}}
    # app containers wait with PodInitializing when the pod has init containers
    assert statuses(result)['a']['state'] == {'waiting': {'reason': 'PodInitializing'}}
    c = cond(result, 'Initialized')
    assert c['status'] == 'False' and c['reason'] == 'ContainersNotInitialized'
    assert c['message'] == 'containers with incomplete status: [setup migrate]'


def test_init_containers_done_app_not_started():
    result = obj(two('Always', init=inits()), {'setup': [exited('s0', 0)], 'migrate': [exited('m0', 0)]})
    st = result['status']
    assert st['phase'] == 'Pending'
    assert [s['ready'] for s in st['initContainerStatuses']] == [True, True]
    assert [s['state']['terminated']['reason'] for s in st['initContainerStatuses']] == ['Completed', 'Completed']
    assert cond(result, 'Initialized')['status'] == 'True'


def test_init_containers_done_app_running():
    result = obj(two('Always', init=inits()), {'setup': [exited('s0', 0)], 'migrate': [exited('m0', 0)],
                                               'a': [running('a0')], 'b': [running('b0')]})
    assert result['status']['phase'] == 'Running'
    assert cond(result, 'Initialized')['status'] == 'True'
    assert cond(result, 'Ready')['status'] == 'True'


def test_init_container_failed_under_never_fails_the_pod():
    result = obj(two('Never', init=inits()), {'setup': [exited('s0', 1)]})
    assert result['status']['phase'] == 'Failed'
    setup = result['status']['initContainerStatuses'][0]
    assert setup['state']['terminated']['reason'] == 'Error'
    assert setup['ready'] is False
    assert cond(result, 'Initialized')['status'] == 'False'


@pytest.mark.parametrize('policy', ['Always', 'OnFailure'])
def test_init_container_failed_under_restart_policies_is_pending(policy):
    result = obj(two(policy, init=inits()), {'setup': [exited('s0', 1), exited('s1', 1, attempt=1)]})
    assert result['status']['phase'] == 'Pending'
    setup = result['status']['initContainerStatuses'][0]
    assert setup['restartCount'] == 1
    assert setup['lastState']['terminated']['containerID'] == 'docker://s0'


def test_init_restart_after_app_started_keeps_the_pod_initialized():
    # init containers restarted after the app containers ran: the pod stays initialized
    result = obj(two('Always', init=inits()), {'setup': [running('s1', attempt=1)], 'a': [exited('a0', 137)],
                                               'b': [exited('b0', 137)]})
    assert cond(result, 'Initialized')['status'] == 'True'
    assert result['status']['phase'] != 'Pending'


# ----------------------------------------------------------------------------- node and images

def test_node_name_goes_into_the_spec():
    result = pod_object(pod(), UID, inspected_sandbox(), {'app': [running('a0')]}, node_name='edge-1')
    assert result['spec']['nodeName'] == 'edge-1'
    assert 'nodeName' not in obj(pod(), {'app': [running('a0')]})['spec']


def test_container_whose_image_is_missing_under_never_waits_with_err_image_never_pull():
    applied = pod(containers=[container('app', 'hostpods/missing:1', imagePullPolicy='Never'), container('side')])
    present = {'busybox:1.35'}
    result = pod_object(applied, UID, inspected_sandbox(), {'side': [running('s0')]},
                        image_present=lambda image: image in present)
    app = statuses(result)['app']
    assert app['state'] == {'waiting': {
        'reason': 'ErrImageNeverPull',
        'message': 'Container image "hostpods/missing:1" is not present with pull policy of Never'}}
    assert app['ready'] is False
    assert result['status']['phase'] == 'Pending'
    assert statuses(result)['side']['state'] == {'running': {'startedAt': '2024-05-01T10:00:00Z'}}


def test_container_whose_image_could_not_be_pulled_waits_with_err_image_pull():
    applied = pod(containers=[container('app', 'hostpods/missing:1')])
    result = pod_object(applied, UID, inspected_sandbox(), {}, image_present=lambda image: False)
    assert statuses(result)['app']['state']['waiting']['reason'] == 'ErrImagePull'
    assert result['status']['phase'] == 'Pending'


def test_image_check_only_concerns_containers_without_an_instance():
    applied = pod(containers=[container('app', 'busybox:1.35', imagePullPolicy='Never')])
    result = pod_object(applied, UID, inspected_sandbox(), {'app': [running('a0')]}, image_present=lambda image: False)
    assert 'running' in statuses(result)['app']['state']
    result = pod_object(applied, UID, inspected_sandbox(), {}, image_present=lambda image: True)
    assert statuses(result)['app']['state'] == {'waiting': {'reason': 'ContainerCreating'}}


def test_init_container_with_missing_image_under_never():
    applied = pod(init=[container('setup', 'hostpods/missing:1', imagePullPolicy='Never')])
    result = pod_object(applied, UID, inspected_sandbox(), {}, image_present=lambda image: image == 'busybox:1.35')
    assert result['status']['initContainerStatuses'][0]['state']['waiting']['reason'] == 'ErrImageNeverPull'
    assert statuses(result)['app']['state'] == {'waiting': {'reason': 'PodInitializing'}}
    assert result['status']['phase'] == 'Pending'


@pytest.mark.parametrize('containers, expected', [
    ([{}], 'BestEffort'),
    ([{'limits': {'cpu': '1', 'memory': '1Gi'}, 'requests': {'cpu': '1', 'memory': '1Gi'}}], 'Guaranteed'),
    ([{'limits': {'cpu': '1', 'memory': '1Gi'}, 'requests': {'cpu': '1000m', 'memory': '1024Mi'}}], 'Guaranteed'),
    ([{'limits': {'cpu': '1', 'memory': '1Gi'}, 'requests': {'cpu': '500m', 'memory': '1Gi'}}], 'Burstable'),
    ([{'limits': {'cpu': '1', 'memory': '1Gi'}, 'requests': {'cpu': '1', 'memory': '1Gi'}}, {}], 'Burstable'),
    ([{'requests': {'memory': '10Mi'}}], 'Burstable'),
    ([{'limits': {'cpu': '1'}, 'requests': {'cpu': '1'}}], 'Burstable'),
])
def test_qos_class(containers, expected):
    spec = {'containers': [{'name': 'c%d' % i, 'resources': r} for i, r in enumerate(containers)]}
    assert status_mod.qos_class(spec) == expected


def test_sidecar_status_counts_for_readiness_not_for_completion():
    applied = pod(init=[container('setup'), container('proxy', restartPolicy='Always')])
    result = obj(applied, {'setup': [exited('s0', 0)], 'proxy': [running('p0')], 'app': [running('a0')]})
    inits = {s['name']: s for s in result['status']['initContainerStatuses']}
    assert inits['proxy']['ready'] is True and inits['proxy']['started'] is True
    assert result['status']['phase'] == 'Running'
    assert cond(result, 'Initialized')['status'] == 'True' and cond(result, 'Ready')['status'] == 'True'
    down = obj(applied, {'setup': [exited('s0', 0)], 'proxy': [exited('p0', 1)], 'app': [running('a0')]})
    assert cond(down, 'ContainersReady')['message'] == 'containers with unready status: [proxy]'


# ----------------------------------------------------------------------------- what the node agent adds

def test_agent_overlay_crash_loop_back_off_and_readiness():
    probe = {'httpGet': {'path': '/', 'port': 80}}
    applied = pod(containers=[container('web', readinessProbe=probe), container('job')])
    instances = {'web': [running('w0')], 'job': [exited('j0', exit_code=3)]}
    waiting = {'reason': 'CrashLoopBackOff', 'message': 'back-off 20s restarting failed container=job pod=x',
               'containerID': 'j0'}
    agent = {'waiting': {'job': waiting}, 'probes': {'web': {'containerID': 'w0', 'ready': False, 'started': True}}}
    result = pod_object(applied, UID, inspected_sandbox(), instances, host_ip='10.0.0.1', agent_status=agent)
    st = statuses(result)
    assert st['job']['state'] == {'waiting': {'reason': 'CrashLoopBackOff', 'message': waiting['message']}}
    assert st['job']['lastState']['terminated']['exitCode'] == 3
    assert st['web']['ready'] is False and st['web']['started'] is True  # the probe has not passed yet
    ready = [c for c in result['status']['conditions'] if c['type'] == 'Ready'][0]
    assert ready['status'] == 'False' and ready['message'] == 'containers with unready status: [web job]'
    agent['probes']['web']['ready'] = True
    assert statuses(pod_object(applied, UID, inspected_sandbox(), instances, agent_status=agent))['web']['ready'] is True
    # a result of another instance of the container says nothing about this one
    agent['probes']['web']['containerID'] = 'w-old'
    assert statuses(pod_object(applied, UID, inspected_sandbox(), instances, agent_status=agent))['web']['ready'] is False


def test_agent_overlay_startup_probe_and_deadline():
    applied = pod(containers=[container('web', startupProbe={'exec': {'command': ['true']}})])
    instances = {'web': [running('w0')]}
    not_yet = pod_object(applied, UID, inspected_sandbox(), instances, agent_status={})
    assert (statuses(not_yet)['web']['started'], statuses(not_yet)['web']['ready']) == (False, False)
    failed = {'phase': 'Failed', 'reason': 'DeadlineExceeded', 'message': 'Pod was active on the node longer than the '
              'specified deadline', 'probes': {'web': {'containerID': 'w0', 'started': True, 'ready': True}}}
    result = pod_object(applied, UID, inspected_sandbox(), instances, agent_status=failed)
    assert (result['status']['phase'], result['status']['reason']) == ('Failed', 'DeadlineExceeded')
    assert statuses(result)['web']['started'] is True


def test_ephemeral_containers_have_their_own_statuses_never_ready_and_do_not_change_the_pods():
    applied = pod(containers=[container('app')])
    debugged = dict(applied, spec=dict(applied['spec'], ephemeralContainers=[
        {'name': 'dbg', 'image': 'busybox:1.35'}, {'name': 'gone', 'image': 'busybox:1.35'}]))
    result = obj(debugged, {'app': [running('a0')], 'dbg': [running('d0')], 'gone': [exited('g0', 1)]})
    dbg, gone = result['status']['ephemeralContainerStatuses']
    assert (dbg['name'], dbg['ready'], dbg['containerID'], list(dbg['state'])) == ('dbg', False, 'docker://d0', ['running'])
    assert (gone['state']['terminated']['exitCode'], gone['restartCount']) == (1, 0)
    assert [s['name'] for s in result['status']['containerStatuses']] == ['app']
    assert result['status']['phase'] == 'Running' and cond(result, 'Ready')['status'] == 'True'
    assert 'ephemeralContainerStatuses' not in obj(applied, {'app': [running('a0')]})['status']


# ----------------------------------------------------------------------------- readiness gates

def test_readiness_gates_keep_the_pod_unready_with_the_kubelets_reason_and_message():
    applied = pod(containers=[container('web')],
                  readinessGates=[{'conditionType': 'example.com/lb'}, {'conditionType': 'ContainersReady'}])
    result = obj(applied, {'web': [running('w0')]})
    ready = cond(result, 'Ready')
    assert (ready['status'], ready['reason']) == ('False', 'ReadinessGatesNotReady')
    assert ready['message'] == 'corresponding condition of pod readiness gate "example.com/lb" does not exist.'
    assert cond(result, 'ContainersReady')['status'] == 'True'  # the containers are ready; the pod is not
    assert [c['type'] for c in result['status']['conditions']] == [
        'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']
    from ansible_collections.hostpods.core.plugins.module_utils._views import table
    [row] = table.pod_rows([result])
    assert (row['ready'], row['status'], row['readiness_gates']) == ('1/1', 'Running', '1/2')  # kubectl's columns


def test_gates_on_conditions_the_node_reports_are_read_from_them():
    applied = pod(containers=[container('web')], readinessGates=[{'conditionType': 'Initialized'}])
    assert cond(obj(applied, {'web': [running('w0')]}), 'Ready')['status'] == 'True'
    unready = obj(applied, {'web': [exited('w0', 1)]})  # containers not ready: their reason, as the kubelet says
    assert cond(unready, 'Ready')['reason'] == 'ContainersNotReady'
