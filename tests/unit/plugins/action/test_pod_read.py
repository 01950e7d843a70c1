"""The pod action plugin reads manifest files within bounds: a file over the size bound or not UTF-8 is refused by name."""

import os

import pytest

from ansible_collections.hostpods.core.plugins.action.pod import ActionModule
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import bounds


def test_reads_a_manifest_file(tmp_path):
    path = tmp_path / 'web.yaml'
    path.write_text('kind: Pod\n')
    assert ActionModule._read(str(path)) == 'kind: Pod\n'


def test_a_file_over_the_bound_is_refused_by_name_without_reading_it_all(tmp_path):
    path = tmp_path / 'huge.yaml'
    with open(str(path), 'wb') as handle:
        handle.truncate(64 * 1024 * 1024)   # sparse: 64 MiB of NUL bytes
    with pytest.raises(ManifestError) as info:
        ActionModule._read(str(path))
    assert info.value.msg == '%s: Too long: %d bytes: hostpods reads at most %d bytes (8 MiB) of manifests from one ' \
        'file or text' % (os.path.relpath(str(path)), 64 * 1024 * 1024, bounds.MAX_TEXT_BYTES)


def test_a_file_that_is_not_utf8_is_refused_by_name(tmp_path):
    path = tmp_path / 'binary.yaml'
    path.write_bytes(b'kind: Pod\nname: \xff\xfe\n')
    with pytest.raises(ManifestError) as info:
        ActionModule._read(str(path))
    assert info.value.msg == '%s: cannot read manifest: not UTF-8 text (invalid start byte)' % os.path.relpath(str(path))
