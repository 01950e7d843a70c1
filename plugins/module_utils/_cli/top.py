# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods top pod``: cpu (millicores over the last second) and memory (the working set, as
metrics-server reports it) of the running containers of ``pod_info``'s pods, from the engine's
statistics, in kubectl's units and columns."""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError
from ansible_collections.hostpods.core.plugins.module_utils._cli.get import parse_resources
from ansible_collections.hostpods.core.plugins.module_utils._views import table

MI = 1024 * 1024
STATS_WORKERS = 32  # each sample takes the engine about a second: ask for them together


def cpu_millicores(stats):
    """The cpu a container used over the engine's last sampling interval, in millicores."""
    cpu, pre = stats.get('cpu_stats') or {}, stats.get('precpu_stats') or {}
    used = (cpu.get('cpu_usage') or {}).get('total_usage', 0) - (pre.get('cpu_usage') or {}).get('total_usage', 0)
    system = cpu.get('system_cpu_usage', 0) - pre.get('system_cpu_usage', 0)
    cpus = cpu.get('online_cpus') or len((cpu.get('cpu_usage') or {}).get('percpu_usage') or []) or 1
    if used <= 0 or system <= 0:
        return 0
    return int(used / system * cpus * 1000)


def memory_bytes(stats):
    """The working set of a container: its memory use less its inactive page cache (cgroup v1 or v2)."""
    memory = stats.get('memory_stats') or {}
    detail = memory.get('stats') or {}
    inactive = detail.get('inactive_file', detail.get('total_inactive_file', 0))
    return max(0, memory.get('usage', 0) - inactive)


def _statuses(pod):
    return (pod['status'].get('initContainerStatuses') or []) + (pod['status'].get('containerStatuses') or [])


def usage_rows(pods, samples, containers=False):
    """Rows of ``kubectl top pod`` (``samples``: ``{docker id: stats}``): per pod, or per container."""
    rows = []
    for pod in pods:
        used = [(status['name'], samples.get(status.get('containerID', '').replace('docker://', '')))
                for status in _statuses(pod) if 'running' in (status.get('state') or {})]
        used = [(name, stats) for name, stats in used if stats]
        meta = pod['metadata']
        if containers:
            rows += [{'namespace': meta['namespace'], 'pod': meta['name'], 'name': name, 'cpu': cpu_millicores(stats),
                      'memory': memory_bytes(stats)} for name, stats in used]
        elif used:
            rows.append({'namespace': meta['namespace'], 'name': meta['name'],
                         'cpu': sum(cpu_millicores(stats) for _n, stats in used),
                         'memory': sum(memory_bytes(stats) for _n, stats in used)})
    return rows


def render(rows, containers=False, namespaces=False, headers=True, sort_by=None):
    if sort_by:
        rows = sorted(rows, key=lambda row: row[sort_by], reverse=True)
    shown = [dict(row, cpu='%dm' % row['cpu'], memory='%dMi' % (row['memory'] // MI)) for row in rows]
    columns = ((('NAMESPACE', 'namespace'),) if namespaces else ()) + ((('POD', 'pod'),) if containers else ()) + (
        ('NAME', 'name'), ('CPU(cores)', 'cpu'), ('MEMORY(bytes)', 'memory'))
    return table.render(columns, shown, header=headers)


def run(ctx, verb, args, extra):
    from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pod_info
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.concurrency import run_concurrently
    requests = parse_resources(args.resources or ['pods'], 'top')
    if {kind for kind, _names in requests} != {'Pod'}:
        raise CliError('hostpods top serves pods (a node\'s own usage: see top or free on the node)')
    names = [name for _kind, names in requests for name in names]
    pods = pod_info(ctx.client, {'name': names[0] if len(names) == 1 else None, 'namespace': ctx.namespace,
                                 'all_namespaces': bool(args.all_namespaces), 'label_selectors': args.selector or [],
                                 'node_name': None}, node=ctx.node)['pods']
    pods = [pod for pod in pods if not names or pod['metadata']['name'] in names]
    for name in set(names) - {pod['metadata']['name'] for pod in pods}:
        raise common.NotFound('Pod', name)
    ids = [status['containerID'].replace('docker://', '') for pod in pods for status in _statuses(pod)
           if 'running' in (status.get('state') or {}) and status.get('containerID')]
    samples = dict(zip(ids, run_concurrently(ctx.client.stats, ids, workers=STATS_WORKERS)))
    rows = usage_rows(pods, samples, args.containers)
    if not rows:
        if names:
            raise CliError('Metrics not available for pod %s/%s' % (ctx.namespace, names[0]))
        common.no_resources(ctx, args.all_namespaces)
        return 0
    ctx.out(render(rows, args.containers, args.all_namespaces, not args.no_headers, args.sort_by))
    return 0
