"""Unit tests of _downward: env values from fieldRef and resourceFieldRef, as a kubelet computes them."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import downward
from ansible_collections.hostpods.core.plugins.module_utils._spec.expansion import container_environment

RUNTIME = {'podIP': '172.17.0.9', 'hostIP': '172.17.0.1', 'nodeName': 'node1',
           'allocatable': {'cpu': 2000, 'memory': 8 * 1024 ** 3}}


def a_pod(resources=None):
    return {'metadata': {'name': 'web', 'namespace': 'shop', 'uid': 'u-1', 'labels': {'app': 'web'},
                         'annotations': {'team': 'blue'}},
            'spec': {'containers': [{'name': 'app', 'resources': resources or {}}, {'name': 'side', 'resources': {}}]}}


@pytest.mark.parametrize('path, expected', [
    ('metadata.name', 'web'), ('metadata.namespace', 'shop'), ('metadata.uid', 'u-1'),
    ("metadata.labels['app']", 'web'), ("metadata.annotations['team']", 'blue'), ("metadata.labels['none']", ''),
    ('spec.nodeName', 'node1'), ('spec.serviceAccountName', 'default'),
    ('status.podIP', '172.17.0.9'), ('status.podIPs', '172.17.0.9'),
    ('status.hostIP', '172.17.0.1'), ('status.hostIPs', '172.17.0.1'),
])
def test_field_values(path, expected):
    assert downward.field_path_error(path) is None
    assert downward.field_value(a_pod(), path, RUNTIME) == expected


@pytest.mark.parametrize('path', ['metadata.labels', 'spec.containers', 'status.phase', "metadata.labels['a"])
def test_field_paths_env_cannot_use(path):
    assert downward.field_path_error(path).startswith('Unsupported value: "%s"' % path)


@pytest.mark.parametrize('resources, resource, divisor, expected', [
    ({'limits': {'cpu': '250m'}}, 'limits.cpu', None, '1'),           # ceil(250m / 1)
    ({'limits': {'cpu': '250m'}}, 'limits.cpu', '1m', '250'),
    ({'limits': {'cpu': '1500m'}}, 'limits.cpu', '1', '2'),
    ({}, 'limits.cpu', '1m', '2000'),                                  # unset limit: node allocatable
    ({}, 'requests.cpu', '1m', '0'),
    ({'limits': {'memory': '64Mi'}}, 'limits.memory', '1Mi', '64'),
    ({'limits': {'memory': '64Mi'}}, 'limits.memory', None, '67108864'),
    ({'requests': {'memory': '100M'}}, 'requests.memory', '1Mi', '96'),  # ceil(100e6 / 2**20)
    ({}, 'limits.memory', '1Gi', '8'),
])
def test_resource_values(resources, resource, divisor, expected):
    assert downward.resource_value(a_pod(resources), 'app', resource, divisor, RUNTIME) == expected


def test_env_mixes_values_and_sources_in_order():
    pod = a_pod({'limits': {'memory': '32Mi'}})
    env = [{'name': 'POD', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.name'}}},
           {'name': 'GREETING', 'value': 'hello $(POD) on $(NODE)'},
           {'name': 'NODE', 'valueFrom': {'fieldRef': {'fieldPath': 'spec.nodeName'}}},
           {'name': 'MEM', 'valueFrom': {'resourceFieldRef': {'resource': 'limits.memory', 'divisor': '1Mi'}}},
           {'name': 'SIDE_CPU', 'valueFrom': {'resourceFieldRef': {'containerName': 'side', 'resource': 'limits.cpu'}}}]
    container = pod['spec']['containers'][0]
    values = container_environment(env, lambda source: downward.env_source_value(pod, container, source, RUNTIME))
    # NODE is defined after GREETING, so $(NODE) stays as written, as on Kubernetes
    assert values == {'POD': 'web', 'GREETING': 'hello web on $(NODE)', 'NODE': 'node1', 'MEM': '32', 'SIDE_CPU': '2'}
