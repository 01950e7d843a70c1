"""Unit tests of _spec.resource_names: the names of a container's resources (hugepages and extended
resources) with the API server's rules and messages."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import resource_names

PATH = 'spec.containers[0].resources'


def errors(requests=None, limits=None):
    resources = {}
    if limits is not None:
        resources['limits'] = limits
    if requests is not None:
        resources['requests'] = requests
    return resource_names.resources_errors(resources, PATH)


@pytest.mark.parametrize('requests, limits', [
    ({'cpu': '1', 'memory': '1Gi'}, {'cpu': '2'}),
    ({'example.com/dongle': '2'}, {'example.com/dongle': '2'}),
    ({'example.com/dongle': 2}, {'example.com/dongle': 2}),
    ({'hugepages-2Mi': '4Mi', 'memory': '1Gi'}, {'hugepages-2Mi': '4Mi', 'memory': '1Gi'}),
    ({'nvidia.com/gpu': '1'}, {'nvidia.com/gpu': '1'}),
    ({'ephemeral-storage': '1Gi'}, {'ephemeral-storage': '2Gi'}),  # a standard resource, overcommit allowed
    (None, {'ephemeral-storage': '500M'}),
])
def test_valid_resources(requests, limits):
    assert errors(requests, limits) == []


@pytest.mark.parametrize('requests, limits, expected', [
    ({'gpu': '1'}, {'gpu': '1'}, [PATH + '.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
                                  PATH + '.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers']),
    ({'example.com/dongle': '1'}, None, [PATH + '.limits: Required value: Limit must be set for non overcommitable resources']),
    ({'example.com/dongle': '1'}, {'example.com/dongle': '2'},
     [PATH + '.requests: Invalid value: "1": must be equal to example.com/dongle limit of 2']),
    (None, {'example.com/dongle': '500m'}, [PATH + '.limits[example.com/dongle]: Invalid value: "500m": must be an integer']),
    (None, {'hugepages-2Mi': '4Mi'}, [PATH + ': Forbidden: HugePages require cpu or memory']),
    (None, {'hugepages-2Mi': '3Mi', 'cpu': '1'}, [PATH + '.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive '
                                                         'integer multiple of 2Mi']),
    (None, {'hugepages-big': '4Mi', 'cpu': '1'},
     [PATH + '.limits[hugepages-big]: Invalid value: "hugepages-big": must be hugepages-<page size>, the page size a '
             'quantity such as 2Mi or 1Gi']),
    (None, {'requests.example.com/x': '1'},
     [PATH + '.limits[requests.example.com/x]: Invalid value: "requests.example.com/x": doesn\'t follow extended '
             'resource name standard']),
    (None, {'ephemeral-storag': '1Gi'},
     [PATH + '.limits[ephemeral-storag]: Invalid value: "ephemeral-storag": must be a standard resource for containers']),
])
def test_refused_resources(requests, limits, expected):
    assert errors(requests, limits) == expected


@pytest.mark.parametrize('name, extended, overcommit', [
    ('cpu', False, True), ('memory', False, True), ('hugepages-1Gi', False, False), ('example.com/dongle', True, False),
    ('kubernetes.io/thing', False, True), ('requests.example.com/x', False, False),
])
def test_resource_kinds(name, extended, overcommit):
    assert (resource_names.is_extended(name), resource_names.overcommit_allowed(name)) == (extended, overcommit)


def test_one_warning_names_the_pods_limiting_huge_pages():
    from hostpods_fakes import container, pod
    huge = pod('huge', containers=[container('app', resources={'limits': {'hugepages-2Mi': '4Mi', 'memory': '1Gi'}})])
    assert resource_names.hugepages_warning([pod('plain'), huge]) == (
        "hugepages-* of default/huge: counted against the node's allocatable as the scheduler counts them; the "
        "containers get no hugetlb limit (the Docker engine has no setting for it)")
    assert resource_names.hugepages_warning([pod('plain')]) is None
