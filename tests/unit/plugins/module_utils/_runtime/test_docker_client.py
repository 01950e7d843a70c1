"""Unit tests of the Docker client's reads through http.client, against a fake engine on a unix socket."""

import json
import socketserver
import threading
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
        elif url.path == '/networks/bridge':
            self.answer(200, {'IPAM': {'Config': [{'Subnet': '10.244.1.0/24'}]}})
        elif url.path == '/events':
            self.answer(200, b'{"Actor": {"Attributes": {"exitCode": "3"}}}\n{"Actor": {"Attributes": {"exitCode": "7"}}}\n')
        else:
            self.answer(500, {'message': 'boom'})


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
