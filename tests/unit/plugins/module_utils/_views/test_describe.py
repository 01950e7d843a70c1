"""Unit tests of _views.describe.describe_pod: the text of kubectl describe pod, from a Pod object and events."""

import os
import time

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._views.describe import describe_pod, describe_probe, event_age
from ansible_collections.hostpods.core.plugins.module_utils._views.status import pod_object
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import epoch_seconds

from hostpods_fakes import T2, UID, container, exited, inspected, inspected_sandbox, pod

NOW = epoch_seconds('2024-05-01T11:00:00Z')


@pytest.fixture(autouse=True)
def utc():
    """Times print in the local zone, as kubectl's do: UTC here."""
    saved = os.environ.get('TZ')
    os.environ['TZ'] = 'UTC'
    time.tzset()
    yield
    if saved is None:
        del os.environ['TZ']
    else:
        os.environ['TZ'] = saved
    time.tzset()


def web():
    app = container('app', image='busybox:1.35', command=['sh', '-c', 'httpd -f\necho done'], args=['-v'],
                    ports=[{'containerPort': 80, 'name': 'http'}, {'containerPort': 443, 'hostPort': 8443}],
                    resources={'limits': {'memory': '64Mi', 'cpu': '500m'}, 'requests': {'cpu': '250m'}},
                    env=[{'name': 'MODE', 'value': 'prod'},
                         {'name': 'POD', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.name'}}},
                         {'name': 'IP', 'valueFrom': {'fieldRef': {'fieldPath': 'status.podIP'}}},
                         {'name': 'MEM', 'valueFrom': {'resourceFieldRef': {'resource': 'limits.memory', 'divisor': '1Mi'}}},
                         {'name': 'CPU_REQ', 'valueFrom': {'resourceFieldRef': {'resource': 'requests.cpu', 'divisor': '1m'}}},
                         {'name': 'PASS', 'valueFrom': {'secretKeyRef': {'name': 'db', 'key': 'password'}}},
                         {'name': 'LEVEL', 'valueFrom': {'configMapKeyRef': {'name': 'cfg', 'key': 'level', 'optional': True}}}],
                    envFrom=[{'configMapRef': {'name': 'cfg'}}, {'secretRef': {'name': 'db'}, 'prefix': 'DB_'}],
                    volumeMounts=[{'name': 'data', 'mountPath': '/var/data', 'subPath': 'x'},
                                  {'name': 'cfg', 'mountPath': '/etc/cfg', 'readOnly': True}])
    init = container('setup', command=['sh', '-c', 'true'])
    spec = dict(containers=[app], init=[init], labels={'app': 'web', 'tier': 'front'},
                annotations={'note': 'hello', 'long': 'x' * 150},
                volumes=[{'name': 'data', 'persistentVolumeClaim': {'claimName': 'data'}},
                         {'name': 'cfg', 'configMap': {'name': 'cfg'}},
                         {'name': 'scratch', 'emptyDir': {'medium': 'Memory', 'sizeLimit': '64Mi'}},
                         {'name': 'host', 'hostPath': {'path': '/srv', 'type': 'Directory'}},
                         {'name': 'info', 'downwardAPI': {'items': [{'path': 'labels', 'fieldRef': {'fieldPath': 'metadata.labels'}}]}},
                         {'name': 'all', 'projected': {'sources': [{'secret': {'name': 'db'}}, {'downwardAPI': {'items': []}},
                                                                   {'configMap': {'name': 'cfg', 'optional': True}}]}}],
                nodeSelector={'disk': 'ssd'},
                tolerations=[{'key': 'dedicated', 'operator': 'Equal', 'value': 'db', 'effect': 'NoSchedule'},
                             {'operator': 'Exists'},
                             {'key': 'node.kubernetes.io/unreachable', 'operator': 'Exists', 'effect': 'NoExecute',
                              'tolerationSeconds': 300}])
    applied = pod('web', **spec)
    instances = {'setup': [exited('s0', 0)],
                 'app': [exited('a0', 1), inspected('a1', attempt=1, started=T2)]}
    return pod_object(applied, UID, inspected_sandbox(), instances, node_name='node1', host_ip='10.0.0.7')


EXPECTED = '''\
Name:         web
Namespace:    default
Node:         node1/10.0.0.7
Start Time:   Wed, 01 May 2024 10:00:00 +0000
Labels:       app=web
              tier=front
Annotations:  long:
{long}
              note: hello
Status:       Running
IP:           172.17.0.5
IPs:
  IP:  172.17.0.5
Init Containers:
  setup:
    Container ID:  docker://s0
    Image:         busybox:1.35
    Image ID:      docker://sha256:abababababababababababababababababababababababababababababababab
    Port:          <none>
    Host Port:     <none>
    Command:
      sh
      -c
      true
    State:          Terminated
      Reason:       Completed
      Exit Code:    0
      Started:      Wed, 01 May 2024 10:00:00 +0000
      Finished:     Wed, 01 May 2024 10:05:00 +0000
    Ready:          True
    Restart Count:  0
    Environment:    <none>
    Mounts:         <none>
Containers:
  app:
    Container ID:  docker://a1
    Image:         busybox:1.35
    Image ID:      docker://sha256:abababababababababababababababababababababababababababababababab
    Ports:         80/TCP (http), 443/TCP
    Host Ports:    0/TCP (http), 8443/TCP
    Command:
      sh
      -c
      httpd -f
      echo done
    Args:
      -v
    State:          Running
      Started:      Wed, 01 May 2024 10:06:00 +0000
    Last State:     Terminated
      Reason:       Error
      Exit Code:    1
      Started:      Wed, 01 May 2024 10:00:00 +0000
      Finished:     Wed, 01 May 2024 10:05:00 +0000
    Ready:          True
    Restart Count:  1
    Limits:
      cpu:     500m
      memory:  64Mi
    Requests:
      cpu:     250m
      memory:  64Mi
    Environment Variables from:
      cfg  ConfigMap                 Optional: false
      db   Secret with prefix 'DB_'  Optional: false
    Environment:
      MODE:     prod
      POD:      web (v1:metadata.name)
      IP:       172.17.0.5 (v1:status.podIP)
      MEM:      64 (limits.memory)
      CPU_REQ:  250 (requests.cpu)
      PASS:     <set to the key 'password' in secret 'db'>    Optional: false
      LEVEL:    <set to the key 'level' of config map 'cfg'>  Optional: true
    Mounts:
      /etc/cfg from cfg (ro)
      /var/data from data (rw,path="x")
Conditions:
  Type                        Status
  PodReadyToStartContainers   True<SP>
  Initialized                 True<SP>
  Ready                       True<SP>
  ContainersReady             True<SP>
  PodScheduled                True<SP>
Volumes:
  data:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  data
    ReadOnly:   false
  cfg:
    Type:      ConfigMap (a volume populated by a ConfigMap)
    Name:      cfg
    Optional:  false
  scratch:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     Memory
    SizeLimit:  64Mi
  host:
    Type:          HostPath (bare host directory volume)
    Path:          /srv
    HostPathType:  Directory
  info:
    Type:  DownwardAPI (a volume populated by information about the pod)
    Items:
      metadata.labels -> labels
  all:
    Type:           Projected (a volume that contains injected data from multiple sources)
    SecretName:     db
    Optional:       false
    DownwardAPI:    true
    ConfigMapName:  cfg
    Optional:       true
QoS Class:          Burstable
Node-Selectors:     disk=ssd
Tolerations:        op=Exists
                    dedicated=db:NoSchedule
                    node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
'''.replace('{long}', ' ' * 16 + 'x' * 138 + '...').replace('<SP>', ' ')  # kubectl's trailing spaces

EVENTS = '''\
Events:
  Type     Reason     Age                From            Message
  ----     ------     ----               ----            -------
  Normal   Pulled     60m                hostpods        spec.containers{app}: Container image "busybox:1.35" already present on machine
  Warning  Unhealthy  54m (x4 over 59m)  hostpods-agent  spec.containers{app}: Readiness probe failed: connection refused
'''


def test_describe_pod_is_kubectls_text():
    assert describe_pod(web(), events=None, now=NOW) == EXPECTED


def test_no_events_align_with_the_last_block():
    assert describe_pod(web(), now=NOW).endswith('for 300s\nEvents:             <none>\n')


def test_events_table_oldest_first_with_repeats():
    events = [
        {'type': 'Warning', 'reason': 'Unhealthy', 'message': 'Readiness probe failed: connection refused ', 'count': 4,
         'firstTimestamp': '2024-05-01T10:01:00Z', 'lastTimestamp': '2024-05-01T10:06:00Z',
         'source': {'component': 'hostpods-agent'}, 'involvedObject': {'fieldPath': 'spec.containers{app}'}},
        {'type': 'Normal', 'reason': 'Pulled', 'message': 'Container image "busybox:1.35" already present on machine',
         'count': 1, 'firstTimestamp': '2024-05-01T10:00:00Z', 'lastTimestamp': '2024-05-01T10:00:00Z',
         'source': {'component': 'hostpods'}, 'involvedObject': {'fieldPath': 'spec.containers{app}'}},
    ]
    text = describe_pod(web(), events, now=NOW)
    assert text.endswith('for 300s\n' + EVENTS)  # a block of its own (kubectl flushes before the events)


def test_event_age():
    assert event_age({'firstTimestamp': '2024-05-01T10:59:30Z', 'count': 1}, NOW) == '30s'
    assert event_age({'firstTimestamp': '2024-05-01T10:00:00Z', 'lastTimestamp': '2024-05-01T10:58:00Z', 'count': 3},
                     NOW) == '2m (x3 over 60m)'


@pytest.mark.parametrize('probe, text', [
    ({'httpGet': {'path': '/healthz', 'port': 8080}}, 'http-get http://:8080/healthz'),
    ({'httpGet': {'path': '/', 'port': 'http', 'scheme': 'HTTPS', 'host': 'x'}, 'periodSeconds': 3}, 'https://x:http/'),
    ({'tcpSocket': {'port': 5432}}, 'tcp-socket :5432'),
    ({'exec': {'command': ['cat', '/tmp/ok']}, 'initialDelaySeconds': 5}, 'exec [cat /tmp/ok] delay=5s'),
    ({'grpc': {'port': 9090}}, 'grpc <pod>:9090 '),
])
def test_probe_lines(probe, text):
    line = describe_probe(probe)
    assert text in line
    assert line.endswith('successThreshold=1 failureThreshold=3')


def test_pending_pod_without_status():
    text = describe_pod(pod_object(pod('new'), UID, None, {}), [], now=NOW)
    assert 'Node:         <none>\n' in text and 'IPs:          <none>\n' in text
    assert '    State:          Waiting\n      Reason:       ContainerCreating\n' in text


def test_readiness_gates_before_the_conditions_as_kubectl_shows_them():
    applied = pod('gated', containers=[container('app')], readinessGates=[{'conditionType': 'example.com/lb'},
                                                                          {'conditionType': 'Initialized'}])
    text = describe_pod(pod_object(applied, UID, inspected_sandbox(), {'app': [inspected('a0', status='running')]}),
                        [], now=NOW)
    gates = text[text.index('Readiness Gates:'):text.index('Conditions:')]
    assert [line.split() for line in gates.splitlines()] == [
        ['Readiness', 'Gates:'], ['Type', 'Status'], ['example.com/lb', '<none>'], ['Initialized', 'True']]
    conditions = text[text.index('Conditions:'):].splitlines()
    assert ['Ready', 'False'] in [line.split() for line in conditions]


def test_an_image_volume_is_described_as_kubectl_describes_it():
    applied = pod('img', volumes=[{'name': 'tools', 'image': {'reference': 'busybox:1.35', 'pullPolicy': 'IfNotPresent'}}])
    text = describe_pod(pod_object(applied, UID, None, {}), [], now=NOW)
    volumes = text[text.index('Volumes:'):]
    assert volumes.startswith('Volumes:\n  tools:\n    Type:        Image (a container image or OCI artifact)\n'
                              '    Reference:   busybox:1.35\n    PullPolicy:  IfNotPresent\n'), volumes
