# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the pod spec: parsing, validation, defaults and the shared predicates, and the names a pod gets on the host.

Pure: no Docker, no files, no clock. Everything else builds on these.
"""
