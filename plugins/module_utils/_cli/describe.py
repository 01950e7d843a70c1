# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods describe pod``: ``_kubectl.pod_info``'s Pod objects through
``_views.describe.describe_pod`` (the text the ``pod_describe`` filter renders too)."""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError, NotFound
from ansible_collections.hostpods.core.plugins.module_utils._cli.get import parse_resources

NO_TYPE = ('You must specify the type of resource to describe. Use "hostpods explain <resource>" for a detailed '
           'description of that resource (e.g. hostpods explain pods).')


def pod_events(result, pod):
    """The events of ``pod`` among those ``pod_info`` returns (the module's and the node agent's)."""
    uid = pod['metadata'].get('uid')
    return [event for event in result.get('events') or []
            if (event.get('involvedObject') or {}).get('uid') in (uid, None)
            and (event.get('involvedObject') or {}).get('name', pod['metadata']['name']) == pod['metadata']['name']]


def chosen(pods, names):
    """kubectl's rule: a name matches exactly, else as a prefix of pod names; ``(pods, names not found)``."""
    if not names:
        return pods, []
    out, missing = [], []
    for name in names:
        exact = [pod for pod in pods if pod['metadata']['name'] == name]
        found = exact or [pod for pod in pods if pod['metadata']['name'].startswith(name)]
        if not found:
            missing.append(name)
        out += [pod for pod in found if pod not in out]
    return out, missing


def run(ctx, verb, args, extra):
    from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pod_info
    from ansible_collections.hostpods.core.plugins.module_utils._views.describe import describe_pod
    requests = parse_resources(args.resources, 'describe')
    if not requests:
        raise CliError(NO_TYPE)
    if {kind for kind, _names in requests} != {'Pod'}:
        raise CliError('describe serves pods on a node; use "hostpods get %s -o yaml" for the others'
                       % ','.join(common.RESOURCES[kind][0] for kind, _names in requests if kind != 'Pod'))
    names = [name for _kind, names in requests for name in names]
    query = {'name': None, 'namespace': ctx.namespace, 'all_namespaces': bool(args.all_namespaces),
             'label_selectors': args.selector or [], 'node_name': None}
    result = pod_info(ctx.client, query, node=ctx.node)
    pods, missing = chosen(result['pods'], names)
    texts = [describe_pod(pod, pod_events(result, pod) if args.show_events == 'true' else None) for pod in pods]
    if texts:
        ctx.stdout.write('\n\n'.join(texts))
        ctx.stdout.flush()
    elif not missing:
        common.no_resources(ctx, args.all_namespaces)
    for name in missing:
        ctx.err(NotFound('Pod', name).text())
    return 1 if missing else 0
