"""Unit tests of _status.pod_row: the ``kubectl get pods -o wide`` columns (kubectl's printPod)."""

import calendar
import time

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._views.status import pod_object, pod_row

from hostpods_fakes import UID, container, exited, inspected, inspected_sandbox, pod

CREATED = calendar.timegm(time.strptime('2024-05-01T09:59:59Z', '%Y-%m-%dT%H:%M:%SZ'))   # the fake sandbox
NOW = CREATED + 3600


def row(applied, instances, sandbox=True, **kwargs):
    result = pod_object(applied, UID, inspected_sandbox() if sandbox else None, instances, **kwargs)
    return pod_row(result, NOW)


def running(cid, **kwargs):
    return inspected(cid, status='running', **kwargs)


def crash(cid, **kwargs):
    return inspected(cid, status='restarting', exit_code=1, **kwargs)


def two(policy='Always', init=None):
    return pod(restartPolicy=policy, containers=[container('a'), container('b')], init=init)


INITS = [container('setup'), container('migrate')]


@pytest.mark.parametrize('applied, instances, ready, status', [
    (two(), {}, '0/2', 'ContainerCreating'),
    (two(), {'a': [running('a0')], 'b': [running('b0')]}, '2/2', 'Running'),
    (two('Never'), {'a': [exited('a0', 0)], 'b': [exited('b0', 0)]}, '0/2', 'Completed'),
    (two('Never'), {'a': [exited('a0', 0)], 'b': [exited('b0', 1)]}, '0/2', 'Completed'),   # first by name wins
    (two('Never'), {'a': [exited('a0', 2)], 'b': [exited('b0', 0)]}, '0/2', 'Error'),
    (two('Never'), {'a': [exited('a0', 137, oom=True)], 'b': [running('b0')]}, '1/2', 'OOMKilled'),
    (two(), {'a': [crash('a0')], 'b': [running('b0')]}, '1/2', 'CrashLoopBackOff'),
    # one container Completed, the other still running, pod not Ready
    (two('OnFailure'), {'a': [running('a0')], 'b': [exited('b0', 0)]}, '1/2', 'NotReady'),
    (two(init=INITS), {'setup': [running('s0')]}, '0/2', 'Init:0/2'),
    (two(init=INITS), {'setup': [exited('s0', 0)]}, '0/2', 'Init:1/2'),
    (two(init=INITS), {'setup': [crash('s0')]}, '0/2', 'Init:CrashLoopBackOff'),
    (two('Never', init=INITS), {'setup': [exited('s0', 1)]}, '0/2', 'Init:Error'),
    (two(init=INITS), {'setup': [exited('s0', 0)], 'migrate': [exited('m0', 0)]}, '0/2', 'PodInitializing'),
    (two(init=INITS), {'setup': [exited('s0', 0)], 'migrate': [exited('m0', 0)], 'a': [running('a0')],
                       'b': [running('b0')]}, '2/2', 'Running'),
])
def test_ready_and_status_columns(applied, instances, ready, status):
    out = row(applied, instances)
    assert (out['ready'], out['status']) == (ready, status)


def test_no_sandbox_yet_is_pending():
    assert row(two(), {}, sandbox=False)['status'] == 'ContainerCreating'
    bare = {'metadata': {'name': 'web', 'namespace': 'default'}, 'spec': {'containers': [{'name': 'a'}]},
            'status': {'phase': 'Pending'}}
    assert pod_row(bare, NOW)['status'] == 'Pending'


def test_err_image_never_pull_status():
    applied = pod(containers=[container('app', 'hostpods/missing:1', imagePullPolicy='Never')])
    assert row(applied, {}, image_present=lambda image: False)['status'] == 'ErrImageNeverPull'


def test_terminating():
    result = pod_object(two(), UID, inspected_sandbox(), {'a': [running('a0')], 'b': [running('b0')]})
    result['metadata']['deletionTimestamp'] = '2024-05-01T10:30:00Z'
    assert pod_row(result, NOW)['status'] == 'Terminating'
    done = pod_object(two('Never'), UID, inspected_sandbox(), {'a': [exited('a0', 0)], 'b': [exited('b0', 0)]})
    done['metadata']['deletionTimestamp'] = '2024-05-01T10:30:00Z'
    assert pod_row(done, NOW)['status'] == 'Completed'


def test_other_columns():
    out = row(two(), {'a': [running('a0')], 'b': [running('b0')]}, node_name='edge-1')
    assert out['name'] == 'web' and out['namespace'] == 'default'
    assert out['ip'] == '172.17.0.5'
    assert out['node'] == 'edge-1'
    assert out['restarts'] == '0'
    assert out['age'] == '60m'
    assert row(two(), {}, sandbox=False)['ip'] == '<none>'
    assert row(two(), {}, sandbox=False)['node'] == '<none>'
    assert row(two(), {}, sandbox=False)['age'] == '<unknown>'


def test_restarts_column_counts_app_restarts_with_the_age_of_the_last_one():
    finished = '2024-05-01T10:54:59Z'                      # 5 minutes before NOW (10:59:59)
    instances = {'a': [exited('a0', 1, finished='2024-05-01T10:40:00Z'),
                       running('a1', attempt=1, restart_count=2, finished=finished)],
                 'b': [running('b0', attempt=1)]}
    out = row(two(), instances)
    # a1 was restarted in place by the engine: its last run ended 5 minutes ago
    assert out['restarts'] == '4 (5m ago)'


def test_restarts_column_counts_init_restarts_while_initializing():
    # Docker restarted the init container once; its last exit was 30 seconds before NOW (10:59:59)
    instances = {'setup': [crash('s0', restart_count=1, finished='2024-05-01T10:59:29Z')]}
    out = row(two(init=INITS), instances)
    assert out['status'] == 'Init:CrashLoopBackOff'
    assert out['restarts'] == '1 (30s ago)'


# kubectl's translateTimestampSince -> apimachinery duration.HumanDuration
@pytest.mark.parametrize('seconds, shown', [
    (0, '0s'),
    (45, '45s'),
    (119, '119s'),
    (120, '2m'),
    (150, '2m30s'),
    (600, '10m'),
    (2 * 3600, '120m'),
    (3 * 3600, '3h'),
    (5 * 3600 + 30 * 60, '5h30m'),
    (30 * 3600, '30h'),
    (3 * 86400, '3d'),
    (3 * 86400 + 5 * 3600, '3d5h'),
    (10 * 86400, '10d'),
])
def test_age_column_is_kubectl_human_duration(seconds, shown):
    result = pod_object(two(), UID, inspected_sandbox(), {})
    assert pod_row(result, CREATED + seconds)['age'] == shown


def test_gated_and_unschedulable_pods():
    """kubectl says SchedulingGated for a gated pod (its PodScheduled condition), Pending for the others."""
    from ansible_collections.hostpods.core.plugins.module_utils._plan import placement
    node = {'name': 'n1', 'labels': {}, 'taints': [], 'allocatable': {'cpu': 1000, 'memory': 2 ** 30}}
    gated = pod('gated', schedulingGates=[{'name': 'example.com/wait'}])
    other = pod('other', schedulerName='my-scheduler')
    refused = placement.admit([gated, other], node, {})[1]
    rows = [pod_row(placement.not_placed_object(item, refused[('default', item['metadata']['name'])]), NOW)
            for item in (gated, other)]
    assert [(item['status'], item['ready'], item['node']) for item in rows] == [
        ('SchedulingGated', '0/1', '<none>'), ('Pending', '0/1', '<none>')]
