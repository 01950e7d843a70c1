"""Benchmark: apply N pods in one module call, re-apply them unchanged, delete them.

Runs hostpods.core.pod through ansible-playbook against the local engine and prints, per phase,
the wall time and the Docker calls the module made (reads / writes). Usage:
    .venv/bin/python bench/bench.py [--pods 20] [--containers 2]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from hostpods_paths import COLLECTIONS_ROOT  # noqa: E402  pylint: disable=wrong-import-position


def manifests(count, containers):
    out = []
    for index in range(count):
        out.append({'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'bench-%03d' % index, 'namespace': 'bench'},
                    'spec': {'terminationGracePeriodSeconds': 2, 'containers': [
                        {'name': 'c%d' % c, 'image': 'hostpods/busybox:1.35',
                         'command': ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait']} for c in range(containers)],
                        'volumes': [{'name': 'scratch', 'emptyDir': {}}]}})
    return out


def run(workdir, definition, state):
    out = os.path.join(workdir, 'result.json')
    play = [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'hostpods.core.pod': {'definition': definition, 'state': state, 'sandbox_image': 'hostpods/pause:3.10'},
         'register': 'r'},
        {'ansible.builtin.copy': {'content': '{{ r | to_json }}', 'dest': out}}]}]
    path = os.path.join(workdir, 'play.yml')
    with open(path, 'w') as handle:
        yaml.safe_dump(play, handle)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_LOCALHOST_WARNING='false')
    started = time.monotonic()
    subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), path], check=True,
                   capture_output=True, env=env)
    elapsed = time.monotonic() - started
    with open(out) as handle:
        return elapsed, json.load(handle)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--pods', type=int, default=20)
    parser.add_argument('--containers', type=int, default=2)
    args = parser.parse_args()
    definition = manifests(args.pods, args.containers)
    with tempfile.TemporaryDirectory() as workdir:
        rows = []
        for phase, state in (('apply (create)', 'present'), ('re-apply (unchanged)', 'present'),
                             ('delete', 'absent'), ('delete again (absent)', 'absent')):
            elapsed, result = run(workdir, definition, state)
            rows.append((phase, elapsed, result['changed'], result['docker_calls']['read'], result['docker_calls']['write']))
    print('%d pods x %d containers, one module call per phase (wall time includes ansible-playbook start-up)'
          % (args.pods, args.containers))
    print('%-24s %9s %8s %6s %6s' % ('phase', 'seconds', 'changed', 'reads', 'writes'))
    for phase, elapsed, changed, reads, writes in rows:
        print('%-24s %9.2f %8s %6d %6d' % (phase, elapsed, changed, reads, writes))


if __name__ == '__main__':
    main()
