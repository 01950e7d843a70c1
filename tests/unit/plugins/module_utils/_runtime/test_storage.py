"""Unit tests of _runtime.storage's disk usage: du's count (blocks), hard links once."""

import os

from ansible_collections.hostpods.core.plugins.module_utils._runtime import storage


def blocks(path):
    return os.lstat(path).st_blocks * 512


def test_disk_usage_counts_blocks_of_files_and_directories_and_hard_links_once(tmp_path):
    (tmp_path / 'sub').mkdir()
    data = tmp_path / 'sub' / 'data'
    data.write_bytes(os.urandom(300 * 1024))
    os.link(str(data), str(tmp_path / 'again'))
    os.symlink('sub/data', str(tmp_path / 'link'))
    expected = sum(blocks(str(p)) for p in (tmp_path, tmp_path / 'sub', data, tmp_path / 'link'))
    assert storage.disk_usage(str(tmp_path)) == expected
    assert expected >= 300 * 1024
    assert storage.disk_usage(str(tmp_path / 'gone')) == 0
    assert storage.disk_usage(str(data)) == blocks(str(data))
