# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what reading and refusing a manifest may cost, so that no input can exhaust the controller. Pure.

- A manifest text (a file, a ``definition`` string, a rendered template) is at most ``MAX_TEXT_BYTES``.
- YAML is read by ``Loader``, a safe loader (libyaml's parser when PyYAML has it) that counts what the
  document would be once its aliases are expanded: a document nested deeper than ``MAX_DEPTH`` levels, a recursive alias, or aliases
  (merge keys included) that would expand a text past ``MAX_EXPANDED`` are refused while the text is
  composed, before anything is built from it (the "billion laughs" of a kilobyte).
- Documents given as data (a dict or a list) are measured the same way by ``data_problem``.
- Error messages stay short: ``error_lines`` keeps at most ``MAX_ERRORS`` messages of a manifest,
  each at most ``MAX_ERROR_CHARS`` characters; ``batch_lines`` at most ``MAX_MANIFESTS`` manifests.

The size of a document is counted in units that are about its bytes in YAML or JSON: one per
node (mapping, sequence or scalar) plus the characters of each scalar, every alias counted as the
whole node it stands for.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import excerpt

try:
    import yaml
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.events import AliasEvent
    from yaml.nodes import MappingNode, ScalarNode
    from yaml.resolver import Resolver
    HAS_YAML = True
except ImportError:  # pragma: no cover - reported by the caller with missing_required_lib
    HAS_YAML = False

MAX_TEXT_BYTES = 8 * 1024 * 1024
MAX_EXPANDED = MAX_TEXT_BYTES
MAX_DEPTH = 100
MAX_INT_DIGITS = 100
MAX_ERROR_CHARS = 1024
MAX_ERRORS = 10
MAX_MANIFESTS = 20

TOO_DEEP = 'nested deeper than %d levels (hostpods reads at most %d)' % (MAX_DEPTH, MAX_DEPTH)
RECURSIVE = 'a recursive alias (a node that contains itself) cannot be applied'
TOO_BIG = ('expands to more than %d bytes once its aliases are expanded (a YAML alias bomb?); hostpods reads '
           'at most %d bytes of manifests from one text' % (MAX_EXPANDED, MAX_EXPANDED))


def text_problem(size):
    """Why a text of ``size`` bytes is refused, or None."""
    if size > MAX_TEXT_BYTES:
        return 'Too long: %d bytes: hostpods reads at most %d bytes (8 MiB) of manifests from one file or text' \
            % (size, MAX_TEXT_BYTES)
    return None


def text_size(text):
    """The UTF-8 size of ``text``, without encoding a text that is too long anyway."""
    return len(text) if len(text) > MAX_TEXT_BYTES else len(text.encode('utf-8', errors='replace'))


if HAS_YAML:
    class BoundsError(yaml.MarkedYAMLError):
        """A document over one of the bounds, with the place where the parser noticed it."""

    class _Bounded:
        """What the loaders share: the bounds, checked while the text is composed, before anything is built."""

        def _start_bounds(self):
            self._depth = 0
            self._weights = {}
            self._total = 0

        def compose_document(self):
            self._weights = {}
            node = super().compose_document()
            self._total += self._weights[id(node)]
            if self._total > MAX_EXPANDED:
                raise BoundsError(None, None, TOO_BIG, node.start_mark)
            self._weights = {}
            return node

        def compose_node(self, parent, index):
            event = self.peek_event()
            if self._depth >= MAX_DEPTH:
                raise BoundsError(None, None, TOO_DEEP, event.start_mark)
            self._depth += 1
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            weight = self._weights.get(id(node))
            if weight is None:
                if isinstance(event, AliasEvent):  # the anchored node is still being composed
                    raise BoundsError(None, None, RECURSIVE, event.start_mark)
                weight = self._weight(node)
                self._weights[id(node)] = weight
            if self._total + weight > MAX_EXPANDED:
                raise BoundsError(None, None, TOO_BIG, event.start_mark)
            return node

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except ValueError as exc:  # a date such as 2024-13-45, an integer of thousands of digits...
                raise BoundsError(None, None, 'invalid value: %s' % excerpt(str(exc), 120), node.start_mark)

        def construct_yaml_int(self, node):
            if len(node.value) > MAX_INT_DIGITS:
                raise BoundsError(None, None, 'an integer of %d digits is out of range' % len(node.value),
                                  node.start_mark)
            return super().construct_yaml_int(node)

        def _weight(self, node):
            if isinstance(node, ScalarNode):
                return 1 + len(node.value)
            if isinstance(node, MappingNode):
                return 1 + sum(self._weights[id(key)] + self._weights[id(value)] for key, value in node.value)
            return 1 + sum(self._weights[id(item)] for item in node.value)

    class PyLoader(_Bounded, yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """PyYAML's safe loader within the bounds (all in Python: the loader when libyaml is missing)."""

        def __init__(self, stream):
            yaml.SafeLoader.__init__(self, stream)
            self._start_bounds()

    Loader = PyLoader
    try:
        from yaml.cyaml import CParser
    except ImportError:  # pragma: no cover - PyYAML without libyaml
        CParser = None

    if CParser is not None:
        class CLoader(_Bounded, Composer, CParser, SafeConstructor, Resolver):  # pylint: disable=too-many-ancestors
            """The same on libyaml's parser (many times faster), composing in Python so the bounds hold:
            libyaml's own composer recurses in C, and a document nested deep enough crashes the process."""

            def __init__(self, stream):  # pylint: disable=super-init-not-called
                CParser.__init__(self, stream)
                Composer.__init__(self)
                SafeConstructor.__init__(self)
                Resolver.__init__(self)
                self._start_bounds()

        Loader = CLoader

    for _loader in (PyLoader, Loader):
        _loader.add_constructor('tag:yaml.org,2002:int', _loader.construct_yaml_int)


def data_problem(value):
    """Why a document given as data (dicts, lists, scalars) is refused, or None: the same bounds as text."""
    try:
        return TOO_BIG if _measure(value, 1, {}, set()) > MAX_EXPANDED else None
    except _Refused as exc:
        return exc.args[0]


class _Refused(Exception):
    pass


def _measure(value, depth, done, active):
    if depth > MAX_DEPTH:
        raise _Refused(TOO_DEEP)
    if isinstance(value, str):
        return 1 + len(value)
    if not isinstance(value, (dict, list)):
        return 1
    key = id(value)
    if key in done:
        return done[key]
    if key in active:
        raise _Refused(RECURSIVE)
    active.add(key)
    total = 1
    for item in (value.items() if isinstance(value, dict) else value):
        if isinstance(value, dict):
            total += _measure(item[0], depth + 1, done, active) + _measure(item[1], depth + 1, done, active)
        else:
            total += _measure(item, depth + 1, done, active)
        if total > MAX_EXPANDED:
            raise _Refused(TOO_BIG)
    active.discard(key)
    done[key] = total
    return total


def error_lines(errors):
    """At most ``MAX_ERRORS`` messages, each cut to ``MAX_ERROR_CHARS``, and how many more there were."""
    out = [excerpt(error, MAX_ERROR_CHARS) for error in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        out.append('... and %d more problems' % (len(errors) - MAX_ERRORS))
    return out


def batch_lines(problems):
    """At most ``MAX_MANIFESTS`` manifests' problems, and how many more manifests had problems."""
    out = list(problems[:MAX_MANIFESTS])
    if len(problems) > MAX_MANIFESTS:
        out.append('... and %d more manifests with problems' % (len(problems) - MAX_MANIFESTS))
    return out
