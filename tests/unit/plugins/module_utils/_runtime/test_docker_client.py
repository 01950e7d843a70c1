"""Unit tests of the Docker client's reads through http.client, against a fake engine on a unix socket."""

import json
import socketserver
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import DockerError
from ansible_collections.hostpods.core.plugins.module_utils._runtime import docker_client
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import DockerClient

CONTAINER = {'Id': 'c1', 'State': {'Running': True}}


class Engine(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    seen = []

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type='application/json'):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        Engine.seen.append((url.path, query))
        if url.path == '/_ping':
            self.answer(200, b'OK', 'text/plain')
        elif url.path == '/containers/json':
            self.answer(200, [{'Id': 'c1', 'Labels': {}, 'filters': json.loads(query['filters'][0])}])
        elif url.path == '/containers/c1/json':
            self.answer(200, CONTAINER)
        elif url.path == '/containers/gone/json':
            self.answer(404, {'message': 'No such container: gone'})
        elif url.path == '/exec/e1/json':
            self.answer(200, {'Running': False, 'ExitCode': 3, 'Pid': 0})
        elif url.path == '/networks/bridge':
            self.answer(200, {'IPAM': {'Config': [{'Subnet': '10.244.1.0/24'}]}})
        elif url.path == '/events':
            self.answer(200, b'{"Actor": {"Attributes": {"exitCode": "3"}}}\n{"Actor": {"Attributes": {"exitCode": "7"}}}\n')
        else:
            self.answer(500, {'message': 'boom'})

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        Engine.seen.append((self.path, body))
        if self.path.startswith('/containers/create?'):
            self.answer(201, {'Id': 'new1', 'Warnings': []})
        elif self.path == '/volumes/create':
            self.answer(201, dict(body, Mountpoint='/var/lib/docker/volumes/v1/_data'))
        elif self.path in ('/containers/new1/start', '/containers/new1/stop?t=7'):
            self.answer(204, b'')
        elif self.path == '/containers/gone/stop?t=2':
            self.answer(404, {'message': 'No such container: gone'})
        elif self.path == '/containers/c1/exec':
            self.answer(201, {'Id': 'e1'})
        elif self.path == '/containers/stopped/exec':
            self.answer(409, {'message': 'Container stopped is not running'})
        elif self.path == '/exec/e1/start':  # the engine hijacks the connection: headers, then frames, then close
            frames = b''.join(struct.pack('>BxxxL', kind, len(data)) + data
                              for kind, data in ((1, b'out '), (2, b'err'), (1, b'put')))
            self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n' + frames)
            self.wfile.flush()
            self.close_connection = True
        else:
            self.answer(500, {'message': 'boom'})

    def do_DELETE(self):
        Engine.seen.append((self.path, None))
        if self.path in ('/containers/new1?v=0&force=1', '/volumes/v1?force=1'):
            self.answer(204, b'')
        else:
            self.answer(404, {'message': 'No such container: gone'})


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def engine(tmp_path):
    path = str(tmp_path / 'docker.sock')
    server = Server(path, Engine)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Engine.seen = []
    yield 'unix://' + path
    server.shutdown()
    server.server_close()


def test_reads_go_through_http_client_without_the_sdk(engine):
    client = DockerClient(engine)
    assert client.pod_containers(name='web')[0]['filters'] == {
        'label': ['io.kubernetes.pod.uid', 'io.kubernetes.pod.name=web']}
    assert client.inspect_container('c1') == CONTAINER
    assert client.inspect_container('gone') is None
    assert client.bridge_gateway() == '10.244.1.1'
    assert client.last_exit_code('c1', 1714557600) == 7
    assert client.calls == {'read': 5, 'write': 0}
    assert client._api is None  # the SDK's client was never needed
    until = Engine.seen[-1][1]['until'][0]
    assert '.' in until and float(until) > 1714557600


def test_engine_errors_name_the_call(engine):
    client = DockerClient(engine)
    with pytest.raises(DockerError) as info:
        client.inspect_image('busybox:1.35')
    assert info.value.msg == 'Docker inspect_image busybox:1.35 failed: boom'


def test_an_engine_that_does_not_answer(tmp_path):
    with pytest.raises(DockerError) as info:
        DockerClient('unix://%s' % (tmp_path / 'none.sock'))
    assert info.value.msg.startswith('Cannot reach the Docker engine at unix://')


def test_other_engines_are_read_through_the_sdk(monkeypatch):
    made = []
    monkeypatch.setattr(docker_client.DockerClient, 'api', property(lambda self: made.append(1) or 'sdk'))
    client = DockerClient('ssh://node1')
    assert client._reads is None and made


def test_exec_probes_go_through_http_client_without_the_sdk(engine):
    client = DockerClient(engine)
    assert client.exec_probe('c1', ['cat', '/ready'], 5, 1024) == (3, b'out put', b'err', None)
    assert client.exec_probe('c1', ['cat', '/ready'], 5, 4) == (3, b'out ', b'err', None)  # each stream bounded
    assert [path for path, _body in Engine.seen if not path.startswith('/_ping')][:3] == [
        '/containers/c1/exec', '/exec/e1/start', '/exec/e1/json']
    assert Engine.seen[1][1] == {'Cmd': ['cat', '/ready'], 'AttachStdin': False, 'AttachStdout': True,
                                 'AttachStderr': True, 'Tty': False}
    with pytest.raises(DockerError) as info:
        client.exec_probe('stopped', ['true'], 5, 1024)
    assert info.value.msg == 'Docker exec_probe stopped failed: Container stopped is not running'
    assert client.calls == {'read': 0, 'write': 3} and client._api is None


def test_writes_go_through_http_client_without_the_sdk(engine):
    client = DockerClient(engine)
    client.create_volume('v1', {'io.kubernetes.pod.uid': 'u'})
    assert client.create_container('k8s_app', {'Image': 'busybox', 'Cmd': None, 'Labels': {}}) == 'new1'
    client.start('new1')
    client.stop('new1', 7)
    client.stop('gone', 2)  # a container already gone is stopped
    client.remove_container('new1')
    client.remove_container('gone')
    client.remove_volume('v1')
    assert [item for item in Engine.seen if item[0] != '/_ping'] == [
        ('/volumes/create', {'Name': 'v1', 'Driver': 'local', 'Labels': {'io.kubernetes.pod.uid': 'u'}}),
        ('/containers/create?name=k8s_app', {'Image': 'busybox', 'Labels': {}}),  # None left out, as the SDK does
        ('/containers/new1/start', None), ('/containers/new1/stop?t=7', None), ('/containers/gone/stop?t=2', None),
        ('/containers/new1?v=0&force=1', None), ('/containers/gone?v=0&force=1', None), ('/volumes/v1?force=1', None)]
    assert client.calls == {'read': 0, 'write': 8} and client._api is None


def test_write_errors_name_the_call(engine):
    with pytest.raises(DockerError) as info:
        DockerClient(engine).start('gone')
    assert info.value.msg == 'Docker start gone failed: boom'


def test_calls_at_work_are_bounded_and_waits_are_not(engine, monkeypatch):
    """At most MAX_ENGINE_CALLS calls work at once; a call that waits (a stop) takes no slot."""
    client = DockerClient(engine)
    inside, most, gate = [0], [0], threading.Event()
    lock = threading.Lock()

    def held(*_args):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        gate.wait(5)
        with lock:
            inside[0] -= 1
        return {'Id': 'x'}
    monkeypatch.setattr(client._reads, 'get', held)
    monkeypatch.setattr(client._reads, 'once', held)
    workers = [threading.Thread(target=client.inspect_container, args=('c%d' % n,))
               for n in range(docker_client.MAX_ENGINE_CALLS + 4)]
    workers += [threading.Thread(target=client.stop, args=('s%d' % n, 30)) for n in range(5)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 5
    while inside[0] < docker_client.MAX_ENGINE_CALLS + 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert inside[0] == docker_client.MAX_ENGINE_CALLS + 5  # 8 inspects at work and the 5 stops waiting
    gate.set()
    for worker in workers:
        worker.join(5)
    assert most[0] == docker_client.MAX_ENGINE_CALLS + 5 and client.calls['read'] == docker_client.MAX_ENGINE_CALLS + 4


@pytest.mark.parametrize('container, error, expected', [
    ('c1', 'broken', None),                       # broken off, the container still runs
    ('done', 'broken', 137),                      # broken off as it was killed: its exit code
    ('gone', 'broken', DockerError),              # removed under the wait: a clear error, never "still running"
    ('gone', 'timeout', DockerError),             # a read that ended before its time: asked again by an inspect
])
def test_a_wait_the_engine_breaks_off_is_answered_from_an_inspect(engine, monkeypatch, container, error, expected):
    import requests.exceptions
    raised = requests.exceptions.ReadTimeout('read timed out') if error == 'timeout' else \
        requests.exceptions.ConnectionError('Connection aborted.')

    class Sdk:
        def wait(self, container_id, timeout):
            raise raised

    monkeypatch.setattr(docker_client.DockerClient, 'api', property(lambda self: Sdk()))
    client = DockerClient(engine)
    inspected = {'c1': {'State': {'Running': True}}, 'done': {'State': {'Running': False, 'ExitCode': 137}}}
    monkeypatch.setattr(client, 'inspect_container', inspected.get)
    if expected is DockerError:
        with pytest.raises(DockerError) as info:
            client.wait(container, 5)
        assert info.value.msg == 'Docker wait gone failed: No such container: gone'
    else:
        assert client.wait(container, 5) == expected
