"""Unit tests of _spec.podspec: one truth table per shared predicate."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

DIGEST = 'sha256:' + 'ab' * 32


# ----------------------------------------------------------------------------- sidecars

@pytest.mark.parametrize('container, sidecar', [
    ({'name': 'c'}, False),
    ({'name': 'c', 'restartPolicy': 'Always'}, True),
    ({'name': 'c', 'restartPolicy': 'Never'}, False),
    ({'name': 'c', 'restartPolicy': None}, False),
])
def test_is_sidecar(container, sidecar):
    assert podspec.is_sidecar(container) is sidecar


def _pod(containers, init=(), default=None):
    meta = {'annotations': {podspec.DEFAULT_CONTAINER_ANNOTATION: default}} if default else {}
    return {'metadata': meta, 'spec': {'containers': [{'name': n} for n in containers],
                                       'initContainers': [{'name': n} for n in init]}}


@pytest.mark.parametrize('pod, expected', [
    (_pod(['app']), 'app'),
    (_pod(['app', 'side']), 'app'),
    (_pod(['app', 'side'], default='side'), 'side'),
    (_pod(['app', 'side'], init=['proxy'], default='proxy'), 'proxy'),
    (_pod(['app', 'side'], default='gone'), 'app'),
    ({'metadata': {}, 'spec': {}}, None),
])
def test_default_container(pod, expected):
    """kubectl exec's: the default-container annotation when it names a container, else the first."""
    assert podspec.default_container(pod) == expected


def test_sidecar_names_keep_init_order():
    spec = {'initContainers': [{'name': 'a', 'restartPolicy': 'Always'}, {'name': 'b'},
                               {'name': 'c', 'restartPolicy': 'Always'}]}
    assert podspec.sidecar_names(spec) == ['a', 'c']
    assert podspec.sidecar_names({}) == []


# ----------------------------------------------------------------------------- restarts and the end of a pod

@pytest.mark.parametrize('policy, state, code, restart', [
    ('Always', 'exited', 0, True), ('Always', 'exited', 1, True),
    ('OnFailure', 'exited', 0, False), ('OnFailure', 'exited', 1, True), ('OnFailure', 'exited', 137, True),
    ('Never', 'exited', 0, False), ('Never', 'exited', 1, False),
    ('Never', 'created', None, True), ('OnFailure', 'created', None, True),
])
def test_should_restart(policy, state, code, restart):
    assert podspec.should_restart(policy, state, code) is restart


RUNNING, OK, FAILED, CREATED = ('running', None), ('exited', 0), ('exited', 1), ('created', None)


@pytest.mark.parametrize('policy, apps, failed_init, finished', [
    # Always never finishes
    ('Always', [OK], False, False), ('Always', [FAILED], True, False),
    # Never: every app container exited (whatever the codes), or a failed init container
    ('Never', [OK, OK], False, True), ('Never', [OK, FAILED], False, True), ('Never', [OK, RUNNING], False, False),
    ('Never', [None], False, False), ('Never', [CREATED], False, False), ('Never', [None], True, True),
    # OnFailure: only when every app container succeeded (a failed one is restarted)
    ('OnFailure', [OK, OK], False, True), ('OnFailure', [OK, FAILED], False, False),
    ('OnFailure', [OK, RUNNING], False, False), ('OnFailure', [None], True, False),
])
def test_pod_finished(policy, apps, failed_init, finished):
    assert podspec.pod_finished(policy, apps, failed_init) is finished


@pytest.mark.parametrize('phase, terminal', [
    ('Succeeded', True), ('Failed', True), ('Running', False), ('Pending', False), ('Unknown', False), (None, False),
])
def test_is_terminal_phase(phase, terminal):
    assert podspec.is_terminal_phase(phase) is terminal


# ----------------------------------------------------------------------------- images

@pytest.mark.parametrize('image, normal', [
    ('busybox', 'busybox:latest'),
    ('busybox:latest', 'busybox:latest'),
    ('library/busybox', 'busybox:latest'),
    ('docker.io/library/busybox:1.35', 'busybox:1.35'),
    ('docker.io/hostpods/busybox', 'hostpods/busybox:latest'),
    ('hostpods/busybox:1.35', 'hostpods/busybox:1.35'),
    ('localhost:5000/busybox', 'localhost:5000/busybox:latest'),
    ('localhost:5000/busybox:1', 'localhost:5000/busybox:1'),
    ('registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'),
    ('busybox@sha256:abc', 'busybox@sha256:abc'),
    ('docker.io/library/busybox@sha256:abc', 'busybox@sha256:abc'),
    ('busybox:1.35@sha256:abc', 'busybox:1.35@sha256:abc'),
    ('sha256:0123', 'sha256:0123'),
])
def test_normalized_image(image, normal):
    assert podspec.ImageRef(image).normalized == normal


@pytest.mark.parametrize('image, registry', [
    ('busybox', 'docker.io'), ('library/busybox:1', 'docker.io'), ('127.0.0.1:5000/app:1', '127.0.0.1:5000'),
    ('localhost/app', 'localhost'), ('registry.example.com/team/app', 'registry.example.com'),
    ('localhost:5000/app@' + DIGEST, 'localhost:5000'),
])
def test_image_registry(image, registry):
    assert podspec.ImageRef(image).registry == registry


@pytest.mark.parametrize('image, repository, tag', [
    ('busybox', 'busybox', 'latest'),
    ('busybox:1.35', 'busybox', '1.35'),
    ('localhost:5000/app', 'localhost:5000/app', 'latest'),
    ('localhost:5000/app:2', 'localhost:5000/app', '2'),
    ('busybox@' + DIGEST, 'busybox@' + DIGEST, None),
])
def test_image_pull_reference(image, repository, tag):
    ref = podspec.ImageRef(image)
    assert (ref.pull_repository, ref.pull_tag) == (repository, tag)


@pytest.mark.parametrize('image, policy', [
    ('busybox', 'Always'), ('busybox:latest', 'Always'), ('busybox:1.35', 'IfNotPresent'),
    ('localhost:5000/app', 'Always'), ('localhost:5000/app:1', 'IfNotPresent'),
    ('busybox@' + DIGEST, 'IfNotPresent'), ('busybox:latest@' + DIGEST, 'Always'), ('', 'Always'),
])
def test_default_pull_policy(image, policy):
    assert podspec.ImageRef(image).default_pull_policy == policy


def test_same_image():
    assert podspec.same_image('busybox', 'docker.io/library/busybox:latest')
    assert not podspec.same_image('busybox:1.35', 'busybox:1.36')


# ----------------------------------------------------------------------------- names

@pytest.mark.parametrize('value, subdomain, errors', [
    ('web', False, []),
    ('web-1', False, []),
    ('a.b', False, ['p: Invalid value: "a.b": ' + podspec.LABEL_MSG]),
    ('a.b', True, []),
    ('Web', False, ['p: Invalid value: "Web": ' + podspec.LABEL_MSG]),
    ('-web', True, ['p: Invalid value: "-web": ' + podspec.SUBDOMAIN_MSG]),
    ('', False, ['p: Required value']),
    (None, True, ['p: Required value']),
    ('a' * 63, False, []),
    ('a' * 64, False, ['p: Invalid value: "%s": must be no more than 63 characters' % ('a' * 64)]),
    ('a' * 253, True, []),
    ('a' * 254, True, ['p: Invalid value: "%s...(254 characters)": must be no more than 253 characters' % ('a' * 64)]),
])
def test_name_errors(value, subdomain, errors):
    assert podspec.name_errors(value, 'p', subdomain=subdomain) == errors


def test_excerpt_cuts_long_values():
    assert podspec.excerpt('short') == 'short'
    assert podspec.excerpt('x' * 1000) == 'x' * 64 + '...(1000 characters)'
    assert podspec.excerpt(12) == '12'


# ----------------------------------------------------------------------------- ports, QoS, times

def test_host_ports_of_app_containers_only():
    spec = {'initContainers': [{'name': 'i', 'ports': [{'containerPort': 1, 'hostPort': 1}]}],
            'containers': [{'name': 'a', 'ports': [{'containerPort': 80, 'hostPort': 8080, 'protocol': 'UDP',
                                                    'hostIP': '127.0.0.1'},
                                                   {'containerPort': 81}, {'containerPort': 82, 'hostPort': 0}]},
                           {'name': 'b', 'ports': [{'containerPort': 90, 'hostPort': 9090}]}]}
    assert podspec.host_ports(spec) == [('127.0.0.1', 'UDP', 8080, 80), ('', 'TCP', 9090, 90)]


def _resources(requests=None, limits=None):
    return {'name': 'c', 'resources': {'requests': requests or {}, 'limits': limits or {}}}


@pytest.mark.parametrize('containers, qos', [
    ([_resources()], 'BestEffort'),
    ([_resources({'cpu': '100m'})], 'Burstable'),
    ([_resources({'cpu': '1', 'memory': '1Gi'}, {'cpu': '1', 'memory': '1Gi'})], 'Guaranteed'),
    ([_resources({'cpu': '1000m', 'memory': '1Gi'}, {'cpu': '1', 'memory': '1024Mi'})], 'Guaranteed'),
    ([_resources(None, {'cpu': '1', 'memory': '1Gi'})], 'Guaranteed'),
    ([_resources(None, {'cpu': '1', 'memory': '1Gi'}), _resources()], 'Burstable'),
])
def test_qos_class(containers, qos):
    assert podspec.qos_class({'containers': containers}) == qos


@pytest.mark.parametrize('containers, qos', [
    ([_resources({'cpu': '0', 'memory': '0'})], 'BestEffort'),           # zero is unset
    ([_resources({'ephemeral-storage': '1Gi'})], 'BestEffort'),         # only cpu and memory count
    ([_resources({'cpu': '1', 'memory': '1Gi'}, {'cpu': '1'})], 'Burstable'),
    ([_resources({'cpu': 0.5, 'memory': '1.5e9'}, {'cpu': '500m', 'memory': 1500000000})], 'Guaranteed'),
])
def test_qos_class_of_kubernetes_resource_qos(containers, qos):
    assert podspec.qos_class({'containers': containers}) == qos


@pytest.mark.parametrize('pod_level, qos', [
    ({'limits': {'cpu': '1', 'memory': '1Gi'}}, 'Guaranteed'),           # requests default to limits
    ({'requests': {'cpu': '1', 'memory': '1Gi'}, 'limits': {'cpu': '2', 'memory': '1Gi'}}, 'Burstable'),
    ({'requests': {'cpu': '1'}}, 'Burstable'),
    ({}, 'BestEffort'),
])
def test_qos_class_comes_from_pod_level_resources_when_set(pod_level, qos):
    # the containers do not count then, whatever they set (ComputePodQOS with PodLevelResources)
    containers = [_resources({'cpu': '1', 'memory': '1Gi'}, {'cpu': '1', 'memory': '1Gi'})]
    assert podspec.qos_class({'resources': pod_level, 'containers': containers}) == qos


@pytest.mark.parametrize('docker, kube, epoch', [
    ('2024-05-01T10:00:00.123456789Z', '2024-05-01T10:00:00Z', 1714557600.123456789),
    ('2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z', 1714557600.0),
    ('0001-01-01T00:00:00Z', None, None),
    ('', None, None),
    (None, None, None),
])
def test_times(docker, kube, epoch):
    assert podspec.kube_time(docker) == kube
    assert podspec.epoch_seconds(docker) == pytest.approx(epoch) if epoch else podspec.epoch_seconds(docker) is None
    if epoch:
        assert podspec.rfc3339(epoch) == kube


# ----------------------------------------------------------------------------- container restart rules

RULES = [{'action': 'Restart', 'exitCodes': {'operator': 'In', 'values': [42]}}]


@pytest.mark.parametrize('policy, rules, code, restart', [
    ('Never', RULES, 42, True), ('Never', RULES, 1, False),
    ('Always', [{'action': 'Restart', 'exitCodes': {'operator': 'NotIn', 'values': [0]}}], 0, True),
    ('Never', [{'action': 'Restart', 'exitCodes': {'operator': 'NotIn', 'values': [0, 3]}}], 3, False),
    ('Never', [{'action': 'Restart', 'exitCodes': {'operator': 'NotIn', 'values': [0, 3]}}], 4, True),
    ('OnFailure', (), 0, False),
])
def test_restart_rules_decide_before_the_policy(policy, rules, code, restart):
    assert podspec.should_restart(policy, 'exited', code, rules) is restart


def test_a_containers_own_policy_and_the_end_of_its_pod():
    assert podspec.container_policy({'name': 'a'}, 'Always') == ('Always', ())
    assert podspec.container_policy({'name': 'a', 'restartPolicy': 'Never', 'restartPolicyRules': RULES},
                                    'Always') == ('Never', RULES)
    # an Always pod whose only container says Never finishes once it exited
    assert podspec.pod_finished('Always', [('exited', 0, 'Never', ())]) is True
    assert podspec.pod_finished('Always', [('exited', 42, 'Never', RULES)]) is False
