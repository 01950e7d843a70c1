# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the node's mounts that hostpods makes under a pod's directory, as a kubelet makes them under
``/var/lib/kubelet/pods/<uid>``: a tmpfs per Secret volume, an image's layers per image volume (engines before
image mounts) and a bind mount per subPath (see ``subpath``).

``mount(2)`` and ``umount2(2)`` are called through the C library (no ``mount`` binary needed);
``/proc/self/mountinfo`` says what is mounted. The module and the engine share the node's mount
namespace (the engine runs on the node), so the engine binds what is mounted here.
"""

from __future__ import annotations

import ctypes
import errno
import os

MOUNTINFO = '/proc/self/mountinfo'
MS_BIND = 4096
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MAX_OPTIONS = 4000  # the kernel takes one page of mount options
MNT_DETACH = 2

_LIBC = []


def _libc():
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


def _check(result, path):
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), path)


def _unescape(field):
    """A path of mountinfo: spaces, tabs, newlines and backslashes are written as octal escapes."""
    if '\\' not in field:
        return field
    for code in ('\\040', '\\011', '\\012', '\\134'):
        field = field.replace(code, chr(int(code[1:], 8)))
    return field


def parse_mountinfo(text):
    """``[(mount point, file system type)]`` of ``/proc/self/mountinfo`` text, in mount order. Pure."""
    out = []
    for line in text.splitlines():
        fields = line.split()
        if '-' not in fields[6:]:
            continue
        separator = fields.index('-', 6)
        out.append((_unescape(fields[4]), fields[separator + 1]))
    return out


def read_mounts():
    """``{mount point: file system type}`` of the node (the last mount on a path wins, as it hides the others)."""
    try:
        with open(MOUNTINFO, encoding='utf-8', errors='surrogateescape') as handle:
            return dict(parse_mountinfo(handle.read()))
    except OSError:
        return {}


def mounts_under(path, mounts=None):
    """The mount points strictly under ``path``, deepest first."""
    prefix = os.path.normpath(path) + os.sep
    found = [point for point in (read_mounts() if mounts is None else mounts) if point.startswith(prefix)]
    return sorted(found, key=lambda point: (-point.count(os.sep), point))


def is_mount_point(path, mounts=None):
    return os.path.normpath(path) in (read_mounts() if mounts is None else mounts)


def bind(source, target):
    """Bind-mount ``source`` (a path, ``/proc/self/fd/N`` included) on ``target``."""
    _check(_libc().mount(os.fsencode(source), os.fsencode(target), None, ctypes.c_ulong(MS_BIND), None), target)


def mount_image(layers, target):
    """Mount an image's file system on ``target`` from its layers' directories (``layers``: top first), read-only,
    nosuid, nodev and noexec as Kubernetes mounts an image volume: an overlay of them, or a read-only bind of the only
    one (an overlay without an upper directory needs two lower ones)."""
    flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
    if len(layers) == 1:
        bind(layers[0], target)
        try:
            _check(_libc().mount(None, os.fsencode(target), None, ctypes.c_ulong(MS_BIND | MS_REMOUNT | flags), None),
                   target)
        except OSError:
            unmount(target)  # never left writable
            raise
        return
    options = os.fsencode('lowerdir=' + ':'.join(layers))
    if len(options) > MAX_OPTIONS:
        raise OSError(errno.E2BIG, 'the image has too many layers for one overlay mount (%d)' % len(layers), target)
    _check(_libc().mount(b'overlay', os.fsencode(target), b'overlay', ctypes.c_ulong(flags), options), target)


def mount_tmpfs(target, mode=0o755):
    """Mount an empty tmpfs on ``target`` (nosuid, nodev, noexec), root's, with ``mode``."""
    options = ('mode=%o' % mode).encode('ascii')
    _check(_libc().mount(b'tmpfs', os.fsencode(target), b'tmpfs', ctypes.c_ulong(MS_NOSUID | MS_NODEV | MS_NOEXEC),
                         options), target)


def unmount(target):
    """Detach what is mounted on ``target`` (lazily: a container may still hold it); nothing mounted is fine."""
    try:
        _check(_libc().umount2(os.fsencode(target), MNT_DETACH), target)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOENT):
            raise


def unmount_under(path):
    """Detach every mount strictly under ``path`` (deepest first) and check that none is left: a removal
    of ``path`` must never reach into a volume through a subPath's bind mount."""
    for point in mounts_under(path):
        unmount(point)
    left = mounts_under(path)
    if left:
        raise OSError(errno.EBUSY, 'still mounted: %s' % ', '.join(left), path)


def release(path):
    """Detach every mount under ``path`` and on it (stacked ones too), as before a volume's directory is mounted
    afresh or removed."""
    unmount_under(path)
    for _mount in range(16):  # bounded: each pass detaches the top one
        if not is_mount_point(path):
            return
        unmount(path)
    raise OSError(errno.EBUSY, 'still mounted', path)
