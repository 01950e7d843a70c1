"""Unit tests of _naming: dockershim names, labels and the spec hashes."""

import copy
import json

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

from hostpods_fakes import SANDBOX_IMAGE, UID, container, pod, with_uid


def test_sandbox_name():
    assert naming.sandbox_name('web', 'default', UID, 0) == 'k8s_POD_web_default_%s_0' % UID
    assert naming.sandbox_name('web.example', 'team-a', 'u', 3) == 'k8s_POD_web.example_team-a_u_3'


def test_container_name():
    assert naming.container_name('app', 'web', 'default', UID, 2) == 'k8s_app_web_default_%s_2' % UID


def test_names_split_back_into_their_fields():
    # pod names, namespaces and container names cannot hold "_", so splitting is unambiguous
    parts = naming.container_name('side-car', 'web.example', 'team-a', UID, 7).split('_')
    assert parts == ['k8s', 'side-car', 'web.example', 'team-a', UID, '7']


def test_volume_names():
    assert naming.emptydir_volume_name('ns', 'web', UID, 'cache') == 'k8s_emptydir_web_ns_%s_cache' % UID
    assert naming.claim_volume_name('ns', 'data') == 'k8s_pvc_data_ns'
    assert naming.claim_volume_name('a', 'data') != naming.claim_volume_name('b', 'data')


# ----------------------------------------------------------------------------- hashes

def base_pod():
    return pod(containers=[container('app', 'busybox:1.35', args=['sleep', '1000'])],
               init=[container('setup', 'busybox:1.35')])


def test_hashes_are_deterministic_and_short():
    assert naming.pod_hash(base_pod(), SANDBOX_IMAGE) == naming.pod_hash(base_pod(), SANDBOX_IMAGE)
    assert len(naming.pod_hash(base_pod(), SANDBOX_IMAGE)) == 16
    c = base_pod()['spec']['containers'][0]
    assert naming.container_hash(c) == naming.container_hash(copy.deepcopy(c))


def test_hash_ignores_key_order():
    a = {'name': 'app', 'image': 'x', 'args': ['1']}
    b = {'args': ['1'], 'image': 'x', 'name': 'app'}
    assert naming.container_hash(a) == naming.container_hash(b)


@pytest.mark.parametrize('key', ['containers', 'initContainers'])
def test_pod_hash_ignores_container_images(key):
    changed = base_pod()
    changed['spec'][key][0]['image'] = 'busybox:1.36'
    assert naming.pod_hash(changed, SANDBOX_IMAGE) == naming.pod_hash(base_pod(), SANDBOX_IMAGE)


def test_pod_hash_ignores_uid():
    assert naming.pod_hash(with_uid(base_pod()), SANDBOX_IMAGE) == naming.pod_hash(base_pod(), SANDBOX_IMAGE)


def _set(path, value):
    def mutate(p):
        target = p
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return mutate


@pytest.mark.parametrize('mutate', [
    _set(('spec', 'restartPolicy'), 'Never'),
    _set(('spec', 'terminationGracePeriodSeconds'), 5),
    _set(('spec', 'hostname'), 'other'),
    _set(('spec', 'shareProcessNamespace'), True),
    _set(('spec', 'containers', 0, 'args'), ['sleep', '5']),
    _set(('spec', 'containers', 0, 'env'), [{'name': 'A', 'value': 'b'}]),
    _set(('spec', 'containers', 0, 'imagePullPolicy'), 'Never'),
    _set(('spec', 'containers', 0, 'ports'), [{'containerPort': 80, 'hostPort': 8080, 'protocol': 'TCP'}]),
    _set(('spec', 'initContainers', 0, 'command'), ['true']),
    _set(('spec', 'volumes'), [{'name': 'v', 'emptyDir': {}}]),
    lambda p: p['spec']['containers'].append(container('side')),
])
def test_pod_hash_changes_with_other_spec_fields(mutate):
    changed = base_pod()
    mutate(changed)
    assert naming.pod_hash(changed, SANDBOX_IMAGE) != naming.pod_hash(base_pod(), SANDBOX_IMAGE)


def test_pod_hash_changes_with_sandbox_image():
    assert naming.pod_hash(base_pod(), 'other/pause:1') != naming.pod_hash(base_pod(), SANDBOX_IMAGE)


def test_pod_hash_does_not_mutate_the_pod():
    p = base_pod()
    before = copy.deepcopy(p)
    naming.pod_hash(p, SANDBOX_IMAGE)
    assert p == before


def test_container_hash_changes_with_image_and_other_fields():
    c = base_pod()['spec']['containers'][0]
    hashes = {naming.container_hash(c),
              naming.container_hash(dict(c, image='busybox:1.36')),
              naming.container_hash(dict(c, args=['sleep', '1'])),
              naming.container_hash(dict(c, workingDir='/tmp'))}
    assert len(hashes) == 4


# ----------------------------------------------------------------------------- labels

def labelled_pod():
    return with_uid(pod(containers=[container('app', ports=[{'containerPort': 80, 'hostPort': 8080}])],
                        labels={'app': 'web', 'tier': 'front'},
                        annotations={'example.com/owner': 'ops'}))


def test_sandbox_labels():
    p = labelled_pod()
    labels = naming.sandbox_labels(p, 2, SANDBOX_IMAGE)
    assert labels['app'] == 'web' and labels['tier'] == 'front'
    assert labels['annotation.example.com/owner'] == 'ops'
    assert labels[naming.POD_NAME] == 'web'
    assert labels[naming.POD_NAMESPACE] == 'default'
    assert labels[naming.POD_UID] == UID
    assert labels[naming.CONTAINER_NAME] == 'POD'
    assert labels[naming.DOCKER_TYPE] == 'podsandbox'
    assert labels[naming.SPEC_HASH] == naming.pod_hash(p, SANDBOX_IMAGE)
    assert labels[naming.ATTEMPT] == '2'
    applied = json.loads(labels[naming.APPLIED_POD])
    assert applied['spec'] == p['spec']
    assert applied['metadata'] == {'name': 'web', 'namespace': 'default', 'labels': {'app': 'web', 'tier': 'front'},
                                   'annotations': {'example.com/owner': 'ops'}}
    assert all(isinstance(v, str) for v in labels.values())


def test_pod_labels_cannot_override_the_identity_labels():
    p = with_uid(pod(labels={naming.POD_NAME: 'fake', naming.CONTAINER_NAME: 'x'}))
    labels = naming.sandbox_labels(p, 0, SANDBOX_IMAGE)
    assert labels[naming.POD_NAME] == 'web'
    assert labels[naming.CONTAINER_NAME] == 'POD'


def test_container_labels():
    p = labelled_pod()
    c = p['spec']['containers'][0]
    labels = naming.container_labels(p, c, 'container', 3, 'sandbox-id', SANDBOX_IMAGE)
    assert labels[naming.POD_NAME] == 'web' and labels[naming.POD_NAMESPACE] == 'default'
    assert labels[naming.POD_UID] == UID
    assert labels[naming.CONTAINER_NAME] == 'app'
    assert labels[naming.DOCKER_TYPE] == 'container'
    assert labels[naming.SANDBOX_ID] == 'sandbox-id'
    assert labels[naming.SPEC_HASH] == naming.container_hash(c)
    assert labels[naming.RESTART_COUNT] == '3'
    assert labels[naming.ATTEMPT] == '3'
    assert labels[naming.CONTAINER_TYPE] == 'container'
    assert labels[naming.GRACE_PERIOD] == '30'
    assert labels[naming.POD_HASH] == naming.pod_hash(p, SANDBOX_IMAGE)
    assert json.loads(labels[naming.CONTAINER_PORTS]) == c['ports']
    # pod labels and annotations are not copied onto app containers (dockershim)
    assert 'app' not in labels and 'annotation.example.com/owner' not in labels


def test_container_labels_without_ports_and_for_init():
    p = with_uid(pod(init=[container('setup')]))
    labels = naming.container_labels(p, p['spec']['initContainers'][0], 'init', 0, 'sid', SANDBOX_IMAGE)
    assert naming.CONTAINER_PORTS not in labels
    assert labels[naming.CONTAINER_TYPE] == 'init'


@pytest.mark.parametrize('mutate', [
    _set(('metadata', 'labels'), {'app': 'other'}),
    _set(('metadata', 'annotations'), {'note': 'changed'}),
])
def test_pod_hash_ignores_labels_and_annotations(mutate):
    # Kubernetes changes them in place, without restarting anything.
    changed = base_pod()
    mutate(changed)
    assert naming.pod_hash(changed, SANDBOX_IMAGE) == naming.pod_hash(base_pod(), SANDBOX_IMAGE)
    assert naming.pod_metadata(changed) != naming.pod_metadata(base_pod())


def test_metadata_path_is_per_pod_uid():
    assert naming.metadata_path(UID) == '/var/lib/hostpods/pods/%s/metadata.json' % UID


@pytest.mark.parametrize('names, text', [
    (['web'], 'default/web'),
    (['a', 'b'], 'default/a, default/b'),
    (['web-007', 'web-008'], 'default/web-007, default/web-008'),  # two: both named
    (['web-007', 'web-008', 'web-009'], 'default/web-007..web-009'),
    (['p-098', 'p-099', 'p-100'], 'default/p-098..p-100'),
    (['p-8', 'p-9', 'p-10'], 'default/p-8, default/p-9, default/p-10'),  # the width changes
    (['w1', 'w2', 'w3', 'x', 'w4', 'w5', 'w6', 'w7'], 'default/w1..w3, default/x, default/w4..w7'),
    (['w1', 'w3', 'w5'], 'default/w1, default/w3, default/w5'),  # not consecutive
    (['w3', 'w2', 'w1'], 'default/w3, default/w2, default/w1'),  # counting down is not a run
    (['a1', 'a2', 'b3'], 'default/a1, default/a2, default/b3'),  # another stem
])
def test_compact_names(names, text):
    assert naming.compact_names([('default', name) for name in names]) == text


def test_compact_names_keeps_namespaces_apart():
    keys = [('a', 'w1'), ('a', 'w2'), ('b', 'w3'), ('b', 'w4'), ('b', 'w5')]
    assert naming.compact_names(keys) == 'a/w1, a/w2, b/w3..w5'


@pytest.mark.parametrize('qos, cgroupfs, systemd', [
    ('Guaranteed', 'kubepods/pod1a-2b', 'kubepods.slice/kubepods-pod1a_2b.slice'),
    ('Burstable', 'kubepods/burstable/pod1a-2b',
     'kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a_2b.slice'),
    ('BestEffort', 'kubepods/besteffort/pod1a-2b',
     'kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1a_2b.slice'),
])
def test_pod_cgroups_are_named_as_the_kubelet_names_them_under_each_cgroup_driver(qos, cgroupfs, systemd):
    """systemd reads a '-' in a slice's name as nesting: the kubelet writes the UID's dashes as '_'."""
    assert naming.pod_cgroup('1a-2b', qos) == naming.pod_cgroup('1a-2b', qos, 'cgroupfs') == cgroupfs
    assert naming.pod_cgroup('1a-2b', qos, 'systemd') == systemd
    assert cgroupfs in naming.pod_cgroups('1a-2b') and systemd in naming.pod_cgroups('1a-2b')


def test_the_engine_gets_the_pod_cgroup_as_a_path_or_as_the_pods_slice():
    from ansible_collections.hostpods.core.plugins.module_utils._plan import translate
    burstable = with_uid(pod(containers=[container('app', resources={'requests': {'cpu': '100m'}})]), '1a-2b')
    assert translate.cgroup_parent(burstable, 'cgroupfs') == '/kubepods/burstable/pod1a-2b'
    assert translate.cgroup_parent(burstable, 'systemd') == 'kubepods-burstable-pod1a_2b.slice'
