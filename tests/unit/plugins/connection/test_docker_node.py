"""The docker_node connection plugin against a stand-in ``docker`` CLI that runs the exec'd command
locally: what the plugin sends (argv, stdin) and what it makes of the answers, without a Docker engine."""

import json
import os
import stat
import sys
import textwrap

import pytest

from ansible.errors import AnsibleConnectionFailure, AnsibleError

from ansible_collections.hostpods.core.plugins.connection import docker_node

from plugin_loading import load

FAKE_DOCKER = textwrap.dedent('''\
    #!{python}
    """Stand-in docker CLI: logs its argv; `exec` runs the command here, `missing` is no container."""
    import json, os, sys
    argv = sys.argv[1:]
    with open(os.environ['FAKE_DOCKER_LOG'], 'a') as log:
        log.write(json.dumps(argv) + '\\n')
    while argv and argv[0] != 'exec':
        argv = argv[2:] if argv[0] in ('--host', '--context') else argv[1:]
    argv = argv[1:]
    while argv[0].startswith('-'):
        argv = argv[2:] if argv[0] == '--user' else argv[1:]
    container, command = argv[0], argv[1:]
    if container == 'missing':
        sys.stderr.write('Error response from daemon: No such container: missing\\n')
        sys.exit(1)
    os.execvp(command[0], command)
''')


@pytest.fixture
def fake_docker(tmp_path, monkeypatch):
    path = tmp_path / 'docker'
    path.write_text(FAKE_DOCKER.format(python=sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / 'docker.log'
    monkeypatch.setenv('FAKE_DOCKER_LOG', str(log))
    monkeypatch.delenv('DOCKER_HOST', raising=False)
    monkeypatch.delenv('HOSTPODS_DOCKER_HOST', raising=False)
    return path, log


def connect(fake_docker, **options):
    conn = load(docker_node, **dict({'remote_addr': 'node1', 'docker_cli': str(fake_docker[0])}, **options))
    conn._connect()
    return conn


def calls(fake_docker):
    with open(fake_docker[1]) as log:
        return [json.loads(line) for line in log]


def test_exec_command_runs_a_shell_command_with_stdin(fake_docker):
    conn = connect(fake_docker)
    rc, out, err = conn.exec_command('read line; echo "got $line"; echo oops >&2; exit 3', in_data=b'hello\n')
    assert (rc, out, err) == (3, b'got hello\n', b'oops\n')
    assert calls(fake_docker) == [['exec', '-i', 'node1', '/bin/sh', '-c',
                                   'read line; echo "got $line"; echo oops >&2; exit 3']]


def test_docker_host_user_and_extra_args_reach_the_cli(fake_docker):
    conn = connect(fake_docker, docker_host='unix:///run/other.sock', remote_user='nobody',
                   docker_extra_args=['--context', 'default'])
    conn.exec_command('true')
    assert calls(fake_docker) == [['--host', 'unix:///run/other.sock', '--context', 'default', 'exec', '-i',
                                   '--user', 'nobody', 'node1', '/bin/sh', '-c', 'true']]


def test_put_and_fetch_keep_bytes_and_odd_paths(fake_docker, tmp_path):
    conn = connect(fake_docker)
    source = tmp_path / 'in.bin'
    source.write_bytes(bytes(range(256)) * 100)
    remote = tmp_path / 'remote dir with "quotes" $HOME'
    remote.mkdir()
    conn.put_file(str(source), str(remote / 'x y.bin'))
    assert (remote / 'x y.bin').read_bytes() == source.read_bytes()
    back = tmp_path / 'back.bin'
    conn.fetch_file(str(remote / 'x y.bin'), str(back))
    assert back.read_bytes() == source.read_bytes()
    assert not os.path.exists(str(back) + '.partial')


def test_put_empty_file(fake_docker, tmp_path):
    conn = connect(fake_docker)
    source = tmp_path / 'empty'
    source.write_bytes(b'')
    conn.put_file(str(source), str(tmp_path / 'copy'))
    assert (tmp_path / 'copy').read_bytes() == b''


def test_fetch_of_a_missing_file_fails_and_leaves_nothing(fake_docker, tmp_path):
    conn = connect(fake_docker)
    with pytest.raises(AnsibleError, match='failed to fetch'):
        conn.fetch_file(str(tmp_path / 'nope'), str(tmp_path / 'out'))
    assert not os.path.exists(tmp_path / 'out')
    assert not os.path.exists(str(tmp_path / 'out') + '.partial')


def test_a_missing_container_is_unreachable(fake_docker, tmp_path):
    conn = connect(fake_docker, remote_addr='missing')
    with pytest.raises(AnsibleConnectionFailure, match='No such container'):
        conn.exec_command('true')
    source = tmp_path / 'f'
    source.write_text('x')
    with pytest.raises(AnsibleConnectionFailure):
        conn.put_file(str(source), '/tmp/f')


def test_relative_paths_are_taken_from_the_root():
    assert docker_node.Connection._absolute('tmp/../etc/x') == '/etc/x'
