"""Unit tests of _runtime.subpath and _runtime.mounts: the kubelet's safe subPath, in a temporary directory
(the bind mount itself is recorded, not made; the integration tests make it)."""

import os
import stat

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._runtime import mounts
from ansible_collections.hostpods.core.plugins.module_utils._runtime import subpath


@pytest.fixture
def volume(tmp_path):
    """A volume (0777, as an emptyDir) planted as a hostile init container would, next to a node directory."""
    root, node = tmp_path / 'volume', tmp_path / 'node'
    root.mkdir()
    node.mkdir()
    os.chmod(str(root), 0o777)
    (node / 'secret').write_text('node\n')
    (root / 'dir').mkdir()
    (root / 'dir' / 'file').write_text('in\n')
    os.symlink(str(node), str(root / 'abs'))
    os.symlink('../node', str(root / 'rel'))
    os.symlink('dir', str(root / 'alias'))
    os.symlink(str(tmp_path / 'nowhere'), str(root / 'dangle'))
    return str(root), str(node)


@pytest.fixture
def binds(monkeypatch):
    """The bind mounts made: ``[(the file bound, pin)]``."""
    made = []
    monkeypatch.setattr(mounts, 'bind', lambda source, target: made.append((os.readlink(source), target)))
    monkeypatch.setattr(mounts, 'is_mount_point', lambda path, mounts=None: False)
    return made


@pytest.mark.parametrize('path, base, inside', [
    ('/v', '/v', True), ('/v/a/b', '/v', True), ('/v2', '/v', False), ('/', '/v', False), ('/v/../etc', '/v', False),
    ('/anything', '/', True),
])
def test_within(path, base, inside):
    assert subpath.within(path, base) is inside


@pytest.mark.parametrize('sub_path, message', [
    ('abs', 'failed to prepare subPath for volumeMount "data" of container "app"'),
    ('rel', 'failed to prepare subPath for volumeMount "data" of container "app"'),
    ('abs/secret', 'failed to prepare subPath for volumeMount "data" of container "app"'),
    ('abs/new', 'failed to create subPath directory for volumeMount "data" of container "app"'),
    ('dangle', 'failed to create subPath directory for volumeMount "data" of container "app"'),
    ('dangle/deeper', 'failed to create subPath directory for volumeMount "data" of container "app"'),
])
def test_a_sub_path_that_leaves_its_volume_is_refused_and_creates_nothing(volume, binds, tmp_path, sub_path, message):
    root, node = volume
    with pytest.raises(subpath.SubPathError) as raised:
        subpath.prepare(root, sub_path, str(tmp_path / 'pin'), 'data', 'app')
    assert raised.value.message == message and node not in raised.value.message
    assert binds == [] and sorted(os.listdir(node)) == ['secret'] and not os.path.lexists(str(tmp_path / 'nowhere'))


def test_a_sub_path_inside_is_created_with_the_roots_mode_and_pinned(volume, binds, tmp_path):
    root, _node = volume
    pin = str(tmp_path / 'pods' / 'volume-subpaths' / 'data' / 'app' / '0')
    old = os.umask(0o022)
    try:
        assert subpath.prepare(root, 'a/b', pin, 'data', 'app') == pin
    finally:
        os.umask(old)
    for path in ('a', 'a/b'):
        assert stat.S_IMODE(os.stat(os.path.join(root, path)).st_mode) == 0o777   # the umask did not apply
    assert binds == [(os.path.join(root, 'a', 'b'), pin)] and os.path.isdir(pin)


def test_a_link_that_stays_inside_is_followed_and_a_file_gets_a_file_pin(volume, binds, tmp_path):
    root, _node = volume
    subpath.prepare(root, 'alias', str(tmp_path / 'p0'), 'data', 'app')
    subpath.prepare(root, 'alias/file', str(tmp_path / 'p1'), 'data', 'app')
    assert binds == [(os.path.join(root, 'dir'), str(tmp_path / 'p0')),
                     (os.path.join(root, 'dir', 'file'), str(tmp_path / 'p1'))]
    assert os.path.isdir(str(tmp_path / 'p0')) and os.path.isfile(str(tmp_path / 'p1'))


def test_safe_open_refuses_a_symlink_on_the_way(volume):
    root, _node = volume
    with pytest.raises(OSError, match='unexpected symlink found'):
        subpath.safe_open(os.path.join(root, 'alias', 'file'), root)  # not resolved: alias is a link
    with pytest.raises(OSError, match='is outside of'):
        subpath.safe_open('/etc', root)
    fd = subpath.safe_open(os.path.join(root, 'dir', 'file'), root)
    try:
        assert os.readlink('/proc/self/fd/%d' % fd) == os.path.join(root, 'dir', 'file')
    finally:
        os.close(fd)


def test_a_pin_that_holds_the_file_already_is_kept(volume, monkeypatch, tmp_path):
    root, _node = volume
    pin = str(tmp_path / 'pin')
    os.symlink(os.path.join(root, 'dir'), pin)  # stands for a bind mount of dir: the same file
    monkeypatch.setattr(mounts, 'is_mount_point', lambda path, mounts=None: path == pin)
    monkeypatch.setattr(mounts, 'bind', lambda source, target: pytest.fail('bound again'))
    monkeypatch.setattr(subpath, '_same_file', lambda path, pin_: os.stat(path).st_ino == os.stat(pin_).st_ino)
    assert subpath.bind_sub_path(os.path.join(root, 'alias'), root, pin) == pin


MOUNTINFO = '''22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
40 22 0:50 / /var/lib/hostpods/pods/u1/volumes/creds rw,nosuid,nodev,noexec - tmpfs tmpfs rw,mode=755
41 22 8:1 /var/lib/docker/volumes/v/_data/sub /var/lib/hostpods/pods/u1/volume-subpaths/data/app/0 rw - ext4 /dev/vda rw
42 22 8:1 / /var/lib/hostpods/pods/u1/volume-subpaths/data/my\\040app/1 rw - ext4 /dev/vda rw
43 22 0:51 / /var/lib/hostpods/pods/u10/volumes/x rw master:3 - tmpfs tmpfs rw
'''


def test_mountinfo_is_read_by_mount_point_with_its_type():
    parsed = dict(mounts.parse_mountinfo(MOUNTINFO))
    assert parsed['/var/lib/hostpods/pods/u1/volumes/creds'] == 'tmpfs'
    assert parsed['/var/lib/hostpods/pods/u1/volume-subpaths/data/my app/1'] == 'ext4'
    assert mounts.mounts_under('/var/lib/hostpods/pods/u1', parsed) == [
        '/var/lib/hostpods/pods/u1/volume-subpaths/data/app/0', '/var/lib/hostpods/pods/u1/volume-subpaths/data/my app/1',
        '/var/lib/hostpods/pods/u1/volumes/creds']
    assert mounts.is_mount_point('/var/lib/hostpods/pods/u10/volumes/x/', parsed)
    assert not mounts.is_mount_point('/var/lib/hostpods/pods/u1', parsed)
