# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of hostpods.core.pod: read ``src``/``template`` on the controller, validate every
manifest (the official Kubernetes schema included) before anything is sent to the node, then run
the module with the parsed documents as ``definition``."""

from __future__ import annotations

import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._runtime.manifests import manifest_files
from ansible_collections.hostpods.core.plugins.module_utils._runtime import schema_memo
from ansible_collections.hostpods.core.plugins.module_utils._spec import bounds
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec.manifest import collect_documents, flatten, load_manifests, parse_text

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19
    def trust_as_template(value):
        return value


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(options.POD)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        given = [key for key in ('definition', 'src', 'template') if args.get(key) is not None]
        if len(given) > 1:
            return dict(result, failed=True, msg='parameters are mutually exclusive: definition|src|template')
        try:
            documents = self._documents(args, task_vars)
        except (ManifestError, AnsibleError) as exc:
            return dict(result, failed=True, msg=getattr(exc, 'msg', None) or to_text(exc))
        by_selector = not given and args.get('state') == 'absent' and args.get('label_selectors') is not None
        if not given and not by_selector:
            return dict(result, failed=True, msg=options.NO_DEFINITION)
        if not documents and not by_selector:
            verb = 'delete' if args.get('state') == 'absent' else 'apply'
            return dict(result, failed=True, msg='no objects passed to %s' % verb)
        try:
            load_manifests(documents, args.get('namespace') or 'default', deleting=args.get('state') == 'absent',
                           check_schema=schema_memo.schema_check())
        except ManifestError as exc:
            return dict(result, failed=True, msg=exc.msg, errors=exc.details.get('errors', []))
        args.pop('src', None)
        args.pop('template', None)
        if not by_selector:
            # A Secret's values alone travel in the no_log option: Ansible masks them and nothing else
            documents, values = configs.split_secret_values(documents)
            args['definition'] = [doc for doc, _origin in documents]
            if values:
                args['secret_data'] = values
        result.update(self._execute_module(module_name='hostpods.core.pod', module_args=args, task_vars=task_vars))
        return result

    def _documents(self, args, task_vars):
        if args.get('definition') is not None:
            return collect_documents(args['definition'])
        if args.get('src') is not None:
            path = args['src']
            if not os.path.exists(path):  # not absolute nor relative to the working directory
                path = self._find_needle('files', args['src'])
            files = manifest_files(path)  # like kubectl apply -f dir/: its own files, not sub-directories
            if not files:
                raise ManifestError('src %s holds no *.yaml, *.yml or *.json file' % args['src'])
            documents = []
            for name in files:
                documents.extend(parse_text(self._read(name), os.path.relpath(name)))
            return flatten(documents)
        if args.get('template') is not None:
            source = args['template']
            source = source.get('path') if isinstance(source, dict) else source
            path = self._find_needle('templates', source)
            templar = self._templar.copy_with_new_env(available_variables=task_vars)
            rendered = templar.template(trust_as_template(self._read(path)))
            return flatten(parse_text(to_text(rendered), os.path.relpath(path)))
        return []

    @staticmethod
    def _read(path):
        """A manifest file's text; one over the size bound is refused by name, without reading it all."""
        try:
            with open(path, encoding='utf-8') as handle:
                text = handle.read(bounds.MAX_TEXT_BYTES + 1)
                size = max(os.fstat(handle.fileno()).st_size, len(text))
        except UnicodeDecodeError as exc:
            raise ManifestError('%s: cannot read manifest: not UTF-8 text (%s)' % (os.path.relpath(path), exc.reason))
        if len(text) > bounds.MAX_TEXT_BYTES:
            raise ManifestError('%s: %s' % (os.path.relpath(path), bounds.text_problem(size)))
        return text
