"""Benchmark: hostpods next to its floor, at one or more sizes, in the same run.

For each size N: the floor (``floor.py``: the Docker SDK's low-level API, 4 threads, no grace) makes N pods,
re-applies them and deletes them; then ``ansible-playbook`` runs hostpods.core.pod on the same N manifests
(a directory, ``src``, as a user passes it): cold apply, unchanged re-apply (median of ``--runs``), delete.
Prints per phase the seconds of each, hostpods / floor, the CPU seconds of the floor's process and of the
module (its interpreter runs under /usr/bin/time), the module's Docker reads and writes and its peak memory.
The unchanged re-apply is also set next to Ansible's own floor for one task on this host (one ``ansible-playbook``
run of one ``ansible.builtin.stat`` task: its start-up, the packaging of a module and its run), the two run in
turn.
The node agent of this machine keeps the pods meanwhile, as it does for every user; the header says whether
it runs, and the load average before and after.

Each pod: ``--containers`` containers of busybox and an emptyDir. Their process is PID 1 and ignores
SIGTERM (``sleep``), so a delete waits out the grace period (``--grace``, the pod's
terminationGracePeriodSeconds; Kubernetes' default 30 s); ``--grace 0`` means the kubelet's minimum, 2 s.

    .venv/bin/python bench/bench.py --pods 50 100 200 [--containers 2] [--grace 30] [--runs 5]

The node takes at most its maxPods pods (110 unless set up otherwise): for 200, run
``scripts/setup.sh --max-pods 250`` first (the node role's ``node_max_pods``).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid

import docker
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
sys.path.insert(0, HERE)
from hostpods_paths import COLLECTIONS_ROOT, ROOT  # noqa: E402  pylint: disable=wrong-import-position
from floor import Floor  # noqa: E402  pylint: disable=wrong-import-position

PAUSE, BUSYBOX = 'hostpods/pause:3.10', 'hostpods/busybox:1.35'
COMMAND = ['sleep', '36000']  # PID 1 without a handler: SIGTERM is ignored, the grace period runs out
FACTS, HEARTBEAT = '/etc/ansible/facts.d/hostpods.fact', '/run/hostpods/agent.json'


def manifests(namespace, count, containers, grace):
    return [{'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'bench-%03d' % index, 'namespace': namespace},
             'spec': {'terminationGracePeriodSeconds': grace,
                      'containers': [{'name': 'c%d' % c, 'image': BUSYBOX, 'command': COMMAND,
                                      'volumeMounts': [{'name': 'scratch', 'mountPath': '/scratch'}]}
                                     for c in range(containers)],
                      'volumes': [{'name': 'scratch', 'emptyDir': {}}]}} for index in range(count)]


class Hostpods:
    """ansible-playbook runs of hostpods.core.pod on a directory of manifests, as a user makes them."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.folder = os.path.join(workdir, 'manifests')
        self.peaks = os.path.join(workdir, 'peak-kb')
        self.record = os.path.join(workdir, 'record.json')
        wrapper = os.path.join(workdir, 'python')  # the module's interpreter, its peak memory written down
        with open(wrapper, 'w') as handle:
            handle.write('#!/bin/sh\nexec /usr/bin/time -a -o %s -f "%%M %%U %%S" %s "$@"\n' % (self.peaks, sys.executable))
        os.chmod(wrapper, 0o755)
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_LOCALHOST_WARNING='false',
                        ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, 'tests', 'integration', 'callback_plugins'),
                        ANSIBLE_CALLBACKS_ENABLED='hostpods_record', HOSTPODS_RECORD=self.record)
        for state in ('present', 'absent'):
            play = [{'hosts': 'localhost', 'gather_facts': False, 'vars': {'ansible_python_interpreter': wrapper},
                     'tasks': [{'hostpods.core.pod': {'src': self.folder, 'state': state}}]}]
            with open(os.path.join(workdir, state + '.yml'), 'w') as handle:
                yaml.safe_dump(play, handle)
        # Ansible's own cost of one task on this host (start-up, packaging a module of its own, running it)
        play = [{'hosts': 'localhost', 'gather_facts': False, 'vars': {'ansible_python_interpreter': wrapper},
                 'tasks': [{'ansible.builtin.stat': {'path': self.folder}}]}]
        with open(os.path.join(workdir, 'ansible-floor.yml'), 'w') as handle:
            yaml.safe_dump(play, handle)

    def write(self, pods):
        os.makedirs(self.folder, exist_ok=True)
        for name in os.listdir(self.folder):
            os.unlink(os.path.join(self.folder, name))
        for pod in pods:
            with open(os.path.join(self.folder, pod['metadata']['name'] + '.yaml'), 'w') as handle:
                yaml.safe_dump(pod, handle)

    def playbook(self, name):
        """``(seconds, process)`` of one ansible-playbook run of ``name``.yml."""
        if os.path.exists(self.peaks):
            os.unlink(self.peaks)
        started = time.monotonic()
        proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                               os.path.join(self.workdir, name + '.yml')], capture_output=True, text=True,
                              env=self.env, check=False)
        return time.monotonic() - started, proc

    def module_cost(self):
        """``(peak MiB, CPU seconds)`` of the last run's module process."""
        with open(self.peaks) as handle:
            kib, user, system = [line.split() for line in handle if line[:1].isdigit()][-1]
        return int(kib) / 1024, float(user) + float(system)

    def ansible_floor(self):
        """``(seconds, the module's CPU seconds)`` of one ansible-playbook run of one ``ansible.builtin.stat`` task."""
        elapsed, proc = self.playbook('ansible-floor')
        if proc.returncode:
            raise SystemExit('the Ansible floor failed: %s' % proc.stdout[-2000:])
        return elapsed, self.module_cost()[1]

    def run(self, state):
        """``(seconds, the module's result, (its peak memory in MiB, its CPU seconds))`` of one ansible-playbook run."""
        elapsed, proc = self.playbook(state)
        with open(self.record) as handle:
            result = json.load(handle)[0]['result']
        if proc.returncode or result.get('failed'):
            raise SystemExit('hostpods %s failed: %s\n%s' % (state, result.get('msg'), proc.stdout[-2000:]))
        return elapsed, result, self.module_cost()


def timed(function, *args):
    """``(seconds, CPU seconds of this process)`` of ``function(*args)``."""
    started, cpu = time.monotonic(), time.process_time()
    function(*args)
    return time.monotonic() - started, time.process_time() - cpu


def node_room(client):
    """How many more pods this node takes (its maxPods less the pods on it)."""
    try:
        with open(FACTS) as handle:
            max_pods = int(json.load(handle)['allocatable']['pods'])
    except (OSError, ValueError, KeyError):
        max_pods = 110
    uids = {item['Labels'].get('io.kubernetes.pod.uid') for item in
            client.containers(all=True, filters={'label': 'io.kubernetes.pod.uid'})}
    return max_pods, max_pods - len(uids)


def agent_state():
    try:
        with open(HEARTBEAT) as handle:
            beat = json.load(handle)
    except (OSError, ValueError):
        return 'not running (no heartbeat)'
    age = time.time() - beat.get('written', 0)
    return 'running (pid %s, heartbeat %.0f s old)' % (beat.get('pid'), age) if age < 30 else 'not running'


def one_size(count, args, hostpods):
    run_id = uuid.uuid4().hex[:6]
    floor = Floor(run_id, PAUSE, BUSYBOX, COMMAND)
    rows = {}
    rows['cold apply'] = list(timed(floor.apply, count, args.containers))
    again = sorted(timed(floor.apply, count, args.containers) for _run in range(args.runs))
    rows['unchanged re-apply'] = list(again[len(again) // 2])
    rows['delete'] = list(timed(floor.delete))
    hostpods.write(manifests('bench-' + run_id, count, args.containers, args.grace))
    try:
        cold = hostpods.run('present')
        again, ansible = [], []
        for _run in range(args.runs):  # in turn, so a drift of the machine's speed touches both alike
            again.append(hostpods.run('present'))
            ansible.append(hostpods.ansible_floor())
        gone = hostpods.run('absent')
    except BaseException:
        subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                        os.path.join(hostpods.workdir, 'absent.yml')], capture_output=True, env=hostpods.env,
                       check=False)
        raise
    assert not any(result['changed'] for _s, result, _p in again), 'a re-apply changed something'
    assert all(result['docker_calls']['write'] == 0 for _s, result, _p in again), 'a re-apply wrote'
    middle = sorted(again, key=lambda item: item[0])[len(again) // 2]
    for phase, (seconds, result, (peak, cpu)) in (('cold apply', cold), ('unchanged re-apply', middle),
                                                  ('delete', gone)):
        calls = result['docker_calls']
        rows[phase] += [seconds, cpu, calls['read'], calls['write'], peak]
    # the re-apply next to Ansible's own floor: one task of a module of Ansible's on the same host
    floor_s, floor_cpu = sorted(ansible)[len(ansible) // 2]
    rows['re-apply vs Ansible'] = [floor_s, floor_cpu] + rows['unchanged re-apply'][2:]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--pods', type=int, nargs='+', default=[50])
    parser.add_argument('--containers', type=int, default=2)
    parser.add_argument('--grace', type=int, default=30, help="pods' terminationGracePeriodSeconds (default 30)")
    parser.add_argument('--runs', type=int, default=5, help='unchanged re-applies at each size (the median counts)')
    args = parser.parse_args()
    client = docker.APIClient(version='auto')
    max_pods, room = node_room(client)
    if max(args.pods) > room:
        raise SystemExit('this node takes %d more pods (maxPods %d): set it up with a larger capacity, '
                         'e.g. scripts/setup.sh --max-pods %d' % (room, max_pods, max(args.pods) + max_pods - room + 10))
    version = client.version()
    print('%s, %d cores, %.1f GiB; Docker engine %s (%s); node agent %s; load average %s' % (
        platform.node(), os.cpu_count(), os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30,
        version['Version'], version.get('Os', ''), agent_state(), ' '.join('%.2f' % x for x in os.getloadavg())))
    print('pods of %d containers and an emptyDir, grace period %d s; floor: Docker SDK low-level API, 4 threads, '
          'no grace; hostpods: one ansible-playbook run (its start-up included), re-apply: median of %d; '
          '"re-apply vs Ansible": the floor is one ansible-playbook run of one ansible.builtin.stat task'
          % (args.containers, args.grace, args.runs))
    print('%5s  %-19s %8s %8s %7s  %9s %9s  %6s %6s %8s' % (
        'pods', 'phase', 'floor s', 'hostpods', 'ratio', 'floor cpu', 'module cpu', 'reads', 'writes', 'peak MiB'))
    with tempfile.TemporaryDirectory() as workdir:
        hostpods = Hostpods(workdir)
        for count in args.pods:
            for phase, (floor_s, floor_cpu, seconds, cpu, reads, writes, peak) in one_size(count, args, hostpods).items():
                print('%5d  %-19s %8.2f %8.2f %6.2fx  %9.2f %9.2f  %6d %6d %8.1f' % (
                    count, phase, floor_s, seconds, seconds / floor_s, floor_cpu, cpu, reads, writes, peak))
                sys.stdout.flush()
    print('load average after: %s' % ' '.join('%.2f' % x for x in os.getloadavg()))


if __name__ == '__main__':
    main()
