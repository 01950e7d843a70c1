# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods get``: pods through ``_kubectl.pod_info`` (the rows ``pod_info`` returns, the
table of the ``pod_table`` filter), ConfigMaps, Secrets and claims from the node's store."""

from __future__ import annotations

import time

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError, NotFound
from ansible_collections.hostpods.core.plugins.module_utils._cli.verbs import GET_FORMATS
from ansible_collections.hostpods.core.plugins.module_utils._views import table

WATCH_SECONDS = 1.0
NO_TYPE = ('You must specify the type of resource to get. Use "hostpods explain <resource>" for a detailed '
           'description of that resource (e.g. hostpods explain pods).\n'
           'The resources hostpods serves: pods (po), configmaps (cm), secrets, persistentvolumeclaims (pvc)')


def parse_resources(words, verb='get'):
    """``[(kind, [names])]`` of ``TYPE[,TYPE] [NAME...]`` or ``TYPE/NAME...`` (kubectl's argument rules)."""
    if not words:
        return []
    if '/' in words[0]:
        out = []
        for word in words:
            if '/' not in word:
                raise CliError('there is no need to specify a resource type as a separate argument when passing '
                               'arguments in resource/name form (e.g. \'hostpods %s resource/<resource_name>\' instead '
                               'of \'hostpods %s resource resource/<resource_name>\'' % (verb, verb))
            kind, name = word.split('/', 1)
            out.append((common.kind_of(kind), [name]))
        return out
    kinds = [common.kind_of(word) for word in words[0].split(',') if word]
    if len(kinds) > 1 and words[1:]:
        raise CliError('names cannot be given with several resource types: use TYPE/NAME')
    return [(kind, list(words[1:])) for kind in kinds]


def run(ctx, verb, args, extra):
    if args.output and args.output not in GET_FORMATS:
        raise CliError('unable to match a printer suitable for the output format "%s", allowed formats are: %s'
                       % (args.output, ','.join(sorted(GET_FORMATS))))
    requests = parse_resources(args.resources)
    if not requests:
        raise CliError(NO_TYPE)
    if args.watch and (len(requests) > 1 or requests[0][0] != 'Pod'):
        raise CliError('--watch is only supported for pods on a node')
    prefix = len({kind for kind, _names in requests}) > 1  # kubectl names kind/name when it lists several kinds
    missing, printed = [], False
    for kind, names in _merge(requests):
        if printed and args.output in (None, 'wide'):
            ctx.out()
        if kind == 'Pod':
            found, missing_here = get_pods(ctx, args, names, prefix)
        else:
            found, missing_here = get_objects(ctx, args, kind, names, prefix)
        printed = printed or found
        missing += [(kind, name) for name in missing_here]
    if not printed and not missing:
        common.no_resources(ctx, args.all_namespaces)
    for kind, name in missing:
        ctx.err(NotFound(kind, name).text())
    if missing:
        raise common.Exit(1)
    return 0


def _merge(requests):
    """Requests of the same kind together, in their first order."""
    out = {}
    for kind, names in requests:
        out.setdefault(kind, []).extend(names)
    return list(out.items())


def _pod_info(ctx, args, names):
    from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pod_info
    params = {'name': names[0] if len(names) == 1 else None, 'namespace': ctx.namespace,
              'all_namespaces': bool(args.all_namespaces), 'label_selectors': args.selector or [], 'node_name': None}
    result = pod_info(ctx.client, params, node=ctx.node)
    pairs = list(zip(result['pods'], result['rows']))
    if names:
        pairs = [pair for pair in pairs if pair[0]['metadata']['name'] in names]
    return pairs


def _pod_rows(pairs, prefix):
    rows = []
    for pod, row in pairs:
        row = dict(row, labels=table.labels_text(pod['metadata'].get('labels')))
        if prefix:
            row['name'] = 'pod/' + row['name']
        rows.append(row)
    return table.pod_rows(rows)


def get_pods(ctx, args, names, prefix):
    """Print the pods asked for; ``(found any, names not found)``."""
    pairs = _pod_info(ctx, args, names)
    missing = [name for name in names if name not in {pod['metadata']['name'] for pod, _row in pairs}]
    widths = {}  # kept for the rows --watch prints, as kubectl's tabwriter remembers them
    if pairs:
        _print_pods(ctx, args, pairs, prefix, bool(names), widths)
    if args.watch:
        watch_pods(ctx, args, names, pairs, widths)
    return bool(pairs), missing


def _print_pods(ctx, args, pairs, prefix, named, widths=None, header=True):
    if args.output in ('json', 'yaml', 'name'):
        common.print_objects(ctx, [pod for pod, _row in pairs], args.output, named and len(pairs) == 1)
        return
    columns = table.pod_columns(args.output == 'wide', args.all_namespaces, args.show_labels)
    ctx.out(table.render(columns, _pod_rows(pairs, prefix), widths=widths, header=header and not args.no_headers))


def watch_pods(ctx, args, names, pairs, widths):
    """kubectl's ``--watch``: the table, then a row for each pod whose columns change (AGE aside), until interrupted."""
    def key(pod):
        return pod['metadata']['namespace'], pod['metadata']['name']

    def state(row):
        return tuple(sorted((k, v) for k, v in row.items() if k != 'age'))
    seen = {key(pod): state(row) for pod, row in pairs}
    try:
        while True:
            time.sleep(WATCH_SECONDS)
            current = _pod_info(ctx, args, names)
            changed = [(pod, row) for pod, row in current if seen.get(key(pod)) != state(row)]
            seen = {key(pod): state(row) for pod, row in current}
            if changed:
                _print_pods(ctx, args, changed, False, False, widths=widths, header=False)
    except KeyboardInterrupt:
        raise common.Exit(0)


# ----------------------------------------------------------------------------- ConfigMaps, Secrets, claims

def get_objects(ctx, args, kind, names, prefix):
    from ansible_collections.hostpods.core.plugins.module_utils._runtime import observe
    from ansible_collections.hostpods.core.plugins.module_utils._spec import configs, naming, selectors
    requirements = selectors.parse(args.selector or [])
    stored = observe.list_objects(kind, None if args.all_namespaces else ctx.namespace)
    found = [(obj, written) for obj, written in stored
             if (not names or obj['metadata']['name'] in names)
             and selectors.matches(requirements, obj['metadata'].get('labels'))]
    missing = [name for name in names if name not in {obj['metadata']['name'] for obj, _written in found}]
    if not found:
        return False, missing
    objects = [configs.redacted(obj) for obj, _written in found]
    if args.output in ('json', 'yaml', 'name'):
        common.print_objects(ctx, objects, args.output, bool(names) and len(objects) == 1)
        return True, missing
    now, rows = time.time(), []
    for obj, written in found:
        volume = None
        if kind == 'PersistentVolumeClaim':
            name = naming.claim_volume_name(obj['metadata']['namespace'], obj['metadata']['name'])
            volume = name if ctx.client.inspect_volume(name) else None
        row = table.object_row(obj, now, written, volume)
        if prefix:
            row['name'] = '%s/%s' % (common.SINGULAR[kind], row['name'])
        rows.append(row)
    ctx.out(table.objects_table(kind, rows, args.all_namespaces, args.show_labels))
    return True, missing
