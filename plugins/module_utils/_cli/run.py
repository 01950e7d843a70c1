# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods run``: the Pod ``kubectl run`` generates (``run_manifest``, pure), printed with
``--dry-run=client``, else applied through ``_reconcile.apply_pods``."""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError

PULL_POLICIES = ('', 'Always', 'IfNotPresent', 'Never')


def _pairs(items, what):
    out = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or not key:
            raise CliError('invalid %s: "%s"' % (what, item))
        out[key] = value
    return out


def run_manifest(name, image, port=None, env=(), labels=None, annotations=(), restart='Always', command=False,
                 args=(), pull_policy=''):
    """The Pod of ``kubectl run NAME --image=IMAGE ... [-- ARGS]``, as ``--dry-run=client -o yaml`` prints it:
    label ``run=NAME`` unless ``labels`` (``k=v,k2=v2``) are given; ``ARGS`` are the container's ``args``,
    or its ``command`` with ``command``."""
    if pull_policy not in PULL_POLICIES:
        raise CliError('invalid image pull policy: %s' % pull_policy)
    container = {'image': image, 'name': name, 'resources': {}}
    if args:
        container['command' if command else 'args'] = list(args)
    if env:
        container['env'] = [{'name': key, 'value': value} for key, value in _pairs(env, 'env').items()]
    if port is not None:
        container['ports'] = [{'containerPort': port}]
    if pull_policy:
        container['imagePullPolicy'] = pull_policy
    metadata = {'creationTimestamp': None, 'labels': _pairs(labels.split(','), 'label') if labels else {'run': name},
                'name': name}
    if annotations:
        metadata['annotations'] = _pairs(annotations, 'annotation')
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': metadata,
            'spec': {'containers': [container], 'dnsPolicy': 'ClusterFirst', 'restartPolicy': restart}, 'status': {}}


def run(ctx, verb, args, extra):
    from ansible_collections.hostpods.core.plugins.module_utils._cli.apply import call
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
    if args.output and args.output not in ('json', 'yaml', 'name'):
        raise CliError('unable to match a printer suitable for the output format "%s", allowed formats are: '
                       'json,name,yaml' % args.output)
    pod = run_manifest(args.name, args.image, args.port, args.env or (), args.labels, args.annotations or (),
                       args.restart, args.command, extra or (), args.image_pull_policy)
    if args.dry_run == 'client':
        return _show(ctx, args, pod, ' (dry run)')
    if (ctx.namespace, args.name) in read_records(ctx.client):
        raise CliError('pods "%s" already exists' % args.name, prefix='Error from server (AlreadyExists): ')
    result, error = call(ctx, {'definition': pod, 'namespace': ctx.namespace, 'sandbox_image': args.sandbox_image},
                         check_mode=args.dry_run == 'server')
    if error:
        raise CliError(error)
    suffix = ' (server dry run)' if args.dry_run == 'server' else ''
    return _show(ctx, args, result['pods'][0], suffix)


def _show(ctx, args, pod, suffix):
    if args.output in ('json', 'yaml'):
        ctx.out(common.dump(pod, args.output))
    else:
        ctx.out('pod/%s%s' % (pod['metadata']['name'], ' created' + suffix if args.output != 'name' else ''))
    return 0
