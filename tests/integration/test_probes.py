"""The probe handlers against the real engine, run as the node agent runs them: from the node, with Debian's
python3, python3-docker and python3-grpcio and no Ansible (``_runtime.probes.ProbeRunner``). A busybox pod made
with the module serves HTTP (httpd) on a named port; exec probes run in it through the engine; gRPC health
servers (grpcio, messages from protobuf descriptors, not from our hand encoding) run on loopback. Outcomes
and loose time bounds only."""

import json
import subprocess
import time

import pytest

from harness import BUSYBOX, Pods, cleanup, docker, new_prefix, ok, pod
from hostpods_paths import COLLECTIONS_ROOT

SYSTEM_PYTHON = '/usr/bin/python3'

RUN_PROBES = r'''
import json, sys, time
sys.path.insert(0, sys.argv[1])
try:
    import ansible  # noqa: F401
    sys.exit('ansible is importable here: the test proves nothing')
except ImportError:
    pass
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import DockerClient
from ansible_collections.hostpods.core.plugins.module_utils._runtime.probes import ProbeError, ProbeRunner
runner = ProbeRunner(DockerClient())
out = []
for probe, target in json.loads(sys.argv[2]):
    started = time.monotonic()
    try:
        result, output = runner.run(probe, target)
    except ProbeError as exc:
        result, output = 'error', str(exc)
    out.append([result, output, time.monotonic() - started])
print(json.dumps(out))
'''

HEALTH_SERVER = r'''
import sys
from concurrent import futures
import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

Field = descriptor_pb2.FieldDescriptorProto
proto = descriptor_pb2.FileDescriptorProto(name='health.proto', package='grpc.health.v1', syntax='proto3')
proto.message_type.add(name='HealthCheckRequest').field.add(
    name='service', number=1, type=Field.TYPE_STRING, label=Field.LABEL_OPTIONAL)
answer = proto.message_type.add(name='HealthCheckResponse')
serving = answer.enum_type.add(name='ServingStatus')
for number, name in enumerate(['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN']):
    serving.value.add(name=name, number=number)
answer.field.add(name='status', number=1, type=Field.TYPE_ENUM, label=Field.LABEL_OPTIONAL,
                 type_name='.grpc.health.v1.HealthCheckResponse.ServingStatus')
pool = descriptor_pool.DescriptorPool()
pool.AddSerializedFile(proto.SerializeToString())
factory = message_factory.MessageFactory(pool)
Request = factory.GetPrototype(pool.FindMessageTypeByName('grpc.health.v1.HealthCheckRequest'))
Response = factory.GetPrototype(pool.FindMessageTypeByName('grpc.health.v1.HealthCheckResponse'))
STATUS = {'': 1, 'web': 1, 'down': 2}


def check(request, context):
    if request.service not in STATUS:
        context.abort(grpc.StatusCode.NOT_FOUND, 'unknown service')
    return Response(status=STATUS[request.service])


server = grpc.server(futures.ThreadPoolExecutor(2))
if sys.argv[1] == 'health':
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler('grpc.health.v1.Health', {
        'Check': grpc.unary_unary_rpc_method_handler(check, request_deserializer=Request.FromString,
                                                     response_serializer=Response.SerializeToString)}),))
port = server.add_insecure_port('127.0.0.1:0')
server.start()
print(port, flush=True)
sys.stdin.read()
server.stop(0)
'''


def run_probes(*cases):
    """``[(result, output, seconds)]`` of each ``(probe, target)``, run by Debian's python3 without Ansible."""
    proc = subprocess.run([SYSTEM_PYTHON, '-I', '-c', RUN_PROBES, COLLECTIONS_ROOT, json.dumps(cases)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [tuple(item) for item in json.loads(proc.stdout)]


WEB = {'name': 'web', 'image': BUSYBOX, 'env': [{'name': 'FILE', 'value': '/tmp/ok'}],
       'ports': [{'name': 'http', 'containerPort': 8080}],
       'command': ['sh', '-c', 'mkdir -p /www && echo hello > /www/index.html && echo ok > /tmp/ok '
                               '&& exec httpd -f -p 8080 -h /www']}


@pytest.fixture(scope='module')
def web(tmp_path_factory):
    """A running busybox pod serving HTTP: ``(target, container name)``."""
    prefix = new_prefix()
    runner = Pods(str(tmp_path_factory.mktemp('probes')), prefix)
    try:
        result = ok(runner.apply(pod(runner.name('probed'), [WEB], terminationGracePeriodSeconds=1)))
        status = result['pods'][0]['status']
        container_id = status['containerStatuses'][0]['containerID'].split('://', 1)[1]
        target = {'containerID': container_id, 'podIP': status['podIP'], 'container': WEB}
        for _attempt in range(50):  # httpd listens a moment after the start
            if run_probes(({'tcpSocket': {'port': 8080}, 'timeoutSeconds': 1}, target))[0][0] == 'success':
                break
            time.sleep(0.2)
        yield target, docker('inspect', '--format', '{{.Name}}', container_id).lstrip('/')
    finally:
        cleanup(prefix)


def probe(handler, timeout=1, **fields):
    return dict(handler, timeoutSeconds=timeout, **fields)


# ----------------------------------------------------------------------------- exec

def test_exec_success_failure_and_static_env_expansion(web):
    target, _name = web
    found = run_probes((probe({'exec': {'command': ['cat', '$(FILE)']}}), target),
                       (probe({'exec': {'command': ['cat', '/tmp/missing']}}), target),
                       (probe({'exec': {'command': ['sh', '-c', 'echo out; echo err >&2; exit 3']}}), target))
    assert found[0][:2] == ('success', 'ok\n')
    assert found[1][0] == 'failure' and "can't open '/tmp/missing'" in found[1][1]
    assert found[2][:2] == ('failure', 'out\nerr\n')
    assert all(seconds < 5 for _r, _o, seconds in found)


def test_exec_timeout_kills_what_it_started(web):
    target, name = web
    found = run_probes((probe({'exec': {'command': ['sh', '-c', 'sleep 31 & sleep 32']}}, timeout=1), target),
                       (probe({'exec': {'command': ['sleep', '33']}}, timeout=2), target))
    assert found[0][:2] == ('failure', 'command "sh -c sleep 31 & sleep 32" timed out')
    assert found[1][:2] == ('failure', 'command "sleep 33" timed out')
    assert 0.9 < found[0][2] < 6 and 1.9 < found[1][2] < 7
    left = docker('top', name, '-o', 'pid,args')
    assert 'sleep 31' not in left and 'sleep 32' not in left and 'sleep 33' not in left, left


def test_exec_in_a_container_that_is_gone_errors(web):
    target, _name = web
    found = run_probes((probe({'exec': {'command': ['true']}}), dict(target, containerID='0' * 64)))
    assert found[0][0] == 'error' and 'No such container' in found[0][1]


# ----------------------------------------------------------------------------- httpGet and tcpSocket

def test_http_get_from_the_node_to_the_pod_ip(web):
    target, _name = web
    ip = target['podIP']
    found = run_probes((probe({'httpGet': {'port': 8080, 'path': '/', 'scheme': 'HTTP'}}), target),
                       (probe({'httpGet': {'port': 'http', 'path': '/index.html', 'scheme': 'HTTP'}}), target),
                       (probe({'httpGet': {'port': 8080, 'path': '/missing', 'scheme': 'HTTP'}}), target),
                       (probe({'httpGet': {'port': 8081, 'path': '/', 'scheme': 'HTTP'}}), target),
                       (probe({'httpGet': {'port': 'admin', 'path': '/', 'scheme': 'HTTP'}}), target))
    assert found[0][:2] == ('success', 'hello\n')
    assert found[1][:2] == ('success', 'hello\n')
    assert found[2][:2] == ('failure', 'HTTP probe failed with statuscode: 404')
    assert found[3][:2] == ('failure', 'Get "http://%s:8081/": dial tcp %s:8081: connect: connection refused' % (ip, ip))
    assert found[4][:2] == ('error', 'port "admin" is not a port of the container')


def test_tcp_socket_from_the_node(web):
    target, _name = web
    ip = target['podIP']
    found = run_probes((probe({'tcpSocket': {'port': 'http'}}), target),
                       (probe({'tcpSocket': {'port': 9000}}), target))
    assert found[0][:2] == ('success', '')
    assert found[1][:2] == ('failure', 'dial tcp %s:9000: connect: connection refused' % ip)


# ----------------------------------------------------------------------------- grpc

@pytest.fixture
def health_server():
    """Start a grpcio server on loopback (``health``: with the health service; ``bare``: without); its port."""
    started = []

    def start(kind):
        proc = subprocess.Popen([SYSTEM_PYTHON, '-I', '-c', HEALTH_SERVER, kind], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        started.append(proc)
        return int(proc.stdout.readline())

    yield start
    for proc in started:
        proc.stdin.close()
        proc.wait(10)


def test_grpc_health_with_service(health_server):
    port, bare = health_server('health'), health_server('bare')
    loopback = {'containerID': '', 'podIP': '127.0.0.1', 'container': {'name': 'web'}}
    closed = port + 1 if port + 1 != bare else port + 2
    found = run_probes(*[(probe({'grpc': {'port': p, 'service': service}}), loopback) for p, service in (
        (port, ''), (port, 'web'), (port, 'down'), (port, 'other'), (bare, ''), (closed, ''))])
    assert found[0][:2] == ('success', 'service healthy')
    assert found[1][:2] == ('success', 'service healthy')
    assert found[2][:2] == ('failure', 'service unhealthy (responded with "NOT_SERVING")')
    assert found[3][:2] == ('failure', 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service')
    assert found[4][0] == 'failure' and found[4][1].startswith(
        'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ')
    assert found[5][:2] == ('failure', 'timeout: failed to connect service "127.0.0.1:%d" within 1s: '
                                       'context deadline exceeded' % closed)
    assert 0.9 < found[5][2] < 5
