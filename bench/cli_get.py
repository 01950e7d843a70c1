"""Benchmark: ``hostpods get pods`` on N pods, next to ``docker ps``.

Applies N one-container pods (in their own namespace, through the library reconcile: no Ansible), then runs
``hostpods get pods -n <namespace>`` as a user types it (the launcher roles/node/files/hostpods with /usr/bin/python3,
this checkout as the library) and ``docker ps`` R times each, prints min / median / max wall times and the load
average, and deletes the pods (unless --keep). Usage:
    .venv/bin/python bench/cli_get.py [--pods 50] [--runs 10] [--keep]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from hostpods_paths import COLLECTIONS_ROOT, ROOT  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.hostpods.core.plugins.module_utils._reconcile import apply_pods  # noqa: E402
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import DockerClient  # noqa: E402

NAMESPACE = 'bench-cli'
LAUNCHER = os.path.join(ROOT, 'roles', 'node', 'files', 'hostpods')


def manifests(count):
    return [{'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'get-%03d' % index, 'namespace': NAMESPACE},
             'spec': {'terminationGracePeriodSeconds': 1, 'containers': [
                 {'name': 'app', 'image': 'hostpods/busybox:1.35',
                  'command': ['sh', '-c', 'trap "exit 0" TERM; sleep 36000 & wait']}]}} for index in range(count)]


def timed(argv, env, runs):
    times = []
    for _run in range(runs):
        started = time.monotonic()
        proc = subprocess.run(argv, capture_output=True, env=env, check=True)
        times.append(time.monotonic() - started)
    return times, proc.stdout.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--pods', type=int, default=50)
    parser.add_argument('--runs', type=int, default=10)
    parser.add_argument('--keep', action='store_true', help='leave the pods (a second run then skips the apply)')
    args = parser.parse_args()
    pods = manifests(args.pods)
    client = DockerClient()
    started = time.monotonic()
    apply_pods(client, {'definition': pods, 'sandbox_image': 'hostpods/pause:3.10', 'wait': True})
    print('applied %d pods in %.1f s' % (args.pods, time.monotonic() - started))
    env = {key: value for key, value in os.environ.items() if not key.startswith(('PYTHON', 'VIRTUAL_ENV'))}
    env['HOSTPODS_LIB'] = COLLECTIONS_ROOT
    try:
        timed([LAUNCHER, 'get', 'pods', '-n', NAMESPACE], env, 1)  # the first run writes the bytecode
        results = [('hostpods get pods -n %s' % NAMESPACE, timed([LAUNCHER, 'get', 'pods', '-n', NAMESPACE], env, args.runs)),
                   ('docker ps', timed(['docker', 'ps'], env, args.runs))]
        rows = results[0][1][1].splitlines()
        assert len(rows) == args.pods + 1 and all(' Running ' in row for row in rows[1:]), rows
        print('load average: %s' % ' '.join('%.2f' % load for load in os.getloadavg()))
        print('%-32s %8s %8s %8s' % ('command (%d runs)' % args.runs, 'min', 'median', 'max'))
        for label, (times, _out) in results:
            print('%-32s %7.3fs %7.3fs %7.3fs' % (label, min(times), statistics.median(times), max(times)))
    finally:
        if not args.keep:
            apply_pods(client, {'definition': pods, 'state': 'absent', 'grace_period': 1})


if __name__ == '__main__':
    main()
