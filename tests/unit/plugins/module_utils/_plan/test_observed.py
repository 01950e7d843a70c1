"""Unit tests of _state: pods found on the host from a sparse ``docker ps -a`` listing."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import (
    HostFacts, Instance, group_pods, listing_entry)

from hostpods_fakes import (
    OTHER_UID, SANDBOX_IMAGE, T0, T1, UID, ZERO, container, container_entry, entry, exited, inspected, pod,
    sandbox_entry, with_uid)


@pytest.mark.parametrize('status, state, code', [
    ('Exited (0) 2 minutes ago', 'exited', 0),
    ('Exited (3) 2 minutes ago', 'exited', 3),
    ('Exited (137) About an hour ago', 'exited', 137),
    ('Exited (-1) 5 seconds ago', 'exited', -1),
    ('Up 2 minutes', 'running', None),
    ('Up 2 minutes (Paused)', 'paused', None),
    ('Restarting (1) 3 seconds ago', 'restarting', None),
    ('Created', 'created', None),
    ('', 'dead', None),
    (None, 'exited', None),
])
def test_instance_exit_code(status, state, code):
    instance = Instance({'Id': 'x', 'State': state, 'Status': status})
    assert instance.exit_code == code


@pytest.mark.parametrize('state, running', [
    ('running', True), ('restarting', True), ('paused', True),
    ('exited', False), ('created', False), ('dead', False), ('removing', False),
])
def test_instance_running(state, running):
    assert Instance({'Id': 'x', 'State': state}).running is running


@pytest.mark.parametrize('state, status, succeeded', [
    ('exited', 'Exited (0) 1 second ago', True),
    ('exited', 'Exited (1) 1 second ago', False),
    ('running', 'Up 1 second', False),
    ('created', 'Created', False),
])
def test_instance_succeeded(state, status, succeeded):
    assert Instance({'Id': 'x', 'State': state, 'Status': status}).succeeded is succeeded


def test_instance_reads_its_labels():
    p = pod(init=[container('setup')], terminationGracePeriodSeconds=7)
    raw = container_entry(p, 'setup', attempt=4, state_='exited', exit_code=0)
    instance = Instance(raw)
    assert instance.id == raw['Id']
    assert instance.name == 'k8s_setup_web_default_%s_4' % UID     # leading "/" stripped
    assert instance.container == 'setup'
    assert instance.kind == 'init'
    assert instance.attempt == 4
    assert instance.hash == naming.container_hash(p['spec']['initContainers'][0])
    assert instance.grace_period == 7


def test_instance_defaults_for_foreign_containers():
    instance = Instance({'Id': 'x', 'Labels': {naming.ATTEMPT: 'junk', naming.GRACE_PERIOD: 'junk'}})
    assert instance.attempt == 0
    assert instance.grace_period == 30
    assert instance.kind == 'container'
    assert instance.name == ''
    assert instance.created == 0


def two_container_pod():
    return pod(containers=[container('app'), container('side')], init=[container('setup')])


def test_group_pods_builds_one_record_per_pod():
    p = two_container_pod()
    other = pod('db', namespace='data')
    entries = [
        sandbox_entry(p),
        container_entry(p, 'setup', state_='exited', exit_code=0),
        container_entry(p, 'app', attempt=0, state_='exited', exit_code=1),
        container_entry(p, 'app', attempt=1),
        container_entry(p, 'side'),
        sandbox_entry(other, uid=OTHER_UID),
        container_entry(other, 'app', uid=OTHER_UID),
        # not ours: no pod labels
        {'Id': 'random', 'Names': ['/random'], 'Labels': {'com.example': 'x'}, 'State': 'running', 'Status': 'Up'},
        {'Id': 'nolabels', 'Names': ['/nolabels'], 'Labels': None, 'State': 'running', 'Status': 'Up'},
    ]
    records = group_pods(entries)
    assert set(records) == {('default', 'web'), ('data', 'db')}
    record = records[('default', 'web')]
    assert record.uid == UID
    assert record.sandbox.id == entries[0]['Id']
    assert sorted(record.instances) == ['app', 'setup', 'side']
    assert [i.attempt for i in record.instances['app']] == [0, 1]
    assert record.latest('app').running
    assert record.latest('nope') is None
    assert record.next_attempt('app') == 2
    assert record.next_attempt('side') == 1
    assert record.next_attempt('nope') == 0
    assert record.next_sandbox_attempt == 1
    assert record.hash == naming.pod_hash(dict(p, metadata=dict(p['metadata'], uid=UID)), 'registry.k8s.io/pause:3.10')
    assert len(record.all_instances()) == 5
    assert record.strays == []
    assert records[('data', 'db')].uid == OTHER_UID


def test_group_pods_orders_instances_by_attempt_not_listing_order():
    p = pod()
    entries = [container_entry(p, 'app', attempt=2, created=10), sandbox_entry(p, attempt=1),
               container_entry(p, 'app', attempt=0, created=30), sandbox_entry(p, attempt=0, state_='exited'),
               container_entry(p, 'app', attempt=1, created=20)]
    record = group_pods(entries)[('default', 'web')]
    assert [i.attempt for i in record.instances['app']] == [0, 1, 2]
    assert record.latest('app').attempt == 2
    assert record.sandbox.attempt == 1 and record.sandbox.running
    assert record.next_sandbox_attempt == 2


def test_record_applied_pod_comes_from_the_sandbox_label():
    p = pod(labels={'app': 'web'})
    record = group_pods([sandbox_entry(p), container_entry(p, 'app')])[('default', 'web')]
    assert record.applied['spec'] == p['spec']
    assert record.applied['metadata']['labels'] == {'app': 'web'}


def test_record_without_sandbox():
    p = pod()
    record = group_pods([container_entry(p, 'app')])[('default', 'web')]
    assert record.sandbox is None
    # the pod hash is read from the containers when the sandbox is gone
    assert record.hash == naming.pod_hash(with_uid(p), SANDBOX_IMAGE)
    assert record.applied is None
    assert record.next_sandbox_attempt == 0


def test_record_with_broken_applied_label():
    p = pod()
    raw = sandbox_entry(p)
    raw['Labels'][naming.APPLIED_POD] = '{not json'
    assert group_pods([raw])[('default', 'web')].applied is None


def test_newest_uid_wins_and_older_ones_are_strays():
    p = pod()
    old = [sandbox_entry(p, uid=OTHER_UID, created=100), container_entry(p, 'app', uid=OTHER_UID, created=101)]
    new = [sandbox_entry(p, uid=UID, created=200), container_entry(p, 'app', uid=UID, created=201)]
    for entries in (old + new, new + old):
        record = group_pods(entries)[('default', 'web')]
        assert record.uid == UID
        assert sorted(i.id for i in record.strays) == sorted(e['Id'] for e in old)


def test_group_pods_of_nothing():
    assert group_pods([]) == {}


def test_entry_without_namespace_label_is_ignored():
    p = pod()
    raw = container_entry(p, 'app')
    del raw['Labels'][naming.POD_NAMESPACE]
    assert group_pods([raw]) == {}


# ----------------------------------------------------------------------------- images

@pytest.mark.parametrize('wanted, present', [
    ('busybox', True),
    ('busybox:latest', True),
    ('docker.io/library/busybox:latest', True),
    ('library/busybox', True),
    ('busybox:1.36', False),
    ('hostpods/busybox:1.35', True),
    ('docker.io/hostpods/busybox:1.35', True),
    ('hostpods/busybox', False),
    ('other/busybox:1.35', False),
    ('registry.k8s.io/pause:3.10', True),
    ('pause:3.10', False),
    ('busybox@sha256:feed', True),
    ('sha256:' + 'ab' * 32, True),
])
def test_host_facts_has_image(wanted, present):
    facts = HostFacts(images=['busybox:latest', 'hostpods/busybox:1.35', 'registry.k8s.io/pause:3.10',
                              'busybox@sha256:feed', 'sha256:' + 'ab' * 32])
    assert facts.has_image(wanted) is present


def test_host_facts_defaults():
    facts = HostFacts()
    assert not facts.has_image('busybox')
    assert facts.paths == {}
    assert HostFacts(paths={'/srv': 'directory'}).paths == {'/srv': 'directory'}


def test_sparse_entry_helper_matches_docker_shapes():
    # guard the fakes: the helper must produce what `docker ps -a` lists
    raw = entry('id1', 'k8s_app_web_default_u_0', {}, 'exited', 2)
    assert raw['Names'] == ['/k8s_app_web_default_u_0']
    assert Instance(raw).exit_code == 2


def test_listing_entry_from_inspect_groups_like_a_listing():
    """What the pod connection reads through ``docker inspect`` groups as a ``docker ps -a`` listing does."""
    applied = with_uid(pod('web'))
    sandbox = inspected('sb', labels=naming.sandbox_labels(applied, 0, SANDBOX_IMAGE), created=T0)
    first = exited('app-0', exit_code=2, labels=naming.container_labels(applied, applied['spec']['containers'][0],
                                                                        'container', 0, 'sb', SANDBOX_IMAGE), created=T0)
    second = inspected('app-1', attempt=1, labels=naming.container_labels(applied, applied['spec']['containers'][0],
                                                                          'container', 1, 'sb', SANDBOX_IMAGE), created=T1)
    second['Name'] = '/k8s_app_web'
    entry_ = listing_entry(second)
    assert (entry_['Names'], entry_['State'], entry_['Status']) == (['/k8s_app_web'], 'running', '')
    assert entry_['Created'] == pytest.approx(1714557900.987654321)
    assert listing_entry(first)['Status'] == 'Exited (2)'
    record = group_pods([listing_entry(info) for info in (second, sandbox, first)])[('default', 'web')]
    assert record.applied['metadata']['name'] == 'web'
    assert [i.id for i in record.instances['app']] == ['app-0', 'app-1']
    assert record.latest('app').running and record.instances['app'][0].exit_code == 2


def test_a_container_the_engine_could_not_start_is_an_exited_one():
    """dockershim's EXITED (exit code 128) for a container left ``created`` by a failed start, so its restart
    waits for the back-off; one only being made stays created."""
    failed = inspected('c1', status='created', exit_code=128, started=ZERO, error='unable to apply caps')
    instance = Instance.from_inspect(failed)
    assert (instance.state, instance.exit_code) == ('exited', 128)
    assert instance.finished_at == pytest.approx(1714557600.123456789)  # when it was created
    being_made = Instance.from_inspect(inspected('c2', status='created', exit_code=0, started=ZERO))
    assert (being_made.state, being_made.finished_at) == ('created', None)
