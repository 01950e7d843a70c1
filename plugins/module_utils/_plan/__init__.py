# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: planning and scheduling: what must change on the host (typed steps) and where pods go.

Pure: functions of the pods asked for, the observed state and the node context.
"""
