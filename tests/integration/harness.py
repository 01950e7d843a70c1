"""Integration test harness: run hostpods.core modules through ansible-playbook against the real engine."""

import contextlib
import fcntl
import glob
import ipaddress
import json
import os
import subprocess
import sys
import time
import uuid

import yaml

from hostpods_paths import COLLECTIONS_ROOT

PAUSE = 'hostpods/pause:3.10'
BUSYBOX = 'hostpods/busybox:1.35'
BIN = os.path.dirname(sys.executable)


def ansible_env():
    env = dict(os.environ)
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS_ROOT,
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
        'ANSIBLE_LOCALHOST_WARNING': 'false',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
    })
    return env


def docker(*args, check=True, node=None):
    """The docker CLI of this machine, or of a node container (``node``)."""
    proc = subprocess.run((('docker', 'exec', node, 'docker') if node else ('docker',)) + args, capture_output=True,
                          text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError('docker %s failed: %s' % (' '.join(args), proc.stderr))
    return proc.stdout.strip()


def free_subnet(preferred):
    """``preferred`` (an a.b.c.0/24) when no network of this machine's engine overlaps it, else the first free
    a.b.(c + 16k).0/24: a network another run left behind (or a cluster of someone else on a shared engine)
    does not fail the test, and tests preferring different c below 16 apart never pick the same one."""
    taken = set()
    for network_id in docker('network', 'ls', '-q').split():
        for line in docker('network', 'inspect', network_id, '--format',
                           '{{range .IPAM.Config}}{{.Subnet}} {{end}}', check=False).split():
            taken.add(ipaddress.ip_network(line, strict=False))
    wanted = ipaddress.ip_network(preferred)
    third = wanted.network_address.packed[2]
    candidates = [ipaddress.ip_network('%s.%d.0/24' % (preferred.rsplit('.', 2)[0], (third + 16 * step) % 256))
                  for step in range(16)]
    for candidate in candidates:
        if not any(candidate.overlaps(other) for other in taken):
            return str(candidate)
    raise AssertionError('no free /24 beside %s among the engine\'s networks' % preferred)


class Pods:
    """Runs one module task per call and returns its registered result. With an ``inventory`` and
    ``hosts`` (for example a node of ``hostpods.core.cluster``) the tasks run there instead of here."""

    def __init__(self, workdir, prefix, inventory=None, hosts='localhost', node=None):
        self.workdir = workdir
        self.prefix = prefix
        self.inventory = inventory
        self.hosts = hosts
        self.node = node  # the node container whose engine runs the pods (None: this machine's)
        self.runs = 0

    def name(self, suffix):
        return '%s-%s' % (self.prefix, suffix)

    def play(self, *tasks, extra_vars=None, files=None):
        """Run module tasks in ONE ansible-playbook run (each run costs seconds); their registered
        results, in order. A task is ``(module, args)`` or ``(module, args, keywords)``: keywords are task
        keywords (``check_mode``, ``diff``, ``until``, ``retries``, ``delay``); ``RESULT`` in ``until`` stands
        for the task's own result. hostpods.core.pod gets the local sandbox image unless given one."""
        self.runs += 1
        out = os.path.join(self.workdir, 'results-%d.json' % self.runs)
        for path, text in (files or {}).items():
            full = os.path.join(self.workdir, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'w') as handle:
                handle.write(text)
        body, names = [], []
        for index, task in enumerate(tasks):
            module, args = task[0], dict(task[1])
            keywords = dict(task[2]) if len(task) > 2 else {}
            if module == 'hostpods.core.pod':
                args.setdefault('sandbox_image', PAUSE)
            register = 'r%d' % index
            if 'until' in keywords:
                keywords['until'] = keywords['until'].replace('RESULT', register)
            body.append(dict(keywords, **{module: args, 'register': register, 'ignore_errors': True}))
            names.append(register)
        body.append({'ansible.builtin.copy': {'content': '{{ [%s] | to_json }}' % ', '.join(names), 'dest': out},
                     'check_mode': False, 'diff': False, 'delegate_to': 'localhost'})
        playbook = os.path.join(self.workdir, 'play-%d.yml' % self.runs)
        with open(playbook, 'w') as handle:
            yaml.safe_dump([{'hosts': self.hosts, 'gather_facts': False, 'vars': extra_vars or {}, 'tasks': body}],
                           handle)
        where = ['-i', self.inventory] if self.inventory else ['-i', 'localhost,', '-c', 'local']
        env = ansible_env()
        if self.inventory:  # the nodes' own python3 runs the modules there
            env.pop('ANSIBLE_PYTHON_INTERPRETER', None)
        proc = subprocess.run([os.path.join(BIN, 'ansible-playbook')] + where + [playbook],
                              capture_output=True, text=True, env=env, cwd=self.workdir, check=False)
        if not os.path.exists(out):
            raise AssertionError('ansible-playbook failed:\n%s\n%s' % (proc.stdout[-4000:], proc.stderr[-4000:]))
        with open(out) as handle:
            return json.load(handle)

    def run(self, args, module='hostpods.core.pod', check=False, diff=False, extra_vars=None, files=None):
        """Run one module task and return its registered result."""
        return self.play((module, args, {'check_mode': check, 'diff': diff}), extra_vars=extra_vars, files=files)[0]

    def apply(self, definition, **kwargs):
        module_args = {'definition': definition}
        for key in ('state', 'force', 'namespace', 'wait', 'wait_timeout', 'sandbox_image', 'prune', 'applyset',
                    'prune_claims', 'grace_period'):
            if key in kwargs:
                module_args[key] = kwargs.pop(key)
        return self.run(module_args, **kwargs)

    def four_step(self, definition, **kwargs):
        """check -> apply -> apply again -> check again; asserts the contract and returns the apply result."""
        before = containers(self.prefix, node=self.node)
        checked = self.apply(definition, check=True, **kwargs)
        assert not checked.get('failed'), checked.get('msg')
        assert checked['changed'] is True
        assert containers(self.prefix, node=self.node) == before, 'check mode changed the host'
        applied = self.apply(definition, **kwargs)
        assert not applied.get('failed'), applied.get('msg')
        assert applied['changed'] is True
        again = self.apply(definition, **kwargs)
        assert not again.get('failed'), again.get('msg')
        assert again['changed'] is False, again['pods']
        assert again['docker_calls']['write'] == 0
        assert {p['action'] for p in again['pods'] + again.get('objects', [])} == {'unchanged'}
        checked_again = self.apply(definition, check=True, **kwargs)
        assert checked_again['changed'] is False
        return applied


def containers(prefix, all_states=True, node=None):
    """``{docker name: state}`` of every container whose pod name starts with ``prefix``."""
    out = docker('ps', '-a' if all_states else '-q', '--filter', 'label=io.kubernetes.pod.name',
                 '--format', '{{.Names}} {{.State}}', node=node)
    found = {}
    for line in out.splitlines():
        name, state = line.split(' ', 1)
        if name.split('_')[2].startswith(prefix):
            found[name] = state
    return found


def labels(container):
    return json.loads(docker('inspect', '--format', '{{json .Config.Labels}}', container))


def inspect(container):
    return json.loads(docker('inspect', container))[0]


def pod(name, containers_, **spec):
    """A minimal Pod manifest."""
    metadata = {'name': name}
    for key in ('namespace', 'labels', 'annotations'):
        if key in spec:
            metadata[key] = spec.pop(key)
    body = {'containers': containers_}
    body.update(spec)
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': metadata, 'spec': body}


def ok(result):
    """``result`` after asserting that its task did not fail."""
    assert not result.get('failed'), result.get('msg')
    return result


def shell_container(name, script, **extra):
    """A busybox container spec running ``sh -c script``."""
    body = {'name': name, 'image': BUSYBOX, 'command': ['sh', '-c', script]}
    body.update(extra)
    return body


def sleeper(name='main', **extra):
    body = {'name': name, 'image': BUSYBOX, 'command': ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait']}
    body.update(extra)
    return body


STATE_DIR = '/var/lib/hostpods/pods'


def node_uids(prefix):
    """The pod UIDs whose node directory records a pod named with ``prefix`` (in its pod.json)."""
    uids = []
    for uid in sorted(os.listdir(STATE_DIR)) if os.path.isdir(STATE_DIR) else []:
        try:
            with open(os.path.join(STATE_DIR, uid, 'pod.json')) as handle:
                name = json.load(handle)['metadata']['name']
        except (OSError, ValueError, KeyError):
            continue
        if name.startswith(prefix):
            uids.append(uid)
    return uids


def node_mounts(path):
    """The mount points of the node under ``path`` (subPath pins, Secret volumes' tmpfs), deepest first."""
    with open('/proc/self/mountinfo') as handle:
        points = [line.split()[4].replace('\\040', ' ') for line in handle]
    return sorted({p for p in points if p.startswith(path.rstrip('/') + '/')}, key=lambda p: -p.count('/'))


# Forget the node directories of the pods named PREFIX... or of the UIDs listed: pod.json first (the node
# agent lets the pod go), then the mounts under the directory, deepest first (subPath pins and Secret
# tmpfs: a removal must never reach into a volume through them), then the directory.
_FORGET = r"""
cd %s 2>/dev/null || exit 0
for d in */; do
  d=${d%%/}
  case " $2 " in *" $d "*) ;; *) grep -qs "\"name\": \"$1" "$d/pod.json" || continue ;; esac
  rm -f "$d/pod.json"
  awk -v p="$PWD/$d/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r point; do umount -l "$point"; done
  rm -rf "$d"
done
true
""" % STATE_DIR


def forget_pods(prefix, node=None, uids=()):
    """Remove the node's record of the pods named ``prefix...`` (and of ``uids``), as `_FORGET` does."""
    argv = ['sh', '-c', _FORGET, 'forget', prefix, ' '.join(uids)]
    subprocess.run((['docker', 'exec', node] if node else []) + argv, capture_output=True, check=False)


# Remove the cgroups of the pod UIDs given (every QoS class, every hierarchy), deepest first.
_CGROUPS = r"""
for uid in "$@"; do
  for d in /sys/fs/cgroup/kubepods/pod$uid /sys/fs/cgroup/kubepods/*/pod$uid /sys/fs/cgroup/*/kubepods/pod$uid \
           /sys/fs/cgroup/*/kubepods/*/pod$uid; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
done
true
"""


def pod_cgroup_dirs(uid):
    """The directories of a pod UID's cgroups on this machine (every hierarchy)."""
    return sorted(glob.glob('/sys/fs/cgroup/*/kubepods/*pod%s' % uid) + glob.glob('/sys/fs/cgroup/*/kubepods/*/pod%s' % uid)
                  + glob.glob('/sys/fs/cgroup/kubepods/*pod%s' % uid) + glob.glob('/sys/fs/cgroup/kubepods/*/pod%s' % uid))


def _pod_keys(prefix):
    """``(namespace, name)`` of the pods named ``prefix...`` that this machine's engine or node records know."""
    keys = set()
    for line in docker('ps', '-a', '--filter', 'label=io.kubernetes.pod.name', '--format',
                       '{{.Label "io.kubernetes.pod.namespace"}} {{.Label "io.kubernetes.pod.name"}}').splitlines():
        fields = line.split(' ')
        if len(fields) == 2 and fields[1].startswith(prefix):
            keys.add(tuple(fields))
    for path in glob.glob(os.path.join(STATE_DIR, '*', 'pod.json')):
        try:
            with open(path, encoding='utf-8') as handle:
                meta = json.load(handle)['metadata']
        except (OSError, ValueError, KeyError):
            continue
        if meta.get('name', '').startswith(prefix):
            keys.add((meta.get('namespace', 'default'), meta['name']))
    return sorted(keys)


def cleanup(prefix, node=None):
    """Remove every trace of the pods named ``prefix...``: their node records, mounts, containers, volumes and
    cgroups. On this machine under the pods' locks, as a delete is made: a sync of the node agent under way
    finishes first, and none begins until the pods are gone."""
    with contextlib.ExitStack() as held:
        if node is None:
            for namespace, name in _pod_keys(prefix):
                held.enter_context(agent_held_off(name, namespace))
        _remove_traces(prefix, node)


def _remove_traces(prefix, node):
    forget_pods(prefix, node)
    uids = set()
    for _sweep in range(2):  # a sync of the node agent under way may still have made one
        listed = [line.split(' ', 2) for line in docker(
            'ps', '-a', '--filter', 'label=io.kubernetes.pod.name', '--format',
            '{{.ID}} {{.Label "io.kubernetes.pod.uid"}} {{.Label "io.kubernetes.pod.name"}}', node=node).splitlines()]
        mine = [fields for fields in listed if len(fields) == 3 and fields[2].startswith(prefix)]
        if mine:
            docker('rm', '-f', *[fields[0] for fields in mine], check=False, node=node)
        uids.update(fields[1] for fields in mine)
    for volume in docker('volume', 'ls', '-q', node=node).splitlines():
        if prefix in volume:
            docker('volume', 'rm', '-f', volume, check=False, node=node)
    forget_pods(prefix, node, sorted(uids))
    if uids:
        subprocess.run((['docker', 'exec', node] if node else []) + ['sh', '-c', _CGROUPS, 'cgroups'] + sorted(uids),
                       capture_output=True, check=False)


def poll(read, predicate=bool, timeout=60, period=0.5):
    """``read()`` until ``predicate(value)``; that value, or an AssertionError after ``timeout`` s naming the last
    one. The node agent's work (restarts, repairs, probes) is awaited this way, never with a fixed sleep."""
    deadline, value = time.monotonic() + timeout, None
    while True:
        value = read()
        if predicate(value):
            return value
        if time.monotonic() >= deadline:
            raise AssertionError('timed out after %ss; last: %s' % (timeout, json.dumps(value, default=str)[-3000:]))
        time.sleep(period)


def wait_until(predicate, timeout=60, period=0.2):
    """``predicate()`` until it is true: its value (see ``poll``)."""
    return poll(predicate, bool, timeout, period)


@contextlib.contextmanager
def agent_held_off(name, namespace='default', node=None):
    """Hold the pod's lock (``/var/lib/hostpods/locks``, the one every apply and the node agent take): meanwhile
    the agent leaves the pod alone, as if it were not running, so a test can damage the pod and see what check
    mode plans (it takes no lock) before the agent repairs it. On this machine only (``node`` None)."""
    assert node is None, 'the pod locks of a node container are not reachable from here'
    path = os.path.join('/var/lib/hostpods/locks', namespace, name + '.lock')
    os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
    with open(path, 'a+', encoding='utf-8') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({'who': 'the integration test harness', 'pid': os.getpid()}))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_prefix():
    return 't%s' % uuid.uuid4().hex[:8]
