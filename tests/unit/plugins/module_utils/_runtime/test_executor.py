"""Unit tests of _runtime.executor: it carries plans out, step by step, against a fake docker client.

The fake records every call in order; a fake clock advances only when the executor sleeps. Node
files go to a temporary directory (``naming.STATE_DIR`` is patched).
"""

import threading

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import DockerError
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._plan.node import NodeContext
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts
from ansible_collections.hostpods.core.plugins.module_utils._runtime.executor import Executor
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

from hostpods_fakes import SANDBOX_IMAGE, UID, container, pod, record_of

NODE = NodeContext(name='n1', sandbox_image=SANDBOX_IMAGE, host_ip='10.0.0.1', allocatable={'cpu': 2000, 'memory': 2 ** 30})
FACTS = HostFacts(images=[SANDBOX_IMAGE, 'busybox:1.35'])


class FakeClient:
    """Records calls as tuples; ``exits`` scripts what ``wait`` returns per container name prefix."""

    def __init__(self, exits=None, fail=None):
        self.log = []
        self.exits = {key: list(values) for key, values in (exits or {}).items()}
        self.fail = fail or {}  # call name -> exception
        self.names = {}
        self.lock = threading.Lock()

    def _record(self, *call):
        with self.lock:
            self.log.append(call)
        if call[0] in self.fail:
            raise self.fail[call[0]]

    def calls(self, name):
        return [call for call in self.log if call[0] == name]

    def create_container(self, name, body):
        self._record('create', name)
        self.names['id-' + name] = name
        return 'id-' + name

    def start(self, container_id):
        self._record('start', self.names.get(container_id, container_id))

    def stop(self, container_id, timeout):
        self._record('stop', self.names.get(container_id, container_id), timeout)

    def remove_container(self, container_id):
        self._record('remove', self.names.get(container_id, container_id))

    def pull(self, image, auth_config=None):
        self._record('pull', image)

    def wait(self, container_id, timeout):
        name = self.names[container_id]
        self._record('wait', name)
        for prefix, codes in self.exits.items():
            if name.startswith(prefix):
                return codes.pop(0)
        return 0

    def logs(self, container_id, tail='all', **kwargs):
        return 'boom\n'

    def inspect_container(self, container_id):
        return {'Id': container_id, 'State': {'Running': True}, 'NetworkSettings': {'IPAddress': '172.17.0.9'}}

    def inspect_volume(self, name):
        return None

    def create_volume(self, name, labels, driver_opts=None):
        self._record('create_volume', name)
        return {}

    def pod_volumes(self, uid):
        return [{'Name': 'k8s_emptydir_x', 'Labels': {naming.VOLUME_TYPE: 'emptyDir'}}]

    def remove_volume(self, name):
        self._record('remove_volume', name)

    def inspect_image(self, image):
        return {}


class Clock:
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(naming, 'STATE_DIR', str(tmp_path / 'pods'))


def execute(plan, client, budget=120, clock=None):
    clock = clock or Clock()
    executor = Executor(client, NODE, budget, sleep=clock.sleep, clock=clock)
    return executor.run(planner.Plan([plan])), clock


def new_plan(desired, record=None):
    return planner.plan_apply(desired, record, FACTS, SANDBOX_IMAGE, new_uid=UID)


def short(name):
    """``k8s_app_web_default_<uid>_1`` -> ``app_1``."""
    parts = name.split('_')
    return '%s_%s' % (parts[1], parts[-1])


def test_a_new_pod_is_made_in_kubelet_order():
    desired = pod(init=[container('setup')], containers=[container('app')], volumes=[{'name': 'cache', 'emptyDir': {}}])
    client = FakeClient()
    errors, _clock = execute(new_plan(desired), client)
    assert errors == {}
    made = [(call[0], short(call[1]) if call[0] != 'create_volume' else 'volume') for call in client.log
            if call[0] in ('create', 'start', 'wait', 'create_volume')]
    assert made == [('create_volume', 'volume'), ('create', 'POD_0'), ('start', 'POD_0'), ('create', 'setup_0'),
                    ('start', 'setup_0'), ('wait', 'setup_0'), ('create', 'app_0'), ('start', 'app_0')]


def test_deleting_stops_apps_together_then_sidecars_in_reverse_then_the_sandbox():
    desired = pod(init=[container('proxy', restartPolicy='Always'), container('log', restartPolicy='Always')],
                  containers=[container('app'), container('side')])
    record = record_of(desired, containers={'proxy': [dict(created=10)], 'log': [dict(created=20)],
                                            'app': [dict()], 'side': [dict()]})
    plan = planner.plan_delete(('default', 'web'), record)
    assert [step.op for step in plan.steps] == ['forget_pod', 'stop', 'stop', 'stop', 'stop', 'remove', 'remove_data']
    client = FakeClient()
    errors, _clock = execute(plan, client)
    assert errors == {}
    stops = [call[1] for call in client.calls('stop')]
    assert sorted(stops[:2]) == ['app-6a1f-0', 'side-6a1f-0']  # together, in either order
    assert stops[2:] == ['log-6a1f-0', 'proxy-6a1f-0', 'sandbox-6a1f-0']
    assert client.calls('stop')[-1][2] == S.SANDBOX_GRACE
    assert len(client.calls('remove')) == 5
    assert client.calls('remove_volume') == [('remove_volume', 'k8s_emptydir_x')]


def test_a_failed_init_container_is_retried_with_the_back_off_of_its_step():
    desired = pod(init=[container('setup')], containers=[container('app')])
    client = FakeClient(exits={'k8s_setup': [1, 1, 0]})
    errors, clock = execute(new_plan(desired), client)
    assert errors == {}
    assert clock.slept == [0, 10]  # immediately, then 10 s
    created = [short(call[1]) for call in client.calls('create')]
    assert created == ['POD_0', 'setup_0', 'setup_1', 'setup_2', 'app_0']
    # each instance goes once the next has run: the newest stays (for logs and lastState)
    assert [short(call[1]) for call in client.calls('remove')] == ['setup_0', 'setup_1']


def test_a_failed_init_container_under_never_fails_the_pod_and_nothing_starts_after_it():
    desired = pod(init=[container('setup')], containers=[container('app')], restartPolicy='Never')
    plan = new_plan(desired)
    assert [s.on_failure for s in plan.steps if isinstance(s, S.RunInit)] == ['fail']
    client = FakeClient(exits={'k8s_setup': [3]})
    errors, clock = execute(plan, client)
    assert 'failed (Init:Error): init container "setup" exited with code 3 and restartPolicy is Never' in errors[('default', 'web')]
    assert 'log tail: boom' in errors[('default', 'web')]
    assert clock.slept == [] and 'app_0' not in [short(call[1]) for call in client.calls('create')]


def test_init_retries_stop_when_the_next_delay_passes_the_budget():
    desired = pod(init=[container('setup')], containers=[container('app')])
    client = FakeClient(exits={'k8s_setup': [1] * 10})
    errors, clock = execute(new_plan(desired), client, budget=35)
    assert clock.slept == [0, 10, 20]  # the next, 40 s, would pass the 35 s budget
    assert 'Init:CrashLoopBackOff' in errors[('default', 'web')] and 'after 4 attempt(s)' in errors[('default', 'web')]


def test_a_container_that_cannot_start_does_not_stop_its_siblings():
    desired = pod(containers=[container('app', 'hostpods/missing:1', imagePullPolicy='Never'), container('side')])
    client = FakeClient()
    errors, _clock = execute(new_plan(desired), client)
    assert 'ErrImageNeverPull' in errors[('default', 'web')]
    assert [short(call[1]) for call in client.calls('create')] == ['POD_0', 'side_0']


@pytest.mark.parametrize('origin, why', [
    ('default', "it is the kubelet's default: no sandbox_image option, and no node facts name one"),
    ('facts', 'the node facts (/etc/ansible/facts.d/hostpods.fact) name it as sandboxImage'),
    ('option', 'the sandbox_image option names it'),
])
def test_a_missing_sandbox_image_says_which_why_and_how_to_provide_it(origin, why):
    desired = pod(containers=[container('app')])
    plan = planner.plan_apply(desired, None, HostFacts(images=['busybox:1.35']), 'registry.k8s.io/pause:3.10',
                              new_uid=UID)
    client = FakeClient(fail={'pull': DockerError('Docker pull registry.k8s.io/pause:3.10 failed: no route')})
    node = NodeContext(name='n1', sandbox_image='registry.k8s.io/pause:3.10', sandbox_image_from=origin)
    errors = Executor(client, node, 60).run(planner.Plan([plan]))
    message = errors[('default', 'web')]
    assert message.startswith('pod "default/web": the sandbox (pause) image registry.k8s.io/pause:3.10 is not on '
                              'node n1 and cannot be pulled (Docker pull registry.k8s.io/pause:3.10 failed: no route)')
    assert why in message
    assert 'run the hostpods.core.node role on this node' in message and 'give its name as sandbox_image' in message
    assert client.calls('create') == []  # no sandbox without its image


def test_an_engine_error_stops_the_pod_and_names_it():
    desired = pod(containers=[container('app')])
    client = FakeClient(fail={'start': DockerError('Docker start k8s_POD_web failed: No such container')})
    errors, _clock = execute(new_plan(desired), client)
    assert errors == {('default', 'web'): 'pod "default/web": Docker start k8s_POD_web failed: No such container'}
    assert [short(call[1]) for call in client.calls('create')] == ['POD_0']


def test_a_replacement_stops_the_old_instance_and_prunes_older_ones():
    applied = pod(containers=[container('app')])
    desired = pod(containers=[container('app', 'busybox:1.36')])
    record = record_of(applied, containers={'app': [dict(state_='exited', exit_code=1), dict(attempt=1)]})
    record.latest('app').restart_count = 2  # the engine restarted attempt 1 twice in place
    plan = new_plan(desired, record)
    [record, step] = plan.steps
    assert record.op == 'record_pod'
    assert (step.op, step.attempt, step.prune) == ('replace', 4, ('app-6a1f-0',))
    client = FakeClient()
    errors, _clock = execute(plan, client)
    assert errors == {}
    assert [call[0] for call in client.log if call[0] in ('stop', 'create', 'remove', 'pull')] == [
        'pull', 'stop', 'create', 'remove']
    assert short(client.calls('create')[0][1]) == 'app_4'


def test_objects_then_pods_when_applying_and_the_reverse_when_deleting():
    obj = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'c', 'namespace': 'default'}}
    pods = [planner.PodPlan(('default', 'p'), None, None, planner.CREATED, [])]
    objects_ = [planner.ObjectPlan(obj, planner.CREATED, [])]
    assert [phase[0] for phase in planner.Plan(pods, objects_).phases()] == ['objects', 'pods']
    assert [phase[0] for phase in planner.Plan(pods, objects_, deleting=True).phases()] == ['pods', 'objects']


def test_a_prune_runs_only_after_the_whole_apply_succeeded():
    from ansible_collections.hostpods.core.plugins.module_utils._plan import prune
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.executor import NOT_RUN
    old = planner.plan_delete(('default', 'old'), record_of(pod('old', containers=[container('app')])))
    old.action = prune.PRUNED
    pruning = prune.PrunePlan(None, None, None, [old], [], None)
    client = FakeClient(fail={'start': DockerError('Docker start k8s_POD_web failed: No such container')})
    errors = Executor(client, NODE, 60).run(planner.Plan([new_plan(pod(containers=[container('app')]))], prune=pruning))
    assert errors[('default', 'old')] == NOT_RUN and 'No such container' in errors[('default', 'web')]
    assert client.calls('stop') == [] and client.calls('remove') == []
    errors = Executor(FakeClient(), NODE, 60).run(planner.Plan([new_plan(pod(containers=[container('app')]))],
                                                               prune=pruning))
    assert errors == {}


def test_a_replacement_that_cannot_start_still_prunes_older_instances():
    """A start that fails leaves its instance and the one it replaced; older dead ones still go (a container
    that never starts does not pile up one instance a try)."""
    applied = pod(containers=[container('app')])
    exited = [dict(state_='exited', exit_code=1), dict(state_='exited', exit_code=1, attempt=1)]
    record = record_of(applied, containers={'app': exited})
    plan = new_plan(applied, record)
    client = FakeClient(fail={'start': DockerError('unable to apply caps: operation not permitted')})
    errors, _clock = execute(plan, client)
    assert 'unable to apply caps' in errors[('default', 'web')]
    assert [call[0] for call in client.log if call[0] in ('create', 'start', 'remove')] == ['create', 'start', 'remove']
    assert client.calls('remove') == [('remove', 'app-6a1f-0')]  # attempt 0; attempt 1 stays
