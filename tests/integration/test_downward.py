"""The downward API for env on the real engine: what printenv shows inside the container."""

import socket

from harness import docker, pod, sleeper


def test_env_from_field_and_resource_refs(pods):
    name = pods.name('dapi')
    env = [
        {'name': 'MY_POD', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.name'}}},
        {'name': 'MY_NS', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.namespace'}}},
        {'name': 'MY_UID', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.uid'}}},
        {'name': 'MY_APP', 'valueFrom': {'fieldRef': {'fieldPath': "metadata.labels['app']"}}},
        {'name': 'MY_NOTE', 'valueFrom': {'fieldRef': {'fieldPath': "metadata.annotations['note']"}}},
        {'name': 'MY_NODE', 'valueFrom': {'fieldRef': {'fieldPath': 'spec.nodeName'}}},
        {'name': 'MY_IP', 'valueFrom': {'fieldRef': {'fieldPath': 'status.podIP'}}},
        {'name': 'MY_HOST_IP', 'valueFrom': {'fieldRef': {'fieldPath': 'status.hostIP'}}},
        {'name': 'MY_MEM', 'valueFrom': {'resourceFieldRef': {'resource': 'limits.memory', 'divisor': '1Mi'}}},
        {'name': 'MY_CPU', 'valueFrom': {'resourceFieldRef': {'resource': 'limits.cpu', 'divisor': '1m'}}},
        {'name': 'WHO', 'value': '$(MY_POD)@$(MY_IP)'},
    ]
    manifest = pod(name, [sleeper('app', env=env, resources={'limits': {'cpu': '250m', 'memory': '48Mi'}})],
                   labels={'app': 'shop'}, annotations={'note': 'hi'}, terminationGracePeriodSeconds=1)
    result = pods.four_step(manifest)
    obj = result['pods'][0]
    uid, ip = obj['metadata']['uid'], obj['status']['podIP']
    printed = docker('exec', 'k8s_app_%s_default_%s_0' % (name, uid), 'env')
    seen = dict(line.split('=', 1) for line in printed.splitlines() if '=' in line)
    assert seen['MY_POD'] == name and seen['MY_NS'] == 'default' and seen['MY_UID'] == uid
    assert seen['MY_APP'] == 'shop' and seen['MY_NOTE'] == 'hi'
    assert seen['MY_NODE'] == socket.gethostname() == obj['spec']['nodeName']
    assert seen['MY_IP'] == ip and seen['MY_HOST_IP'] == obj['status']['hostIP']
    assert seen['MY_MEM'] == '48' and seen['MY_CPU'] == '250'
    assert seen['WHO'] == '%s@%s' % (name, ip)
