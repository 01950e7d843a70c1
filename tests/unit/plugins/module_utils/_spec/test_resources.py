"""Unit tests of _spec.resources: a pod's cpu and memory as Kubernetes adds them up, pod-level resources
(defaulted and validated as the API server does) and the kubelet's cgroup values of a pod."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources

from hostpods_fakes import container, doc

MI = 1024 ** 2


def box(name, requests=None, limits=None, **extra):
    return container(name, resources={'requests': requests or {}, 'limits': limits or {}}, **extra)


def spec_of(containers, init=None, **pod_spec):
    return manifest.apply_defaults(doc('p', containers=containers, init=init, **pod_spec), 'default')['spec']


def test_containers_add_up_and_an_init_container_runs_beside_the_sidecars_before_it():
    spec = spec_of([box('a', {'cpu': '100m', 'memory': '10Mi'}), box('b', {'cpu': '200m'})],
                   init=[box('side', {'cpu': '50m'}, restartPolicy='Always'), box('big', {'cpu': '1', 'memory': '1Mi'})])
    # apps + sidecar = 350m; the init container runs beside the sidecar: 1050m, the larger
    assert resources.pod_requests(spec) == {'cpu': 1050, 'memory': 10 * MI}


def test_requests_default_to_limits_and_the_pod_level_ones_win():
    spec = spec_of([box('a', limits={'cpu': '300m', 'memory': '64Mi'})])
    assert resources.pod_requests(spec) == resources.pod_limits(spec) == {'cpu': 300, 'memory': 64 * MI}
    spec = spec_of([box('a', {'cpu': '100m'})], resources={'requests': {'cpu': '1'}, 'limits': {'memory': '1Gi'}})
    assert resources.pod_requests(spec) == {'cpu': 1000, 'memory': 1024 * MI}  # memory request defaulted to its limit
    assert resources.pod_limits(spec) == {'memory': 1024 * MI}


def test_pod_level_requests_default_to_its_limits():
    spec = spec_of([box('a')], resources={'limits': {'cpu': 0.5, 'memory': '1.5e9'}, 'requests': {'memory': '1e9'}})
    assert spec['resources']['requests'] == {'cpu': 0.5, 'memory': '1e9'}
    assert 'resources' not in spec_of([box('a')], resources={})


@pytest.mark.parametrize('containers, pod_spec, expected', [
    # BestEffort: 2 shares, nothing limited
    ([box('a')], {}, {'cpuShares': 2, 'cpuQuota': None, 'memory': None}),
    # Guaranteed: the sums of the limits
    ([box('a', limits={'cpu': '500m', 'memory': '64Mi'}), box('b', limits={'cpu': '250m', 'memory': '32Mi'})], {},
     {'cpuShares': 768, 'cpuQuota': 75000, 'memory': 96 * MI}),
    # Burstable: a limit only when every container has it
    ([box('a', {'cpu': '250m'}, {'cpu': '1', 'memory': '64Mi'}), box('b', {'cpu': '250m'}, {'memory': '32Mi'})], {},
     {'cpuShares': 512, 'cpuQuota': None, 'memory': 96 * MI}),
    # pod-level resources: the pod's own values, whatever the containers say
    ([box('a', {'cpu': '100m'}), box('b')], {'resources': {'requests': {'cpu': '500m'}, 'limits': {'cpu': '1'}}},
     {'cpuShares': 512, 'cpuQuota': 100000, 'memory': None}),
    ([box('a')], {'resources': {'limits': {'cpu': 0.5, 'memory': '128Mi'}}},
     {'cpuShares': 512, 'cpuQuota': 50000, 'memory': 128 * MI}),
])
def test_the_kubelets_pod_cgroup_values(containers, pod_spec, expected):
    assert resources.pod_cgroup(spec_of(containers, **pod_spec)) == expected


@pytest.mark.parametrize('containers, expected', [
    # ResourceConfigForPod adds the overhead to the requests, and to each limit the pod has
    ([box('a', limits={'cpu': '500m', 'memory': '64Mi'})], {'cpuShares': 614, 'cpuQuota': 60000, 'memory': 74 * MI}),
    ([box('a', {'cpu': '100m'}, {'memory': '64Mi'})], {'cpuShares': 204, 'cpuQuota': None, 'memory': 74 * MI}),
    ([box('a')], {'cpuShares': 2, 'cpuQuota': None, 'memory': None}),  # BestEffort: the QoS ignores the overhead
])
def test_the_overhead_enters_the_pod_cgroup(containers, expected):
    assert resources.pod_cgroup(spec_of(containers, overhead={'cpu': '100m', 'memory': '10Mi'})) == expected


def test_the_overhead_is_validated_as_limits():
    spec = spec_of([box('a')], overhead={'cpu': '-1', 'example.com/x': '0.5', 'bogus': '1'})
    assert resources.overhead_errors(spec) == [
        'spec.overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.overhead.limits[bogus]: Invalid value: "bogus": must be a standard resource for containers',
        'spec.overhead.limits[example.com/x]: Invalid value: "0.5": must be an integer']
    assert resources.overhead_errors(spec_of([box('a')])) == []


def test_a_container_without_its_own_limit_takes_the_pod_level_one():
    spec = spec_of([box('a', limits={'cpu': '200m'})], resources={'limits': {'cpu': '1', 'memory': '64Mi'}})
    assert resources.container_limits(spec, spec['containers'][0]) == {'cpu': '200m', 'memory': '64Mi'}
    assert resources.container_limits({}, spec['containers'][0]) == {'cpu': '200m'}


@pytest.mark.parametrize('millicores, shares, quota', [
    (0, 2, 1000), (1, 2, 1000), (250, 256, 25000), (1000, 1024, 100000), (10 ** 9, 262144, 10 ** 11)])
def test_shares_and_quota(millicores, shares, quota):
    assert resources.shares(millicores) == shares
    if millicores:
        assert resources.quota(millicores) == quota


@pytest.mark.parametrize('containers, pod_level, expected', [
    ([box('a', {'cpu': '600m'}), box('b', {'cpu': '600m'})], {'requests': {'cpu': '1'}},
     ['spec.resources.requests[cpu]: Invalid value: "1": must be greater than or equal to aggregate container '
      'requests of 1200m']),
    ([box('a', limits={'memory': '2Gi'})], {'limits': {'memory': '1Gi'}},
     ['spec.resources.requests[memory]: Invalid value: "1Gi": must be greater than or equal to aggregate container '
      'requests of 2Gi',
      'spec.containers[0].resources.limits[memory]: Invalid value: "2Gi": must be less than or equal to pod limits '
      'of 1Gi']),
    ([box('a')], {'requests': {'cpu': '2'}, 'limits': {'cpu': '1'}},
     ['spec.resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']),
    ([box('a', {'cpu': '100m'})], {'requests': {'cpu': '1'}, 'limits': {'cpu': '1', 'memory': '1Gi'}}, []),
])
def test_pod_level_resources_are_validated_as_the_api_server_does(containers, pod_level, expected):
    assert resources.pod_level_errors(spec_of(containers, resources=pod_level)) == expected


def test_pod_level_errors_reach_the_manifest():
    raw = doc('p', containers=[box('a', {'cpu': '2'})], resources={'limits': {'cpu': '1'}})
    assert manifest.semantic_errors(manifest.apply_defaults(raw, 'default')) == [
        'spec.resources.requests[cpu]: Invalid value: "1": must be greater than or equal to aggregate container '
        'requests of 2']


@pytest.mark.parametrize('policy, init, pod_policy, expected', [
    ([{'resourceName': 'cpu', 'restartPolicy': 'NotRequired'},
      {'resourceName': 'memory', 'restartPolicy': 'RestartContainer'}], False, 'Always', []),
    ([{'resourceName': 'gpu', 'restartPolicy': 'NotRequired'}], False, 'Always',
     ['c.resizePolicy[0].resourceName: Unsupported value: "gpu": supported values: "cpu", "memory"']),
    ([{'resourceName': 'cpu', 'restartPolicy': 'NotRequired'}, {'resourceName': 'cpu', 'restartPolicy': 'NotRequired'}],
     False, 'Always', ['c.resizePolicy[1].resourceName: Duplicate value: "cpu"']),
    ([{'resourceName': 'cpu', 'restartPolicy': 'Sometimes'}], False, 'Always',
     ['c.resizePolicy[0].restartPolicy: Unsupported value: "Sometimes": supported values: "NotRequired", '
      '"RestartContainer"']),
    ([{'resourceName': 'cpu'}], False, 'Always', ['c.resizePolicy[0].restartPolicy: Required value']),
    ([{'resourceName': 'cpu', 'restartPolicy': 'RestartContainer'}], False, 'Never',
     ['c.resizePolicy[0].restartPolicy: Invalid value: "RestartContainer": must be \'NotRequired\' when '
      '`restartPolicy` is \'Never\'']),
    ([{'resourceName': 'cpu', 'restartPolicy': 'NotRequired'}], True, 'Always',
     ['c.resizePolicy: Forbidden: must not be set for init containers']),
])
def test_resize_policy_is_validated_as_the_api_server_does(policy, init, pod_policy, expected):
    assert resources.resize_policy_errors({'name': 'x', 'resizePolicy': policy}, 'c', init, pod_policy) == expected


def test_a_sidecar_may_have_a_resize_policy():
    sidecar = {'name': 'x', 'restartPolicy': 'Always',
               'resizePolicy': [{'resourceName': 'cpu', 'restartPolicy': 'RestartContainer'}]}
    assert resources.resize_policy_errors(sidecar, 'c', True, 'Never') == []


def test_the_actual_resources_are_what_the_cgroup_has():
    container = box('a', {'cpu': '250m', 'memory': '32Mi'}, {'cpu': '500m', 'memory': '64Mi'})
    host = {'CpuShares': 1024, 'CpuQuota': 100000, 'CpuPeriod': 100000, 'Memory': 128 * MI}
    assert resources.actual(container, host) == {'requests': {'cpu': '1', 'memory': '32Mi'},
                                                 'limits': {'cpu': '1', 'memory': '128Mi'}}
    assert resources.actual(box('b', {'cpu': '100m'}), {'CpuShares': 102}) == {'requests': {'cpu': '100m'}}
    assert resources.actual(box('c'), {'CpuShares': 2}) == {}
