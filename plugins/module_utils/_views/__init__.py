# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the views: pods on the host read back as Pod objects with status, and the wait for readiness.

Status computation is pure; reading goes through the runtime's docker client.
"""
