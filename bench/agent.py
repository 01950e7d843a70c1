"""The node agent's cost: N pods, each with an exec liveness probe and an httpGet readiness probe at the
default period (10 s), kept by hostpods-agent for D seconds; prints the agent's share of one core (CPU
time / wall time, from /proc) and its resident memory, sampled every 10 s.

    python3 bench/agent.py --node hostpods-bench-node1 --inventory ~/.hostpods/bench/inventory.yml [--pods 50] [--seconds 300]

The node is a node container of hostpods.core.cluster (its agent installed by the node role), so the
measure is the agent's alone. Run from a shell where scripts/env.sh was sourced.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import yaml

SERVER = ('mkdir -p /www && echo ok > /www/index.html && httpd -f -p 8080 -h /www & '
          'trap "exit 0" TERM; sleep 86400 & wait')


def node_sh(node, script):
    return subprocess.run(['docker', 'exec', node, 'sh', '-c', script], capture_output=True, text=True,
                          check=True).stdout.strip()


def pods(count, prefix):
    out = []
    for index in range(count):
        out.append({'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': '%s-%03d' % (prefix, index)}, 'spec': {
            'terminationGracePeriodSeconds': 1,
            'containers': [{'name': 'web', 'image': 'hostpods/busybox:1.35', 'command': ['sh', '-c', SERVER],
                            'ports': [{'name': 'http', 'containerPort': 8080}],
                            'livenessProbe': {'exec': {'command': ['cat', '/www/index.html']}},
                            'readinessProbe': {'httpGet': {'path': '/', 'port': 'http'}}}]}})
    return out


def playbook(inventory, state, manifests):
    with tempfile.TemporaryDirectory() as work:
        folder = os.path.join(work, 'manifests')
        os.makedirs(folder)
        for item in manifests:
            with open(os.path.join(folder, item['metadata']['name'] + '.yaml'), 'w') as handle:
                yaml.safe_dump(item, handle)
        play = [{'hosts': 'hostpods_nodes', 'gather_facts': False, 'tasks': [
            {'hostpods.core.pod': {'src': folder, 'state': state, 'wait': state == 'present', 'wait_timeout': 600}}]}]
        path = os.path.join(work, 'play.yml')
        with open(path, 'w') as handle:
            yaml.safe_dump(play, handle)
        subprocess.run(['ansible-playbook', '-i', inventory, path], check=True, stdout=subprocess.DEVNULL)


def sample(node):
    """(CPU seconds of the agent, RSS bytes, wall clock) now."""
    pid = node_sh(node, 'cat /run/hostpods-agent.pid')
    stat = node_sh(node, 'cat /proc/%s/stat' % pid).rsplit(')', 1)[1].split()
    ticks = int(node_sh(node, 'getconf CLK_TCK'))
    rss_pages = int(node_sh(node, 'cat /proc/%s/statm' % pid).split()[1])
    return (int(stat[11]) + int(stat[12])) / ticks, rss_pages * os.sysconf('SC_PAGE_SIZE'), time.monotonic()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--node', required=True)
    parser.add_argument('--inventory', required=True)
    parser.add_argument('--pods', type=int, default=50)
    parser.add_argument('--seconds', type=int, default=300)
    args = parser.parse_args()
    manifests = pods(args.pods, 'bench')
    playbook(args.inventory, 'present', manifests)
    try:
        time.sleep(30)  # every probe has started and the first back-off table is written
        start = previous = sample(args.node)
        shares, rss = [], [start[1]]
        while time.monotonic() - start[2] < args.seconds:
            time.sleep(10)
            now = sample(args.node)
            shares.append(100 * (now[0] - previous[0]) / (now[2] - previous[2]))
            rss.append(now[1])
            previous = now
        ready = node_sh(args.node, 'hostpods get pods --no-headers 2>/dev/null | grep -c " 1/1 " || true')
        total = 100 * (previous[0] - start[0]) / (previous[2] - start[2])
        shares.sort()
        print(json.dumps({'pods': args.pods, 'seconds': round(previous[2] - start[2]), 'ready_pods': int(ready or 0),
                          'cpu_percent_of_one_core': round(total, 2),
                          'cpu_percent_median_10s': round(shares[len(shares) // 2], 2),
                          'cpu_percent_max_10s': round(shares[-1], 2),
                          'rss_mb_max': round(max(rss) / 2 ** 20, 1), 'rss_mb_end': round(rss[-1] / 2 ** 20, 1)}))
    finally:
        playbook(args.inventory, 'absent', manifests)
    return 0


if __name__ == '__main__':
    sys.exit(main())
