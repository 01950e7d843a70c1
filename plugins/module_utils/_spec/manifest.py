# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: read manifests, validate them as the API server would, and apply its defaults.

Pure: no Docker, no host access. ``load_pods`` raises one ManifestError naming every problem of
the batch, so a batch with one bad manifest changes nothing.
"""

from __future__ import annotations

import copy
import functools

from ansible_collections.hostpods.core.plugins.module_utils._spec import bounds
from ansible_collections.hostpods.core.plugins.module_utils._spec import dns
from ansible_collections.hostpods.core.plugins.module_utils._spec import downward
from ansible_collections.hostpods.core.plugins.module_utils._spec import hooks
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import containers
from ansible_collections.hostpods.core.plugins.module_utils._spec import metadata
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import probes
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources
from ansible_collections.hostpods.core.plugins.module_utils._spec import scheduling
from ansible_collections.hostpods.core.plugins.module_utils._spec import security
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec.fields import OBJECTS, POD, check_fields

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - reported by the caller with missing_required_lib
    HAS_YAML = False

RESTART_POLICIES = podspec.RESTART_POLICIES
INT32_MAX = 2 ** 31 - 1
HOSTPATH_TYPES = ('', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice')
VOLUME_SOURCES = ('emptyDir', 'hostPath', 'persistentVolumeClaim', 'ephemeral', 'configMap', 'secret', 'downwardAPI',
                  'projected')
OTHER_KINDS = ('Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job')


# ----------------------------------------------------------------------------- reading text

def parse_text(text, source='definition'):
    """Split YAML or JSON text into documents; ``kind: List`` is expanded. Errors carry file and line.

    The text is read within ``bounds``: its size, its nesting and what its aliases expand to."""
    if not HAS_YAML:
        raise ManifestError('PyYAML is required to read manifests')
    too_long = bounds.text_problem(bounds.text_size(text))
    if too_long:
        raise ManifestError('%s: %s' % (source, too_long), source=source)
    try:
        # str(): libyaml takes only an exact str, and Ansible hands over its own (tagged) subclass
        docs = [doc for doc in yaml.load_all(str(text), Loader=bounds.Loader) if doc is not None]
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
    schema = utils.schema_contents('%s/%s-v1.json' % (schema_dir, kind.lower()), version)
    definitions = utils.schema_contents('%s/_definitions.json' % schema_dir, version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return version, jsonschema.validators.Draft202012Validator(schema, registry=registry)


def schema_errors(doc):
    """Check a manifest against the official Kubernetes schema (strict: unknown fields are errors).

    Returns a list of messages naming the field paths; empty when the document is valid or the
    ``kubernetes-validate`` package is not installed (the supported-field check still refuses
    every unknown field then). Values are quoted as short excerpts, a Secret's data never.
    """
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
        else:
            hidden = doc['kind'] == 'Secret' and list(error.absolute_path)[:1] in (['data'], ['stringData'])
            out.append(_schema_message(error, path or 'document', hidden))
    return out


def _schema_message(error, path, hidden):
    """The API server's wording for a schema error, the value cut short (or hidden, for a Secret's data)."""
    shown = '(the values of a Secret are never shown)' if hidden else podspec.quoted(error.instance)
    expected = error.validator_value
    if error.validator == 'type':
        kinds = [kind for kind in (expected if isinstance(expected, list) else [expected]) if kind != 'null']
        return '%s: Invalid value: %s: must be of type %s' % (path, shown, ' or '.join(kinds))
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


# ----------------------------------------------------------------------------- defaults

def apply_defaults(doc, namespace):
    """A defaulted deep copy of a Pod, as the API server would store it."""
    pod = copy.deepcopy(doc)
    pod.pop('status', None)
    meta = pod['metadata'] = pod.get('metadata') or {}
    meta.pop('creationTimestamp', None)
    meta['namespace'] = meta.get('namespace') or namespace
    meta['labels'] = meta.get('labels') or {}
    meta['annotations'] = meta.get('annotations') or {}
    spec = pod['spec'] = pod.get('spec') or {}
    spec.setdefault('restartPolicy', 'Always')
    spec.setdefault('terminationGracePeriodSeconds', 30)
    spec.setdefault('dnsPolicy', 'ClusterFirst')
    spec.setdefault('schedulerName', 'default-scheduler')
    spec.setdefault('securityContext', {})
    spec.setdefault('enableServiceLinks', True)
    for key in ('initContainers', 'containers'):
        for container in spec.get(key) or []:
            container.setdefault('imagePullPolicy', podspec.ImageRef(container.get('image') or '').default_pull_policy)
            container.setdefault('terminationMessagePath', '/dev/termination-log')
            container.setdefault('terminationMessagePolicy', 'File')
            wanted = container['resources'] = container.get('resources') or {}
            if wanted.get('limits'):  # a missing request is its limit, as the API server defaults it
                wanted['requests'] = dict(wanted['limits'], **(wanted.get('requests') or {}))
            for port in container.get('ports') or []:
                port.setdefault('protocol', 'TCP')
                if spec.get('hostNetwork') and key == 'containers':  # SetDefaults_PodSpec
                    port.setdefault('hostPort', port.get('containerPort'))
            for item in container.get('env') or []:
                if 'fieldRef' in (item.get('valueFrom') or {}):
                    item['valueFrom']['fieldRef'].setdefault('apiVersion', 'v1')
            for name in ('command', 'args', 'env', 'ports', 'volumeMounts'):
                if container.get(name) == []:
                    del container[name]
            probes.default_container(container)
    if not spec.get('initContainers'):
        spec.pop('initContainers', None)
    resources.apply_defaults(spec)
    for volume in spec.get('volumes') or []:
        for key in [k for k, v in volume.items() if v is None]:  # null is unset, as in the API
            del volume[key]
        if not any(key in volume for key in VOLUME_SOURCES):
            volume['emptyDir'] = {}
        for key in configs.REFERENCING_VOLUMES:
            if key in volume:
                volume[key] = volume[key] or {}
                volume[key].setdefault('defaultMode', configs.DEFAULT_MODE)
        if 'hostPath' in volume:
            volume['hostPath'].setdefault('type', '')
    if not spec.get('volumes'):
        spec.pop('volumes', None)
    return pod


# ----------------------------------------------------------------------------- validation

def semantic_errors(pod):
    """Kubernetes' own validation rules for the fields hostpods supports (on a defaulted pod), and the
    limits of the node and the engine that Kubernetes does not know (names, paths)."""
    spec = pod['spec']
    errors = metadata.meta_errors(pod['metadata']) + _pod_spec_errors(spec) + dns.fqdn_errors(pod)
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
    errors += dns.dns_errors(spec)
    errors += security.security_errors(spec)
    errors += scheduling.scheduling_errors(spec)
    errors += resources.pod_level_errors(spec)
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
        errors += podspec.invalid(path + '.path', host_path['path'], ['must be an absolute path'])
    elif '..' in host_path['path'].split('/'):
        errors += podspec.invalid(path + '.path', host_path['path'], ["must not contain '..'"])
    else:
        errors += podspec.invalid(path + '.path', host_path['path'], naming.path_problems(host_path['path'], bind=True))
    if host_path.get('type', '') not in HOSTPATH_TYPES:
        errors.append('%s.type: Unsupported value: %s: supported values: "%s"'
                      % (path, podspec.quoted(host_path['type']), '", "'.join(HOSTPATH_TYPES)))
    return errors


# ----------------------------------------------------------------------------- the whole batch

def load_manifests(documents, namespace='default', deleting=False, check_schema=False):
    """Validate and default every document: ``(pods, objects)`` in order, objects being the
    ConfigMaps, Secrets and PersistentVolumeClaims of the batch (see ``_objects``).

    Raises one ManifestError listing every problem of the batch. With ``deleting`` only what
    identifies a document (kind, name, namespace) is checked.
    """
    pods, others, problems, seen = [], [], [], {}
    for doc, origin in documents:
        errors = _document_errors(doc, deleting, check_schema)
        item = None
        if not errors:
            if doc['kind'] == 'Pod':
                item = apply_defaults(doc, namespace)
                errors = _identity_errors(item) if deleting else semantic_errors(item)
            else:
                item = configs.normalise(doc, namespace)
                errors = _identity_errors(item) if deleting else metadata.meta_errors(item['metadata']) + \
                    configs.object_errors(item)
        if errors:
            problems.append('%s: %s' % (_label(doc, origin), '; '.join(bounds.error_lines(errors))))
            continue
        key = (item['kind'] if 'kind' in item else 'Pod', item['metadata']['namespace'], item['metadata']['name'])
        if key in seen:
            problems.append('%s: %s "%s" in namespace "%s" is also defined in %s' % (origin, key[0], key[2], key[1], seen[key]))
            continue
        seen[key] = origin
        (pods if doc['kind'] == 'Pod' else others).append(item)
    if problems:
        problems = bounds.batch_lines(problems)
        raise ManifestError('Invalid manifest: ' + ' | '.join(problems), errors=problems)
    return pods, others


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
    if not isinstance(doc, dict):
        return ['a manifest must be a mapping, not %s' % type(doc).__name__]
    kind, api_version = doc.get('kind'), doc.get('apiVersion')
    if not kind:
        return ['kind: Required value']
    if not api_version:
        return ['apiVersion: Required value']
    if kind != 'Pod' and kind not in configs.KINDS:
        supported = '", "'.join(('Pod',) + configs.KINDS)
        if kind in OTHER_KINDS:
            return ['kind: Unsupported value: %s: hostpods applies only "%s" yet' % (podspec.quoted(kind), supported)]
        return ['kind: Unsupported value: %s: supported values: "%s"' % (podspec.quoted(kind), supported)]
    if api_version != 'v1':
        return ['apiVersion: Unsupported value: %s: %s is in apiVersion "v1"' % (podspec.quoted(api_version), kind)]
    if deleting:
        return []
    errors = schema_errors(doc) if check_schema else []
    if not errors:
        check_fields(doc, POD if kind == 'Pod' else OBJECTS[kind], '', errors)
    return errors


def _identity_errors(pod):
    meta = pod['metadata']
    return (podspec.name_errors(meta.get('name'), 'metadata.name', subdomain=True)
            + podspec.name_errors(meta.get('namespace'), 'metadata.namespace'))
