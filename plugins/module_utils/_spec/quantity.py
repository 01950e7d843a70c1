# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: Kubernetes resource quantities (``250m``, ``0.5``, ``64Mi``, ``1G``, ``1e6``). Pure.

The grammar is apimachinery's ``resource.Quantity``: a signed decimal number (``1``, ``1.5``,
``1.``, ``.5``) followed by at most one suffix: binary ``Ki Mi Gi Ti Pi Ei`` (powers of 1024),
decimal ``n u m k M G T P E`` (``m`` is 1/1000, ``k`` is 1000, ``M`` is 1000**2: never 1024), or a
decimal exponent ``e3`` / ``E-2`` (``1E`` alone is one exa). Values are kept exact (Fraction) and
converted the way the Go type does: ``MilliValue()`` and ``Value()`` round up, away from zero
(``0.1m`` of cpu is 1 millicore; ``0.5`` byte is 1 byte).
"""

from __future__ import annotations

import re
from fractions import Fraction

# The expression the API server names when it refuses a quantity (apimachinery ErrFormatWrong).
K8S_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
_QUANTITY = re.compile(r'^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$')
_SUFFIXES = {
    'Ki': Fraction(1024), 'Mi': Fraction(1024 ** 2), 'Gi': Fraction(1024 ** 3),
    'Ti': Fraction(1024 ** 4), 'Pi': Fraction(1024 ** 5), 'Ei': Fraction(1024 ** 6),
    'n': Fraction(1, 10 ** 9), 'u': Fraction(1, 10 ** 6), 'm': Fraction(1, 1000), '': Fraction(1),
    'k': Fraction(10 ** 3), 'M': Fraction(10 ** 6), 'G': Fraction(10 ** 9),
    'T': Fraction(10 ** 12), 'P': Fraction(10 ** 15), 'E': Fraction(10 ** 18),
}
MAX_EXPONENT = 1000          # far beyond int64; keeps "1e999999999" from eating the controller
INT64_MAX = 2 ** 63 - 1


def parse(value):
    """The exact value of a quantity (a str, or an int/float as YAML gives ``cpu: 2``) as a Fraction.

    Raises ValueError naming the text and the rule it breaks.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError('invalid quantity %s: must be a string or a number' % _shown(value))
    if isinstance(value, int):
        return Fraction(value)
    text = repr(value) if isinstance(value, float) else value
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError('invalid quantity "%s": quantities must match the regular expression \'%s\''
                         % (_shown(text), K8S_PATTERN))
    sign, number, suffix = match.group(1), match.group(2), match.group(3) or ''
    if suffix in _SUFFIXES:
        scale = _SUFFIXES[suffix]
    else:
        exponent = int(suffix[1:])
        if abs(exponent) > MAX_EXPONENT:
            raise ValueError('invalid quantity "%s": exponent out of range' % _shown(text))
        scale = Fraction(10) ** exponent
    amount = Fraction(number if not number.endswith('.') else number[:-1]) * scale
    return -amount if sign == '-' else amount


def _shown(value):
    """A quantity as a message quotes it (``podspec.excerpt``, imported here: podspec imports this module)."""
    from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import excerpt
    return excerpt(value)


def _round_away(amount):
    """Round a Fraction up to an integer, away from zero (Go ``Quantity.Value``)."""
    if amount >= 0:
        whole = -((-amount.numerator) // amount.denominator)  # ceiling
    else:
        whole = amount.numerator // amount.denominator  # floor: away from zero
    if abs(whole) > INT64_MAX:
        raise ValueError('quantity out of range: %s is more than an int64 holds' % whole)
    return whole


def value(quantity):
    """``Quantity.Value()``: the quantity in whole units (bytes for memory), rounded up."""
    return _round_away(parse(quantity))


def milli_value(quantity):
    """``Quantity.MilliValue()``: the quantity in thousandths (millicores for cpu), rounded up."""
    return _round_away(parse(quantity) * 1000)


def cpu_millicores(quantity):
    """``"250m"`` -> 250, ``"0.5"`` -> 500, ``2`` -> 2000."""
    return milli_value(quantity)


def memory_bytes(quantity):
    """``"64Mi"`` -> 67108864, ``"1G"`` -> 1000000000, ``"1e6"`` -> 1000000, ``"128974848"`` -> 128974848."""
    return value(quantity)


def resource_value(name, quantity):
    """The integer the scheduler counts for a resource: millicores for ``cpu``, whole units for the rest."""
    return cpu_millicores(quantity) if name == 'cpu' else value(quantity)


def resources_errors(resources, path):
    """API-server style messages for a container's ``resources`` (``requests`` and ``limits``).

    Each quantity must parse and be >= 0, and a request may not exceed its limit.
    """
    errors = []
    if not isinstance(resources, dict):
        return ['%s: Invalid value: must be an object' % path]
    parsed = {}
    for kind in ('limits', 'requests'):
        items = resources.get(kind)
        if items is None:
            continue
        if not isinstance(items, dict):
            errors.append('%s.%s: Invalid value: must be a map of quantities' % (path, kind))
            continue
        for name, item in items.items():
            where = '%s.%s[%s]' % (path, kind, name)
            try:
                amount = parse(item)
            except ValueError as exc:
                errors.append('%s: Invalid value: %s' % (where, exc))
                continue
            if amount < 0:
                errors.append('%s: Invalid value: "%s": must be greater than or equal to 0' % (where, _shown(item)))
                continue
            parsed[kind, name] = amount
    for (kind, name), amount in sorted(parsed.items()):
        limit = parsed.get(('limits', name))
        if kind == 'requests' and limit is not None and amount > limit:
            errors.append('%s.requests: Invalid value: "%s": must be less than or equal to %s limit of %s'
                          % (path, _shown(resources['requests'][name]), name, _shown(resources['limits'][name])))
    return errors


_BINARY = (('Ei', 1024 ** 6), ('Pi', 1024 ** 5), ('Ti', 1024 ** 4), ('Gi', 1024 ** 3), ('Mi', 1024 ** 2), ('Ki', 1024))
_DECIMAL = ((18, 'E'), (15, 'P'), (12, 'T'), (9, 'G'), (6, 'M'), (3, 'k'))


def _format_of(text):
    """The format a parsed quantity keeps (apimachinery's): ``binary`` (a ``Ki``... suffix), ``exponent``
    (``e3``) or ``decimal``."""
    match = _QUANTITY.match(text) if isinstance(text, str) else None
    suffix = (match.group(3) or '') if match else ''
    if suffix.endswith('i'):
        return 'binary'
    return 'exponent' if suffix[:1] in ('e', 'E') and len(suffix) > 1 else 'decimal'


def canonical(amount, like):
    """``Quantity.String()`` of a whole ``amount`` (an int) in the format of the quantity ``like`` (as a sum keeps
    the format of its first term): ``1Mi``, ``1536Mi``, ``1500k``, ``2e6``; a binary amount below 1024 or not a
    multiple of it is written in decimal."""
    kind = _format_of(like)
    if kind == 'binary' and abs(amount) >= 1024:
        for suffix, unit in _BINARY:
            if amount % unit == 0:
                return '%d%s' % (amount // unit, suffix)
    for exponent, suffix in _DECIMAL:
        if amount and amount % 10 ** exponent == 0:
            return '%d%s' % (amount // 10 ** exponent, 'e%d' % exponent if kind == 'exponent' else suffix)
    return str(amount)
