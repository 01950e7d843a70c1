# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: PyYAML's safe loaders within ``_spec.bounds`` (the nesting, the expanded size, the integers).

Imported only where text is parsed (``_spec.manifest.parse_text``): a module given documents as data, as
``hostpods.core.pod`` is by its action plugin, never loads PyYAML.
"""

from __future__ import annotations

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

from ansible_collections.hostpods.core.plugins.module_utils._spec.bounds import (
    MAX_DEPTH, MAX_EXPANDED, MAX_INT_DIGITS, RECURSIVE, TOO_BIG, TOO_DEEP)
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import excerpt


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
