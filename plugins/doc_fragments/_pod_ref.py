# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE doc fragment: the options that name one container of one pod (pod_debug takes its name and namespace
and documents its own container)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r'''
options:
  name:
    description: The pod's name.
    type: str
    required: true
  namespace:
    description: The pod's namespace.
    type: str
    default: default
  container:
    description:
      - The container (an init container too) of the pod.
      - May be omitted only when the pod has one container; otherwise the error lists the containers, as kubectl's does.
    type: str
'''
