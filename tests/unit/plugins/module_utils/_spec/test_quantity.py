"""Unit tests of _quantity: Kubernetes resource quantities, parsed and rounded as apimachinery does."""

from fractions import Fraction

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity

KI, MI, GI = 1024, 1024 ** 2, 1024 ** 3


@pytest.mark.parametrize('text, millicores', [
    ('250m', 250),
    ('0.5', 500),
    ('2', 2000),
    (2, 2000),                 # YAML gives numbers as numbers
    (0.5, 500),
    (1.25, 1250),
    ('1.5', 1500),
    ('.5', 500),
    ('1.', 1000),              # accepted by the API server ("1.G" too)
    ('+1', 1000),
    ('0', 0),
    ('0m', 0),
    ('0.1m', 1),               # MilliValue rounds up
    ('100u', 1),
    ('1500000n', 2),
    ('1e-3', 1),
    ('2E0', 2000),
    ('1e2', 100000),
    ('1k', 1000000),
    ('1Ki', 1024000),
])
def test_cpu_millicores(text, millicores):
    assert quantity.cpu_millicores(text) == millicores


@pytest.mark.parametrize('text, size', [
    ('64Mi', 64 * MI),
    ('1G', 10 ** 9),
    ('1e6', 10 ** 6),
    ('128974848', 128974848),
    (128974848, 128974848),
    ('129e6', 129000000),
    ('123Mi', 128974848),
    ('1Ki', KI),
    ('1k', 1000),
    ('1M', 10 ** 6),
    ('1Gi', GI),
    ('1.5Gi', 1610612736),
    ('1T', 10 ** 12),
    ('1Ti', 1024 ** 4),
    ('1P', 10 ** 15),
    ('1Pi', 1024 ** 5),
    ('1E', 10 ** 18),          # a lone E is exa ...
    ('1E3', 1000),             # ... and E with digits an exponent
    ('1e+3', 1000),
    ('1Ei', 1024 ** 6),
    ('0.5', 1),                # Value rounds up
    ('500m', 1),
    ('1001m', 2),
    (1e3, 1000),
    ('-1.5', -2),              # away from zero, as Quantity.Value
])
def test_memory_bytes(text, size):
    assert quantity.memory_bytes(text) == size


@pytest.mark.parametrize('text, exact', [
    ('250m', Fraction(1, 4)),
    ('1.5Ki', Fraction(1536)),
    ('-2', Fraction(-2)),
    ('5u', Fraction(5, 10 ** 6)),
    ('1e-2', Fraction(1, 100)),
])
def test_parse_is_exact(text, exact):
    assert quantity.parse(text) == exact


@pytest.mark.parametrize('text', [
    '', ' 1', '1 ', '1K', '1ki', '1KiB', 'Mi', 'm', '.', '-', '1e', '1e1.5', '1.5.5', 'abc', '1Mi1', '--1',
    '1x', '1 Gi', '0x10', '1_000', '١',
])
def test_invalid_text(text):
    with pytest.raises(ValueError, match='quantities must match the regular expression'):
        quantity.parse(text)


@pytest.mark.parametrize('value', [True, None, [1], {'a': 1}])
def test_invalid_types(value):
    with pytest.raises(ValueError, match='must be a string or a number'):
        quantity.parse(value)


@pytest.mark.parametrize('value', [float('nan'), float('inf')])
def test_non_finite_floats(value):
    with pytest.raises(ValueError, match='invalid quantity'):
        quantity.parse(value)


def test_error_names_the_text_and_the_api_server_rule():
    with pytest.raises(ValueError) as info:
        quantity.cpu_millicores('2 cores')
    assert str(info.value) == ('invalid quantity "2 cores": quantities must match the regular expression '
                               "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.mark.parametrize('call, text', [
    (quantity.memory_bytes, '1e1001'),         # refused before any big arithmetic
    (quantity.memory_bytes, '10E'),            # 1e19 does not fit in an int64
    (quantity.cpu_millicores, '9223372036854775807'),
])
def test_out_of_range(call, text):
    with pytest.raises(ValueError, match='range'):
        call(text)


@pytest.mark.parametrize('name, text, amount', [
    ('cpu', '1', 1000),
    ('memory', '1Gi', GI),
    ('ephemeral-storage', '2G', 2 * 10 ** 9),
    ('pods', '110', 110),
    ('example.com/gpu', 2, 2),
])
def test_resource_value(name, text, amount):
    assert quantity.resource_value(name, text) == amount


P = 'spec.containers[0].resources'


@pytest.mark.parametrize('resources, errors', [
    ({}, []),
    ({'requests': {'cpu': '250m', 'memory': '64Mi'}, 'limits': {'cpu': '1', 'memory': '128Mi'}}, []),
    ({'requests': {'cpu': '1'}, 'limits': {'cpu': '1000m'}}, []),              # equal is fine
    ({'limits': {'cpu': '2'}}, []),
    ({'requests': {'cpu': '2'}, 'limits': {'cpu': '1'}},
     [P + '.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']),
    ({'requests': {'cpu': '-1'}},
     [P + '.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0']),
    ({'requests': {'memory': '1GB'}},
     [P + '.requests[memory]: Invalid value: invalid quantity "1GB": quantities must match the regular expression '
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]),
    ({'requests': ['cpu']}, [P + '.requests: Invalid value: must be a map of quantities']),
    ('1', [P + ': Invalid value: must be an object']),
])
def test_resources_errors(resources, errors):
    assert quantity.resources_errors(resources, P) == errors
