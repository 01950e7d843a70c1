"""Unit tests of what the hostpods command makes of data: kubectl run's manifest, top's units, explain's text."""

import importlib.util
import io
import os
import sys

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._cli import explain, main, top
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError, dump
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import fields
from ansible_collections.hostpods.core.plugins.module_utils._spec.generators import run_manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec.manifest import load_pods
from hostpods_paths import ROOT

RUN_YAML = '''\
apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    run: web
  name: web
spec:
  containers:
  - args:
    - httpd
    - -f
    - -p
    - "80"
    image: busybox
    name: web
    ports:
    - containerPort: 80
    resources: {}
  dnsPolicy: ClusterFirst
  restartPolicy: Always
status: {}'''


def test_run_manifest_is_kubectls():
    pod = run_manifest('web', 'busybox', port=80, args=['httpd', '-f', '-p', '80'])
    assert dump(pod, 'yaml') == RUN_YAML


def test_run_manifest_options():
    pod = run_manifest('job', 'busybox', env=['A=1', 'B=x=y'], labels='app=job,tier=batch', annotations=['note=hi'],
                       restart='Never', command=['sh', '-c', 'date'], pull_policy='IfNotPresent')
    container = pod['spec']['containers'][0]
    assert container['command'] == ['sh', '-c', 'date'] and 'args' not in container
    assert container['env'] == [{'name': 'A', 'value': '1'}, {'name': 'B', 'value': 'x=y'}]
    assert container['imagePullPolicy'] == 'IfNotPresent'
    assert pod['metadata']['labels'] == {'app': 'job', 'tier': 'batch'}
    assert pod['metadata']['annotations'] == {'note': 'hi'}
    assert pod['spec']['restartPolicy'] == 'Never'
    # what kubectl run generates is a manifest hostpods applies as it is
    assert load_pods([(pod, 'run')])[0]['metadata']['name'] == 'job'


def test_run_manifest_from_dicts_and_both_command_and_args():
    pod = run_manifest('web', 'busybox', env={'A': 1}, labels={'app': 'web'}, annotations={'note': 'hi'},
                       command=['sh', '-c'], args=['echo $0', 'x'], port='8080')
    container = pod['spec']['containers'][0]
    assert (container['command'], container['args']) == (['sh', '-c'], ['echo $0', 'x'])
    assert container['env'] == [{'name': 'A', 'value': '1'}] and container['ports'] == [{'containerPort': 8080}]
    assert (pod['metadata']['labels'], pod['metadata']['annotations']) == ({'app': 'web'}, {'note': 'hi'})


@pytest.mark.parametrize('kwargs, message', [
    ({'env': ['NOVALUE']}, 'invalid env: "NOVALUE"'), ({'labels': 'a'}, 'invalid label: "a"'),
    ({'pull_policy': 'Sometimes'}, 'invalid image pull policy: Sometimes'),
    ({'restart': 'Sometimes'}, 'invalid restart policy: Sometimes'), ({'image': ''}, 'required flag(s) "image" not set')])
def test_run_manifest_refuses(kwargs, message):
    with pytest.raises(ManifestError) as caught:
        run_manifest('web', **dict({'image': 'busybox'}, **kwargs))
    assert caught.value.msg == message


# ----------------------------------------------------------------------------- top

def stats(used, system, memory, inactive=0, cpus=2):
    return {'cpu_stats': {'cpu_usage': {'total_usage': 1000 + used}, 'system_cpu_usage': 10 ** 9 + system,
                          'online_cpus': cpus},
            'precpu_stats': {'cpu_usage': {'total_usage': 1000}, 'system_cpu_usage': 10 ** 9},
            'memory_stats': {'usage': memory, 'stats': {'inactive_file': inactive}}}


def test_cpu_millicores_and_working_set():
    assert top.cpu_millicores(stats(25, 100, 0)) == 500   # a quarter of 2 cpus
    assert top.cpu_millicores({'cpu_stats': {}, 'precpu_stats': {}}) == 0
    assert top.memory_bytes(stats(0, 1, 64 * top.MI, inactive=16 * top.MI)) == 48 * top.MI
    assert top.memory_bytes({'memory_stats': {'usage': 10, 'stats': {'total_inactive_file': 4}}}) == 6


def test_top_rows_sum_running_containers():
    pod = {'metadata': {'name': 'web', 'namespace': 'default'}, 'status': {'containerStatuses': [
        {'name': 'app', 'containerID': 'docker://a', 'state': {'running': {}}},
        {'name': 'side', 'containerID': 'docker://b', 'state': {'running': {}}},
        {'name': 'done', 'containerID': 'docker://c', 'state': {'terminated': {}}}]}}
    samples = {'a': stats(10, 100, 10 * top.MI), 'b': stats(5, 100, 5 * top.MI), 'c': stats(50, 100, top.MI)}
    assert top.render(top.usage_rows([pod], samples)).splitlines() == [
        'NAME   CPU(cores)   MEMORY(bytes)', 'web    300m         15Mi']
    assert top.render(top.usage_rows([pod], samples, containers=True), containers=True).splitlines() == [
        'POD   NAME   CPU(cores)   MEMORY(bytes)', 'web   app    200m         10Mi', 'web   side   100m         5Mi']


# ----------------------------------------------------------------------------- explain

@pytest.mark.parametrize('path, status', [
    ([], 'supported'),
    (['spec', 'containers', 'ports', 'hostPort'], 'supported'),
    (['spec', 'containers', 'volumeDevices'], 'unsupported'),
    (['spec', 'containers', 'volumeDevices', 'devicePath'], 'unsupported'),
    (['spec', 'containers', 'livenessProbe', 'exec'], 'supported'),
    (['spec', 'schedulerName'], 'supported'),
    (['spec', 'affinity', 'podAntiAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'topologyKey'], 'supported'),
    (['status', 'phase'], 'ignored'),
    (['metadata', 'labels'], 'supported'),
])
def test_support_comes_from_the_field_tree(path, status):
    assert fields.support(path)[0] == status


def test_support_says_how():
    assert fields.support(['spec', 'containers', 'ports', 'hostPort'])[1] == \
        'supported: published on the sandbox (hostIP and protocol honoured)'
    assert fields.support(['spec', 'schedulerName'])[1].startswith('supported: default-scheduler is hostpods\' scheduler')


DEFINITIONS = {
    'io.k8s.api.core.v1.Pod': {'description': 'Pod is a collection of containers.', 'properties': {
        'spec': {'$ref': '#/$defs/io.k8s.api.core.v1.PodSpec', 'description': 'Specification of the pod.'},
        'kind': {'type': ['string', 'null'], 'description': 'Kind of object.'}}},
    'io.k8s.api.core.v1.PodSpec': {'description': 'PodSpec is a description of a pod.', 'required': ['containers'],
                                   'properties': {
        'containers': {'type': 'array', 'items': {'$ref': '#/$defs/io.k8s.api.core.v1.Container'},
                       'description': 'List of containers belonging to the pod.'},
        'nodeSelector': {'type': 'object', 'additionalProperties': {'type': 'string'}, 'description': 'Selector.'},
        'overhead': {'type': 'object', 'additionalProperties': {'$ref': '#/$defs/Quantity'}, 'description': 'Overhead.'}}},
    'io.k8s.api.core.v1.Container': {'description': 'A single application container.', 'properties': {
        'image': {'type': ['string', 'null'], 'description': 'Container image name.'},
        'volumeDevices': {'type': 'array', 'items': {'$ref': '#/$defs/io.k8s.api.core.v1.VolumeDevice'},
                          'description': 'Block devices.'}}},
    'io.k8s.api.core.v1.VolumeDevice': {'description': 'A block device.', 'type': 'object', 'properties': {}},
    'Quantity': {'oneOf': [{'type': 'string'}, {'type': 'number'}]},
}

EXPLAINED = '''\
KIND:       Pod
VERSION:    v1

FIELD: containers <[]Container>


DESCRIPTION:
    List of containers belonging to the pod.
    A single application container.
<4 SPACES>
HOSTPODS:
    supported (field by field): each a Docker container
    k8s_<container>_<pod>_<namespace>_<uid>_<attempt> in the sandbox's network
    and IPC namespaces

FIELDS:
  image\t<string>
    Container image name.
    hostpods: supported

  volumeDevices\t<[]VolumeDevice>
    Block devices.
    hostpods: not supported yet: a manifest that sets it is refused

'''.replace('<4 SPACES>', '    ')  # kubectl's line of four spaces after a description


def test_explain_is_kubectls_layout_with_hostpods_support():
    schema = explain.Schema(DEFINITIONS)
    assert explain.explain('Pod', ['spec', 'containers'], schema) == EXPLAINED
    spec = explain.explain('Pod', ['spec'], schema, recursive=True)
    assert 'FIELD: spec <PodSpec>' in spec
    assert '  containers\t<[]Container> -required-\n    image\t<string>\n' in spec
    assert '    volumeDevices\t<[]VolumeDevice> (hostpods: not supported yet)\n' in spec
    assert '  nodeSelector\t<map[string]string>\n' in spec and '  overhead\t<map[string]Quantity>\n' in spec


def test_explain_unknown_field():
    with pytest.raises(CliError) as info:
        explain.explain('Pod', ['spec', 'nope'], explain.Schema(DEFINITIONS))
    assert info.value.message == 'field "nope" does not exist'


def test_the_shipped_schema_is_what_the_package_gives():
    """_spec/schema/v1.json is scripts/make-schema.py's output from the kubernetes-validate package of the venv."""
    spec = importlib.util.spec_from_file_location('make_schema', os.path.join(ROOT, 'scripts', 'make-schema.py'))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with open(explain.SCHEMA_FILE, encoding='utf-8') as handle:
        assert handle.read() == script.build(), 'run: .venv/bin/python scripts/make-schema.py'
    assert os.path.getsize(explain.SCHEMA_FILE) < 300000


def test_explain_reads_the_shipped_schema_without_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, 'kubernetes_validate', None)  # any import of it fails
    out = io.StringIO()
    assert main(['explain', 'pod.spec.volumes.projected.sources.serviceAccountToken'], stdout=out) == 0
    text = out.getvalue()
    assert text.startswith('KIND:       Pod\nVERSION:    v1\n\nFIELD: serviceAccountToken <ServiceAccountTokenProjection>'
                           '\n\n\nDESCRIPTION:\n    serviceAccountToken is information about the serviceAccountToken data to')
    assert '\nHOSTPODS:\n    refused: needs the TokenRequest API' in text
    assert '  audience\t<string>\n    audience is the intended audience of the token.' in text


def test_support_of_a_field_refused_with_its_reason():
    path = ['spec', 'volumes', 'projected', 'sources', 'serviceAccountToken']
    assert fields.support(path) == ('refused', 'refused: needs the TokenRequest API, from an API server, which '
                                               'hostpods does not have')
    assert fields.support(path + ['audience'])[0] == 'refused'
    assert '    hostpods: refused: needs the TokenRequest API' in explain.explain(
        'Pod', path, explain.Schema(explain.schema_definitions()))
