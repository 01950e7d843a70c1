"""Unit tests of _runtime/schema_memo: valid documents remembered, invalid ones checked every time."""

import datetime
import os

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._runtime import schema_memo
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest


def pod(name='web', **spec):
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': name},
            'spec': dict({'containers': [{'name': 'c', 'image': 'busybox'}]}, **spec)}


@pytest.fixture
def counted(monkeypatch):
    """The number of documents the schema itself was asked about."""
    calls = []
    real = manifest._schema_errors

    def counting(doc, mistyped):
        calls.append(doc['metadata']['name'])
        return real(doc, mistyped)
    monkeypatch.setattr(manifest, '_schema_errors', counting)
    return calls


def test_a_valid_document_is_checked_once_and_then_remembered_on_disk(tmp_path, counted):
    check = schema_memo.schema_check(str(tmp_path))
    assert isinstance(check, schema_memo.SchemaMemo)
    manifest.load_manifests([(pod(), 'a.yaml')], check_schema=check)
    manifest.load_manifests([(pod(), 'a.yaml')], check_schema=schema_memo.schema_check(str(tmp_path)))
    assert counted == ['web']
    [memo_file] = os.listdir(str(tmp_path))
    assert memo_file.startswith('schema-valid-')


def test_an_invalid_document_is_refused_every_time_and_never_remembered(tmp_path, counted):
    bad = pod('bad', hostNetwork='yes')
    for _round in range(2):
        with pytest.raises(ManifestError) as info:
            manifest.load_manifests([(bad, 'b.yaml')], check_schema=schema_memo.schema_check(str(tmp_path)))
        assert 'spec.hostNetwork' in info.value.msg
    assert counted == ['bad', 'bad']
    assert not os.listdir(str(tmp_path))


def test_a_changed_document_is_checked_again(tmp_path, counted):
    manifest.load_manifests([(pod(), 'a.yaml')], check_schema=schema_memo.schema_check(str(tmp_path)))
    manifest.load_manifests([(pod(restartPolicy='Never'), 'a.yaml')],
                            check_schema=schema_memo.schema_check(str(tmp_path)))
    assert counted == ['web', 'web']


def test_another_schema_or_check_has_a_memo_of_its_own(tmp_path):
    first = schema_memo.SchemaMemo(b'release 1', str(tmp_path))
    first.remember(first.digest(pod()))
    assert schema_memo.SchemaMemo(b'release 1', str(tmp_path)).known(first.digest(pod()))
    assert not schema_memo.SchemaMemo(b'release 2', str(tmp_path)).known(first.digest(pod()))


def test_a_date_is_not_taken_for_the_string_it_prints_as():
    as_text = pod()
    as_text['metadata']['annotations'] = {'since': '2024-01-01'}
    as_date = pod()
    as_date['metadata']['annotations'] = {'since': datetime.date(2024, 1, 1)}
    assert schema_memo.SchemaMemo.digest(as_text) != schema_memo.SchemaMemo.digest(as_date)


def test_a_memo_that_cannot_be_written_is_no_memo_and_no_error(tmp_path, counted):
    blocked = tmp_path / 'file'
    blocked.write_text('not a directory')
    for _round in range(2):
        manifest.load_manifests([(pod(), 'a.yaml')], check_schema=schema_memo.schema_check(str(blocked / 'cache')))
    assert counted == ['web', 'web']


def test_without_kubernetes_validate_the_check_is_plain(monkeypatch):
    monkeypatch.setattr(schema_memo.importlib.util, 'find_spec', lambda name: None)
    assert schema_memo.schema_check() is True
