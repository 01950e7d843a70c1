"""Unit tests of _spec.priority: PriorityClass objects and the Priority admission plugin, as load_manifests
applies them to a batch."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest

from hostpods_fakes import doc


def klass(name, value, **extra):
    out = {'apiVersion': 'scheduling.k8s.io/v1', 'kind': 'PriorityClass', 'metadata': {'name': name}, 'value': value}
    out.update(extra)
    return out


def load(*documents):
    return manifest.load_manifests([(item, 'm.yaml') for item in documents])


def problems(*documents):
    with pytest.raises(ManifestError) as info:
        load(*documents)
    return info.value.details['errors']


def test_a_class_of_the_batch_gives_its_value_and_policy_in_any_order():
    pods, others = load(doc('web', priorityClassName='high'), klass('high', 1000, preemptionPolicy='Never'))
    assert others == []  # a node keeps no PriorityClass
    spec = pods[0]['spec']
    assert (spec['priorityClassName'], spec['priority'], spec['preemptionPolicy']) == ('high', 1000, 'Never')


@pytest.mark.parametrize('name, value', [('system-node-critical', 2000001000), ('system-cluster-critical', 2000000000)])
def test_built_in_classes(name, value):
    [pod], dummy = load(doc('web', priorityClassName=name, priority=value))
    assert (pod['spec']['priority'], pod['spec']['preemptionPolicy']) == (value, 'PreemptLowerPriority')


def test_the_global_default_class_goes_to_pods_without_a_class():
    pods, dummy = load(klass('normal', 10, globalDefault=True), doc('a'), doc('b', priorityClassName='system-node-critical'))
    assert [(p['spec']['priorityClassName'], p['spec']['priority']) for p in pods] == [
        ('normal', 10), ('system-node-critical', 2000001000)]


def test_without_a_class_nothing_is_added_and_priority_zero_is_accepted():
    [pod], dummy = load(doc('a', priority=0, preemptionPolicy='Never'))
    assert pod['spec']['priority'] == 0 and 'priorityClassName' not in pod['spec']
    assert pod['spec']['preemptionPolicy'] == 'Never'
    [pod], dummy = load(doc('a'))
    assert 'priority' not in pod['spec']  # unchanged pods keep their spec (and their hash)


@pytest.mark.parametrize('documents, expected', [
    ((doc('web', priorityClassName='gold'),),
     'm.yaml Pod "web": pods "web" is forbidden: no PriorityClass with name gold was found'),
    ((doc('web', priority=5),),
     'm.yaml Pod "web": pods "web" is forbidden: the integer value of priority (5) must not be provided in pod spec; '
     'priority admission controller computed 0 from the given PriorityClass name'),
    ((klass('high', 100), doc('web', priorityClassName='high', preemptionPolicy='Never')),
     'm.yaml Pod "web": pods "web" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in '
     'pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name'),
    ((klass('huge', 1000000001),),
     'm.yaml PriorityClass "huge": value: Forbidden: maximum allowed value of a user defined priority is 1000000000'),
    ((klass('system-mine', 5),),
     "m.yaml PriorityClass \"system-mine\": metadata.name: Forbidden: priority class names with 'system-' prefix are "
     "reserved for system use only. error: system-mine is not a known system priority class"),
    ((klass('a', 1, globalDefault=True), klass('b', 2, globalDefault=True)),
     'PriorityClass "b": globalDefault: Forbidden: PriorityClass a is already marked as default. Only one default can '
     'exist'),
    ((klass('a', 1, preemptionPolicy='Sometimes'),),
     'm.yaml PriorityClass "a": preemptionPolicy: Unsupported value: "Sometimes": supported values: "Never", '
     '"PreemptLowerPriority"'),
    ((dict(klass('a', 1), apiVersion='v1'),),
     'm.yaml PriorityClass "a": apiVersion: Unsupported value: "v1": PriorityClass is in apiVersion "scheduling.k8s.io/v1"'),
])
def test_refusals(documents, expected):
    assert problems(*documents) == [expected]


def test_the_built_in_class_may_be_applied_as_it_is():
    [pod], dummy = load(klass('system-node-critical', 2000001000), doc('a', priorityClassName='system-node-critical'))
    assert pod['spec']['priority'] == 2000001000


def test_deleting_needs_no_class():
    pods, dummy = manifest.load_manifests([(doc('web', priorityClassName='gold'), 'm.yaml')], deleting=True)
    assert pods[0]['metadata']['name'] == 'web'
