"""Unit tests of _runtime.manifests: the files kubectl -f reads (-R for sub-directories, - for stdin)."""

import io

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._runtime.manifests import manifest_files, read_documents

POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec: {containers: [{name: a, image: busybox}]}\n'


@pytest.fixture
def tree(tmp_path):
    (tmp_path / 'b.yaml').write_text(POD % 'b')
    (tmp_path / 'a.json').write_text('{"apiVersion": "v1", "kind": "List", "items": [%s]}' % ', '.join(
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "%s"}}' % name for name in ('c1', 'c2')))
    (tmp_path / 'notes.txt').write_text('not a manifest')
    (tmp_path / 'sub').mkdir()
    (tmp_path / 'sub' / 'c.yml').write_text(POD % 'c' + '---\n' + POD % 'd')
    return tmp_path


def test_a_directory_is_its_manifest_files_in_name_order(tree):
    assert manifest_files(str(tree)) == [str(tree / 'a.json'), str(tree / 'b.yaml')]
    assert manifest_files(str(tree), recursive=True)[-1] == str(tree / 'sub' / 'c.yml')
    assert manifest_files(str(tree / 'notes.txt')) == [str(tree / 'notes.txt')]   # a file named is read whatever its name


def test_documents_lists_expanded_and_stdin(tree):
    names = [doc['metadata']['name'] for doc, _origin in read_documents([str(tree)], recursive=True)]
    assert names == ['c1', 'c2', 'b', 'c', 'd']
    [(doc, origin)] = read_documents(['-'], stdin=io.StringIO(POD % 'piped'))
    assert doc['metadata']['name'] == 'piped' and origin.startswith('STDIN')


def test_a_missing_path():
    with pytest.raises(ManifestError) as info:
        manifest_files('/nonexistent/web.yaml')
    assert info.value.msg == 'the path "/nonexistent/web.yaml" does not exist'
