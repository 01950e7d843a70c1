"""How the hostpods.core.pods inventory reaches nodes: the zip of module_utils and the library call run in a
node container (here: run by a stand-in docker CLI with this Python), and the nodes of a cluster."""

import io
import sys
import zipfile

import pytest

from ansible_collections.hostpods.core.plugins.plugin_utils import _nodes
from ansible_collections.hostpods.core.plugins.plugin_utils._docker_exec import DockerCli

import hostpods_fake_docker as fake


def node_container(name, index, cluster='dev'):
    return {'Id': 'id-%s' % name, 'Name': '/' + name,
            'Config': {'Labels': {_nodes.CLUSTER_LABEL: cluster, _nodes.NODE_INDEX_LABEL: str(index)}}}


def test_payload_is_module_utils_with_every_package_level():
    names = zipfile.ZipFile(io.BytesIO(_nodes.payload())).namelist()
    prefix = 'ansible_collections/hostpods/core/plugins/module_utils/'
    for level in ('ansible_collections/', 'ansible_collections/hostpods/', 'ansible_collections/hostpods/core/',
                  'ansible_collections/hostpods/core/plugins/', prefix):
        assert level + '__init__.py' in names
    assert prefix + '_kubectl.py' in names and prefix + '_runtime/docker_client.py' in names
    assert not [name for name in names if '__pycache__' in name or not name.endswith('.py')]
    assert _nodes.payload() is _nodes.payload()


def test_remote_call_runs_a_library_call_in_the_container(tmp_path, monkeypatch):
    docker = fake.install(tmp_path, monkeypatch)
    cli = DockerCli(docker[0])
    answer = _nodes.remote_call(cli, 'node1', '_spec.selectors.parse', ['app=web'], python=sys.executable)
    assert answer == [['app', '=', "{'web'}"]]
    assert fake.calls(docker[1]) == [['exec', '-i', 'node1', sys.executable, '-c', _nodes.BOOTSTRAP]]
    failed = _nodes.remote_call(cli, 'node1', '_spec.selectors.parse', ['a b c'], python=sys.executable)
    assert failed['failed'] is True and failed['msg'].startswith('invalid label selector "a b c"')


def test_node_pods_of_a_node_container_that_cannot_reach_its_engine(tmp_path, monkeypatch):
    docker = fake.install(tmp_path, monkeypatch)
    node = {'container': 'node1', 'python': sys.executable}
    with pytest.raises(_nodes.NodeError, match='Cannot reach the Docker engine at unix:///nonexistent/docker.sock'):
        _nodes.node_pods(node, {'all_namespaces': True, 'docker_host': 'unix:///nonexistent/docker.sock'}, docker[0])


def test_remote_call_failures(tmp_path, monkeypatch):
    docker = fake.install(tmp_path, monkeypatch)
    cli = DockerCli(docker[0])
    with pytest.raises(_nodes.NodeError, match='cannot run python3 in node container missing .rc 1.: Error response'):
        _nodes.remote_call(cli, 'missing', '_spec.selectors.parse', [])
    with pytest.raises(_nodes.NodeError, match='answered no JSON'):
        _nodes.remote_call(cli, 'node1', '_spec.selectors.parse', [], python='true')


def test_cluster_nodes_by_number(tmp_path, monkeypatch):
    docker = fake.install(tmp_path, monkeypatch, [node_container('dev-node10', 10), node_container('dev-node2', 2),
                                                  node_container('other-node1', 1, cluster='other')])
    assert _nodes.cluster_nodes(DockerCli(docker[0]), 'dev') == ['dev-node2', 'dev-node10']
    assert fake.calls(docker[1]) == [['ps', '--filter', 'label=io.hostpods.cluster=dev', '--filter', 'label=io.hostpods.node',
                                      '--format', '{{.Label "io.hostpods.node"}} {{.Names}}']]
    assert _nodes.cluster_nodes(DockerCli(docker[0]), 'none') == []


def test_access_vars():
    assert _nodes.access_vars({}) == {}
    assert _nodes.access_vars({'container': 'n1', 'docker_host': 'tcp://h:2375'}, '/usr/bin/docker') == {
        'ansible_hostpods_node_container': 'n1', 'ansible_hostpods_docker_host': 'tcp://h:2375',
        'ansible_hostpods_docker_cli': '/usr/bin/docker'}
