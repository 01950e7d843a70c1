# What the hostpods.core.node role needs to know about a node, in one run (read-only).
# Prints one JSON object: the engine (installed, answering), the init system, the Python docker SDK
# of this interpreter, whether Debian's python3-grpcio is installed (the node agent's grpc probes), the
# command-line flags of dockerd (as daemon.json keys), the current /etc/docker/daemon.json and the node's
# capacity (CPUs and memory, cgroup limits applied; ephemeral storage: the engine's data root's file system).
# What the role makes of it is worked out on the
# controller (the collection's filters node_daemon_config and node_facts).
import json
import os
import re
import shutil
import subprocess
import sys

DAEMON_JSON = '/etc/docker/daemon.json'
SHORT = {'H': 'hosts', 'D': 'debug', 'l': 'log-level', 'b': 'bridge', 's': 'storage-driver',
         'G': 'group', 'g': 'data-root', 'p': 'pidfile'}
PLURAL = {'host': 'hosts', 'label': 'labels', 'log-opt': 'log-opts', 'storage-opt': 'storage-opts',
          'exec-opt': 'exec-opts', 'dns-opt': 'dns-opts', 'insecure-registry': 'insecure-registries',
          'registry-mirror': 'registry-mirrors', 'default-ulimit': 'default-ulimits', 'add-runtime': 'runtimes',
          'authorization-plugin': 'authorization-plugins', 'default-address-pool': 'default-address-pools',
          'allow-nondistributable-artifacts': 'allow-nondistributable-artifacts', 'graph': 'data-root',
          'node-generic-resource': 'node-generic-resources', 'cluster-store-opt': 'cluster-store-opts'}


def read(path, default=''):
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return handle.read()
    except OSError:
        return default


def run(argv):
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return 1, ''
    return proc.returncode, proc.stdout.decode('utf-8', 'replace').strip()


def dockerd_argv():
    """The argv of the running dockerd, else the one systemd would start; and where it came from."""
    for entry in os.listdir('/proc'):
        if entry.isdigit() and read('/proc/%s/comm' % entry).strip() == 'dockerd':
            raw = read('/proc/%s/cmdline' % entry)
            if raw:
                return raw.rstrip('\0').split('\0'), 'process'
    if shutil.which('systemctl'):
        rc, out = run(['systemctl', 'show', '--property=ExecStart', 'docker.service'])
        match = re.search(r'argv\[\]=(.*?) ;', out)
        if rc == 0 and match:
            return match.group(1).split(), 'systemd'
    return [], 'none'


def flag_keys(argv):
    """The daemon.json keys the flags in argv set (dockerd refuses a key given both ways)."""
    keys = []
    for token in argv[1:]:
        if token.startswith('--') and len(token) > 2:
            name = token[2:].split('=', 1)[0]
        elif token.startswith('-') and len(token) > 1 and token[1] in SHORT:
            name = SHORT[token[1]]
        else:
            continue
        key = PLURAL.get(name, name)
        if key not in keys:
            keys.append(key)
    return keys


def cgroup_path(controller):
    for line in read('/proc/self/cgroup').splitlines():
        parts = line.split(':', 2)
        if len(parts) == 3 and controller in parts[1].split(','):
            return parts[2]
    return None


def capacity():
    """CPUs (millicores) and memory (bytes): the host's, lowered by the limits of this cgroup."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    millis = cpus * 1000
    memory = 0
    for line in read('/proc/meminfo').splitlines():
        if line.startswith('MemTotal:'):
            memory = int(line.split()[1]) * 1024
    if os.path.exists('/sys/fs/cgroup/cgroup.controllers'):  # cgroup v2
        path = cgroup_path('') or '/'
        quota = read('/sys/fs/cgroup%s/cpu.max' % path).split()
        if len(quota) == 2 and quota[0] != 'max':
            millis = min(millis, int(int(quota[0]) * 1000 / int(quota[1])))
        limit = read('/sys/fs/cgroup%s/memory.max' % path).strip()
        if limit.isdigit():
            memory = min(memory, int(limit))
    else:  # cgroup v1
        path = cgroup_path('cpu')
        if path is not None:
            for base in ('/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/cpu'):
                quota = read('%s%s/cpu.cfs_quota_us' % (base, path)).strip()
                period = read('%s%s/cpu.cfs_period_us' % (base, path)).strip()
                if quota.lstrip('-').isdigit() and period.isdigit():
                    if int(quota) > 0:
                        millis = min(millis, int(int(quota) * 1000 / int(period)))
                    break
        path = cgroup_path('memory')
        if path is not None:
            limit = read('/sys/fs/cgroup/memory%s/memory.limit_in_bytes' % path).strip()
            if limit.isdigit():
                memory = min(memory, int(limit))
    return {'cpu_millis': millis, 'memory_bytes': memory}


def storage_bytes(path):
    """The capacity of the file system holding path (a kubelet's ephemeral-storage capacity), 0 when unreadable;
    a path not made yet (an engine not installed yet) is on its nearest existing parent's, where it will be made."""
    while path and path != '/' and not os.path.exists(path):
        path = os.path.dirname(path)
    try:
        found = os.statvfs(path or '/')
    except OSError:
        return 0
    return found.f_blocks * found.f_frsize


def main():
    out = {'python': sys.executable, 'dockerd': shutil.which('dockerd') or '',
           'init': read('/proc/1/comm').strip(), 'docker_sdk': '', 'engine': ''}
    try:
        import docker  # noqa: F401  pylint: disable=import-outside-toplevel
        out['docker_sdk'] = getattr(docker, '__version__', 'unknown')
    except Exception:  # pylint: disable=broad-except
        pass
    for package in ('python3-grpcio', 'python3-docker', 'python3-yaml'):  # the agent's and the command's
        rc, status = run(['dpkg-query', '--show', '--showformat', '${Status}', package])
        out[package.replace('-', '_')] = rc == 0 and status == 'install ok installed'
    if shutil.which('docker'):
        rc, version = run(['docker', 'version', '--format', '{{.Server.Version}}'])
        out['engine'] = version if rc == 0 else ''
        rc, root = run(['docker', 'info', '--format', '{{.DockerRootDir}}'])
        out['docker_root'] = root if rc == 0 else ''
    argv, source = dockerd_argv()
    out['flags'] = flag_keys(argv)
    out['flags_source'] = source
    out['daemon_json'] = {}
    out['daemon_json_error'] = ''
    text = read(DAEMON_JSON)
    if text.strip():
        try:
            out['daemon_json'] = json.loads(text)
        except ValueError as exc:
            out['daemon_json_error'] = '%s: %s' % (DAEMON_JSON, exc)
    out.update(capacity())
    # the engine's data root: what it says, else what its settings say, else its default; the same answer before
    # and after the role installs the engine, so the node facts do not change between two runs
    out['ephemeral_storage_bytes'] = storage_bytes(out.pop('docker_root', '') or out['daemon_json'].get('data-root')
                                                   or '/var/lib/docker')
    print(json.dumps(out, sort_keys=True))


main()
