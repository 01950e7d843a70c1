# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a container's ``subPath`` inside its volume, prepared as the kubelet prepares it since
CVE-2017-1002101 (``pkg/volume/util/subpath/subpath_linux.go``).

Whatever a pod put in its volume (an init container may plant ``x -> /etc``), a subPath never leaves it:

- ``safe_make_dir`` creates a missing subPath one directory at a time, each opened with ``O_NOFOLLOW``
  relative to the one before (``mkdirat``/``openat``), after checking that the part that exists resolves
  inside the volume (``doSafeMakeDir``);
- ``bind_sub_path`` resolves the subPath, refuses it unless it stays inside the volume, opens it again
  component by component from the volume's root with ``O_PATH | O_NOFOLLOW`` (a symlink swapped in
  meanwhile is refused), and bind-mounts that very file, ``/proc/self/fd/N``, on the pod's pin
  ``volume-subpaths/<volume>/<container>/<index>`` (``doBindSubPath``). The engine binds the pin, so
  nothing a container does later in the volume (nor a restart by the engine) changes what it gets.

A failure is the kubelet's ``CreateContainerConfigError`` message, which says nothing of the node's files.
"""

from __future__ import annotations

import os
import stat

from ansible_collections.hostpods.core.plugins.module_utils._runtime import mounts

NOFOLLOW = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
PATH_NOFOLLOW = getattr(os, 'O_PATH', 0o10000000) | os.O_NOFOLLOW | os.O_CLOEXEC


class SubPathError(Exception):
    """A subPath that cannot be used: ``message`` is the kubelet's (for the user), ``reason`` why (for no one
    but a debugger: it may name the node's files)."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.message = message
        self.reason = reason


def within(path, base):
    """Whether ``path`` is ``base`` or under it (both clean, absolute). Pure."""
    path, base = os.path.normpath(path), os.path.normpath(base)
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


def _resolve(path):
    """``filepath.EvalSymlinks``: every symlink of ``path`` resolved; an error when it leads nowhere."""
    resolved = os.path.realpath(path)
    os.lstat(resolved)
    return resolved


def safe_open(path, base):
    """An ``O_PATH`` descriptor of ``path`` (symlinks resolved already) opened component by component from
    ``base`` without following any symlink (``doSafeOpen``)."""
    path, base = os.path.normpath(path), os.path.normpath(base)
    if not within(path, base):
        raise OSError('%s is outside of %s' % (path, base))
    parent = os.open(base, NOFOLLOW)
    try:
        current = base
        for part in os.path.relpath(path, base).split(os.sep):
            current = os.path.join(current, part)
            if not within(current, base):
                raise OSError('%s is outside of %s' % (current, base))
            child = os.open(part, PATH_NOFOLLOW, dir_fd=parent)
            os.close(parent)
            parent = child
            if stat.S_ISLNK(os.fstat(parent).st_mode):
                raise OSError('unexpected symlink found %s' % current)
        found, parent = parent, -1
        return found
    finally:
        if parent != -1:
            os.close(parent)


def _existing_prefix(base, path):
    """``(the longest existing prefix of path, the names still to create)``, symlinks followed
    (``findExistingPrefix``)."""
    parts = os.path.relpath(path, base).split(os.sep)
    current, fd = base, os.open(base, os.O_RDONLY | os.O_CLOEXEC)
    try:
        for index, part in enumerate(parts):
            try:
                child = os.open(part, getattr(os, 'O_PATH', 0o10000000) | os.O_CLOEXEC, dir_fd=fd)
            except FileNotFoundError:
                return current, parts[index:]
            os.close(fd)
            fd, current = child, os.path.join(current, part)
        return path, []
    finally:
        os.close(fd)


def safe_make_dir(sub_path, base, mode):
    """Create ``base/sub_path`` (and its missing parents, each with ``mode``) without ever leaving ``base``."""
    base = _resolve(base)
    path = os.path.normpath(os.path.join(base, sub_path))
    if not within(path, base):
        raise OSError('%s is outside of %s' % (path, base))
    try:
        if stat.S_ISDIR(os.stat(path).st_mode):
            return  # it exists (maybe outside the volume: bind_sub_path refuses it then)
        raise OSError('%s exists and is not a directory' % path)
    except FileNotFoundError:
        pass
    existing, missing = _existing_prefix(base, path)
    if not within(_resolve(existing), base):
        raise OSError('%s is outside of %s' % (existing, base))
    parent = safe_open(_resolve(existing), base)
    try:
        for name in missing:
            os.mkdir(name, mode, dir_fd=parent)
            child = os.open(name, NOFOLLOW | os.O_DIRECTORY, dir_fd=parent)
            os.close(parent)
            parent = child
            os.fchmod(parent, mode)  # mkdirat's mode went through the umask
    finally:
        os.close(parent)


def _pin_target(path, pin, mounted):
    """Make the pin a directory or an empty file as ``path`` is; True when it holds ``path`` already."""
    if mounted:
        if _same_file(path, pin):
            return True
        mounts.unmount(pin)
    os.makedirs(os.path.dirname(pin), 0o750, exist_ok=True)
    is_dir = stat.S_ISDIR(os.lstat(path).st_mode)
    if os.path.lexists(pin) and stat.S_ISDIR(os.lstat(pin).st_mode) != is_dir:
        (os.rmdir if os.path.isdir(pin) else os.remove)(pin)
    if is_dir and not os.path.isdir(pin):
        os.mkdir(pin, 0o750)
    elif not is_dir and not os.path.lexists(pin):
        os.close(os.open(pin, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640))
    return False


def _same_file(path, pin):
    first, second = os.lstat(path), os.lstat(pin)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def bind_sub_path(path, volume_root, pin):
    """Bind-mount ``path`` (a subPath in ``volume_root``) on ``pin`` once it is proven inside the volume and
    opened without following a symlink; a pin that holds that file already is kept."""
    root, resolved = _resolve(volume_root), _resolve(path)
    fd = safe_open(resolved, root)
    try:
        if not _pin_target(resolved, pin, mounts.is_mount_point(pin)):
            mounts.bind('/proc/self/fd/%d' % fd, pin)
    finally:
        os.close(fd)
    return pin


def prepare(volume_root, sub_path, pin, volume, container):
    """The path the engine binds for ``sub_path`` of ``volume_root``: the subPath created when missing (with
    the mode of the volume's root, as the kubelet does), then pinned on ``pin``. Raises ``SubPathError``
    with the kubelet's messages."""
    path = os.path.join(volume_root, sub_path)
    if not os.path.exists(path):
        try:
            safe_make_dir(sub_path, volume_root, stat.S_IMODE(os.stat(volume_root).st_mode))
        except OSError as exc:
            raise SubPathError('failed to create subPath directory for volumeMount "%s" of container "%s"'
                               % (volume, container), str(exc))
    try:
        return bind_sub_path(path, volume_root, pin)
    except OSError as exc:
        raise SubPathError('failed to prepare subPath for volumeMount "%s" of container "%s"' % (volume, container),
                           str(exc))
