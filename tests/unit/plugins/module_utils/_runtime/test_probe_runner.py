"""Unit tests of _runtime.probes: the handlers' results and the kubelet's output words, against servers on
loopback and a fake docker client; the hand-made gRPC health messages; Go's words for errors."""

import http.server
import socket
import subprocess
import sys
import threading
import time

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import DockerError
from ansible_collections.hostpods.core.plugins.module_utils._runtime import probes
from ansible_collections.hostpods.core.plugins.module_utils._runtime.probes import FAILURE, SUCCESS, WARNING


class Handler(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_GET(self):  # noqa: N802 - the standard library's name
        Handler.seen.append(dict(self.headers))
        routes = {'/healthz': 200, '/missing': 404, '/error': 500, '/away': 302, '/here': 302}
        status = routes.get(self.path, 200)
        self.send_response(status)
        if self.path == '/away':
            self.send_header('Location', 'http://elsewhere.invalid/')
        if self.path == '/here':
            self.send_header('Location', '/healthz')
        self.end_headers()
        self.wfile.write(b'body of ' + self.path.encode())

    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def server():
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def http_probe(port, path, **get):
    return {'httpGet': dict({'port': port, 'path': path, 'scheme': 'HTTP'}, **get), 'timeoutSeconds': 1}


def run(probe, container=None, pod_ip='127.0.0.1', client=None):
    target = {'containerID': 'c1', 'podIP': pod_ip, 'container': container or {'name': 'web'}}
    return probes.ProbeRunner(client).run(probe, target)


# ----------------------------------------------------------------------------- httpGet

def test_http_success_sends_the_kubelets_headers(server):
    Handler.seen.clear()
    assert run(http_probe(server, '/healthz', httpHeaders=[{'name': 'x-probe', 'value': 'yes'}])) == (
        SUCCESS, 'body of /healthz')
    headers = Handler.seen[-1]
    assert headers['User-Agent'] == 'kube-probe/1.33' and headers['Accept'] == '*/*'
    assert headers['X-Probe'] == 'yes' and headers['Connection'] == 'close'


def test_http_a_given_empty_accept_is_not_sent(server):
    Handler.seen.clear()
    run(http_probe(server, '/healthz', httpHeaders=[{'name': 'Accept', 'value': ''}]))
    assert 'Accept' not in Handler.seen[-1]


@pytest.mark.parametrize('path, expected', [
    ('/missing', (FAILURE, 'HTTP probe failed with statuscode: 404')),
    ('/error', (FAILURE, 'HTTP probe failed with statuscode: 500')),
    ('/away', (WARNING, 'Probe terminated redirects, Response body: body of /away')),
    ('/here', (SUCCESS, 'body of /healthz')),
])
def test_http_status_codes_and_redirects(server, path, expected):
    assert run(http_probe(server, path)) == expected


def test_http_named_port_and_host(server):
    container = {'name': 'web', 'ports': [{'name': 'http', 'containerPort': server}]}
    assert run(http_probe('http', '/healthz', host='127.0.0.1'), container, pod_ip='')[0] == SUCCESS


def test_http_connection_refused_in_gos_words():
    port = closed_port()
    assert run(http_probe(port, '/healthz')) == (
        FAILURE, 'Get "http://127.0.0.1:%d/healthz": dial tcp 127.0.0.1:%d: connect: connection refused' % (port, port))


def test_http_timeout_in_gos_words():
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen(1)  # accepts, never answers
        port = silent.getsockname()[1]
        started = time.monotonic()
        assert run(http_probe(port, '/')) == (FAILURE, 'Get "http://127.0.0.1:%d/": context deadline exceeded '
                                                       '(Client.Timeout exceeded while awaiting headers)' % port)
        assert time.monotonic() - started < 3


def test_an_unresolvable_port_name_errors_after_three_tries():
    with pytest.raises(probes.ProbeError, match='port "admin" is not a port of the container'):
        run(http_probe('admin', '/'))


# ----------------------------------------------------------------------------- tcpSocket

def test_tcp_connect_and_refusal(server):
    assert run({'tcpSocket': {'port': server}, 'timeoutSeconds': 1}) == (SUCCESS, '')
    port = closed_port()
    assert run({'tcpSocket': {'port': port}, 'timeoutSeconds': 1}) == (
        FAILURE, 'dial tcp 127.0.0.1:%d: connect: connection refused' % port)


def test_tcp_host_that_does_not_resolve():
    assert run({'tcpSocket': {'port': 80, 'host': 'no-such-host.invalid'}, 'timeoutSeconds': 1}) == (
        FAILURE, 'dial tcp: lookup no-such-host.invalid: no such host')


# ----------------------------------------------------------------------------- exec

class FakeClient:
    def __init__(self, *answers):
        self.answers, self.calls = list(answers), []

    def exec_probe(self, container_id, argv, timeout, limit):
        self.calls.append((container_id, argv, timeout, limit))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_exec_success_and_failure_with_stdout_then_stderr():
    container = {'name': 'web', 'env': [{'name': 'FILE', 'value': '/tmp/ok'}]}
    client = FakeClient((0, b'', b'', None), (1, b'out\n', b'cat: /tmp/ok: No such file\n', None))
    probe = {'exec': {'command': ['cat', '$(FILE)']}, 'timeoutSeconds': 2}
    assert run(probe, container, client=client) == (SUCCESS, '')
    assert run(probe, container, client=client) == (FAILURE, 'out\ncat: /tmp/ok: No such file\n')
    assert client.calls[0] == ('c1', ['cat', '/tmp/ok'], 2, 10240)


def test_exec_timeout_kills_the_process_tree_and_says_so():
    client = FakeClient((None, b'', b'', 4242))
    killed = []
    runner = probes.ProbeRunner(client, kill=killed.append)
    target = {'containerID': 'c1', 'podIP': '', 'container': {'name': 'web'}}
    assert runner.run({'exec': {'command': ['sh', '-c', 'sleep "10"']}, 'timeoutSeconds': 1}, target) == (
        FAILURE, 'command "sh -c sleep \\"10\\"" timed out')
    assert killed == [4242]


def test_exec_refused_by_the_engine_errors_after_three_tries():
    refused = DockerError('Docker exec_probe c1 failed: container c1 is not running')
    client = FakeClient(refused, refused, refused)
    with pytest.raises(probes.ProbeError, match='is not running'):
        run({'exec': {'command': ['true']}, 'timeoutSeconds': 1}, client=client)
    assert len(client.calls) == 3


def test_kill_process_tree_kills_children_too():
    parent = subprocess.Popen(['sh', '-c', 'sleep 30 & sleep 30 & wait'])
    try:
        for _wait in range(50):
            children = probes._children(parent.pid)
            if len(children) == 2:
                break
            time.sleep(0.05)
        assert len(children) == 2
        probes.kill_process_tree(parent.pid)
        assert parent.wait(5) == -9
        for child in children:
            for _wait in range(50):
                try:
                    with open('/proc/%d/stat' % child) as handle:
                        zombie = handle.read().split(') ')[1].startswith('Z')
                except OSError:
                    break
                if zombie:
                    break
                time.sleep(0.05)
            else:
                pytest.fail('child %d still runs' % child)
    finally:
        parent.kill()


# ----------------------------------------------------------------------------- grpc

def test_grpc_without_the_library_errors_clearly(monkeypatch):
    monkeypatch.setitem(sys.modules, 'grpc', None)
    with pytest.raises(probes.ProbeError, match=r'gRPC probes need gRPC for Python on the node \(Debian: apt-get '
                                                r'install python3-grpcio\)'):
        run({'grpc': {'port': 9000, 'service': ''}, 'timeoutSeconds': 1})


@pytest.mark.parametrize('service, encoded', [('', b''), ('web', b'\x0a\x03web'), ('x' * 200, b'\x0a\xc8\x01' + b'x' * 200)])
def test_health_request_by_hand(service, encoded):
    assert probes.health_request(service) == encoded


@pytest.mark.parametrize('message, status', [
    (b'', 0), (b'\x08\x01', 1), (b'\x08\x02', 2), (b'\x12\x02ab\x08\x03', 3), (b'\x08\x01\x1d\x00\x00\x00\x00', 1),
    (b'\x09' + b'\x00' * 8 + b'\x08\x01', 1),
])
def test_health_status_by_hand(message, status):
    assert probes.health_status(message) == status


@pytest.mark.parametrize('message', [b'\x08', b'\x12\x05ab', b'\x0b'])
def test_a_broken_health_answer_is_an_error(message):
    with pytest.raises(ValueError, match='failed to unmarshal'):
        probes.health_status(message)


# ----------------------------------------------------------------------------- Go's words

@pytest.mark.parametrize('seconds, text', [(1, '1s'), (10, '10s'), (60, '1m0s'), (90, '1m30s'), (3600, '1h0m0s')])
def test_go_duration(seconds, text):
    assert probes.go_duration(seconds) == text


@pytest.mark.parametrize('name, text', [('NOT_FOUND', 'NotFound'), ('CANCELLED', 'Canceled'), ('UNAVAILABLE', 'Unavailable'),
                                        ('DEADLINE_EXCEEDED', 'DeadlineExceeded')])
def test_go_code(name, text):
    assert probes.go_code(name) == text
