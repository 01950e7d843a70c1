# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods apply``, ``delete`` and ``diff``: one call of ``_reconcile.apply_pods`` (the
reconcile of ``hostpods.core.pod``) and kubectl's lines of what it did (``pod/web created``,
``configmap/x unchanged``, ``pod "web" deleted``, a unified diff)."""

from __future__ import annotations

import time

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError

APPLIED = {'created': 'created', 'updated': 'configured', 'recreated': 'configured', 'unchanged': 'unchanged',
           'deleted': 'deleted'}
DRY_RUN = {'client': ' (dry run)', 'server': ' (server dry run)', 'none': ''}


def run(ctx, verb, args, extra):
    return {'apply': apply, 'delete': delete, 'diff': diff}[verb](ctx, args)


def documents(ctx, args, verb):
    """The documents of ``-f`` (with their files), checked as the action plugin checks them (the official
    schema too, where the ``kubernetes-validate`` package is installed)."""
    from ansible_collections.hostpods.core.plugins.module_utils._runtime import schema_memo
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.manifests import read_documents
    from ansible_collections.hostpods.core.plugins.module_utils._spec.manifest import load_manifests
    if not args.filename:
        raise CliError('must specify one of -f and -k' if verb != 'delete' else
                       'You must provide one or more resources by argument or filename.')
    docs = read_documents(args.filename, args.recursive)
    if not docs:
        raise CliError('no objects passed to %s' % verb)
    for doc, _origin in docs:
        meta = doc.get('metadata') if isinstance(doc, dict) else None
        theirs = meta.get('namespace') if isinstance(meta, dict) else None
        if args.namespace and theirs and theirs != args.namespace:
            raise CliError('the namespace from the provided object "%s" does not match the namespace "%s". You must '
                           'pass \'--namespace=%s\' to perform this operation.' % (theirs, args.namespace, theirs))
    load_manifests(docs, ctx.namespace, deleting=verb == 'delete', check_schema=verb != 'delete' and schema_memo.schema_check())
    return docs


def call(ctx, params, check_mode=False, diff_mode=False):
    """``apply_pods`` for the command: its result, or its partial result and the error."""
    from ansible_collections.hostpods.core.plugins.module_utils._reconcile import ApplyError, apply_pods
    try:
        return apply_pods(ctx.client, params, check_mode=check_mode, diff=diff_mode), None
    except ApplyError as exc:
        return exc.details, exc.msg


def _key(kind, meta, namespace):
    return kind, meta.get('namespace') or namespace, meta.get('name')


def actions(result, namespace):
    """``{(kind, namespace, name): action}`` of an ``apply_pods`` result."""
    out = {}
    for pod in result.get('pods') or []:
        out[_key('Pod', pod['metadata'], namespace)] = pod.get('action')
    for obj in result.get('objects') or []:
        out[_key(obj['kind'], obj['metadata'], namespace)] = obj.get('action')
    return out


def _params(ctx, args, docs, **extra):
    params = {'definition': [doc for doc, _origin in docs], 'namespace': ctx.namespace,
              'label_selectors': args.selector or None, 'sandbox_image': getattr(args, 'sandbox_image', None)}
    params.update(extra)
    return params


PRUNE_KINDS = ('ConfigMap', 'Secret')  # with pods: kubectl's allowlist of the kinds hostpods keeps (claims stay)


def _prune(args):
    """The module's prune options of ``--prune --applyset=NAME``, after kubectl's rules for the flags."""
    if args.applyset and not args.prune:
        raise CliError('--applyset requires --prune')
    if args.prune and not args.applyset and not args.selector and not args.all:
        raise CliError('all resources selected for prune without explicitly passing --all. To prune all resources, '
                       'pass the --all flag. If you did not mean to prune all resources, specify a label selector')
    return {'prune': True, 'applyset': args.applyset} if args.prune and args.applyset else {}


def _allowlist_prune(ctx, args, docs):
    """kubectl's prune without an ApplySet: the pods, ConfigMaps and Secrets of the files' namespaces that match
    ``-l`` (any with ``--all``) and that the files no longer hold, deleted through the same reconcile."""
    from ansible_collections.hostpods.core.plugins.module_utils._runtime import observe
    from ansible_collections.hostpods.core.plugins.module_utils._spec import selectors
    requirements = selectors.parse(args.selector or [])
    wanted = {_key(doc['kind'], doc.get('metadata') or {}, ctx.namespace) for doc, _origin in docs}
    namespaces = sorted({key[1] for key in wanted})
    records = observe.read_records(ctx.client)
    stale = [('Pod', record.namespace, record.name) for namespace in namespaces
             for record in selectors.select(records, requirements, namespace)]
    stale += [key for key, obj in sorted(observe.read_objects_in(PRUNE_KINDS, namespaces).items())
              if selectors.matches(requirements, obj['metadata'].get('labels'))]
    stale = [key for key in stale if key not in wanted]
    if not stale:
        return
    gone = [{'apiVersion': 'v1', 'kind': kind, 'metadata': {'name': name, 'namespace': namespace}}
            for kind, namespace, name in stale]
    result, error = call(ctx, {'definition': gone, 'namespace': ctx.namespace, 'state': 'absent',
                               'label_selectors': None, 'sandbox_image': None}, check_mode=args.dry_run != 'none')
    done = actions(result, ctx.namespace)
    for key in stale:
        if done.get(key) == 'deleted':
            ctx.out('%s/%s pruned%s' % (common.SINGULAR[key[0]], key[2], DRY_RUN[args.dry_run]))
    if error:
        raise CliError(error)


def apply(ctx, args):
    extra = _prune(args)
    docs = documents(ctx, args, 'apply')
    if args.wait:
        extra.update(wait=True, wait_timeout=max(1, int(common.parse_duration(args.timeout))))
    result, error = call(ctx, _params(ctx, args, docs, **extra), check_mode=args.dry_run != 'none')
    for warning in result.get('warnings') or []:  # kubectl shows the API server's warnings so, on stderr
        ctx.err('Warning: %s' % warning)
    done = actions(result, ctx.namespace)
    for doc, _origin in docs:
        key = _key(doc['kind'], doc.get('metadata') or {}, ctx.namespace)
        if done.get(key) in APPLIED:
            ctx.out('%s/%s %s%s' % (common.SINGULAR[key[0]], key[2], APPLIED[done[key]], DRY_RUN[args.dry_run]))
    for key, action in sorted(done.items()):  # what the ApplySet held and the files no longer do
        if action == 'pruned':
            ctx.out('%s/%s pruned%s' % (common.SINGULAR[key[0]], key[2], DRY_RUN[args.dry_run]))
    if error:
        raise CliError(error)
    if args.prune and not args.applyset:
        _allowlist_prune(ctx, args, docs)
    return 0


def _by_name(ctx, args):
    """Documents naming the objects of ``delete TYPE NAME...`` (only their identity counts)."""
    from ansible_collections.hostpods.core.plugins.module_utils._cli.get import parse_resources
    docs = []
    for kind, names in parse_resources(args.resources, 'delete'):
        for name in names:
            docs.append(({'apiVersion': 'v1', 'kind': kind, 'metadata': {'name': name, 'namespace': ctx.namespace}},
                         None))
    return docs


def delete(ctx, args):
    grace = 1 if args.now or args.force else (args.grace_period if args.grace_period >= 0 else None)
    extra = {'state': 'absent', 'grace_period': grace}
    docs = _to_delete(ctx, args, extra)
    result, error = call(ctx, _params(ctx, args, docs, **extra), check_mode=args.dry_run != 'none')
    return _report_deleted(ctx, args, docs, result, error)


def _to_delete(ctx, args, extra):
    """The documents naming what ``delete`` deletes (none for a selector, which goes into ``extra``)."""
    from ansible_collections.hostpods.core.plugins.module_utils._cli.get import parse_resources
    if args.filename:
        if args.all_namespaces:
            raise CliError('-A/--all-namespaces takes --all or -l here (with -f, each object names its namespace)')
        return documents(ctx, args, 'delete')
    if args.resources and any(names for _kind, names in parse_resources(args.resources, 'delete')):
        if args.all_namespaces:
            raise CliError('a resource cannot be retrieved by name across all namespaces')
        return _by_name(ctx, args)
    if args.resources and (args.selector or args.all):
        if {kind for kind, _names in parse_resources(args.resources, 'delete')} != {'Pod'}:
            raise CliError('deleting by label or --all serves pods on a node')
        extra.update(definition=None, label_selectors=args.selector or [])
        if args.all_namespaces:  # the reconcile's selector over every namespace: one call, every pod at once
            extra['namespace'] = None
        return []
    raise CliError('resource(s) were provided, but no name was specified' if args.resources else
                   'You must provide one or more resources by argument or filename.')


def _report_deleted(ctx, args, docs, result, error):
    done = actions(result, ctx.namespace)
    if error and not done:  # refused before anything was looked at: no NotFound lines
        raise CliError(error)
    keys = [_key(doc['kind'], doc['metadata'], ctx.namespace) for doc, _origin in docs] or sorted(done)
    origins = {_key(doc['kind'], doc['metadata'], ctx.namespace): origin for doc, origin in docs}
    missing = 0
    for key in keys:
        if done.get(key) == 'deleted':
            ctx.out('%s "%s" deleted%s' % (common.SINGULAR[key[0]], key[2], DRY_RUN[args.dry_run]))
        elif not args.ignore_not_found:
            missing += 1
            where = 'error when deleting "%s": ' % origins[key].split(' (document')[0] if origins.get(key) else ''
            ctx.err(common.NotFound(key[0], key[2], where).text())
    if not keys:
        ctx.out('No resources found')
    if error:
        raise CliError(error)
    return 1 if missing else 0


def diff(ctx, args):
    """kubectl diff: a unified diff of each object as on the node against it as it would be; exit 1 when
    something differs."""
    import difflib
    docs = documents(ctx, args, 'diff')
    result, error = call(ctx, _params(ctx, args, docs), check_mode=True, diff_mode=True)
    if error:
        raise CliError(error)
    stamp = time.strftime('%Y-%m-%d %H:%M:%S', time.localtime())
    changed = False
    for item in result.get('diff') or []:
        kind, _sep, rest = item['before_header'].partition(' ')
        kind = common.kind_of(kind)
        file_name = 'v1.%s.%s' % (kind, rest.split(' ')[0].replace('/', '.'))
        before = common.dump(item['before'], 'yaml').splitlines(True) if item['before'] else []
        after = common.dump(item['after'], 'yaml').splitlines(True) if item['after'] else []
        lines = list(difflib.unified_diff([line if line.endswith('\n') else line + '\n' for line in before],
                                          [line if line.endswith('\n') else line + '\n' for line in after],
                                          'LIVE/%s\t%s' % (file_name, stamp), 'MERGED/%s\t%s' % (file_name, stamp)))
        if lines:
            changed = True
            ctx.stdout.write('diff -u -N LIVE/%s MERGED/%s\n' % (file_name, file_name) + ''.join(lines))
    ctx.stdout.flush()
    return 1 if changed else 0
