"""The run playbook (issue 14 item 5), as `kubectl run` users type it: the manifest kubectl generates (the same
builder as the node's `hostpods run`), printed with dry_run=true, else applied through hostpods.core.apply (the
four steps with --check), serving over its pod IP; restart=Never with a command runs to completion."""

import json
import os
import subprocess
import urllib.request

from harness import BIN, PAUSE, ansible_env, cleanup, containers, docker, inspect, new_prefix
from hostpods_paths import COLLECTIONS_ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_playbook(tmp_path, *extra, check=False):
    """``ansible-playbook hostpods.core.run -e ...``: (rc, output, {task name: [results, with their status]})."""
    record = str(tmp_path / ('record-%d.json' % len(list(tmp_path.glob('record-*')))))
    env = ansible_env()
    env.update({'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
                'ANSIBLE_CALLBACKS_ENABLED': 'hostpods_record', 'HOSTPODS_RECORD': record})
    argv = [os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.run', '-e', 'sandbox_image=%s' % PAUSE]
    for item in extra:
        argv += ['-e', item if isinstance(item, str) else json.dumps(item)]
    proc = subprocess.run(argv + (['--check'] if check else []), capture_output=True, text=True, env=env,
                          cwd=str(tmp_path), timeout=600, check=False)
    results = {}
    if os.path.exists(record):
        with open(record) as handle:
            for item in json.load(handle):
                results.setdefault(item['task'], []).append(dict(item['result'], status=item['status']))
    return proc.returncode, proc.stdout + proc.stderr, results


def printed(results):
    [shown] = results['Print the manifest (kubectl run --dry-run=client -o yaml)']
    return '\n'.join(shown['msg'])


def test_dry_run_prints_what_kubectl_run_generates_and_creates_nothing(tmp_path):
    prefix = new_prefix()
    code, out, results = run_playbook(tmp_path, 'name=%s' % prefix, 'image=hostpods/busybox:1.35', 'port=80',
                                      {'args': ['httpd', '-f', '-p', '80']}, 'dry_run=true')
    assert code == 0, out[-3000:]
    assert printed(results) == '\n'.join([
        'apiVersion: v1', 'kind: Pod', 'metadata:', '  creationTimestamp: null', '  labels:', '    run: %s' % prefix,
        '  name: %s' % prefix, 'spec:', '  containers:', '  - args:', '    - httpd', '    - -f', '    - -p', '    - "80"',
        '    image: hostpods/busybox:1.35', '    name: %s' % prefix, '    ports:', '    - containerPort: 80',
        '    resources: {}', '  dnsPolicy: ClusterFirst', '  restartPolicy: Always', 'status: {}'])
    # the node's hostpods run prints the same manifest (one builder)
    cli = subprocess.run([os.path.join(ROOT, 'roles', 'node', 'files', 'hostpods'), 'run', prefix,
                          '--image=hostpods/busybox:1.35', '--port=80', '--dry-run=client', '-o', 'yaml', '--',
                          'httpd', '-f', '-p', '80'], capture_output=True, text=True, check=False,
                         env=dict(os.environ, HOSTPODS_LIB=COLLECTIONS_ROOT))
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.rstrip('\n') == printed(results)
    assert [item['status'] for item in results['Apply the manifests']] == ['skipped']
    assert containers(prefix) == {}
    code, out, _results = run_playbook(tmp_path, 'name=%s' % prefix, 'dry_run=true')
    assert code != 0 and 'run_manifest: required flag(s) "image" not set' in out, out[-3000:]
    code, out, _results = run_playbook(tmp_path, 'name=%s' % prefix, 'image=x', 'restart=Sometimes', 'dry_run=true')
    assert code != 0 and 'run_manifest: invalid restart policy: Sometimes' in out, out[-3000:]


def test_run_in_four_steps_serves_and_a_never_pod_completes(tmp_path):
    prefix = new_prefix()
    web = prefix + '-web'
    once = prefix + '-once'
    args = ('name=%s' % web, 'image=hostpods/busybox:1.35', 'port=8080', 'labels=app=web,tier=front',
            {'env': ['GREETING=hello from run']}, 'namespace=%s-ns' % prefix,
            {'command': ['sh', '-c', 'echo "$GREETING" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp']})
    try:
        code, out, checked = run_playbook(tmp_path, *args, check=True)      # 1. check mode: said, not done
        assert code == 0, out[-3000:]
        [result] = checked['Apply the manifests']
        assert result['changed'] is True and result['pods'][0]['action'] == 'created'
        assert containers(prefix) == {}
        code, out, applied = run_playbook(tmp_path, *args)                  # 2. created, and serving
        assert code == 0, out[-3000:]
        [result] = applied['Apply the manifests']
        obj = result['pods'][0]
        assert (result['changed'], obj['action'], obj['status']['phase']) == (True, 'created', 'Running')
        assert obj['metadata']['labels'] == {'app': 'web', 'tier': 'front'}
        assert obj['metadata']['namespace'] == prefix + '-ns'
        with urllib.request.urlopen('http://%s:8080/' % obj['status']['podIP'], timeout=10) as response:
            assert response.read().decode().strip() == 'hello from run'
        assert '%s   1/1     Running' % web in out, out[-3000:]
        for check in (False, True):                                         # 3. and 4. unchanged
            code, out, again = run_playbook(tmp_path, *args, check=check)
            assert code == 0, out[-3000:]
            [result] = again['Apply the manifests']
            assert result['changed'] is False and result['pods'][0]['action'] == 'unchanged'
            assert check or result['docker_calls']['write'] == 0

        code, out, ran = run_playbook(tmp_path, 'name=%s' % once, 'image=hostpods/busybox:1.35', 'restart=Never',
                                      'namespace=%s-ns' % prefix, {'command': 'sh -c "echo done; exit 0"'})
        assert code == 0, out[-3000:]
        [result] = ran['Apply the manifests']
        obj = result['pods'][0]
        assert (obj['spec']['restartPolicy'], obj['status']['phase']) == ('Never', 'Succeeded'), obj['status']
        [app] = [name for name in containers(prefix) if name.startswith('k8s_%s_' % once)]
        assert inspect(app)['Config']['Entrypoint'] == ['sh', '-c', 'echo done; exit 0']
        assert docker('logs', app) == 'done'
    finally:
        cleanup(prefix)
