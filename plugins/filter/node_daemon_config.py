# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: node_daemon_config
short_description: The Docker daemon settings of a hostpods node, merged over its current daemon.json
version_added: 0.2.0
description:
  - Used by the P(hostpods.core.node#role) role. Takes what the role's probe found on a node (its current
    C(/etc/docker/daemon.json) and the settings dockerd gets as command-line flags) and works out the settings
    the role manages - C(log-driver) C(json-file) with C(max-size) and C(max-file), C(live-restore), C(bip) (the
    first address of the node's pod CIDR, unless a bridge of one's own is set), C(ip-masq) V(false) (the pod
    network masquerades instead), the engine's cgroup driver (C(exec-opts) C(native.cgroupdriver), when
    O(cgroup_driver) is set; the other C(exec-opts) are kept), then O(extra) over them - and the new content of
    daemon.json.
  - Settings dockerd gets as command-line flags are left out of daemon.json (dockerd refuses to start when a
    setting comes both ways); they are returned as RV(_value.flags).
  - Pure, no I/O.
options:
  _input:
    description:
      - What the node role's probe found; only C(daemon_json) (the parsed current daemon.json, a dict) and
        C(flags) (the daemon.json keys dockerd gets as flags, a list) are read.
    type: dict
    required: true
  pod_cidr:
    description: The node's pod CIDR (for example V(10.244.1.0/24)); empty for none (no C(bip), no C(ip-masq)).
    type: str
    default: ''
  pod_network:
    description: Whether the node runs the flat pod network (then C(ip-masq) is V(false)).
    type: bool
    default: true
  log_max_size:
    description: C(log-opts.max-size).
    type: str
    default: 10m
  log_max_file:
    description: C(log-opts.max-file) (written as a string, as dockerd wants).
    type: raw
    default: 3
  live_restore:
    description: C(live-restore).
    type: bool
    default: true
  cgroup_driver:
    description:
      - The engine's cgroup driver, V(cgroupfs) or V(systemd), set as C(native.cgroupdriver) in C(exec-opts) with the
        file's other C(exec-opts) kept; empty leaves the engine's own choice.
    type: str
    default: ''
  extra:
    description: More settings, over the managed ones (top-level keys replace theirs).
    type: dict
    default: {}
author:
  - hostpods developers (@hostpods)
'''

EXAMPLES = r'''
- name: Write the daemon settings when they differ
  ansible.builtin.copy:
    dest: /etc/docker/daemon.json
    content: "{{ daemon.settings | to_nice_json(indent=2) }}\n"
    mode: "0644"
  when: daemon.changed
  vars:
    daemon: "{{ probe | hostpods.core.node_daemon_config(pod_cidr='10.244.1.0/24', extra={'dns': ['10.0.0.2']}) }}"
'''

RETURN = r'''
_value:
  description: The daemon settings.
  type: dict
  contains:
    settings:
      description:
        - The new content of daemon.json - the current settings with the managed ones merged over them (recursively),
          leaving out those dockerd gets as flags.
      type: dict
      sample: {"bip": "10.244.1.1/24", "ip-masq": false, "live-restore": true, "log-driver": "json-file",
               "log-opts": {"max-file": "3", "max-size": "10m"}, "storage-driver": "overlay2"}
    managed:
      description: The settings the role manages, O(extra) included.
      type: dict
      sample: {"bip": "10.244.1.1/24", "ip-masq": false, "live-restore": true, "log-driver": "json-file",
               "log-opts": {"max-file": "3", "max-size": "10m"}}
    flags:
      description: The managed settings left to dockerd's command-line flags, in the order of the flags.
      type: list
      elements: str
      sample: [live-restore]
    changed:
      description: Whether RV(_value.settings) differs from the current daemon.json (as parsed settings, not text).
      type: bool
      sample: true
'''

from collections.abc import Mapping


def bridge_address(cidr):
    """The address after the one of ``cidr`` (its first host address), with the prefix length: '10.244.1.1/24'."""
    address, prefix = cidr.split('/')
    octets = [int(octet) for octet in address.split('.')]
    value = (octets[0] << 24) + (octets[1] << 16) + (octets[2] << 8) + octets[3] + 1
    return '%d.%d.%d.%d/%s' % (value >> 24 & 255, value >> 16 & 255, value >> 8 & 255, value & 255, prefix)


def merge(base, over):
    """``over`` merged into a copy of ``base``; dicts are merged key by key, anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(out.get(key), Mapping) and isinstance(value, Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


CGROUP_DRIVER_OPT = 'native.cgroupdriver'


def exec_opts(current, driver):
    """``current`` (daemon.json's ``exec-opts``) with its cgroup driver set to ``driver``, the other options kept."""
    kept = [opt for opt in current or [] if opt.replace(' ', '').split('=')[0].lower() != CGROUP_DRIVER_OPT]
    return kept + ['%s=%s' % (CGROUP_DRIVER_OPT, driver)]


def node_daemon_config(probe, pod_cidr='', pod_network=True, log_max_size='10m', log_max_file=3, live_restore=True,
                       extra=None, cgroup_driver=''):
    current = probe.get('daemon_json') or {}
    flags = list(probe.get('flags') or [])
    own_bridge = 'bridge' in flags or bool(current.get('bridge'))
    managed = {'log-driver': 'json-file', 'log-opts': {'max-size': str(log_max_size), 'max-file': str(log_max_file)},
               'live-restore': bool(live_restore)}
    if pod_cidr and not own_bridge:
        managed['bip'] = bridge_address(pod_cidr)
    if pod_cidr and pod_network:
        managed['ip-masq'] = False
    if cgroup_driver:
        managed['exec-opts'] = exec_opts(current.get('exec-opts'), cgroup_driver)
    managed.update(extra or {})
    settings = merge(current, dict((key, value) for key, value in managed.items() if key not in flags))
    return {'settings': settings, 'managed': managed, 'flags': [flag for flag in flags if flag in managed],
            'changed': settings != current}


class FilterModule:
    def filters(self):
        return {'node_daemon_config': node_daemon_config}
