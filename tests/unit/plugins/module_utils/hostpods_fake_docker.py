"""A stand-in ``docker`` CLI for the unit tests of the controller plugins (no engine).

It logs its argv (one JSON list a line) to ``$FAKE_DOCKER_LOG``; ``ps`` and ``inspect`` answer from the
``docker inspect`` dicts in ``$FAKE_DOCKER_STATE`` (a JSON list); ``exec`` runs the command here, except
in the container ``missing`` (the engine's error) and in the node containers named in ``$FAKE_DOCKER_NODES``
(comma-separated), where ``docker ...`` runs this stand-in again, as the node's own CLI.
"""

import json
import os
import stat
import sys
import textwrap

SCRIPT = textwrap.dedent('''\
    #!{python}
    import json, os, sys
    argv = sys.argv[1:]
    with open(os.environ['FAKE_DOCKER_LOG'], 'a') as log:
        log.write(json.dumps(argv) + '\\n')
    while argv and argv[0].startswith('-'):
        argv = argv[2:] if argv[0] in ('--host', '--context') else argv[1:]
    verb, argv = argv[0], argv[1:]
    with open(os.environ.get('FAKE_DOCKER_STATE') or os.devnull) as handle:
        infos = json.loads(handle.read() or '[]')
    if verb == 'ps':
        wanted = [argv[i + 1][len('label='):] for i, word in enumerate(argv) if word == '--filter']
        form = argv[argv.index('--format') + 1] if '--format' in argv else '{{{{.ID}}}}'
        for info in infos:
            labels = info['Config']['Labels']
            if all((w.split('=', 1)[0] in labels) if '=' not in w else labels.get(w.split('=', 1)[0]) == w.split('=', 1)[1]
                   for w in wanted):
                line = form.replace('{{{{.ID}}}}', info['Id']).replace('{{{{.Names}}}}', info.get('Name', '/')[1:])
                for key, value in labels.items():
                    line = line.replace('{{{{.Label "%s"}}}}' % key, value)
                print(line)
        sys.exit(0)
    if verb == 'inspect':
        found = [info for info in infos if info['Id'] in argv]
        print(json.dumps(found))
        if len(found) < len(argv):
            sys.stderr.write('Error: No such object: %s\\n' % [i for i in argv if i not in [f['Id'] for f in found]][0])
            sys.exit(1)
        sys.exit(0)
    if verb != 'exec':
        sys.stderr.write('fake docker: unknown command %s\\n' % verb)
        sys.exit(2)
    while argv[0].startswith('-'):
        argv = argv[2:] if argv[0] == '--user' else argv[1:]
    container, command = argv[0], argv[1:]
    if container == 'missing':
        sys.stderr.write('Error response from daemon: No such container: missing\\n')
        sys.exit(1)
    if container in os.environ.get('FAKE_DOCKER_NODES', '').split(',') and command[0] == 'docker':
        os.execv(sys.argv[0], [sys.argv[0]] + command[1:])
    os.execvp(command[0], command)
''')


def install(tmp_path, monkeypatch, infos=(), nodes=()):
    """Write the stand-in to ``tmp_path/docker``; returns ``(path, log path, state path)``."""
    path = tmp_path / 'docker'
    path.write_text(SCRIPT.format(python=sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    log, state = tmp_path / 'docker.log', tmp_path / 'docker-state.json'
    state.write_text(json.dumps(list(infos)))
    monkeypatch.setenv('FAKE_DOCKER_LOG', str(log))
    monkeypatch.setenv('FAKE_DOCKER_STATE', str(state))
    monkeypatch.setenv('FAKE_DOCKER_NODES', ','.join(nodes))
    for name in ('DOCKER_HOST', 'HOSTPODS_DOCKER_HOST'):
        monkeypatch.delenv(name, raising=False)
    return str(path), str(log), str(state)


def calls(log):
    if not os.path.exists(log):
        return []
    with open(log) as handle:
        return [json.loads(line) for line in handle]
