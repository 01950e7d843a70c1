# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the runtime: the only code that talks to the Docker engine and reads or writes the node's files.

Only the executor mutates (never in check mode); the docker client is the only door to the engine.
"""
