"""The hostpods command as a user types it on a node: the launcher (roles/node/files/hostpods) with the node's own
/usr/bin/python3 and python3-docker, no Ansible, against the real engine. It must agree with the modules (same
rows as pod_info, same reconcile as hostpods.core.pod), and behave as kubectl does: a real TTY for exec -it, logs
-f streaming, port-forward relaying TCP, kubectl's messages and exit codes."""

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time
import urllib.request

import pytest

from harness import BUSYBOX, PAUSE, containers, ok, pod, shell_container, sleeper
from hostpods_paths import COLLECTIONS_ROOT, ROOT

from ansible_collections.hostpods.core.plugins.module_utils._views.describe import describe_pod

LAUNCHER = os.path.join(ROOT, 'roles', 'node', 'files', 'hostpods')
TRAP = 'trap "exit 0" TERM; '
HTTPD = 'mkdir -p /www && echo hello from $(hostname) > /www/index.html && exec httpd -f -p 80 -h /www'


def env(**extra):
    """The command's environment: this checkout as the library, the node's python3, no venv on PATH."""
    out = {key: value for key, value in os.environ.items() if not key.startswith(('PYTHON', 'VIRTUAL_ENV'))}
    out.update({'HOSTPODS_LIB': COLLECTIONS_ROOT, 'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'})
    out.update(extra)
    return out


def hostpods(*args, stdin=None, check=None, timeout=120, **extra):
    """Run ``hostpods ARGS``; ``(exit code, stdout, stderr)``; ``check``: the exit code expected."""
    proc = subprocess.run([LAUNCHER] + list(args), input=stdin, capture_output=True, text=True, env=env(**extra),
                          timeout=timeout, check=False)
    if check is not None:
        assert proc.returncode == check, (args, proc.returncode, proc.stdout, proc.stderr)
    return proc.returncode, proc.stdout, proc.stderr


def started(args, **kwargs):
    """``hostpods ARGS`` running in the background (stdout and stderr piped, merged)."""
    return subprocess.Popen([LAUNCHER] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env(),
                            **kwargs)


def read_until(stream, pattern, timeout=30):
    """What ``stream`` (a pipe or a pty fd) gave until ``pattern`` matched (an AssertionError after ``timeout``)."""
    fd = stream if isinstance(stream, int) else stream.fileno()
    seen, deadline = b'', time.monotonic() + timeout
    while not re.search(pattern, seen.decode('utf-8', 'replace')):
        left = deadline - time.monotonic()
        assert left > 0, 'timed out waiting for %r in %r' % (pattern, seen)
        ready, _w, _x = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b''
            assert chunk, 'the stream ended before %r: %r' % (pattern, seen)
            seen += chunk
    return seen.decode('utf-8', 'replace')


def write_manifest(tmp_path, name, *docs):
    import yaml
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(docs))
    return str(path)


def test_get_pods_are_pod_infos_rows(pods):
    ns = pods.prefix
    manifests = [pod(pods.name('a'), [sleeper('app')], namespace=ns, labels={'app': 'a'}, terminationGracePeriodSeconds=1),
                 pod(pods.name('b'), [sleeper('app'), sleeper('side')], namespace=ns, labels={'app': 'b'},
                     terminationGracePeriodSeconds=1)]
    applied, info = pods.play(('hostpods.core.pod', {'definition': manifests, 'wait': True, 'wait_timeout': 60}),
                              ('hostpods.core.pod_info', {'namespace': ns}))
    ok(applied)
    _code, out, _err = hostpods('get', 'pods', '-n', ns, '-o', 'wide', '--show-labels', check=0)
    lines = out.splitlines()
    assert lines[0].split() == ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED', 'NODE',
                                'READINESS', 'GATES', 'LABELS']
    rows = [line.split() for line in lines[1:]]
    expected = [[r['name'], r['ready'], r['status'], r['restarts'], r['age'], r['ip'], r['node'], '<none>', '<none>']
                for r in ok(info)['rows']]
    assert [row[:4] + row[5:9] for row in rows] == [row[:4] + row[5:] for row in expected]
    assert [row[9] for row in rows] == ['app=a', 'app=b']
    # the default columns, a selector, one pod by name, -o name, and kubectl's words for what is not there
    _code, out, _err = hostpods('get', 'pods', '-n', ns, '-l', 'app=b', check=0)
    assert out.split('\n')[0].split() == ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']
    assert out.split('\n')[1].split()[:3] == [pods.name('b'), '2/2', 'Running']
    assert hostpods('get', 'pod', pods.name('a'), '-n', ns, '-o', 'name', check=0)[1] == 'pod/%s\n' % pods.name('a')
    assert hostpods('get', 'pods', '-n', ns + 'x', check=0)[2] == 'No resources found in %sx namespace.\n' % ns
    code, out, err = hostpods('get', 'pod', pods.name('a'), 'nope', '-n', ns)
    assert (code, err) == (1, 'Error from server (NotFound): pods "nope" not found\n') and pods.name('a') in out
    # describe is describe_pod of pod_info's Pod object, events table included
    _code, out, _err = hostpods('describe', 'pod', pods.name('b'), '-n', ns, check=0)
    [described] = [p for p in info['pods'] if p['metadata']['name'] == pods.name('b')]
    expected = describe_pod(described, info['events'])
    assert out.split('Events:')[0] == expected.split('Events:')[0]
    events = out.split('Events:')[1]  # the pod's events (their ages tick between the two reads)
    assert events.split('\n')[1].split() == ['Type', 'Reason', 'Age', 'From', 'Message']
    assert 'Created container side' in events and 'Started container side' in events
    assert hostpods('describe', 'pod', 'nope', '-n', ns, check=1)[2] == 'Error from server (NotFound): pods "nope" not found\n'


def test_apply_prints_kubectls_lines_through_the_same_reconcile(pods, tmp_path):
    ns = pods.prefix
    config = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': pods.name('cfg'), 'namespace': ns},
              'data': {'index.html': 'v1\n'}}
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': pods.name('sec'), 'namespace': ns},
              'stringData': {'password': 'hunter2'}}
    web = pod(pods.name('web'), [sleeper('app')], namespace=ns, terminationGracePeriodSeconds=1)
    path = write_manifest(tmp_path, 'web.yaml', config, secret, web)
    apply = ('apply', '-f', path, '--sandbox-image', PAUSE)
    try:
        assert hostpods(*apply, '--dry-run=server', check=0)[1].splitlines() == [
            'configmap/%s created (server dry run)' % pods.name('cfg'), 'secret/%s created (server dry run)' % pods.name('sec'),
            'pod/%s created (server dry run)' % pods.name('web')]
        assert containers(pods.prefix) == {}
        assert hostpods(*apply, check=0)[1].splitlines() == [
            'configmap/%s created' % pods.name('cfg'), 'secret/%s created' % pods.name('sec'), 'pod/%s created' % pods.name('web')]
        assert hostpods(*apply, check=0)[1].splitlines() == [
            'configmap/%s unchanged' % pods.name('cfg'), 'secret/%s unchanged' % pods.name('sec'),
            'pod/%s unchanged' % pods.name('web')]
        # the module sees what the command applied, and agrees nothing is to change
        module = ok(pods.run({'definition': [config, web, secret]}))
        assert module['changed'] is False and {p['action'] for p in module['pods'] + module['objects']} == {'unchanged'}
        # Secrets show no values
        _code, out, _err = hostpods('get', 'secret', pods.name('sec'), '-n', ns, '-o', 'yaml', check=0)
        assert 'password: <redacted>' in out and 'hunter2' not in out and 'aHVudGVyMg' not in out
        _code, out, _err = hostpods('get', 'cm,secrets', '-n', ns, check=0)
        assert re.search(r'configmap/%s +1 ' % pods.name('cfg'), out) and re.search(r'secret/%s +Opaque +1 ' % pods.name('sec'), out)
        # a change: diff shows it (exit 1), apply says configured, the module agrees afterwards
        config['data']['index.html'] = 'v2\n'
        write_manifest(tmp_path, 'web.yaml', config, secret, web)
        code, out, _err = hostpods('diff', '-f', path, '--sandbox-image', PAUSE)
        assert code == 1 and out.startswith('diff -u -N LIVE/v1.ConfigMap.%s.%s MERGED/' % (ns, pods.name('cfg')))
        assert '   index.html: |\n-    v1\n+    v2\n' in out
        assert hostpods(*apply, check=0)[1].splitlines()[0] == 'configmap/%s configured' % pods.name('cfg')
        assert hostpods('diff', '-f', path, '--sandbox-image', PAUSE)[0] == 0
        # delete -f, then again: kubectl's NotFound lines and exit code
        assert hostpods('delete', '-f', path, '--now', check=0)[1].splitlines() == [
            'configmap "%s" deleted' % pods.name('cfg'), 'secret "%s" deleted' % pods.name('sec'), 'pod "%s" deleted' % pods.name('web')]
        assert containers(pods.prefix) == {}
        code, _out, err = hostpods('delete', '-f', path)
        assert code == 1 and 'Error from server (NotFound): error when deleting "%s": pods "%s" not found' % (
            path, pods.name('web')) in err
        assert hostpods('delete', '-f', path, '--ignore-not-found', check=0)[1] == ''
    finally:  # the node keeps ConfigMaps and Secrets: none left behind, whatever happened
        hostpods('delete', '-f', path, '--ignore-not-found', '--now')


def test_apply_prune_by_applyset_prints_the_pruned_objects(pods, tmp_path):
    """kubectl apply --prune --applyset: what an earlier apply of the set made and the files no longer hold goes
    (a dry run shows it and changes nothing); pods outside the set stay; the flags need each other."""
    ns = pods.prefix
    config = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': pods.name('cfg'), 'namespace': ns},
              'data': {'a': '1'}}
    keep, gone = (pod(pods.name(n), [sleeper('app')], namespace=ns, terminationGracePeriodSeconds=1) for n in ('keep', 'gone'))
    outside = pod(pods.name('outside'), [sleeper('app')], namespace=ns, terminationGracePeriodSeconds=1)
    path = write_manifest(tmp_path, 'set.yaml', config, keep, gone)
    apply = ('apply', '-f', path, '--sandbox-image', PAUSE, '--prune', '--applyset', 'shop', '-n', ns)
    try:
        hostpods('apply', '-f', write_manifest(tmp_path, 'outside.yaml', outside), '--sandbox-image', PAUSE, check=0)
        assert hostpods(*apply, check=0)[1].splitlines() == [
            'configmap/%s created' % pods.name('cfg'), 'pod/%s created' % pods.name('keep'), 'pod/%s created' % pods.name('gone')]
        write_manifest(tmp_path, 'set.yaml', keep)
        before = containers(pods.prefix)
        assert hostpods(*apply, '--dry-run=server', check=0)[1].splitlines() == [
            'pod/%s unchanged (server dry run)' % pods.name('keep'), 'configmap/%s pruned (server dry run)' % pods.name('cfg'),
            'pod/%s pruned (server dry run)' % pods.name('gone')]
        assert containers(pods.prefix) == before
        assert hostpods(*apply, check=0)[1].splitlines() == [
            'pod/%s unchanged' % pods.name('keep'), 'configmap/%s pruned' % pods.name('cfg'), 'pod/%s pruned' % pods.name('gone')]
        assert {name.split("_")[2] for name in containers(pods.prefix)} == {pods.name("keep"), pods.name("outside")}, containers(pods.prefix)
        assert hostpods(*apply, check=0)[1].splitlines() == ['pod/%s unchanged' % pods.name('keep')]
        assert hostpods(*apply, '--dry-run=server', check=0)[1].splitlines() == [
            'pod/%s unchanged (server dry run)' % pods.name('keep')]
        assert hostpods('apply', '-f', path, '--prune', check=1)[2].startswith(
            'error: all resources selected for prune without explicitly passing --all.')
        assert hostpods('apply', '-f', path, '--applyset', 'shop', check=1)[2] == 'error: --applyset requires --prune\n'
    finally:
        hostpods('delete', 'pods', '--all', '-n', ns, '--now')
        hostpods('delete', 'secret', 'shop', '-n', ns, '--ignore-not-found')
        hostpods('delete', 'configmap', pods.name('cfg'), '-n', ns, '--ignore-not-found')


def test_apply_prune_by_label_selector_as_kubectls_allowlist_prune(pods, tmp_path):
    """kubectl apply --prune -l: the pods, ConfigMaps and Secrets of the files' namespace that match the selector and
    that the files no longer hold go (a dry run first changes nothing); what does not match stays."""
    ns = pods.prefix
    labels = {'tier': 'web'}
    config = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': pods.name('cfg'), 'namespace': ns,
                                                                    'labels': labels}, 'data': {'a': '1'}}
    keep, gone = (pod(pods.name(n), [sleeper('app')], namespace=ns, labels=labels, terminationGracePeriodSeconds=1)
                  for n in ('keep', 'gone'))
    other = pod(pods.name('other'), [sleeper('app')], namespace=ns, labels={'tier': 'db'}, terminationGracePeriodSeconds=1)
    path = write_manifest(tmp_path, 'web.yaml', config, keep, gone)
    try:
        hostpods('apply', '-f', write_manifest(tmp_path, 'other.yaml', other), '--sandbox-image', PAUSE, check=0)
        apply = ('apply', '-f', path, '--sandbox-image', PAUSE, '--prune', '-l', 'tier=web')
        assert hostpods(*apply, check=0)[1].splitlines() == [
            'configmap/%s created' % pods.name('cfg'), 'pod/%s created' % pods.name('keep'), 'pod/%s created' % pods.name('gone')]
        write_manifest(tmp_path, 'web.yaml', keep)
        before = containers(pods.prefix)
        assert hostpods(*apply, '--dry-run=server', check=0)[1].splitlines() == [
            'pod/%s unchanged (server dry run)' % pods.name('keep'), 'pod/%s pruned (server dry run)' % pods.name('gone'),
            'configmap/%s pruned (server dry run)' % pods.name('cfg')]
        assert containers(pods.prefix) == before
        assert hostpods(*apply, check=0)[1].splitlines() == [
            'pod/%s unchanged' % pods.name('keep'), 'pod/%s pruned' % pods.name('gone'), 'configmap/%s pruned' % pods.name('cfg')]
        assert {name.split('_')[2] for name in containers(pods.prefix)} == {pods.name('keep'), pods.name('other')}
        assert hostpods(*apply, check=0)[1].splitlines() == ['pod/%s unchanged' % pods.name('keep')]
    finally:
        hostpods('delete', 'pods', '--all', '-n', ns, '--now')
        hostpods('delete', 'configmap', pods.name('cfg'), '-n', ns, '--ignore-not-found')


def test_run_and_delete_by_name_and_label(pods):
    ns = pods.prefix
    _code, out, _err = hostpods('run', pods.name('web'), '--image', BUSYBOX, '--port=80', '--dry-run=client', '-o', 'yaml',
                                '--', 'httpd', '-f', '-p', '80', check=0)
    assert out.startswith('apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null\n  labels:\n    run: %s\n'
                          % pods.name('web'))
    assert '  - args:\n    - httpd\n    - -f\n    - -p\n    - "80"\n' in out
    assert containers(pods.prefix) == {}
    run = ('run', pods.name('one'), '-n', ns, '--image', BUSYBOX, '--sandbox-image', PAUSE, '--labels=tier=x', '--command',
           '--', 'sh', '-c', TRAP + 'sleep 3600 & wait')
    assert hostpods(*run, check=0)[1] == 'pod/%s created\n' % pods.name('one')
    assert hostpods(*run, check=1)[2] == 'Error from server (AlreadyExists): pods "%s" already exists\n' % pods.name('one')
    hostpods('run', pods.name('two'), '-n', ns, '--image', BUSYBOX, '--sandbox-image', PAUSE, '--labels=tier=x',
             '--restart=Never', '--', 'sleep', '1', check=0)
    assert hostpods('delete', 'pod', pods.name('one'), '-n', ns, '--grace-period=1', check=0)[1] == \
        'pod "%s" deleted\n' % pods.name('one')
    assert hostpods('delete', 'pods', '-l', 'tier=x', '-n', ns, check=0)[1] == 'pod "%s" deleted\n' % pods.name('two')
    assert hostpods('delete', 'pod', 'nope', '-n', ns, check=1)[2] == 'Error from server (NotFound): pods "nope" not found\n'
    assert containers(pods.prefix) == {}


def test_delete_across_all_namespaces(pods):
    """kubectl's ``delete pods -A`` with ``-l`` and with ``--all``: one call of the reconcile over every namespace.
    Other engineers' pods share this engine: --all -A runs as a dry run only, the real delete takes a label."""
    one, two = pods.prefix + '-one', pods.prefix + '-two'
    mine = {'tier': pods.prefix}
    manifests = [pod(pods.name('a'), [sleeper('app')], namespace=one, labels=mine, terminationGracePeriodSeconds=1),
                 pod(pods.name('b'), [sleeper('app')], namespace=two, labels=mine, terminationGracePeriodSeconds=1),
                 pod(pods.name('c'), [sleeper('app')], namespace=two, terminationGracePeriodSeconds=1)]
    ok(pods.run({'definition': manifests}))
    before = containers(pods.prefix)
    code, out, err = hostpods('delete', 'pods', '--all', '-A', '--dry-run=server')
    assert (code, err) == (0, '') and containers(pods.prefix) == before
    lines = out.splitlines()
    assert {'pod "%s" deleted (server dry run)' % pods.name(n) for n in 'abc'} <= set(lines)
    assert lines.index('pod "%s" deleted (server dry run)' % pods.name('a')) < \
        lines.index('pod "%s" deleted (server dry run)' % pods.name('b'))  # by namespace, then name
    selector = 'tier=%s' % pods.prefix
    assert hostpods('delete', 'pods', '-A', '-l', selector, '--now', check=0)[1].splitlines() == [
        'pod "%s" deleted' % pods.name('a'), 'pod "%s" deleted' % pods.name('b')]
    assert {name.split('_')[2] for name in containers(pods.prefix)} == {pods.name('c')}
    assert hostpods('delete', 'pods', '-A', '-l', selector, check=0)[1] == 'No resources found\n'
    assert hostpods('delete', 'pod', pods.name('c'), '-A', check=1)[2] == \
        'error: a resource cannot be retrieved by name across all namespaces\n'


def test_exec_it_has_a_real_tty_with_its_size_and_exit_code(pods):
    name = pods.name('tty')
    ok(pods.apply(pod(name, [sleeper('app')], terminationGracePeriodSeconds=1), wait=True))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on a terminal, as a user runs it
        os.execve(LAUNCHER, [LAUNCHER, 'exec', '-it', name, '--', 'sh'], env())
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('hhhh', 40, 100, 0, 0))
        read_until(fd, r'# ')
        os.write(fd, b'tty; stty size\n')
        answer = read_until(fd, r'\d+ \d+\r\n')
        assert '/dev/pts/' in answer and '40 100' in answer
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('hhhh', 30, 77, 0, 0))
        os.kill(pid, signal.SIGWINCH)  # a terminal resized: the size goes on to the container's terminal
        time.sleep(0.5)
        os.write(fd, b'stty size; exit 7\n')
        assert '30 77' in read_until(fd, r'exit code 7')
    except BaseException:
        os.kill(pid, signal.SIGKILL)  # a command that did not end fails the test, never hangs the suite
        raise
    finally:
        _pid, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 7
    # without -t: stdin forwarded, output and exit code passed on, kubectl's words
    code, out, err = hostpods('exec', '-i', name, '--', 'sh', '-c', 'cat; echo oops >&2; exit 3', stdin='piped\n')
    assert (code, out, err) == (3, 'piped\n', 'oops\ncommand terminated with exit code 3\n')
    code, _out, err = hostpods('exec', '-it', name, '--', 'tty', stdin='')
    assert code == 1 and err.startswith('Unable to use a TTY - input is not a terminal or the right kind of file\n')
    assert hostpods('exec', 'nope', '--', 'true', check=1)[2] == 'Error from server (NotFound): pods "nope" not found\n'


def test_logs_follow_streams_new_lines_and_the_next_run(pods):
    name = pods.name('logs')
    script = 'i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo line $i; sleep 1; done; exit 1'
    ok(pods.apply(pod(name, [shell_container('app', script)], terminationGracePeriodSeconds=1)))
    follower = started(['logs', '-f', name])
    try:
        seen = read_until(follower.stdout, r'line 2\n')
        assert seen.startswith('line 1\nline 2\n')  # streamed while the container runs
        # the node agent restarts the container (restartPolicy Always): -f goes on with its next run
        assert read_until(follower.stdout, r'line 1\n', timeout=60)
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(30)
    _code, out, _err = hostpods('logs', name, '--tail=1', check=0)
    assert len(out.splitlines()) <= 1
    code, _out, err = hostpods('logs', name, '-c', 'nope')
    assert (code, err) == (1, 'error: container nope is not valid for pod %s\n' % name)


def test_logs_follow_on_a_terminal_ends_on_ctrl_c(pods):
    """``hostpods logs -f POD`` on a pseudo terminal, as a user runs it: a line the container writes after the
    command started appears; Ctrl-C (the terminal's SIGINT) ends it with 130, as a shell reports kubectl's, and no
    traceback."""
    name = pods.name('tail')
    script = TRAP + 'i=0; while true; do i=$((i+1)); echo tick $i; usleep 2000; done'  # ^C lands amid a write
    ok(pods.apply(pod(name, [shell_container('app', script)], terminationGracePeriodSeconds=1), wait=True))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command on a terminal, as a user runs it
        os.execve(LAUNCHER, [LAUNCHER, 'logs', '-f', name], env())
    seen = ''
    try:
        seen = read_until(fd, r'tick \d+\r\n')
        last = max(int(n) for n in re.findall(r'tick (\d+)\r\n', seen))
        # written while the command follows (last + 2: the line after the last whole one may be cut between reads)
        seen += read_until(fd, r'tick %d\r\n' % (last + 2))
        os.write(fd, b'\x03')  # Ctrl-C: the terminal sends SIGINT to the command
        seen += read_to_end(fd)
    except BaseException:
        os.kill(pid, signal.SIGKILL)  # a command that did not end fails the test, never hangs the suite
        raise
    finally:
        _pid, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 130, seen[-2000:]
    assert 'Traceback' not in seen and 'Error' not in seen, seen[-2000:]


def read_to_end(fd, timeout=30):
    """What a pty gave until its command ended (Linux: EIO once the other side is closed)."""
    seen, deadline = b'', time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, 'the command did not end: %r' % seen
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b''
            if not chunk:
                return seen.decode('utf-8', 'replace')
            seen += chunk


def test_port_forward_relays_tcp_to_the_pod(pods):
    name = pods.name('http')
    manifest = pod(name, [shell_container('web', HTTPD, ports=[{'containerPort': 80, 'name': 'http'}])],
                   terminationGracePeriodSeconds=1)
    ok(pods.apply(manifest, wait=True))
    forwarder = started(['port-forward', 'pod/' + name, ':http'])
    try:
        out = read_until(forwarder.stdout, r'Forwarding from 127\.0\.0\.1:\d+ -> 80\n')
        port = int(re.search(r'Forwarding from 127\.0\.0\.1:(\d+) -> 80\n', out).group(1))
        with urllib.request.urlopen('http://127.0.0.1:%d/' % port, timeout=10) as answer:
            assert answer.read().decode() == 'hello from %s\n' % name
        assert read_until(forwarder.stdout, r'Handling connection for %d\n' % port)
    finally:
        forwarder.send_signal(signal.SIGINT)
        assert forwarder.wait(30) == 0
    code, _out, err = hostpods('port-forward', name, '8080:metrics')
    assert (code, err) == (1, "error: Pod '%s' does not have a named port 'metrics'\n" % name)


def test_top_explain_help_completion_and_errors(pods):
    name = pods.name('top')
    ok(pods.apply(pod(name, [sleeper('app')], terminationGracePeriodSeconds=1), wait=True))
    _code, out, _err = hostpods('top', 'pod', name, '--containers', check=0)
    assert re.match(r'POD +NAME +CPU\(cores\) +MEMORY\(bytes\)\n%s +app +\d+m +\d+Mi\n$' % name, out), out
    # explain: the official schema shipped in the core library, read by the node's python3 (no kubernetes-validate)
    code, out, err = hostpods('explain', 'pod.spec.containers')
    assert (code, err) == (0, '')
    assert out.startswith('KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n\n\nDESCRIPTION:\n'
                          '    List of containers belonging to the pod.')
    assert '  livenessProbe\t<Probe>\n    Periodic probe of container liveness.' in out
    assert '  volumeDevices\t<[]VolumeDevice>\n' in out and 'hostpods: not supported yet' in out
    # help, usage errors, completion
    assert hostpods('logs', '--help', check=0)[1].startswith('Print the logs for a container in a pod.')
    assert hostpods('get', 'pods', '--bogus', check=1)[2] == "error: unknown flag: --bogus\nSee 'hostpods get --help' for usage.\n"
    assert hostpods('frobnicate', check=1)[2].startswith('error: unknown command "frobnicate" for "hostpods"')
    script = hostpods('completion', 'bash', check=0)[1]
    assert subprocess.run(['bash', '-n'], input=script, text=True, check=False).returncode == 0
    code, _out, err = hostpods('get', 'pods', **{'DOCKER_HOST': 'unix:///nonexistent.sock'})
    assert code == 1 and err.startswith('error: Cannot reach the Docker engine at unix:///nonexistent.sock')


@pytest.mark.parametrize('verb', ['get', 'describe', 'logs', 'exec', 'port-forward', 'run', 'apply', 'delete', 'diff',
                                  'explain', 'top', 'completion'])
def test_help_of_each_verb(verb):
    code, out, _err = hostpods(verb, '--help')
    assert code == 0 and '\nExamples:\n' in out and '\nUsage:\n  hostpods %s' % verb in out
