# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the exceptions the hostpods layers raise; the runner turns them into fail_json once."""

from __future__ import annotations


class HostpodsError(Exception):
    """Base class. ``details`` are extra keys returned with the failure."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.msg = msg
        self.details = details


class ManifestError(HostpodsError):
    """A manifest is unreadable or invalid. Raised before anything on the host is touched."""


class PreflightError(HostpodsError):
    """The host cannot run a valid manifest as asked (missing image under Never, hostPath check...)."""


class DockerError(HostpodsError):
    """The Docker engine refused or failed a call."""


class PodStartError(HostpodsError):
    """A pod could not be brought up (an init container failed, an image could not be pulled...)."""


class NotFoundError(HostpodsError):
    """An object a call names is not on the node (``kind``, ``name``, ``namespace`` say which)."""

    def __init__(self, msg, kind, name, namespace, **details):
        super().__init__(msg, **details)
        self.kind, self.name, self.namespace = kind, name, namespace
