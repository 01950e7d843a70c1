"""Unit tests of _spec.probes: the API server's validation messages, its defaults, and what a probe sends."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest, probes

EXEC = {'exec': {'command': ['cat', '/tmp/ok']}}
PORTS = [{'name': 'http', 'containerPort': 8080}, {'name': 'grpc', 'containerPort': 9000}]

HOSTPODS_RULE = '(a rule of hostpods, not of Kubernetes, whose kubelet would fail every probe)'


def load(container=None, init=None, **spec):
    """The errors of one pod (``[]`` when it loads) and the loaded pod."""
    body = {'containers': [dict({'name': 'web', 'image': 'busybox:1.35', 'ports': PORTS}, **(container or {}))]}
    if init is not None:
        body['initContainers'] = [dict({'name': 'init', 'image': 'busybox:1.35'}, **init)]
    body.update(spec)
    doc = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'p'}, 'spec': body}
    try:
        return [], manifest.load_pods([(doc, 'm.yaml')])[0]
    except ManifestError as exc:
        return exc.details['errors'][0].split(': ', 1)[1].split('; '), None


def errors(container=None, **kwargs):
    found, _pod = load(container, **kwargs)
    return found


# ----------------------------------------------------------------------------- defaults

def test_defaults_are_the_api_servers():
    assert probes.defaults({'httpGet': {'port': 80}}) == {
        'httpGet': {'port': 80, 'path': '/', 'scheme': 'HTTP'},
        'timeoutSeconds': 1, 'periodSeconds': 10, 'successThreshold': 1, 'failureThreshold': 3}
    assert probes.defaults({'grpc': {'port': 9000}})['grpc'] == {'port': 9000, 'service': ''}


def test_a_zero_is_unset_as_in_go_and_given_values_stay():
    given = dict(EXEC, initialDelaySeconds=0, timeoutSeconds=0, periodSeconds=0, successThreshold=0, failureThreshold=0)
    assert probes.defaults(given) == dict(EXEC, timeoutSeconds=1, periodSeconds=10, successThreshold=1, failureThreshold=3)
    mine = dict(EXEC, initialDelaySeconds=5, timeoutSeconds=2, periodSeconds=3, successThreshold=1, failureThreshold=7,
                terminationGracePeriodSeconds=9)
    assert probes.defaults(mine) == mine


def test_defaults_do_not_touch_the_given_dict():
    given = {'httpGet': {'port': 80}}
    probes.defaults(given)
    assert given == {'httpGet': {'port': 80}}


def test_apply_defaults_defaults_probes_so_the_hashes_include_them():
    _errors, pod = load({'readinessProbe': {'tcpSocket': {'port': 'http'}}, 'livenessProbe': None})
    container = pod['spec']['containers'][0]
    assert container['readinessProbe'] == {'tcpSocket': {'port': 'http'}, 'timeoutSeconds': 1, 'periodSeconds': 10,
                                           'successThreshold': 1, 'failureThreshold': 3}
    assert 'livenessProbe' not in container


# ----------------------------------------------------------------------------- validation

def test_valid_probes_of_every_handler_load():
    container = {
        'livenessProbe': {'httpGet': {'port': 'http', 'path': '/healthz', 'scheme': 'HTTPS', 'host': '127.0.0.1',
                                      'httpHeaders': [{'name': 'X-Custom', 'value': 'a'}]},
                          'terminationGracePeriodSeconds': 5, 'initialDelaySeconds': 3},
        'readinessProbe': {'grpc': {'port': 9000, 'service': 'web'}, 'successThreshold': 2},
        'startupProbe': {'tcpSocket': {'port': 8080}, 'failureThreshold': 30, 'periodSeconds': 1},
    }
    assert errors(container) == []
    assert errors(init={'restartPolicy': 'Always', 'readinessProbe': EXEC}) == []


@pytest.mark.parametrize('field', ['livenessProbe', 'readinessProbe', 'startupProbe'])
def test_regular_init_containers_may_not_have_probes(field):
    assert errors(init={field: EXEC}) == [
        'spec.initContainers[0].%s: Forbidden: may not be set for init containers without restartPolicy=Always' % field]


@pytest.mark.parametrize('probe, expected', [
    ({'periodSeconds': 5}, ['spec.containers[0].livenessProbe: Required value: must specify a handler type']),
    (dict(EXEC, tcpSocket={'port': 80}, grpc={'port': 90}), [
        'spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
        'spec.containers[0].livenessProbe.grpc: Forbidden: may not specify more than 1 handler type']),
    ({'exec': {'command': []}}, ['spec.containers[0].livenessProbe.exec.command: Required value']),
    ({'httpGet': {'port': 80, 'scheme': 'FTP'}},
     ['spec.containers[0].livenessProbe.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"']),
    ({'httpGet': {'port': 80, 'httpHeaders': [{'name': 'Bad Name', 'value': 'x'}]}},
     ['spec.containers[0].livenessProbe.httpGet.httpHeaders: Invalid value: "Bad Name": a valid HTTP header must '
      "consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"]),
    ({'httpGet': {}}, ['spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, '
                       'inclusive']),
    ({'tcpSocket': {'port': 70000}}, ['spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: 70000: must be '
                                      'between 1 and 65535, inclusive']),
    ({'grpc': {'port': 0}}, ['spec.containers[0].livenessProbe.grpc.port: Invalid value: 0: must be between 1 and '
                             '65535, inclusive']),
    ({'tcpSocket': {'port': '8080'}},
     ['spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "8080": must contain at least one letter (a-z)']),
    ({'tcpSocket': {'port': 'Web--port-number-'}}, [
        'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "Web--port-number-": must be no more than 15 '
        'characters',
        'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "Web--port-number-": must contain only '
        'alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "Web--port-number-": must not contain '
        'consecutive hyphens',
        'spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: "Web--port-number-": must not begin or end '
        'with a hyphen']),
    ({'httpGet': {'port': 'metrics'}}, ['spec.containers[0].livenessProbe.httpGet.port: Not found: "metrics": '
                                        "no port of this container has that name " + HOSTPODS_RULE]),
    (dict(EXEC, initialDelaySeconds=-1, timeoutSeconds=-2, periodSeconds=-3, failureThreshold=-5), [
        'spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.timeoutSeconds: Invalid value: -2: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -3: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.failureThreshold: Invalid value: -5: must be greater than or equal to 0']),
    (dict(EXEC, successThreshold=2), ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']),
    (dict(EXEC, successThreshold=-1), [
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: -1: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: -1: must be 1']),
    (dict(EXEC, terminationGracePeriodSeconds=0),
     ['spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0']),
])
def test_liveness_probe_errors(probe, expected):
    assert errors({'livenessProbe': probe}) == expected


def test_startup_probes_need_a_success_threshold_of_1_too():
    assert errors({'startupProbe': dict(EXEC, successThreshold=3)}) == [
        'spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1']


def test_readiness_probes_take_any_success_threshold_and_no_grace_period():
    assert errors({'readinessProbe': dict(EXEC, successThreshold=3)}) == []
    assert errors({'readinessProbe': dict(EXEC, terminationGracePeriodSeconds=5)}) == [
        'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for '
        'readinessProbes']
    assert errors({'readinessProbe': dict(EXEC, terminationGracePeriodSeconds=-1)}) == [
        'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: -1: must be greater than 0',
        'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: -1: must not be set for '
        'readinessProbes']


def test_a_named_port_must_be_the_containers_own():
    assert errors({'ports': [], 'readinessProbe': {'tcpSocket': {'port': 'http'}}}) == [
        'spec.containers[0].readinessProbe.tcpSocket.port: Not found: "http": no port of this container has that '
        'name ' + HOSTPODS_RULE]


def test_mistyped_probe_fields_are_refused_by_the_field_tree():
    assert errors({'livenessProbe': {'exec': {'command': 'true'}, 'periodSeconds': '10', 'sleep': {'seconds': 1}}}) == [
        'spec.containers[0].livenessProbe.exec.command: Invalid value: "true": must be a list of strings',
        'spec.containers[0].livenessProbe.periodSeconds: Invalid value: "10": must be an integer',
        'spec.containers[0].livenessProbe.sleep: field not supported by hostpods yet']


# ----------------------------------------------------------------------------- what a probe sends

def test_exec_command_expands_the_static_env_only():
    container = {'env': [{'name': 'FILE', 'value': '/tmp/$(DIR)'}, {'name': 'DIR', 'value': 'ok'},
                         {'name': 'POD', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.name'}}}]}
    probe = {'exec': {'command': ['cat', '$(FILE)', '$(POD)', '$(NOPE)', '$$(FILE)']}}
    assert probes.exec_command(probe, container) == ['cat', '/tmp/$(DIR)', '', '$(NOPE)', '$(FILE)']


def test_http_request_headers_and_address():
    get = {'port': 'http', 'path': 'healthz?full=1', 'scheme': 'HTTPS',
           'httpHeaders': [{'name': 'x-trace', 'value': 'a'}, {'name': 'X-TRACE', 'value': 'b'}]}
    assert probes.http_request(get, {'ports': PORTS}, '10.0.0.5') == (
        'https://10.0.0.5:8080/healthz?full=1',
        {'X-Trace': 'a, b', 'User-Agent': 'kube-probe/1.33', 'Accept': '*/*'})
    get = {'port': 81, 'path': '/', 'host': 'fd00::1',
           'httpHeaders': [{'name': 'user-agent', 'value': 'mine'}, {'name': 'Accept', 'value': ''},
                           {'name': 'Host', 'value': 'example.org'}]}
    assert probes.http_request(get, {}, '10.0.0.5') == (
        'http://[fd00::1]:81/', {'User-Agent': 'mine', 'Accept': None, 'Host': 'example.org'})


def test_http_request_errors_without_a_port_or_an_address():
    with pytest.raises(ValueError, match='port "admin" is not a port of the container'):
        probes.http_request({'port': 'admin'}, {'ports': PORTS}, '10.0.0.5')
    with pytest.raises(ValueError, match='no IP address'):
        probes.http_request({'port': 80}, {}, '')


def test_socket_addresses():
    assert probes.socket_address({'tcpSocket': {'port': 'grpc'}}, {'ports': PORTS}, '10.0.0.5') == ('10.0.0.5', 9000)
    assert probes.socket_address({'tcpSocket': {'port': 22, 'host': 'db'}}, {}, '10.0.0.5') == ('db', 22)
    assert probes.socket_address({'grpc': {'port': 9000, 'service': ''}}, {}, '10.0.0.5') == ('10.0.0.5', 9000)


def test_kill_grace_and_message():
    container = {'livenessProbe': dict(EXEC, terminationGracePeriodSeconds=3), 'startupProbe': EXEC}
    assert probes.kill_grace(container, 'liveness', 30) == 3
    assert probes.kill_grace(container, 'startup', 30) == 30
    assert probes.kill_message('web', 'liveness', True) == 'Container web failed liveness probe, will be restarted'
    assert probes.kill_message('web', 'startup', False) == 'Container web failed startup probe'
