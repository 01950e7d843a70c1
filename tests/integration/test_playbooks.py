"""The collection as users run it: the apply/get/delete playbooks by FQCN from an installed copy (galaxy
build + install, offline), the README's main command (scripts/demo.sh), and ansible-doc."""

import os
import re
import subprocess
import tarfile
import time
import urllib.request

import pytest
import yaml

from harness import BIN, PAUSE, ansible_env, cleanup, containers, docker, new_prefix, pod, sleeper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE_PODS = ('init-content', 'pvc-counter', 'sidecar', 'web')


# ---------------------------------------------------------------------------------------------- helpers
def run(argv, env, cwd, timeout=600):
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def table(stdout):
    """``{pod name: [columns]}`` from the kubectl-like tables the playbooks print (debug lists of lines)."""
    rows, header = {}, None
    for raw in stdout.splitlines():
        line = raw.strip().rstrip(',').strip('"')
        # kubectl's -o wide has two headers of two words
        words = line.replace('NOMINATED NODE', 'NOMINATED_NODE').replace('READINESS GATES', 'READINESS_GATES').split()
        if words[:2] in (['NAME', 'READY'], ['NAMESPACE', 'NAME']):
            header = words
        elif header and len(words) == len(header) and raw.strip().startswith('"'):
            row = dict(zip(header, words))
            rows[row['NAME']] = row
        elif not raw.strip().startswith('"'):
            header = None
    return rows


def example_containers():
    """Docker names of the containers of the example pods (namespace default)."""
    out = docker('ps', '-a', '--filter', 'label=io.kubernetes.pod.namespace=default', '--format',
                 '{{.Names}} {{.Label "io.kubernetes.pod.name"}}')
    return sorted(line.split()[0] for line in out.splitlines() if line.split()[1] in EXAMPLE_PODS)


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """An environment whose only collection is hostpods.core built and installed from this checkout."""
    base = tmp_path_factory.mktemp('galaxy')
    env = ansible_env()
    code, out, err = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(base),
                          ROOT], env, ROOT)
    assert code == 0, out + err
    [tarball] = base.glob('hostpods-core-*.tar.gz')
    with tarfile.open(str(tarball)) as archive:
        held = {name.split('/')[0] for name in archive.getnames()}
        files = set(archive.getnames())
    # what a user needs, and what the roles run; no development files (galaxy.yml build_ignore)
    assert {'plugins', 'roles', 'playbooks', 'meta', 'docs', 'examples', 'README.md', 'CHANGELOG.md'} <= held, held
    assert {'scripts/build-node-image.sh', 'images/node/entrypoint.sh'} <= files
    assert not held & {'tests', 'molecule', 'bench', '.ci', '.git', '.venv', 'pytest.ini', '.ansible-lint'}, held
    development = ('scripts/setup.sh', 'scripts/test.sh', 'scripts/make-schema.py', 'scripts/changelog.sh',
                   'scripts/changelog_convert.py')
    assert not [name for name in files if name.endswith('.pyc') or name in development]
    assert 'plugins/module_utils/_spec/schema/v1.json' in files  # the official schema hostpods explain reads
    assert 'changelogs/changelog.yaml' in files and 'changelogs/.plugin-cache.yaml' not in files
    collections = base / 'collections'
    env['ANSIBLE_COLLECTIONS_PATH'] = str(collections)
    env['ANSIBLE_COLLECTIONS_SCAN_SYS_PATH'] = 'false'
    code, out, err = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', str(tarball),
                          '-p', str(collections)], env, str(base))
    assert code == 0, out + err
    code, out, err = run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'list', 'hostpods.core'], env, str(base))
    assert code == 0 and str(collections) in out and ROOT not in out, out + err
    assert not os.path.islink(str(collections / 'ansible_collections' / 'hostpods' / 'core'))
    return env


# ------------------------------------------------------------------------ 6. playbooks by FQCN, installed
def test_apply_get_delete_playbooks_from_the_installed_collection(installed, tmp_path):
    prefix = new_prefix()
    ns = prefix + '-ns'
    web, db, cache = prefix + '-web', prefix + '-db', prefix + '-cache'
    manifests = tmp_path / 'manifests'
    manifests.mkdir()
    for name, app in ((web, 'web'), (db, 'db'), (cache, 'cache')):
        (manifests / ('%s.yaml' % app)).write_text(yaml.safe_dump(
            pod(name, [sleeper()], labels={'app': app}, terminationGracePeriodSeconds=1)))
    playbook = os.path.join(BIN, 'ansible-playbook')

    def run_playbook(name, *extra, expect=0):
        argv = [playbook, 'hostpods.core.%s' % name, '-e', 'namespace=%s' % ns]
        for item in extra:
            argv += ['-e', item]
        code, out, err = run(argv, installed, str(tmp_path))
        assert code == expect, out[-4000:] + err[-4000:]
        return out

    try:
        # no -e sandbox_image: this machine is a set-up node, whose node facts name the sandbox image
        applied = table(run_playbook('apply', 'manifests=%s' % manifests))
        assert set(applied) == {web, db, cache}, applied
        for row in applied.values():
            assert (row['READY'], row['STATUS'], row['RESTARTS']) == ('1/1', 'Running', '0'), row
            assert re.match(r'^\d+\.\d+\.\d+\.\d+$', row['IP']), row
        found = containers(prefix)
        assert len(found) == 6 and set(found.values()) == {'running'}, found
        assert all('_%s_' % ns in name for name in found), found
        sandboxes = docker('ps', '--filter', 'name=k8s_POD_%s' % prefix, '--format', '{{.Image}}').split()
        assert sandboxes == [PAUSE] * 3, sandboxes

        listed = table(run_playbook('get'))
        assert set(listed) == {web, db, cache}, listed
        assert all(row['STATUS'] == 'Running' and row['READY'] == '1/1' for row in listed.values()), listed
        assert set(table(run_playbook('get', 'selector=app=web'))) == {web}
        assert set(table(run_playbook('get', '{"selector": "app in (db,cache)"}'))) == {db, cache}
        everywhere = table(run_playbook('get', 'all_namespaces=true', 'selector=app=db'))
        assert everywhere[db]['NAMESPACE'] == ns, everywhere

        described = run_playbook('describe', 'name=%s' % web)   # kubectl describe pod
        for line in ('Name:         %s' % web, 'Namespace:    %s' % ns, 'Labels:       app=web',
                     'Status:       Running', 'State:          Running', 'Ready:          True',
                     'Restart Count:  0', 'Conditions:', 'Events:'):
            assert line in described, described
        assert re.search(r'Normal +Started .* Started container main', described), described
        assert 'Name:         %s' % db not in described
        described = run_playbook('describe', '{"selector": "app in (db,cache)"}')
        assert 'Name:         %s' % db in described and 'Name:         %s' % cache in described, described
        assert 'Name:         %s' % web not in described
        assert 'pods \\"%s-none\\" not found' % prefix in run_playbook('describe', 'name=%s-none' % prefix, expect=2)

        out = run_playbook('delete', 'manifests=%s' % (manifests / 'web.yaml'))
        assert '%s: deleted' % web in out, out
        out = run_playbook('delete', 'selector=app=db')
        assert '%s: deleted' % db in out and cache not in out, out
        left = {name.split('_')[2] for name in containers(prefix)}
        assert left == {cache}
        assert set(table(run_playbook('get'))) == {cache}

        out = run_playbook('delete', 'manifests=%s' % manifests)
        assert '%s: deleted' % cache in out and '%s: absent' % web in out, out
        assert containers(prefix) == {}
        assert 'No resources found.' in run_playbook('get')
    finally:
        cleanup(prefix)


def test_run_playbook_dry_run_from_the_installed_collection(installed, tmp_path):
    """``hostpods.core.run -e dry_run=true`` from the installed copy prints kubectl run's manifest, creates nothing."""
    prefix = new_prefix()
    code, out, err = run([os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.run', '-e', 'name=%s' % prefix,
                          '-e', 'image=hostpods/busybox:1.35', '-e', 'port=80', '-e', 'dry_run=true'],
                         installed, str(tmp_path))
    assert code == 0, out[-4000:] + err[-4000:]
    printed = [line.strip().rstrip(',').strip('"') for line in out.splitlines()]
    start = printed.index('apiVersion: v1')
    assert printed[start:start + 13] == [
        'apiVersion: v1', 'kind: Pod', 'metadata:', '  creationTimestamp: null', '  labels:', '    run: %s' % prefix,
        '  name: %s' % prefix, 'spec:', '  containers:', '  - image: hostpods/busybox:1.35',
        '    name: %s' % prefix, '    ports:', '    - containerPort: 80'], out
    assert containers(prefix) == {}


def test_installed_collection_passes_its_own_sanity(installed):
    """``ansible-test sanity`` on the copy ansible-galaxy installed (not on the checkout), with .ci/sanity's
    tools: what Galaxy users get passes the tests Galaxy collections are held to."""
    path = os.path.join(installed['ANSIBLE_COLLECTIONS_PATH'], 'ansible_collections', 'hostpods', 'core')
    env = dict(installed, HOSTPODS_SANITY_COLLECTION=path)
    started = time.monotonic()
    code, out, err = run(['bash', os.path.join(ROOT, '.ci', 'sanity')], env, ROOT, timeout=900)
    took = time.monotonic() - started
    assert code == 0, out[-6000:] + err[-6000:]
    for test in ('validate-modules', 'yamllint', 'pep8', 'compile', 'changelog', 'ansible-doc', 'import', 'pylint'):
        assert 'Running sanity test "%s"' % test in out + err, out[-6000:] + err[-6000:]
    assert 'Skipping' not in out + err, out[-6000:] + err[-6000:]
    assert took < 240, took    # every test (about 130 s on the loaded 2-core machine)


# ---------------------------------------------------------------------------- 7. the README's main command
def test_readme_main_command_demo(tmp_path):
    """``bash scripts/demo.sh`` as a user runs it from the repository root; then the example pods are deleted
    with the delete playbook and the claim's volume removed. Idempotent: examples may already be running."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('ANSIBLE_', 'PYTEST_', 'VIRTUAL_ENV'))}
    try:
        code, out, err = run(['bash', 'scripts/demo.sh'], env, ROOT, timeout=900)
    finally:
        delete_code, deleted, delete_err = run(
            [os.path.join(BIN, 'ansible-playbook'), 'hostpods.core.delete', '-e', 'manifests=%s/examples' % ROOT],
            ansible_env(), ROOT)
        docker('volume', 'rm', '-f', 'k8s_pvc_counter-data_default', check=False)
    assert code == 0, out[-4000:] + err[-4000:]
    rows = table(out)
    assert set(rows) >= set(EXAMPLE_PODS), out[-4000:]
    for name in EXAMPLE_PODS:
        assert rows[name]['STATUS'] == 'Running', rows[name]
    assert rows['sidecar']['READY'] == '2/2' and rows['web']['READY'] == '1/1', rows
    assert out.count('hello from pod web') == 2, out[-4000:]
    assert 'prepared by the init container' in out, out[-4000:]
    # Afterwards: the delete playbook removed every example pod; the claim's volume is gone.
    assert delete_code == 0, deleted[-4000:] + delete_err[-4000:]
    for name in EXAMPLE_PODS:
        assert '%s: deleted' % name in deleted, deleted
    assert example_containers() == []
    assert 'k8s_pvc_counter-data_default' not in docker('volume', 'ls', '-q').splitlines()


def test_pvc_example_keeps_its_data_across_delete_and_reapply(pods):
    """examples/pvc-counter.yaml adds a line to its claim at every start: after a delete and a re-apply
    (a new pod UID) the pod serves both lines over its pod IP."""
    namespace = pods.prefix + '-pvc'
    volume = 'k8s_pvc_counter-data_%s' % namespace
    args = {'src': os.path.join(ROOT, 'examples', 'pvc-counter.yaml'), 'namespace': namespace}
    try:
        first = pods.run(dict(args, wait=True))
        assert not first.get('failed'), first.get('msg')
        deleted = pods.run(dict(args, state='absent'))
        assert deleted['pods'][0]['action'] == 'deleted'
        assert volume in docker('volume', 'ls', '-q').splitlines()
        again = pods.run(dict(args, wait=True))
        assert not again.get('failed'), again.get('msg')
        obj = again['pods'][0]
        assert obj['metadata']['uid'] != first['pods'][0]['metadata']['uid']
        with urllib.request.urlopen('http://%s:8080/' % obj['status']['podIP'], timeout=10) as response:
            starts = response.read().decode().splitlines()
        assert len(starts) == 2, starts
    finally:
        pods.run(dict(args, state='absent'))
        docker('volume', 'rm', '-f', volume, check=False)


# -------------------------------------------------------------------------------------------- 8. ansible-doc
@pytest.mark.parametrize('kind, plugin, options', [
    ('module', 'hostpods.core.pod', ['definition', 'src', 'template', 'state', 'namespace', 'wait', 'wait_timeout',
                                     'force', 'grace_period', 'sandbox_image', 'label_selectors', 'docker_host']),
    ('module', 'hostpods.core.pod_info', ['name', 'namespace', 'all_namespaces', 'label_selectors', 'docker_host']),
    ('module', 'hostpods.core.pod_logs', ['name', 'namespace', 'container', 'tail_lines', 'since_seconds',
                                          'previous', 'timestamps']),
    ('module', 'hostpods.core.pod_exec', ['name', 'namespace', 'container', 'command', 'stdin']),
    ('filter', 'hostpods.core.pod_table', ['_input', 'namespaces']),
    ('filter', 'hostpods.core.pod_describe', ['_input', 'events']),
])
def test_ansible_doc_renders(kind, plugin, options):
    code, out, err = run([os.path.join(BIN, 'ansible-doc'), '-t', kind, plugin], ansible_env(), ROOT)
    assert code == 0, out + err
    assert 'ERROR' not in err and 'WARNING' not in err, err
    assert re.search(r'^> %s %s \(' % (kind.upper(), re.escape(plugin)), out, re.M), out[:500]
    assert 'OPTIONS' in out and 'EXAMPLES' in out and 'RETURN VALUES' in out, out
    for option in options:
        assert re.search(r'^\s+[-=]?\s*%s\s' % re.escape(option), out, re.M), (option, out)
