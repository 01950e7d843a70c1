# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: read manifests, validate them as the API server would, and apply its defaults.

Pure: no Docker, no host access. ``load_pods`` raises one ManifestError naming every problem of
the batch, so a batch with one bad manifest changes nothing.
"""

from __future__ import annotations

import functools
import json

from ansible_collections.hostpods.core.plugins.module_utils._spec import apparmor
from ansible_collections.hostpods.core.plugins.module_utils._spec import bounds
from ansible_collections.hostpods.core.plugins.module_utils._spec import dns
from ansible_collections.hostpods.core.plugins.module_utils._spec import downward
from ansible_collections.hostpods.core.plugins.module_utils._spec import hooks
from ansible_collections.hostpods.core.plugins.module_utils._spec import interpod
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import containers
from ansible_collections.hostpods.core.plugins.module_utils._spec import metadata
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import notices
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import priority
from ansible_collections.hostpods.core.plugins.module_utils._spec import probes
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import readiness
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass
from ansible_collections.hostpods.core.plugins.module_utils._spec import scheduling
from ansible_collections.hostpods.core.plugins.module_utils._spec import security
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec.defaults import VOLUME_SOURCES, apply_defaults
from ansible_collections.hostpods.core.plugins.module_utils._spec.fields import OBJECTS, POD, check_fields, stand_in

RESTART_POLICIES = podspec.RESTART_POLICIES
INT32_MAX = 2 ** 31 - 1
HOSTPATH_TYPES = ('', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice')
OTHER_KINDS = ('Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job')
API_VERSIONS = {priority.KIND: priority.API_VERSION, runtimeclass.KIND: runtimeclass.API_VERSION}  # others: v1
# the schema file of a kind, where not <kind>-v1
SCHEMA_FILES = {priority.KIND: 'priorityclass-scheduling-v1', runtimeclass.KIND: runtimeclass.SCHEMA_FILE}
CLASS_KINDS = (priority.KIND, runtimeclass.KIND)  # what the API server's admission reads: a node keeps none
KINDS = ('Pod',) + configs.KINDS + CLASS_KINDS


# ----------------------------------------------------------------------------- reading text

def parse_text(text, source='definition'):
    """Split YAML or JSON text into documents; ``kind: List`` is expanded. Errors carry file and line.

    The text is read within ``bounds``: its size, its nesting and what its aliases expand to."""
    # here, not at the top: a module given documents as data never loads PyYAML
    from ansible_collections.hostpods.core.plugins.module_utils._spec import yaml_bounds
    too_long = bounds.text_problem(bounds.text_size(text))
    if too_long:
        raise ManifestError('%s: %s' % (source, too_long), source=source)
    if not yaml_bounds.HAS_YAML:  # one JSON document reads without it (the command sends its files to a node so)
        try:
            return [(_bounded(json.loads(text), source), '%s (document 1)' % source)]
        except ValueError:
            raise ManifestError('PyYAML is required to read manifests (one JSON document reads without it)')
    yaml = yaml_bounds.yaml
    try:
        # str(): libyaml takes only an exact str, and Ansible hands over its own (tagged) subclass
        docs = [doc for doc in yaml.load_all(str(text), Loader=yaml_bounds.Loader) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None)
        where = '%s:%d:%d' % (source, mark.line + 1, mark.column + 1) if mark else source
        problem = getattr(exc, 'problem', None) or str(exc)
        raise ManifestError('%s: cannot parse manifest: %s' % (where, podspec.excerpt(problem, 200)), source=source)
    return [(doc, '%s (document %d)' % (source, index + 1)) for index, doc in enumerate(docs)]


def flatten(items):
    """Expand ``kind: List`` (and ``v1`` lists such as PodList) into their items, keeping the origin."""
    out = []
    for doc, origin in items:
        if isinstance(doc, dict) and isinstance(doc.get('kind'), str) and doc['kind'].endswith('List') \
                and isinstance(doc.get('items'), list):
            out.extend(flatten([(item, '%s item %d' % (origin, index + 1)) for index, item in enumerate(doc['items'])]))
        else:
            out.append((doc, origin))
    return out


def collect_documents(definition, source='definition'):
    """The documents of a ``definition`` option: a dict, a list of dicts, or YAML/JSON text."""
    if isinstance(definition, str):
        return flatten(parse_text(definition, source))
    if isinstance(definition, dict):
        return flatten([(_bounded(definition, source), source)])
    if isinstance(definition, list):
        items = []
        for index, item in enumerate(definition):
            if isinstance(item, str):
                items.extend(parse_text(item, '%s[%d]' % (source, index)))
            else:
                items.append((_bounded(item, '%s[%d]' % (source, index)), '%s[%d]' % (source, index)))
        return flatten(items)
    raise ManifestError('%s: must be a dict, a list of dicts or YAML/JSON text' % source)


def _bounded(document, source):
    """A document given as data, refused as text would be when it is too deep, recursive or too big."""
    problem = bounds.data_problem(document)
    if problem:
        raise ManifestError('%s: %s' % (source, problem), source=source)
    return document


# ----------------------------------------------------------------------------- schema (optional)

@functools.lru_cache(maxsize=None)
def _validator(kind='Pod'):
    """A strict validator of the newest schema of ``kind`` that ``kubernetes-validate`` ships (built once)."""
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource
    version = utils.latest_version()
    schema_dir = 'kubernetes-json-schema/v%s-local-strict' % version
    schema = utils.schema_contents('%s/%s.json' % (schema_dir, SCHEMA_FILES.get(kind, '%s-v1' % kind.lower())), version)
    definitions = utils.schema_contents('%s/_definitions.json' % schema_dir, version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return version, jsonschema.validators.Draft202012Validator(schema, registry=registry)


def schema_errors(doc, mistyped=None, memo=None):
    """Check a manifest against the official Kubernetes schema (strict: unknown fields are errors).

    Returns a list of messages naming the field paths; empty when the document is valid or the
    ``kubernetes-validate`` package is not installed (the supported-field check still refuses
    every unknown field then). Values are quoted as short excerpts, a Secret's data never. Each value
    of the wrong type is added to ``mistyped`` as ``_spec.fields.Checker`` adds them. ``memo`` (a
    ``_runtime.schema_memo.SchemaMemo``) remembers the valid documents, which are then not checked again.
    """
    digest = memo.digest(doc) if memo is not None else None
    if digest is not None and memo.known(digest):
        return []
    out = _schema_errors(doc, mistyped)
    if digest is not None and not out:
        memo.remember(digest)
    return out


def _schema_errors(doc, mistyped):
    try:
        version, validator = _validator(doc.get('kind', 'Pod'))
    except ImportError:
        return []
    out = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        path = field_path(error.absolute_path)
        if error.validator == 'additionalProperties':
            unknown = sorted(set(error.instance) - set(error.schema.get('properties') or {}), key=str)
            out.extend('%s: unknown field (not in the Kubernetes %s %s schema)'
                       % (join_path(path, podspec.excerpt(name)), version, doc['kind']) for name in unknown)
            continue
        hidden = doc['kind'] == 'Secret' and list(error.absolute_path)[:1] in (['data'], ['stringData'])
        kinds = _expected_types(error)
        if kinds and mistyped is not None:
            mistyped.append((tuple(error.absolute_path), _ZERO.get(kinds[0])))
        out.append(_schema_message(error, path or 'document', hidden, kinds))
    return out


_ZERO = {'string': '', 'integer': 0, 'number': 0, 'boolean': False, 'array': [], 'object': {}}
_TYPE_WORDS = {'string': 'a string', 'integer': 'an integer', 'number': 'a number', 'boolean': 'a boolean',
               'array': 'a list', 'object': 'a map'}


def _expected_types(error):
    """The JSON types a value of the wrong type must have (``type``, or a ``oneOf`` of types: an int-or-string
    or a quantity); empty for any other error."""
    if error.validator == 'type':
        given = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    elif error.validator in ('oneOf', 'anyOf') and all(set(item) == {'type'} for item in error.validator_value):
        given = [kind for item in error.validator_value for kind in
                 (item['type'] if isinstance(item['type'], list) else [item['type']])]
    else:
        return []
    return [kind for kind in given if kind != 'null']


def _schema_message(error, path, hidden, kinds):
    """The API server's wording for a schema error, in one line: a value of the wrong type names the type it must
    have, and shows the value only as a short excerpt (a map or a list is named, a Secret's data hidden)."""
    never = '(the values of a Secret are never shown)'
    if kinds:
        expected = ' or '.join(_TYPE_WORDS.get(kind, kind) for kind in kinds)
        if hidden:
            return '%s: Invalid value: must be %s %s' % (path, expected, never)
        return podspec.wrong_type(path, error.instance, expected)
    shown = never if hidden else podspec.quoted(error.instance)
    expected = error.validator_value
    if error.validator == 'enum':
        return '%s: Unsupported value: %s: supported values: %s' % (
            path, shown, ', '.join('"%s"' % value for value in expected if value is not None))
    if error.validator == 'required':
        missing = [name for name in expected if isinstance(error.instance, dict) and name not in error.instance]
        return '%s: Required value' % join_path('' if path == 'document' else path, (missing or ['?'])[0])
    return '%s: Invalid value: %s: does not match the Kubernetes schema (%s)' % (path, shown, error.validator)


def field_path(parts):
    out = ''
    for part in parts:
        out += '[%d]' % part if isinstance(part, int) else ('.%s' % part if out else str(part))
    return out


def join_path(path, name):
    return '%s.%s' % (path, name) if path else name


# ----------------------------------------------------------------------------- validation

def semantic_errors(pod):
    """Kubernetes' own validation rules for the fields hostpods supports (on a defaulted pod), and the
    limits of the node and the engine that Kubernetes does not know (names, paths)."""
    spec = pod['spec']
    errors = metadata.meta_errors(pod['metadata']) + _pod_spec_errors(spec) + dns.fqdn_errors(pod)
    errors += apparmor.errors(pod) + security.seccomp_annotation_errors(pod)
    errors += configs.ephemeral_errors(pod)
    volumes, volume_errors = _volumes(spec.get('volumes') or [])
    errors += volume_errors
    if not spec.get('containers'):
        errors.append('spec.containers: Required value')
    seen, host_ports = {}, {}
    all_names = [c.get('name') for key in ('initContainers', 'containers') for c in spec.get(key) or []]
    for key in ('initContainers', 'containers'):
        for index, container in enumerate(spec.get(key) or []):
            path = 'spec.%s[%d]' % (key, index)
            name = container.get('name')
            errors += podspec.name_errors(name, path + '.name')
            if name in seen:
                errors.append('%s.name: Duplicate value: %s' % (path, podspec.quoted(name)))
            seen[name] = path
            errors += containers.container_errors(container, path, volumes, all_names)
            regular_init = key == 'initContainers' and not podspec.is_sidecar(container)
            errors += hooks.lifecycle_errors(container, path, regular_init)
            errors += probes.probe_errors(container, path, regular_init)
            errors += containers.restart_errors(container, path, key == 'initContainers')
            errors += resources.resize_policy_errors(container, path, key == 'initContainers', spec['restartPolicy'])
            errors += containers.ports_errors(container, path, host_ports, key == 'containers', bool(spec.get('hostNetwork')))
    return errors + naming.host_name_errors(pod)


def _pod_spec_errors(spec):
    """The pod-wide fields: hostname, restart policy, DNS, security, scheduling, namespaces, deadlines."""
    errors = []
    if spec.get('hostname') is not None:
        errors += podspec.name_errors(spec['hostname'], 'spec.hostname')
    if spec['restartPolicy'] not in RESTART_POLICIES:
        errors.append('spec.restartPolicy: Unsupported value: %s: supported values: "%s"'
                      % (podspec.quoted(spec['restartPolicy']), '", "'.join(RESTART_POLICIES)))
    if spec.get('serviceAccountName'):
        errors += podspec.name_errors(spec['serviceAccountName'], 'spec.serviceAccountName', subdomain=True)
    errors += dns.dns_errors(spec)
    errors += security.security_errors(spec) + security.linux_errors(spec)
    errors += scheduling.scheduling_errors(spec)
    errors += interpod.interpod_errors(spec) + readiness.gate_errors(spec)
    errors += resources.pod_level_errors(spec) + resources.overhead_errors(spec) + runtimeclass.spec_errors(spec)
    if spec.get('hostPID') and spec.get('shareProcessNamespace'):
        errors.append('spec.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled')
    if spec['terminationGracePeriodSeconds'] < 0:
        errors.append('spec.terminationGracePeriodSeconds: Invalid value: %d: must be greater than or equal to 0'
                      % spec['terminationGracePeriodSeconds'])
    deadline = spec.get('activeDeadlineSeconds')
    if deadline is not None and not 1 <= deadline <= INT32_MAX:
        errors.append('spec.activeDeadlineSeconds: Invalid value: %d: must be between 1 and %d, inclusive'
                      % (deadline, INT32_MAX))
    return errors


def _volumes(items):
    """``ValidateVolumes``: ``({name: volume}, errors)``, each volume named, once, of one type."""
    volumes, errors = {}, []
    for index, volume in enumerate(items):
        path = 'spec.volumes[%d]' % index
        errors += podspec.name_errors(volume.get('name'), path + '.name')
        if volume.get('name') in volumes:
            errors.append('%s.name: Duplicate value: %s' % (path, podspec.quoted(volume['name'])))
        volumes[volume.get('name')] = volume
        sources = [key for key in VOLUME_SOURCES if key in volume]
        if len(sources) > 1:
            errors.append('%s: Forbidden: may not specify more than 1 volume type' % path)
        errors += _volume_source_errors(volume, path)
    return volumes, errors


def _file_errors(items, path, volume_items=False):
    """``items`` of configMap/secret/downwardAPI sources: relative paths without '..', modes 0..0777."""
    errors = []
    for index, item in enumerate(items or []):
        where = '%s[%d]' % (path, index)
        target = item.get('path') or ''
        if not target:
            errors.append('%s.path: Required value' % where)
        elif target.startswith('/') or '..' in target.split('/'):
            errors += podspec.invalid(where + '.path', target, ["must be a relative path without '..'"])
        else:
            errors += podspec.invalid(where + '.path', target, naming.path_problems(target))
        if item.get('mode') is not None and not 0 <= item['mode'] <= 0o777:
            errors.append('%s.mode: Invalid value: %d: must be a number between 0 and 0777 (octal), both inclusive'
                          % (where, item['mode']))
        if volume_items:
            if 'fieldRef' in item:
                field = item['fieldRef'].get('fieldPath', '')
                if field not in ('metadata.labels', 'metadata.annotations') and downward.field_path_error(field) is not None \
                        or field.startswith(('spec.', 'status.')):
                    errors.append('%s.fieldRef.fieldPath: Unsupported value: %s' % (where, podspec.quoted(field)))
            elif 'resourceFieldRef' in item:
                if not item['resourceFieldRef'].get('containerName'):
                    errors.append('%s.resourceFieldRef.containerName: Required value' % where)
            else:
                errors.append('%s: Required value: one of fieldRef or resourceFieldRef' % where)
        elif not item.get('key'):
            errors.append('%s.key: Required value' % where)
    return errors


def _volume_source_errors(volume, path):
    errors = []
    for key, name_field in (('configMap', 'name'), ('secret', 'secretName')):
        if key in volume:
            if not volume[key].get(name_field):
                errors.append('%s.%s.%s: Required value' % (path, key, name_field))
            errors += _file_errors(volume[key].get('items'), '%s.%s.items' % (path, key))
    if 'downwardAPI' in volume:
        errors += _file_errors(volume['downwardAPI'].get('items'), '%s.downwardAPI.items' % path, volume_items=True)
    for index, source in enumerate((volume.get('projected') or {}).get('sources') or []):
        where = '%s.projected.sources[%d]' % (path, index)
        if len(source) != 1:
            errors.append('%s: Forbidden: may not specify more than 1 volume type per source' % where)
        for key in ('configMap', 'secret'):
            if key in source:
                errors += _file_errors(source[key].get('items'), '%s.%s.items' % (where, key))
        if 'downwardAPI' in source:
            errors += _file_errors(source['downwardAPI'].get('items'), '%s.downwardAPI.items' % where, volume_items=True)
    if 'emptyDir' in volume:
        errors += _empty_dir_errors(volume['emptyDir'] or {}, path + '.emptyDir')
    if 'hostPath' in volume:
        errors += _host_path_errors(volume['hostPath'], path + '.hostPath')
    if 'persistentVolumeClaim' in volume:
        claim = volume['persistentVolumeClaim'].get('claimName')
        errors += podspec.name_errors(claim, path + '.persistentVolumeClaim.claimName', subdomain=True)
    if 'image' in volume:  # validateImageVolumeSource
        if not volume['image'].get('reference'):
            errors.append('%s.image.reference: Required value' % path)
        if volume['image']['pullPolicy'] not in containers.PULL_POLICIES:
            errors.append('%s.image.pullPolicy: Unsupported value: %s: supported values: "%s"'
                          % (path, podspec.quoted(volume['image']['pullPolicy']), '", "'.join(containers.PULL_POLICIES)))
    return errors


def _empty_dir_errors(empty_dir, path):
    errors = []
    medium = empty_dir.get('medium', '')
    if medium == 'HugePages' or medium.startswith('HugePages-'):
        errors.append('%s.medium: not supported by hostpods: %s needs hugepages-<size> resources, which hostpods does '
                      'not give containers (a hugetlbfs the node mounted, through a hostPath, works)'
                      % (path, podspec.quoted(medium)))
    elif medium not in ('', 'Memory'):
        errors.append('%s.medium: Unsupported value: %s: supported values: "", "Memory", "HugePages", '
                      '"HugePages-<size>"' % (path, podspec.quoted(medium)))
    mode = empty_dir.get('mode')
    if mode is not None and not 0 <= mode <= 0o1777:
        errors.append('%s.mode: Invalid value: %d: must be a number between 0 and 01777 (octal), both inclusive'
                      % (path, mode))
    size = empty_dir.get('sizeLimit')
    if size is not None:
        try:
            quantity.memory_bytes(size)
        except ValueError as exc:
            errors.append('%s.sizeLimit: Invalid value: %s: %s' % (path, podspec.quoted(size), exc))
    return errors


def _host_path_errors(host_path, path):
    errors = []
    if not host_path.get('path'):
        errors.append('%s.path: Required value' % path)
    elif not host_path['path'].startswith('/'):
        errors += podspec.invalid(path + '.path', host_path['path'], [naming.ABSOLUTE])
    elif '..' in host_path['path'].split('/'):
        errors += podspec.invalid(path + '.path', host_path['path'], ["must not contain '..'"])
    else:
        errors += podspec.invalid(path + '.path', host_path['path'], naming.path_problems(host_path['path'], bind=True))
    if host_path.get('type', '') not in HOSTPATH_TYPES:
        errors.append('%s.type: Unsupported value: %s: supported values: "%s"'
                      % (path, podspec.quoted(host_path['type']), '", "'.join(HOSTPATH_TYPES)))
    return errors


# ----------------------------------------------------------------------------- the whole batch

def load_manifests(documents, namespace='default', deleting=False, check_schema=False, warnings=None):
    """Validate and default every document: ``(pods, objects)`` in order, objects being the
    ConfigMaps, Secrets and PersistentVolumeClaims of the batch (see ``_objects``). The batch's
    PriorityClasses give the pods their priority (``_spec.priority``), its RuntimeClasses their runtime
    (``_spec.runtimeclass``); a node keeps none of them.
    ``warnings`` (a list) gets ``(pod key, message)`` for what each pod's manifest warns about
    (``_spec.notices``).

    Raises one ManifestError listing every problem of the batch, each manifest's in one round: its
    schema errors, the fields hostpods refuses and the API server's rules together. With ``deleting``
    only what identifies a document (kind, name, namespace) is checked. ``check_schema``: False, True (the
    official schema too), or a ``_runtime.schema_memo.SchemaMemo`` (the schema, remembering valid documents).
    """
    pods, others, classes, problems, seen = [], [], {kind: {} for kind in CLASS_KINDS}, [], {}
    for doc, origin in documents:
        errors, item = _problems(doc, namespace, deleting, check_schema)
        if errors:
            problems.append('%s: %s' % (_label(doc, origin), '; '.join(bounds.error_lines(errors))))
            continue
        key = (item['kind'] if 'kind' in item else 'Pod', item['metadata'].get('namespace', ''), item['metadata']['name'])
        if key in seen:
            problems.append('%s: %s "%s"%s is also defined in %s' % (
                origin, key[0], key[2], ' in namespace "%s"' % key[1] if key[1] else '', seen[key]))
            continue
        seen[key] = origin
        if doc['kind'] in CLASS_KINDS:
            classes[doc['kind']][key[2]] = (item, origin)
        else:
            (pods if doc['kind'] == 'Pod' else others).append(item)
        if warnings is not None and doc['kind'] == 'Pod' and not deleting:
            warnings.extend((key[1:], message) for message in notices.pod_notices(doc))
    if not deleting:
        problems += _admit(pods, classes, seen)
    if problems:
        problems = bounds.batch_lines(problems)
        raise ManifestError('Invalid manifest: ' + ' | '.join(problems), errors=problems)
    return pods, others


def _problems(doc, namespace, deleting, check_schema):
    """``(errors, item)``: every problem of one document, and the document defaulted (when it has none).

    The API server's rules are checked on a stand-in of the document whose values of the wrong type are
    left out (``fields.stand_in``); what they say of a field already named is not said again."""
    errors, sound = _document_errors(doc, deleting, check_schema)
    if sound is None:
        return errors, None
    try:
        item, more = _defaulted(sound, namespace, deleting)
    except (TypeError, AttributeError, KeyError, ValueError):
        if not errors:  # a document without a named problem must never fail here: that would be a bug
            raise
        return errors, None  # a stand-in the rules cannot read: the problems already named must do
    named = [_path_of(error) for error in errors]
    return errors + [error for error in more if not any(_related(_path_of(error), path) for path in named)], item


def _defaulted(doc, namespace, deleting):
    """The document defaulted, and the API server's errors of it (only its identity when ``deleting``)."""
    if doc['kind'] == 'Pod':
        item = apply_defaults(doc, namespace)
        return item, _identity_errors(item) if deleting else semantic_errors(item)
    if doc['kind'] in CLASS_KINDS:
        kind = priority if doc['kind'] == priority.KIND else runtimeclass
        item = kind.normalise(doc)
        return item, [] if deleting else kind.class_errors(item)
    item = configs.normalise(doc, namespace)
    if deleting:
        return item, _identity_errors(item)
    return item, metadata.meta_errors(item['metadata']) + configs.object_errors(item)


def pod_errors(doc, classes=(), namespace='default', check_schema=True):
    """Every problem of one Pod manifest, as ``load_manifests`` finds them for it (not cut short): its document
    and its semantics in one round, then the Priority and RuntimeClass admission plugins with ``classes``
    (normalised PriorityClasses and RuntimeClasses)."""
    errors, pod = _problems(doc, namespace, False, check_schema)
    if errors:
        return errors
    found = {kind: {item['metadata']['name']: item for item in classes if item['kind'] == kind} for kind in CLASS_KINDS}
    return _admission_errors(pod, found, priority.default_class(list(found[priority.KIND].values()))[0])


def _admission_errors(pod, found, default):
    """The Priority admission plugin, then the RuntimeClass one, on one pod (``found``: ``{kind: {name: class}}``,
    ``default``: the globalDefault PriorityClass); their refusals."""
    return priority.admit(pod, found[priority.KIND], default) or runtimeclass.admit(pod, found[runtimeclass.KIND])


def _admit(pods, classes, origins):
    """The admission plugins over the batch's pods (``classes``: ``{kind: {name: (class, origin)}}``)."""
    found = {kind: {name: item for name, (item, dummy) in items.items()} for kind, items in classes.items()}
    default, problems = priority.default_class(list(found[priority.KIND].values()))
    for pod in pods:
        errors = _admission_errors(pod, found, default)
        if errors:
            key = ('Pod', pod['metadata']['namespace'], pod['metadata']['name'])
            problems.append('%s Pod "%s": %s' % (origins[key], podspec.excerpt(key[2]), '; '.join(errors)))
    return problems


def _path_of(error):
    return error.split(': ', 1)[0]


def _within(path, other):
    """``path`` is ``other`` or a field inside it."""
    return path == other or path.startswith(other + '.') or path.startswith(other + '[')


def _related(one, two):
    """One of the paths ``one`` and ``two`` is the other or inside it: what is said of one follows from the other."""
    return _within(one, two) or _within(two, one)


def _label(doc, origin):
    """How a problem names its manifest: where it comes from, its kind and name."""
    meta = doc.get('metadata') if isinstance(doc, dict) else None
    if isinstance(meta, dict) and isinstance(meta.get('name'), str) and meta['name']:
        return '%s %s "%s"' % (origin, podspec.excerpt(str(doc.get('kind') or 'Pod')), podspec.excerpt(meta['name']))
    return origin


def load_pods(documents, namespace='default', deleting=False, check_schema=False):
    """The pods of ``documents`` (see ``load_manifests``)."""
    return load_manifests(documents, namespace, deleting, check_schema)[0]


def _document_errors(doc, deleting, check_schema):
    """``(errors, sound)``: the document's schema errors and the fields hostpods does not take, and the document
    with its values of the wrong type stood in for (None when it is no manifest of a kind hostpods applies)."""
    if not isinstance(doc, dict):
        return ['a manifest must be a mapping, not %s' % type(doc).__name__], None
    kind, api_version = doc.get('kind'), doc.get('apiVersion')
    if not kind:
        return ['kind: Required value'], None
    if not api_version:
        return ['apiVersion: Required value'], None
    if kind not in KINDS:
        supported = '", "'.join(KINDS)
        if kind in OTHER_KINDS:
            return ['kind: Unsupported value: %s: hostpods applies only "%s" yet'
                    % (podspec.quoted(kind), supported)], None
        return ['kind: Unsupported value: %s: supported values: "%s"' % (podspec.quoted(kind), supported)], None
    if api_version != API_VERSIONS.get(kind, 'v1'):
        return ['apiVersion: Unsupported value: %s: %s is in apiVersion "%s"'
                % (podspec.quoted(api_version), kind, API_VERSIONS.get(kind, 'v1'))], None
    if deleting:
        return [], doc
    mistyped = []
    errors = schema_errors(doc, mistyped, None if check_schema is True else check_schema) if check_schema else []
    ours = []
    check_fields(doc, POD if kind == 'Pod' else OBJECTS[kind], '', ours, mistyped)
    named = [_path_of(error) for error in errors]  # the schema's word on a field comes first, and alone
    errors += [error for error in ours if not any(_related(_path_of(error), path) for path in named)]
    return errors, stand_in(doc, mistyped)


def _identity_errors(pod):
    meta = pod['metadata']
    return (podspec.name_errors(meta.get('name'), 'metadata.name', subdomain=True)
            + podspec.name_errors(meta.get('namespace'), 'metadata.namespace'))
