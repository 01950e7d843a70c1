# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: reading and writing the node's files: atomic writes, the kubelet's AtomicWriter for
projected volumes, group ownership of volumes. The only code that writes files on the node."""

from __future__ import annotations

import json
import os
import shutil
import stat
import time


def read_text(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except OSError:
        return ''


def list_dir(path):
    """The names in a directory of the node, or none when it is missing or unreadable."""
    try:
        return os.listdir(path)
    except OSError:
        return []


def modified(path):
    """When a file of the node was last written (epoch seconds), or None."""
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def read_json(path):
    """A JSON file of the node's state, or None when missing or unreadable."""
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_file(path, text, mode=0o644, private=False):
    """Write a file of the node's state atomically (its directory 0755, or 0700 when ``private``). A
    directory that a removal pruned meanwhile (see ``remove_file``) is made again."""
    for again in (True, False):
        os.makedirs(os.path.dirname(path), 0o700 if private else 0o755, exist_ok=True)
        try:
            with open(path + '.tmp', 'w', encoding='utf-8') as handle:
                handle.write(text)
            break
        except FileNotFoundError:
            if not again:
                raise
    os.chmod(path + '.tmp', mode)
    os.replace(path + '.tmp', path)


def remove_file(path, prune_up_to=None):
    """Remove a file; with ``prune_up_to`` (one of its ancestors), the directories it leaves empty
    go too, up to that ancestor, which stays."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    if prune_up_to is None:
        return
    stop = os.path.normpath(prune_up_to)
    directory = os.path.dirname(os.path.normpath(path))
    while directory.startswith(stop + os.sep):
        try:
            os.rmdir(directory)
        except OSError:  # not empty (or gone): what is above it stays
            return
        directory = os.path.dirname(directory)


def remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)


def set_group_ownership(root, group):
    """chgrp -R ``group``, group read-write, setgid on directories (SetVolumeOwnership)."""
    for directory, _dirs, files in os.walk(root):
        for path in [directory] + [os.path.join(directory, name) for name in files]:
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            os.chown(path, -1, group)
            extra = stat.S_IRGRP | stat.S_IWGRP | (stat.S_IXGRP | stat.S_ISGID if stat.S_ISDIR(mode) else 0)
            os.chmod(path, stat.S_IMODE(mode) | extra)


VOLUME_ROOT_PERMS = 0o770  # the kubelet's rwMask (0660) and execMask (0110): what a volume's root must have


def requires_permission_change(root, group):
    """The kubelet's ``requiresPermissionChange``: ``root`` is not a directory of ``group`` whose mode has at
    least 0770 and setgid."""
    try:
        info = os.stat(root)
    except OSError:
        return True
    if info.st_gid != group or not stat.S_ISDIR(info.st_mode):
        return True
    return (info.st_mode & VOLUME_ROOT_PERMS) != VOLUME_ROOT_PERMS or not info.st_mode & stat.S_ISGID


def empty_dir(target):
    """``target`` as an empty directory (0755) in a root-only parent (0700): whatever it held goes (never
    following a symlink out of it)."""
    parent = os.path.dirname(target)
    os.makedirs(parent, 0o700, exist_ok=True)
    os.chmod(parent, 0o700)
    os.makedirs(target, 0o755, exist_ok=True)
    for name in os.listdir(target):
        path = os.path.join(target, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def write_atomic_dir(target, files):
    """The kubelet's AtomicWriter: the files go to a new timestamped directory, ``..data`` is switched
    to it atomically, each top-level name is a symlink through ``..data``, and older versions go."""
    parent = os.path.dirname(target)
    os.makedirs(parent, 0o700, exist_ok=True)  # only root reaches the volumes on the node
    os.chmod(parent, 0o700)
    os.makedirs(target, 0o755, exist_ok=True)
    now = time.time_ns()
    version = '..' + time.strftime('%Y_%m_%d_%H_%M_%S', time.gmtime(now // 10 ** 9)) + '.%09d' % (now % 10 ** 9)
    for relative, (data, mode) in files.items():
        path = os.path.join(target, version, relative)
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        with open(path, 'wb') as handle:
            handle.write(data)
        os.chmod(path, mode)
    os.makedirs(os.path.join(target, version), 0o755, exist_ok=True)
    os.symlink(version, os.path.join(target, '..data_tmp'))
    os.replace(os.path.join(target, '..data_tmp'), os.path.join(target, '..data'))
    _prune_versions(target, version, {relative.split('/', 1)[0] for relative in files})


def _prune_versions(target, version, tops):
    for name in os.listdir(target):
        path = os.path.join(target, name)
        if name.startswith('..'):
            if name not in ('..data', version) and os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
        elif name not in tops and os.path.islink(path):
            os.remove(path)
    for name in tops:
        if not os.path.lexists(os.path.join(target, name)):
            os.symlink(os.path.join('..data', name), os.path.join(target, name))
