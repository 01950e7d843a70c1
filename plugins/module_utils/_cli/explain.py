# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods explain``: the fields of a kind from the official Kubernetes schema, laid out as
``kubectl explain`` does, with for each field whether and how hostpods supports it (from ``_spec.fields``, the
supported-field tree). The schema is ``_spec/schema/v1.json``, shipped in the core library: the definitions reachable
from the kinds hostpods takes, made once from the ``kubernetes-validate`` package by ``scripts/make-schema.py``, so a
node needs no package for it."""

from __future__ import annotations

import json
import os
import textwrap

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError
from ansible_collections.hostpods.core.plugins.module_utils._spec import fields

DEFINITIONS = {kind: 'io.k8s.api.core.v1.' + kind for kind in ('Pod', 'ConfigMap', 'Secret', 'PersistentVolumeClaim')}
SCHEMA_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '_spec', 'schema', 'v1.json')


def schema_definitions(path=SCHEMA_FILE):
    """``{name: schema}``: the definitions of the shipped schema (Kubernetes' of the version its ``kubernetes`` says)."""
    try:
        with open(path, encoding='utf-8') as handle:
            document = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CliError('the official schema of the core library cannot be read (%s): run the hostpods.core.node role '
                       'on this node' % exc)
    return document['$defs']


class Schema:
    """The definitions of one schema version, and kubectl explain's reading of them."""

    def __init__(self, definitions):
        self.definitions = definitions

    def resolve(self, schema):
        ref = schema.get('$ref') if isinstance(schema, dict) else None
        return self.definitions.get(ref.rsplit('/', 1)[-1], {}) if ref else schema

    @staticmethod
    def _type(schema):
        kind = schema.get('type')
        if isinstance(kind, list):
            kind = next((item for item in kind if item != 'null'), None)
        return kind

    def type_name(self, schema):
        """kubectl's type hint: ``string``, ``[]Container``, ``map[string]string``, ``Object``, ``IntOrString``..."""
        if schema.get('items'):
            return '[]' + self.type_name(schema['items'])
        if isinstance(schema.get('additionalProperties'), dict):
            return 'map[string]' + self.type_name(schema['additionalProperties'])
        if schema.get('allOf') and not schema.get('properties') and len(schema['allOf']) == 1:
            return self.type_name(schema['allOf'][0])
        if schema.get('$ref'):
            target = self.resolve(schema)
            kind = self._type(target)
            return schema['$ref'].rsplit('/', 1)[-1].rsplit('.', 1)[-1] if not kind or kind == 'object' else kind
        kind = self._type(schema)
        return 'Object' if not kind or kind == 'object' else kind

    def description(self, schema):
        """The description of a field, then of what it holds (its type's, its items', its map values'), as
        kubectl joins them."""
        text = ''
        if schema.get('$ref'):
            text += schema['description'] + '\n' if schema.get('description') else ''
            schema = self.resolve(schema)
        text += schema['description'] + '\n' if schema.get('description') else ''
        for sub in schema.get('allOf') or []:
            text += self.description(sub)
        if schema.get('items'):
            text += self.description(schema['items'])
        if isinstance(schema.get('additionalProperties'), dict):
            text += self.description(schema['additionalProperties'])
        return text

    def properties(self, schema):
        """``(properties, required)`` of what a field holds (through lists and maps)."""
        resolved = self.resolve(schema)
        while resolved.get('items') or isinstance(resolved.get('additionalProperties'), dict):
            resolved = self.resolve(resolved.get('items') or resolved['additionalProperties'])
        return resolved.get('properties') or {}, resolved.get('required') or []


def wrap(text, width, indent):
    """sprig's ``wrap`` (long words kept whole) then ``indent``: every line, empty ones too, indented."""
    lines = []
    for paragraph in text.split('\n'):
        lines += textwrap.wrap(paragraph, width, break_long_words=False, break_on_hyphens=False) or ['']
    return '\n'.join(' ' * indent + line for line in lines)


def parse_target(word):
    """``(kind, [field...])`` of ``pods.spec.containers``."""
    parts = word.split('.')
    return common.kind_of(parts[0]), [part for part in parts[1:] if part]


def _field_lines(schema, node, path, tree, recursive, level=1, history=()):
    """The FIELDS of ``node``: each field's name and type, then (not ``recursive``) its description and
    hostpods' support; with ``recursive`` the fields of each field, one line each."""
    props, required = schema.properties(node)
    ref = schema.resolve(node).get('$ref') or node.get('$ref', '')
    out = ''
    for name in sorted(props):
        sub = props[name]
        status, text = fields.support(path + [name], tree)
        line = '%s%s\t<%s>%s' % ('  ' * level, name, schema.type_name(sub), ' -required-' if name in required else '')
        if not recursive:
            description = sub.get('description') or '<no description>'
            out += line + '\n' + wrap(description, 78 - level * 2, level * 2 + 2) + '\n'
            out += wrap('hostpods: ' + text, 78 - level * 2, level * 2 + 2) + '\n\n'
            continue
        parent = fields.support(path, tree)[0]
        refused = status in ('unsupported', 'refused') and parent not in ('unsupported', 'refused')
        out += line + ((' (hostpods: %s)' % ('not supported yet' if status == 'unsupported' else 'refused'))
                       if refused else '') + '\n'
        inner = schema.properties(sub)[0]
        key = _ref_of(schema, sub)
        if inner and key not in history:
            out += _field_lines(schema, sub, path + [name], tree, True, level + 1, history + (ref, key))
    return out


def _ref_of(schema, sub):
    while isinstance(sub, dict):
        if sub.get('$ref'):
            return sub['$ref']
        sub = sub.get('items') or (sub.get('additionalProperties') if isinstance(sub.get('additionalProperties'), dict)
                                   else None)
    return ''


def explain(kind, path, schema, recursive=False):
    """The text of ``kubectl explain KIND.PATH`` with hostpods' support of each field."""
    tree = fields.POD if kind == 'Pod' else fields.OBJECTS[kind]
    node = {'$ref': '#/$defs/' + DEFINITIONS[kind]}
    for name in path:
        props = schema.properties(node)[0]
        if name not in props:
            raise CliError('field "%s" does not exist' % name)
        node = props[name]
    out = 'KIND:       %s\nVERSION:    v1\n\n' % kind
    if path:
        out += 'FIELD: %s <%s>\n\n\n' % (path[-1], schema.type_name(node))
    out += 'DESCRIPTION:\n' + wrap(schema.description(node) or '<empty>', 76, 4) + '\n'
    out += 'HOSTPODS:\n' + wrap(fields.support(path, tree)[1], 76, 4) + '\n\n'
    listing = _field_lines(schema, node, path, tree, recursive)
    if listing:
        out += 'FIELDS:\n' + listing
    return out


def run(ctx, verb, args, extra):
    kind, path = parse_target(args.resource)
    ctx.stdout.write(explain(kind, path, Schema(schema_definitions()), args.recursive))
    ctx.stdout.flush()
    return 0
