"""Benchmark: ``hostpods.core.apply`` of N pods over the 3 nodes of ``hostpods.core.cluster``, against one node.

Makes a cluster of 3 node containers (unless ``--inventory`` names one), then, for the 3 nodes and for the first
node alone: a cold apply, an unchanged re-apply and a delete of N pods (bench.py's pods: busybox containers and
an emptyDir), each one ``ansible-playbook`` run. Prints each run's seconds and, on 3 nodes, the playbook's tasks:
reading the nodes (``pod_info``), placing the pods (``pod_schedule``, on the controller) and the apply itself
(the slowest node), and the placement alone (``_plan.placement.place`` on the same nodes, in this process).

    .venv/bin/python bench/cluster.py [--pods 60] [--containers 1] [--keep]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
sys.path.insert(0, HERE)
from hostpods_paths import COLLECTIONS_ROOT  # noqa: E402  pylint: disable=wrong-import-position
from bench import manifests  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.hostpods.core.plugins.module_utils._plan import placement  # noqa: E402
from ansible_collections.hostpods.core.plugins.module_utils._spec.manifest import load_manifests  # noqa: E402

BIN = os.path.dirname(sys.executable)
TASKS = {'read': 'Read each node and the pods it runs', 'place': 'Place each pod on one node',
         'apply': 'Apply the manifests', 'delete': 'Delete the pods of the manifests, or the pods the selector matches'}


def playbook(workdir, argv):
    """``(seconds, [task records])`` of one ansible-playbook run (it must succeed)."""
    record = os.path.join(workdir, 'record.json')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS_ROOT, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, '..', 'tests', 'integration', 'callback_plugins'),
               ANSIBLE_CALLBACKS_ENABLED='hostpods_record', HOSTPODS_RECORD=record)
    started = time.monotonic()
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook')] + argv, capture_output=True, text=True, env=env,
                          cwd=workdir, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode:
        raise SystemExit('ansible-playbook %s failed:\n%s' % (' '.join(argv), proc.stdout[-3000:] + proc.stderr[-2000:]))
    with open(record) as handle:
        return elapsed, json.load(handle)


def task_seconds(records, name):
    """The task's seconds: its slowest host (the hosts of a task run side by side)."""
    return max((item['seconds'] for item in records if item['task'] == name and item['status'] != 'skipped'),
               default=0.0)


def placement_seconds(records, documents, namespace):
    """The placement alone, in this process, on the nodes and pods the run's pod_info reported."""
    views = [{'host': item['host'], 'node': item['result']['node'], 'pods': item['result'].get('pods') or []}
             for item in records if item['task'] == TASKS['read']]
    pods = load_manifests([(doc, 'bench') for doc in documents], namespace)[0]
    started = time.monotonic()
    placement.place(pods, views)
    return time.monotonic() - started


def make_cluster(name, workdir):
    argv = ['hostpods.core.cluster', '-e', 'cluster_name=%s' % name, '-e', 'cluster_nodes=3',
            '-e', 'cluster_subnet=10.219.%d.0/24' % (int(name[-2:], 16) % 200),
            '-e', 'cluster_pod_subnet=10.243.0.0/16', '-e', 'cluster_inventory_dir=%s' % workdir]
    seconds, _records = playbook(workdir, argv)
    print('cluster %s: 3 nodes made in %.0f s' % (name, seconds))
    return os.path.join(workdir, 'inventory.yml'), argv


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--pods', type=int, default=60)
    parser.add_argument('--containers', type=int, default=1)
    parser.add_argument('--keep', action='store_true', help='leave the cluster')
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix='hostpods-cluster-bench-')
    name = 'bench%s' % uuid.uuid4().hex[:4]
    inventory, cluster_argv = make_cluster(name, workdir)
    namespace = 'bench-%s' % name
    documents = manifests(namespace, args.pods, args.containers, 0)
    folder = os.path.join(workdir, 'manifests')
    os.makedirs(folder)
    for pod in documents:
        with open(os.path.join(folder, pod['metadata']['name'] + '.yaml'), 'w') as handle:
            yaml.safe_dump(pod, handle)
    common = ['-i', inventory, '-e', 'manifests=%s' % folder, '-e', 'namespace=%s' % namespace, '-e', 'wait=false']
    print('%d pods of %d container(s) and an emptyDir; each row one ansible-playbook run' % (args.pods, args.containers))
    print('%-8s %-20s %8s %9s %9s %9s %9s' % ('nodes', 'phase', 'seconds', 'pod_info', 'schedule', 'placing',
                                              'apply'))
    try:
        for nodes, group in ((3, 'hostpods_nodes'), (1, 'hostpods-%s-node1' % name)):
            for phase, verb in (('cold apply', 'apply'), ('unchanged re-apply', 'apply'), ('delete', 'delete')):
                seconds, records = playbook(workdir, ['hostpods.core.%s' % verb, '-e', 'nodes=%s' % group] + common)
                if verb == 'apply' and nodes > 1:
                    placing = '%9.3f' % placement_seconds(records, documents, namespace)
                    parts = (task_seconds(records, TASKS['read']), task_seconds(records, TASKS['place']), placing,
                             task_seconds(records, TASKS['apply']))
                    print('%-8d %-20s %8.2f %9.2f %9.2f %9s %9.2f' % ((nodes, phase, seconds) + parts))
                else:
                    task = TASKS['apply'] if verb == 'apply' else TASKS['delete']
                    print('%-8d %-20s %8.2f %9s %9s %9s %9.2f' % (nodes, phase, seconds, '-', '-', '-',
                                                                  task_seconds(records, task)))
                sys.stdout.flush()
    finally:
        if not args.keep:
            playbook(workdir, cluster_argv + ['-e', 'cluster_state=absent'])


if __name__ == '__main__':
    main()
