"""Regenerate plugins/module_utils/_spec/schema/v1.json, the official Kubernetes definitions ``hostpods explain``
reads on a node (which has no ``kubernetes-validate``).

From the newest ``vX.Y.Z-local/_definitions.json`` that the ``kubernetes-validate`` package of the venv ships, it keeps
the definitions reachable from the kinds hostpods takes (Pod, ConfigMap, Secret, PersistentVolumeClaim) and, of each
schema, only what explain reads (description, type, properties, required, items, additionalProperties, allOf,
$ref); a type ``[T, "null"]`` becomes ``T``. One definition a line, sorted, so that a new schema makes a legible diff.
Usage (from the repository root):
    .venv/bin/python scripts/make-schema.py           # write the file
    .venv/bin/python scripts/make-schema.py --check   # exit 1 when the file is not what the package gives
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, 'plugins', 'module_utils', '_spec', 'schema', 'v1.json')
KINDS = ('Pod', 'ConfigMap', 'Secret', 'PersistentVolumeClaim')
KEPT = ('description', 'type', 'properties', 'required', 'items', 'additionalProperties', 'allOf', '$ref')


def source():
    """``(package version, schema version, path of its _definitions.json)``: the newest schema the package ships."""
    import kubernetes_validate  # pylint: disable=import-outside-toplevel
    from importlib.metadata import version  # pylint: disable=import-outside-toplevel
    base = os.path.join(os.path.dirname(kubernetes_validate.__file__), 'kubernetes-json-schema')
    found = [(tuple(int(part) for part in match.group(1).split('.')), name)
             for name in os.listdir(base) for match in [re.match(r'^v(\d+\.\d+\.\d+)-local$', name)] if match]
    numbers, name = max(found)
    return version('kubernetes-validate'), '.'.join(str(n) for n in numbers), os.path.join(base, name, '_definitions.json')


def _refs(schema):
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == '$ref':
                yield value.rsplit('/', 1)[-1]
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _refs(value)


def _trim(schema):
    """What explain reads of a schema (its properties trimmed alike)."""
    out = {}
    for key in KEPT:
        if key not in schema:
            continue
        value = schema[key]
        if key == 'properties':
            value = {name: _trim(sub) for name, sub in value.items()}
        elif key in ('items', 'additionalProperties') and isinstance(value, dict):
            value = _trim(value)
        elif key == 'allOf':
            value = [_trim(sub) for sub in value]
        elif key == 'type' and isinstance(value, list):
            kinds = [kind for kind in value if kind != 'null']
            value = kinds[0] if len(kinds) == 1 else kinds
        out[key] = value
    return out


def build():
    """The text of v1.json."""
    package, schema_version, path = source()
    with open(path, encoding='utf-8') as handle:
        definitions = json.load(handle)['$defs']
    reachable, todo = set(), ['io.k8s.api.core.v1.' + kind for kind in KINDS]
    while todo:
        name = todo.pop()
        if name not in reachable:
            reachable.add(name)
            todo.extend(_refs(definitions[name]))
    head = {'kubernetes': schema_version, 'source': 'kubernetes-validate %s, kubernetes-json-schema/%s' % (
        package, os.path.relpath(path, os.path.dirname(os.path.dirname(path))))}
    lines = ['%s: %s' % (json.dumps(key), json.dumps(value)) for key, value in head.items()]
    defs = ',\n'.join('%s: %s' % (json.dumps(name), json.dumps(_trim(definitions[name]), sort_keys=True, separators=(',', ':')))
                      for name in sorted(reachable))
    return '{\n' + ',\n'.join(lines) + ',\n"$defs": {\n' + defs + '\n}}\n'


def main(argv):
    text = build()
    if argv[1:] == ['--check']:
        with open(TARGET, encoding='utf-8') as handle:
            current = handle.read() == text
        print('%s is %s' % (os.path.relpath(TARGET, ROOT), 'current' if current else 'NOT current: run %s' % argv[0]))
        return 0 if current else 1
    os.makedirs(os.path.dirname(TARGET), exist_ok=True)
    with open(TARGET, 'w', encoding='utf-8') as handle:
        handle.write(text)
    print('wrote %s (%d bytes)' % (os.path.relpath(TARGET, ROOT), len(text.encode('utf-8'))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
