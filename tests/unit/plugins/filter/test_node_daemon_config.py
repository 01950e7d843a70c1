"""The node role's daemon settings (filter node_daemon_config): the pod bridge, flags left out, the merge."""

import pytest

from ansible_collections.hostpods.core.plugins.filter.node_daemon_config import (bridge_address, merge,
                                                                                 node_daemon_config)

MANAGED = {'log-driver': 'json-file', 'log-opts': {'max-size': '10m', 'max-file': '3'}, 'live-restore': True}


def probe(daemon_json=None, flags=()):
    return {'daemon_json': daemon_json or {}, 'flags': list(flags)}


@pytest.mark.parametrize('cidr, bip', [
    ('10.244.1.0/24', '10.244.1.1/24'),
    ('10.244.1.5/24', '10.244.1.6/24'),        # the address given, plus one (as the role always did)
    ('10.244.255.255/16', '10.245.0.0/16'),    # the carry runs through the octets
    ('172.16.0.0/12', '172.16.0.1/12'),
    ('255.255.255.255/32', '0.0.0.0/32'),
])
def test_bridge_address(cidr, bip):
    assert bridge_address(cidr) == bip


@pytest.mark.parametrize('base, over, merged', [
    ({}, {'a': 1}, {'a': 1}),
    ({'a': 1, 'b': 2}, {'a': 3}, {'a': 3, 'b': 2}),
    ({'o': {'x': 1, 'y': 2}}, {'o': {'y': 3}}, {'o': {'x': 1, 'y': 3}}),   # dicts merge key by key
    ({'l': [1, 2]}, {'l': [3]}, {'l': [3]}),                               # lists are replaced
    ({'o': {'x': 1}}, {'o': 'text'}, {'o': 'text'}),
])
def test_merge(base, over, merged):
    before = dict(base)
    assert merge(base, over) == merged
    assert base == before


def test_no_pod_cidr_manages_logs_and_live_restore_only():
    result = node_daemon_config(probe())
    assert result == {'settings': MANAGED, 'managed': MANAGED, 'flags': [], 'changed': True}


def test_pod_cidr_adds_the_bridge_and_no_masquerading_merged_over_the_current_file():
    current = {'storage-driver': 'overlay2', 'log-opts': {'max-size': '5m', 'foo': 'bar'}, 'shutdown-timeout': 10}
    result = node_daemon_config(probe(current, ['hosts', 'storage-driver']), pod_cidr='10.244.1.0/24')
    assert result['managed'] == dict(MANAGED, bip='10.244.1.1/24', **{'ip-masq': False})
    assert result['settings'] == {'storage-driver': 'overlay2', 'shutdown-timeout': 10, 'bip': '10.244.1.1/24',
                                  'ip-masq': False, 'live-restore': True, 'log-driver': 'json-file',
                                  'log-opts': {'max-size': '10m', 'max-file': '3', 'foo': 'bar'}}
    assert result['flags'] == [] and result['changed'] is True


@pytest.mark.parametrize('current, flags', [
    ({}, ['bridge']),                 # dockerd -b/--bridge
    ({'bridge': 'br0'}, []),          # a bridge of one's own in daemon.json
])
def test_a_bridge_of_ones_own_keeps_bip_out(current, flags):
    result = node_daemon_config(probe(current, flags), pod_cidr='10.1.2.0/24')
    assert 'bip' not in result['managed'] and 'bip' not in result['settings']
    assert result['settings']['ip-masq'] is False


def test_an_empty_bridge_setting_is_no_bridge():
    result = node_daemon_config(probe({'bridge': ''}), pod_cidr='10.1.2.0/24')
    assert result['settings']['bip'] == '10.1.2.1/24'


def test_settings_given_as_flags_are_left_out_and_reported_in_flag_order():
    result = node_daemon_config(probe({}, ['live-restore', 'hosts', 'log-driver']), pod_cidr='10.0.0.0/24',
                                pod_network=False)
    assert result['flags'] == ['live-restore', 'log-driver']
    assert 'live-restore' not in result['settings'] and 'log-driver' not in result['settings']
    assert 'ip-masq' not in result['managed']


def test_extra_settings_replace_managed_ones_at_the_top_level():
    result = node_daemon_config(probe(), pod_cidr='10.244.255.255/16', log_max_size='20m', log_max_file=5,
                                live_restore=False, extra={'bip': '192.168.5.1/24', 'log-opts': {'mode': 'x'}})
    assert result['managed']['bip'] == '192.168.5.1/24'
    assert result['managed']['log-opts'] == {'mode': 'x'}
    assert result['managed']['live-restore'] is False


def test_log_max_file_is_written_as_a_string():
    assert node_daemon_config(probe(), log_max_file=5)['settings']['log-opts'] == {'max-size': '10m', 'max-file': '5'}


def test_unchanged_when_the_parsed_settings_are_the_same():
    current = {'bip': '10.244.7.1/24', 'ip-masq': False, 'live-restore': True, 'log-driver': 'json-file',
               'log-opts': {'max-file': '3', 'max-size': '10m'}, 'storage-driver': 'vfs'}
    result = node_daemon_config(probe(current), pod_cidr='10.244.7.0/24')
    assert result['changed'] is False and result['settings'] == current


def test_no_cgroup_driver_leaves_exec_opts_alone():
    current = {'exec-opts': ['native.cgroupdriver=systemd', 'isolation=x']}
    result = node_daemon_config(probe(current))
    assert 'exec-opts' not in result['managed'] and result['settings']['exec-opts'] == current['exec-opts']


@pytest.mark.parametrize('current, expected', [
    (None, ['native.cgroupdriver=cgroupfs']),
    ([], ['native.cgroupdriver=cgroupfs']),
    (['native.cgroupdriver=systemd'], ['native.cgroupdriver=cgroupfs']),
    (['isolation=x', 'native.cgroupdriver = systemd'], ['isolation=x', 'native.cgroupdriver=cgroupfs']),
])
def test_the_cgroup_driver_is_set_and_the_other_exec_opts_kept(current, expected):
    result = node_daemon_config(probe({} if current is None else {'exec-opts': current}), cgroup_driver='cgroupfs')
    assert result['settings']['exec-opts'] == expected and result['changed'] is True


def test_the_cgroup_driver_already_set_is_no_change():
    current = dict(MANAGED, **{'exec-opts': ['native.cgroupdriver=systemd']})
    assert node_daemon_config(probe(current), cgroup_driver='systemd')['changed'] is False


def test_a_cgroup_driver_given_as_a_flag_is_left_to_the_flag():
    result = node_daemon_config(probe({}, ['exec-opts']), cgroup_driver='cgroupfs')
    assert result['flags'] == ['exec-opts'] and 'exec-opts' not in result['settings']
