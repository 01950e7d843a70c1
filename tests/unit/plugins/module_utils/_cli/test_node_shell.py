"""Unit tests of what the hostpods command sends to a node's own command through another machine's engine: the
command line (each option passed on as given, no shell quoting), and the manifests as one JSON List its library
reads without PyYAML."""

import json

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._cli import node_shell, parser
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest, yaml_bounds


def sent(argv):
    verb, rest, extra = parser.split_argv(argv)
    args = parser.build(verb).parse_args(rest)
    return node_shell.node_argv(verb, args, extra, bool(getattr(args, 'filename', None)))


@pytest.mark.parametrize('argv, expected', [
    (['--docker-host', 'tcp://n1:2375', 'apply', '-f', 'a.yaml', '-f', 'dir', '-R', '--prune', '--all', '-n', 'ns'],
     ['apply', '--namespace=ns', '--prune', '--all', '--filename=-']),
    (['apply', '-f', 'x', '--dry-run=server', '-l', 'app=web', '-l', 'tier in (a, b)', '--sandbox-image', 'p:1'],
     ['apply', '--selector=app=web', '--selector=tier in (a, b)', '--dry-run=server', '--sandbox-image=p:1',
      '--filename=-']),
    (['delete', 'pod', 'web', 'db', '--grace-period', '0', '--ignore-not-found'],
     ['delete', 'pod', 'web', 'db', '--grace-period=0', '--ignore-not-found']),
    (['delete', 'pods', '-l', 'app=web', '-A', '--now'], ['delete', 'pods', '--selector=app=web', '--all-namespaces', '--now']),
    (['diff', '-f', '-'], ['diff', '--filename=-']),
    (['run', 'once', '--image=busybox', '--restart=Never', '--env', 'A=$HOME "x"', '--command', '--', 'sh', '-c', 'echo $A; exit 3'],
     ['run', 'once', '--image=busybox', '--env=A=$HOME "x"', '--restart=Never', '--command', '--', 'sh', '-c',
      'echo $A; exit 3']),
])
def test_the_node_gets_each_option_as_given(argv, expected):
    assert sent(argv) == expected


def test_the_node_check_names_the_version_and_the_role():
    assert node_shell.VERBS == ('apply', 'delete', 'diff', 'run')
    assert node_shell.CHECK.endswith('exec /usr/local/bin/hostpods "$@"')
    assert '/usr/local/lib/hostpods/ansible_collections/hostpods/core/plugins/module_utils' in node_shell.CHECK


def test_one_json_document_reads_without_pyyaml(monkeypatch):
    listing = {'apiVersion': 'v1', 'kind': 'List', 'items': [{'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'a'}}]}
    monkeypatch.setattr(yaml_bounds, 'HAS_YAML', False)
    assert manifest.flatten(manifest.parse_text(json.dumps(listing), 'STDIN')) == [
        (listing['items'][0], 'STDIN (document 1) item 1')]
    with pytest.raises(manifest.ManifestError, match='PyYAML is required to read manifests'):
        manifest.parse_text('kind: Pod\n', 'STDIN')
