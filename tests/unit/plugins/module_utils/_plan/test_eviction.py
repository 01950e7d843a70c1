"""Unit tests of _plan.eviction: the kubelet eviction manager's local storage decisions, with fake measures."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._plan import eviction
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity

MI = 1024 ** 2


def spec(containers=(), volumes=(), init=()):
    out = {'containers': [{'name': name, 'image': 'x', 'resources': {'limits': {'ephemeral-storage': limit}} if limit else {}}
                          for name, limit in containers],
           'volumes': [{'name': name, 'emptyDir': source} for name, source in volumes]}
    if init:
        out['initContainers'] = [{'name': name, 'image': 'x', 'restartPolicy': 'Always',
                                  'resources': {'limits': {'ephemeral-storage': limit}}} for name, limit in init]
    return out


def test_only_pods_with_a_limit_are_watched():
    assert not eviction.watched(spec([('app', None)], [('cache', {}), ('mem', {'medium': 'Memory', 'sizeLimit': '1Mi'})]))
    assert not eviction.watched(spec([('app', None)], [('zero', {'sizeLimit': '0'})]))
    assert eviction.watched(spec([('app', '0')]))  # PodLimits finds it: the kubelet evicts at the first byte
    assert eviction.watched(spec([('app', None)], [('cache', {'sizeLimit': '1Mi'})]))
    assert eviction.watched(spec([('app', '1Gi')]))


def test_what_is_measured():
    assert eviction.measured(spec([('app', None), ('side', None)], [('a', {'sizeLimit': '1Mi'}), ('b', {})])) == (['a'], [])
    assert eviction.measured(spec([('app', '1Gi'), ('side', None)], [('a', {}), ('m', {'medium': 'Memory'})])) == (['a'], None)


def test_housekeeping_every_ten_seconds_with_a_fake_clock():
    assert eviction.due(None, 100)
    assert not eviction.due(100, 109.9)
    assert eviction.due(100, 110)


@pytest.mark.parametrize('usage, expected', [
    ({'volumes': {'cache': MI}}, None),                                  # at the limit: not above it
    ({'volumes': {'cache': MI + 1}}, 'Usage of EmptyDir volume "cache" exceeds the limit "1Mi". '),
    ({'volumes': {'other': 10 * MI}}, None),                             # no sizeLimit, no pod limit
    ({'containers': {'app': 3 * MI}}, None),
    ({}, None),                                                          # nothing measured: nothing judged
])
def test_an_empty_dir_past_its_size_limit(usage, expected):
    assert eviction.decision(spec([('app', None)], [('cache', {'sizeLimit': '1Mi'}), ('other', {})]), usage) == expected


def test_the_kubelets_order_empty_dir_then_pod_then_container():
    s = spec([('app', '2Mi'), ('log', '1M')], [('cache', {'sizeLimit': '1024Ki'})])
    assert eviction.decision(s, {'volumes': {'cache': 9 * MI}, 'containers': {'app': 9 * MI}}) == \
        'Usage of EmptyDir volume "cache" exceeds the limit "1Mi". '
    # the pod's total (containers and emptyDirs) against the limits added up, in the first limit's format
    total = 2 * MI + 10 ** 6
    assert eviction.decision(s, {'volumes': {'cache': MI}, 'containers': {'app': MI, 'log': total - 2 * MI + 1}}) == \
        'Pod ephemeral local storage usage exceeds the total limit of containers %d. ' % total
    assert eviction.decision(s, {'volumes': {}, 'containers': {'app': 2 * MI + 1}}) == \
        'Container app exceeded its local ephemeral storage limit "2Mi". '
    assert eviction.decision(s, {'volumes': {}, 'containers': {'app': 2 * MI, 'log': 10 ** 6}}) is None


def test_the_pod_limit_counts_sidecars():
    s = spec([('app', '1Mi')], init=[('side', '1Mi')])
    assert eviction.pod_limit(s) == (2 * MI, '2Mi')
    assert eviction.decision(s, {'containers': {'app': MI, 'side': MI}}) is None
    assert eviction.decision(s, {'containers': {'app': MI, 'side': MI + 1}}).endswith('containers 2Mi. ')


@pytest.mark.parametrize('amount, like, expected', [
    (MI, '1Mi', '1Mi'), (MI, '1048576', '1048576'), (1536 * MI, '1.5Gi', '1536Mi'), (1000, '1Ki', '1k'),
    (10 ** 6, '1M', '1M'), (1500000, '1.5M', '1500k'), (2 * 10 ** 6, '2e6', '2e6'), (0, '0', '0'), (1023, '1Ki', '1023'),
])
def test_quantities_as_the_kubelet_writes_them(amount, like, expected):
    assert quantity.canonical(amount, like) == expected
