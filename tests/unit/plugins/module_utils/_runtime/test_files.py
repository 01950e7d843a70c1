"""Unit tests of _runtime.files: the node's file primitives, in a temporary directory."""

import os

from ansible_collections.hostpods.core.plugins.module_utils._runtime import files
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming


def test_removing_the_last_file_prunes_the_directories_it_leaves_empty(tmp_path):
    store = str(tmp_path / 'objects')
    first, second = store + '/ns/configmaps/a.json', store + '/ns/secrets/s.json'
    files.write_file(first, '{}', private=True)
    files.write_file(second, '{}', private=True)
    files.remove_file(first, prune_up_to=store)
    assert sorted(os.listdir(store + '/ns')) == ['secrets']
    files.remove_file(second, prune_up_to=store)
    assert os.listdir(store) == []                 # the store itself stays
    files.remove_file(second, prune_up_to=store)   # already gone: nothing to do


def test_a_file_beside_keeps_its_directory(tmp_path):
    store = str(tmp_path / 'objects')
    files.write_file(store + '/ns/configmaps/a.json', '{}')
    files.write_file(store + '/ns/configmaps/b.json', '{}')
    files.remove_file(store + '/ns/configmaps/a.json', prune_up_to=store)
    assert os.listdir(store + '/ns/configmaps') == ['b.json']


def test_without_prune_the_directories_stay(tmp_path):
    path = str(tmp_path / 'd' / 'f')
    files.write_file(path, 'x')
    files.remove_file(path)
    assert os.path.isdir(str(tmp_path / 'd'))


def test_a_write_makes_the_directory_a_removal_pruned_meanwhile(tmp_path, monkeypatch):
    directory = str(tmp_path / 'kind')
    real_makedirs, calls = os.makedirs, []

    def makedirs_then_pruned(name, mode=0o777, exist_ok=False):  # a concurrent removal prunes it once
        real_makedirs(name, mode, exist_ok)
        calls.append(name)
        if len(calls) == 1:
            os.rmdir(name)
    monkeypatch.setattr(os, 'makedirs', makedirs_then_pruned)
    files.write_file(directory + '/a.json', 'x')
    assert calls == [directory, directory] and files.read_text(directory + '/a.json') == 'x'


def test_an_emptied_directory_keeps_nothing_and_follows_no_link(tmp_path):
    outside = tmp_path / 'outside'
    outside.mkdir()
    (outside / 'keep').write_text('x')
    target = tmp_path / 'volumes' / 'creds'
    target.mkdir(parents=True)
    (target / '..data').symlink_to(str(outside))
    (target / 'd').mkdir()
    (target / 'd' / 'f').write_text('on the disk')
    (target / 'stale').write_text('on the disk')
    files.empty_dir(str(target))
    assert os.listdir(str(target)) == [] and os.listdir(str(outside)) == ['keep']
    assert oct(os.stat(str(tmp_path / 'volumes')).st_mode & 0o777) == oct(0o700)


def test_the_volumes_whose_files_the_node_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(naming, 'STATE_DIR', str(tmp_path))
    assert nodestate.volumes_with_files('u') == []
    for name, data in (('full', True), ('empty', False), ('dangling', True)):
        os.makedirs(naming.volume_dir('u', name))
        if data:
            os.symlink('..2024_01_01' if name == 'full' else '..gone', os.path.join(naming.volume_dir('u', name), '..data'))
    os.makedirs(os.path.join(naming.volume_dir('u', 'full'), '..2024_01_01'))
    assert nodestate.volumes_with_files('u') == ['full']   # ..data links to the files' version, which must be there


def test_a_volume_root_needs_a_permission_change_unless_it_is_the_groups_already(tmp_path):
    # the kubelet's requiresPermissionChange, which OnRootMismatch asks
    root = tmp_path / 'volume'
    root.mkdir()
    os.chown(root, -1, 2000)
    os.chmod(root, 0o2770)
    assert not files.requires_permission_change(str(root), 2000)
    assert files.requires_permission_change(str(root), 2001)  # another group
    os.chmod(root, 0o2750)
    assert files.requires_permission_change(str(root), 2000)  # the group cannot write
    os.chmod(root, 0o0775)
    assert files.requires_permission_change(str(root), 2000)  # no setgid
    files.set_group_ownership(str(root), 2000)
    assert not files.requires_permission_change(str(root), 2000)
    assert files.requires_permission_change(str(tmp_path / 'missing'), 2000)
