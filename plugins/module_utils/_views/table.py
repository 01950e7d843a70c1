# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: kubectl's text tables, pure: the column alignment of Go's ``text/tabwriter`` (which
``kubectl get`` and ``kubectl describe`` print through) and the columns of ``get`` for pods,
ConfigMaps, Secrets and claims. The ``pod_table`` filter and the ``hostpods`` command share them.
"""

from __future__ import annotations

import time

from ansible_collections.hostpods.core.plugins.module_utils._spec import readiness
from ansible_collections.hostpods.core.plugins.module_utils._views.status import human_duration, pod_row

# kubectl get: tabwriter(minwidth 6, padding 3); kubectl describe: tabwriter(minwidth 0, padding 2)
GET_LAYOUT = {'minwidth': 6, 'padding': 3}
DESCRIBE_LAYOUT = {'minwidth': 0, 'padding': 2}
NONE = '<none>'

POD_COLUMNS = (('NAME', 'name'), ('READY', 'ready'), ('STATUS', 'status'), ('RESTARTS', 'restarts'), ('AGE', 'age'))
POD_WIDE = (('IP', 'ip'), ('NODE', 'node'), ('NOMINATED NODE', 'nominated_node'),
            ('READINESS GATES', 'readiness_gates'))


def tabwrite(lines, minwidth=0, padding=2, widths=None):
    """Lines whose cells are separated by tabs, aligned as Go's tabwriter aligns them: a column is as
    wide as its widest cell plus ``padding`` (at least ``minwidth``) over each run of consecutive
    lines that have that column; a line's last cell is never padded. ``widths`` (a dict kept by the
    caller) remembers the widths of earlier calls, as kubectl's watch does."""
    cells = [line.split('\t') for line in lines]
    chosen = [[] for _line in cells]

    def block(first, last, column):
        index = first
        while index < last:
            if column >= len(cells[index]) - 1:
                index += 1
                continue
            start, width = index, minwidth
            while index < last and column < len(cells[index]) - 1:
                width = max(width, len(cells[index][column]) + padding)
                index += 1
            if widths is not None:
                width = widths[column] = max(width, widths.get(column, 0))
            for line in range(start, index):
                chosen[line].append(width)
            block(start, index, column + 1)

    block(0, len(cells), 0)
    return [''.join(cell.ljust(width) for cell, width in zip(row, sizes)) + row[-1]
            for row, sizes in zip(cells, chosen)]


def render(columns, rows, widths=None, header=True):
    """The text of a ``kubectl get`` table (``columns``: ``(TITLE, key)`` pairs; ``rows``: dicts)."""
    lines = ['\t'.join(title for title, _key in columns)] if header else []
    lines += ['\t'.join(str(row.get(key, '')) for _title, key in columns) for row in rows]
    return '\n'.join(tabwrite(lines, widths=widths, **GET_LAYOUT))


def pod_columns(wide=False, namespaces=False, labels=False):
    """The columns of ``kubectl get pods`` (``-o wide``, ``-A``, ``--show-labels``)."""
    columns = ((('NAMESPACE', 'namespace'),) if namespaces else ()) + POD_COLUMNS + (POD_WIDE if wide else ())
    return columns + ((('LABELS', 'labels'),) if labels else ())


def labels_text(labels):
    """The LABELS column: ``k=v`` pairs sorted by key, comma-separated, or ``<none>``."""
    return ','.join('%s=%s' % (key, labels[key]) for key in sorted(labels or {})) or NONE


def pod_rows(items, now=None):
    """Rows of Pod objects or of ``pod_info`` rows (the ``pod_row`` columns, plus what the table adds)."""
    now = time.time() if now is None else now
    out = []
    for item in items or []:
        if 'metadata' in item:
            if not item.get('status'):
                continue  # a deleted pod's result carries no status: no row
            row = dict(pod_row(item, now), labels=labels_text(item['metadata'].get('labels')))
            row['readiness_gates'] = readiness.gates_column(item) or NONE
        else:
            row = dict(item)
        row.setdefault('nominated_node', NONE)
        row.setdefault('readiness_gates', NONE)
        out.append(row)
    return out


def pods_table(items, wide=True, namespaces=False, labels=False, now=None):
    """``kubectl get pods [-o wide] [-A] [--show-labels]`` of Pod objects or ``pod_info`` rows; None without pods."""
    rows = pod_rows(items, now)
    if not rows:
        return None
    return render(pod_columns(wide, namespaces, labels), rows)


# ----------------------------------------------------------------------------- ConfigMaps, Secrets, claims

ACCESS_MODES = {'ReadWriteOnce': 'RWO', 'ReadOnlyMany': 'ROX', 'ReadWriteMany': 'RWX', 'ReadWriteOncePod': 'RWOP'}
OBJECT_COLUMNS = {
    'ConfigMap': (('NAME', 'name'), ('DATA', 'data'), ('AGE', 'age')),
    'Secret': (('NAME', 'name'), ('TYPE', 'type'), ('DATA', 'data'), ('AGE', 'age')),
    'PersistentVolumeClaim': (('NAME', 'name'), ('STATUS', 'status'), ('VOLUME', 'volume'), ('CAPACITY', 'capacity'),
                              ('ACCESS MODES', 'access_modes'), ('STORAGECLASS', 'storage_class'),
                              ('VOLUMEATTRIBUTESCLASS', 'attributes_class'), ('AGE', 'age')),
}


def object_row(obj, now, written=None, volume=None):
    """The ``kubectl get`` columns of a ConfigMap, Secret or PersistentVolumeClaim as the node keeps it
    (``written``: when the node last wrote it, its AGE; ``volume``: the claim's Docker volume name when
    it exists). Secret values never appear."""
    meta = obj['metadata']
    row = {'name': meta['name'], 'namespace': meta['namespace'], 'labels': labels_text(meta.get('labels')),
           'age': human_duration(written, now)}
    if obj['kind'] in ('ConfigMap', 'Secret'):
        row['data'] = str(len(set(obj.get('data') or {}) | set(obj.get('binaryData') or {})))
        row['type'] = obj.get('type', '')
        return row
    spec = obj.get('spec') or {}
    storage = ((spec.get('resources') or {}).get('requests') or {}).get('storage', '')
    modes = ','.join(ACCESS_MODES.get(mode, mode) for mode in spec.get('accessModes') or [])
    row.update({'status': 'Bound' if volume else 'Pending', 'volume': volume or '',
                'capacity': str(storage) if volume else '', 'access_modes': modes if volume else '',
                'storage_class': spec.get('storageClassName') or '<unset>', 'attributes_class': '<unset>'})
    return row


def objects_table(kind, rows, namespaces=False, labels=False):
    columns = ((('NAMESPACE', 'namespace'),) if namespaces else ()) + OBJECT_COLUMNS[kind]
    return render(columns + ((('LABELS', 'labels'),) if labels else ()), rows)
