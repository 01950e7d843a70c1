# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods run``: the Pod ``kubectl run`` generates (``_spec.generators.run_manifest``, shared with the
``hostpods.core.run`` playbook), printed with ``--dry-run=client``, else applied through ``_reconcile.apply_pods``."""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec.generators import run_manifest


def run(ctx, verb, args, extra):
    from ansible_collections.hostpods.core.plugins.module_utils._cli.apply import call
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
    if args.output and args.output not in ('json', 'yaml', 'name'):
        raise CliError('unable to match a printer suitable for the output format "%s", allowed formats are: '
                       'json,name,yaml' % args.output)
    extra = list(extra or ())
    try:
        pod = run_manifest(args.name, args.image, args.port, args.env or (), args.labels, args.annotations or (),
                           args.restart, command=extra if args.command else (), args=() if args.command else extra,
                           pull_policy=args.image_pull_policy)
    except ManifestError as exc:
        raise CliError(exc.msg)
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
