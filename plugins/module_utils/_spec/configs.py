# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ConfigMap, Secret and PersistentVolumeClaim objects, and what pods take from them. Pure.

Objects are validated and normalised here; the node keeps them under ``STORE`` (root only). Pods
use them through env (``configMapKeyRef``, ``secretKeyRef``, ``envFrom``) and volumes
(``configMap``, ``secret``, ``downwardAPI``, ``projected``), with the kubelet's messages when a
reference is missing.
"""

from __future__ import annotations

import base64
import binascii
import json

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import downward
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import ImageRef

KINDS = ('ConfigMap', 'Secret', 'PersistentVolumeClaim')
STORE = '/var/lib/hostpods/objects'
MAX_DATA = 1024 * 1024
ACCESS_MODES = ('ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod')
VOLUME_MODES = ('Block', 'Filesystem')
DEFAULT_MODE = 0o644
PLURAL = {'ConfigMap': 'configmaps', 'Secret': 'secrets', 'PersistentVolumeClaim': 'persistentvolumeclaims'}
LOWER = {'ConfigMap': 'configmap', 'Secret': 'secret'}


def store_path(kind, namespace, name):
    return '%s/%s/%s/%s.json' % (STORE, namespace, PLURAL[kind], name)


def _b64(value):
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None


def object_errors(obj):
    """Kubernetes' validation of a normalised ConfigMap, Secret or PersistentVolumeClaim (its metadata
    aside), and the name of the node's file that keeps it."""
    kind, name = obj['kind'], obj['metadata']['name']
    errors = _data_errors(obj) if kind in ('ConfigMap', 'Secret') else _claim_errors(obj)
    what = 'the node keeps it as the file %s (written through <name>.json.tmp)' % store_path(
        kind, obj['metadata']['namespace'], '<name>')
    return errors + naming.name_limit_errors('metadata.name', name, what, name + '.json.tmp', 'the name')


def _data_errors(obj):
    """The keys of ``data`` and ``binaryData`` (config keys, base64 where it must be) and their 1 MiB in all."""
    errors, size = [], 0
    for field in ('data', 'binaryData'):
        for key, value in (obj.get(field) or {}).items():
            errors += podspec.invalid('%s[%s]' % (field, podspec.excerpt(key)), key, podspec.config_key_problems(key))
            if field == 'binaryData' or obj['kind'] == 'Secret':
                decoded = _b64(value)
                if decoded is None:
                    errors.append('%s[%s]: Invalid value: must be base64 encoded' % (field, podspec.excerpt(key)))
                size += len(decoded or b'')
            else:
                size += len(value.encode('utf-8'))
    if obj['kind'] == 'ConfigMap':
        both = set(obj.get('data') or {}) & set(obj.get('binaryData') or {})
        errors.extend('data[%s]: Invalid value: duplicate of key %s in binaryData'
                      % (podspec.excerpt(key), podspec.excerpt(key)) for key in sorted(both))
    if size > MAX_DATA:
        errors.append('data: Too long: must have at most %d bytes' % MAX_DATA)
    return errors


def _claim_errors(obj):
    """``ValidatePersistentVolumeClaimSpec``: access modes, a positive storage request, and the claim's
    name as a Docker volume."""
    spec, errors = obj['spec'], []
    modes = spec.get('accessModes') or []
    if not modes:
        errors.append('spec.accessModes: Required value: at least 1 access mode is required')
    for mode in modes:
        if mode not in ACCESS_MODES:
            errors.append('spec.accessModes: Unsupported value: %s: supported values: "%s"'
                          % (podspec.quoted(mode), '", "'.join(ACCESS_MODES)))
    if 'ReadWriteOncePod' in modes and len(set(modes)) > 1:
        errors.append('spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes')
    storage = ((spec.get('resources') or {}).get('requests') or {}).get('storage')
    if storage is None:
        errors.append('spec.resources[storage]: Required value')
    else:
        try:
            if quantity.parse(storage) <= 0:
                errors.append('spec.resources[storage]: Invalid value: %s: must be greater than zero'
                              % podspec.quoted(storage))
        except ValueError as exc:
            errors.append('spec.resources[storage]: Invalid value: %s' % exc)
    if spec.get('storageClassName'):
        errors += podspec.invalid('spec.storageClassName', spec['storageClassName'],
                                  [] if podspec.is_subdomain(spec['storageClassName']) else [podspec.SUBDOMAIN_MSG])
    if spec.get('volumeMode') not in VOLUME_MODES:
        errors.append('spec.volumeMode: Unsupported value: %s: supported values: "%s"'
                      % (podspec.quoted(spec.get('volumeMode')), '", "'.join(VOLUME_MODES)))
    elif spec['volumeMode'] == 'Block':
        errors.append('spec.volumeMode: not supported by hostpods: "Block" needs a raw block device, which hostpods '
                      'does not attach (a claim is a Docker volume: "Filesystem")')
    return errors + naming.claim_name_errors('metadata.name', obj['metadata']['name'], obj['metadata']['namespace'])


def ephemeral_claim_name(pod_name, volume_name):
    """The PersistentVolumeClaim of an ``ephemeral`` volume: ``<pod name>-<volume name>``."""
    return '%s-%s' % (pod_name, volume_name)


def ephemeral_claim(pod, volume):
    """The PersistentVolumeClaim an ``ephemeral`` volume makes from its ``volumeClaimTemplate``, owned by the pod
    (removed with it)."""
    meta, template = pod['metadata'], volume['ephemeral'].get('volumeClaimTemplate') or {}
    labels = (template.get('metadata') or {})
    claim = normalise({'kind': 'PersistentVolumeClaim', 'spec': template.get('spec'), 'metadata': {
        'name': ephemeral_claim_name(meta['name'], volume['name']), 'labels': labels.get('labels'),
        'annotations': labels.get('annotations')}}, meta['namespace'])
    if meta.get('uid'):
        claim['metadata']['ownerReferences'] = [{'apiVersion': 'v1', 'kind': 'Pod', 'name': meta['name'],
                                                 'uid': meta['uid'], 'controller': True, 'blockOwnerDeletion': True}]
    return claim


def not_owner_error(pod, claim):
    """The kubelet's refusal of an ``ephemeral`` volume whose claim exists and is not the pod's, or None."""
    owners = [ref.get('uid') for ref in (claim['metadata'].get('ownerReferences') or []) if ref.get('controller')]
    if pod['metadata'].get('uid') in owners:
        return None
    meta = pod['metadata']
    return 'PVC %s/%s was not created for pod %s/%s (pod is not owner)' % (
        meta['namespace'], claim['metadata']['name'], meta['namespace'], meta['name'])


def ephemeral_errors(pod):
    """``ephemeral`` volumes: a claim template with a valid PersistentVolumeClaim spec, named ``<pod>-<volume>``."""
    errors = []
    for index, volume in enumerate(pod['spec'].get('volumes') or []):
        if 'ephemeral' not in volume:
            continue
        path = 'spec.volumes[%d].ephemeral.volumeClaimTemplate' % index
        template = (volume['ephemeral'] or {}).get('volumeClaimTemplate')
        if not template or not template.get('spec'):
            errors.append('%s%s: Required value' % (path, '' if not template else '.spec'))
            continue
        claim = ephemeral_claim(pod, volume)
        problems = podspec.name_errors(claim['metadata']['name'], 'spec.volumes[%d].name' % index, subdomain=True)
        errors += [problem.replace(': Invalid value', ': Invalid value: the PVC name <pod name>-<volume name>', 1)
                   for problem in problems]
        errors += ['%s.%s' % (path, problem) for problem in _claim_errors(claim)]
    return errors


def normalise(doc, namespace):
    """What the node keeps of an object: identity, metadata and data (Secret data base64)."""
    meta = doc.get('metadata') or {}
    out = {'apiVersion': 'v1', 'kind': doc['kind'],
           'metadata': {'name': meta.get('name'), 'namespace': meta.get('namespace') or namespace,
                        'labels': meta.get('labels') or {}, 'annotations': meta.get('annotations') or {}}}
    if doc['kind'] == 'ConfigMap':
        out['data'] = dict(doc.get('data') or {})
        out['binaryData'] = dict(doc.get('binaryData') or {})
        out['immutable'] = bool(doc.get('immutable'))
    elif doc['kind'] == 'Secret':
        out['type'] = doc.get('type') or 'Opaque'
        out['data'] = secret_data(doc)
        out['immutable'] = bool(doc.get('immutable'))
    else:
        spec = dict(doc.get('spec') or {})
        spec.setdefault('volumeMode', 'Filesystem')
        out['spec'] = spec
    return out


def secret_data(doc):
    """A Secret manifest's ``data`` as the API server merges it: ``{key: base64}``, ``stringData`` winning."""
    data = dict(doc.get('data') or {})
    for key, value in (doc.get('stringData') or {}).items():
        data[key] = base64.b64encode(value.encode('utf-8')).decode('ascii')
    return data


SECRET_VALUE_FIELDS = ('data', 'stringData')


def split_secret_values(documents):
    """``(documents, values)``: the ``(doc, origin)`` pairs with every Secret's ``data`` and ``stringData``
    taken out, and those values, Secret by Secret in order (``secret_data`` of each). The documents go
    to the module in a logged option and the values alone in a ``no_log`` one, so Ansible masks the
    values and nothing else (not the namespaces, names or ``v1`` that a Secret manifest shares with
    every other)."""
    out, values = [], []
    for doc, origin in documents:
        if isinstance(doc, dict) and doc.get('kind') == 'Secret':
            values.append(secret_data(doc))
            doc = {key: value for key, value in doc.items() if key not in SECRET_VALUE_FIELDS}
        out.append((doc, origin))
    return out, values


def join_secret_values(documents, values):
    """The ``(doc, origin)`` pairs with ``values`` (from ``split_secret_values``) back in their Secrets as
    ``data``. Without ``values`` the documents are as given (a library call may hold Secrets whole)."""
    if not values:
        return list(documents)
    secrets = [index for index, (doc, _origin) in enumerate(documents)
               if isinstance(doc, dict) and doc.get('kind') == 'Secret']
    if len(secrets) != len(values) or any(
            field in documents[index][0] for index in secrets for field in SECRET_VALUE_FIELDS):
        raise ManifestError('secret_data: %d value set(s) for %d Secret(s) without data in definition; the action '
                            'plugin fills this option, give Secrets in definition, src or template'
                            % (len(values), len(secrets)))
    out = list(documents)
    for index, data in zip(secrets, values):
        doc, origin = out[index]
        out[index] = (dict(doc, data=dict(data)), origin)
    return out


def redacted(obj):
    """An object fit for output, diffs and logs: a Secret's values are never shown."""
    if obj is None or obj['kind'] != 'Secret':
        return obj
    return dict(obj, data={key: REDACTED for key in obj.get('data') or {}})


def value_of(obj, key):
    """The bytes of one key, or None."""
    if obj['kind'] == 'Secret':
        value = (obj.get('data') or {}).get(key)
        return _b64(value) if value is not None else None
    if key in (obj.get('data') or {}):
        return obj['data'][key].encode('utf-8')
    if key in (obj.get('binaryData') or {}):
        return _b64(obj['binaryData'][key])
    return None


def keys_of(obj):
    return sorted(set(obj.get('data') or {}) | set(obj.get('binaryData') or {}))


# ----------------------------------------------------------------------------- env

class ConfigError(Exception):
    """CreateContainerConfigError: a reference the container needs is missing."""


def _lookup(lookup, kind, namespace, name, optional):
    obj = lookup(kind, namespace, name)
    if obj is None and not optional:
        raise ConfigError('%s "%s" not found' % (LOWER[kind], name))
    return obj


def env_ref_value(lookup, namespace, source):
    """The value of a ``configMapKeyRef``/``secretKeyRef``; None when optional and missing."""
    kind = 'ConfigMap' if 'configMapKeyRef' in source else 'Secret'
    ref = source.get('configMapKeyRef') or source.get('secretKeyRef')
    obj = _lookup(lookup, kind, namespace, ref['name'], ref.get('optional'))
    if obj is None:
        return None
    value = value_of(obj, ref['key'])
    if value is None:
        if ref.get('optional'):
            return None
        raise ConfigError("couldn't find key %s in %s %s/%s" % (ref['key'], kind, namespace, ref['name']))
    return value.decode('utf-8', errors='replace')


def env_from(lookup, namespace, sources):
    """``envFrom``: every key of each ConfigMap/Secret (with ``prefix``), later sources winning;
    keys that are not valid variable names are skipped, as the kubelet skips them."""
    values = {}
    for source in sources or []:
        kind = 'ConfigMap' if 'configMapRef' in source else 'Secret'
        ref = source.get('configMapRef') or source.get('secretRef')
        obj = _lookup(lookup, kind, namespace, ref['name'], ref.get('optional'))
        if obj is None:
            continue
        for key in sorted(set(obj.get('data') or {}) | set(obj.get('binaryData') or {})):
            name = (source.get('prefix') or '') + key
            if not podspec.env_name_problems(name):
                values[name] = value_of(obj, key).decode('utf-8', errors='replace')
    return values


# ----------------------------------------------------------------------------- volumes

REFERENCING_VOLUMES = ('configMap', 'secret', 'downwardAPI', 'projected')


def on_tmpfs(volume):
    """Whether the node keeps a volume's files on a tmpfs of its own, as the kubelet keeps them: a ``secret``
    volume, and a ``projected`` one with a secret source (never on the node's disk)."""
    sources = (volume.get('projected') or {}).get('sources') or []
    return 'secret' in volume or any('secret' in source for source in sources)


def references(volume):
    """``[(kind, name)]`` of the objects a volume takes files from."""
    out = []
    if 'configMap' in volume:
        out.append(('ConfigMap', volume['configMap']['name']))
    if 'secret' in volume:
        out.append(('Secret', volume['secret']['secretName']))
    for source in (volume.get('projected') or {}).get('sources') or []:
        if 'configMap' in source:
            out.append(('ConfigMap', source['configMap']['name']))
        if 'secret' in source:
            out.append(('Secret', source['secret']['name']))
    return out


def _object_files(obj, items, mode, optional, kind, name):
    files = {}
    if obj is None:
        if optional:
            return files
        raise ConfigError('%s "%s" not found' % (LOWER[kind], name))
    if items:
        for item in items:
            value = value_of(obj, item['key'])
            if value is None:
                if optional:
                    continue
                raise ConfigError('configmap references non-existent config key: %s' % item['key']
                                  if kind == 'ConfigMap' else 'references non-existent secret key: %s' % item['key'])
            files[item['path']] = (value, item.get('mode', mode))
    else:
        for key in keys_of(obj):
            files[key] = (value_of(obj, key), mode)
    return files


def _downward_files(pod, items, mode, runtime):
    files = {}
    for item in items or []:
        if 'fieldRef' in item:
            path = item['fieldRef']['fieldPath']
            if path in ('metadata.labels', 'metadata.annotations'):
                values = pod['metadata'].get(path.split('.')[1]) or {}
                text = '\n'.join('%s="%s"' % (key, values[key]) for key in sorted(values))
            else:
                text = downward.field_value(pod, path, runtime)
        else:
            ref = item['resourceFieldRef']
            text = downward.resource_value(pod, ref['containerName'], ref['resource'], ref.get('divisor'), runtime)
        files[item['path']] = (text.encode('utf-8'), item.get('mode', mode))
    return files


def volume_files(pod, volume, lookup, runtime):
    """``{relative path: (bytes, mode)}`` of a configMap, secret, downwardAPI or projected volume.

    Raises ConfigError (the kubelet's FailedMount) when a non-optional object or key is missing."""
    namespace = pod['metadata']['namespace']
    if 'configMap' in volume:
        source = volume['configMap']
        return _object_files(lookup('ConfigMap', namespace, source['name']), source.get('items'),
                             source.get('defaultMode', DEFAULT_MODE), source.get('optional'), 'ConfigMap', source['name'])
    if 'secret' in volume:
        source = volume['secret']
        return _object_files(lookup('Secret', namespace, source['secretName']), source.get('items'),
                             source.get('defaultMode', DEFAULT_MODE), source.get('optional'), 'Secret',
                             source['secretName'])
    if 'downwardAPI' in volume:
        source = volume['downwardAPI']
        return _downward_files(pod, source.get('items'), source.get('defaultMode', DEFAULT_MODE), runtime)
    projected = volume['projected']
    mode, files = projected.get('defaultMode', DEFAULT_MODE), {}
    for source in projected.get('sources') or []:
        if 'configMap' in source:
            item = source['configMap']
            files.update(_object_files(lookup('ConfigMap', namespace, item['name']), item.get('items'), mode,
                                       item.get('optional'), 'ConfigMap', item['name']))
        elif 'secret' in source:
            item = source['secret']
            files.update(_object_files(lookup('Secret', namespace, item['name']), item.get('items'), mode,
                                       item.get('optional'), 'Secret', item['name']))
        elif 'downwardAPI' in source:
            files.update(_downward_files(pod, source['downwardAPI'].get('items'), mode, runtime))
    return files


# ----------------------------------------------------------------------------- keeping values out of output

REDACTED = '<redacted>'


def secret_names(pod):
    """The names of the Secrets ``pod`` reads: env, envFrom, volumes and imagePullSecrets."""
    spec, names = pod['spec'], set()
    for container in (spec.get('initContainers') or []) + spec['containers']:
        names.update((source.get('secretRef') or {}).get('name') for source in container.get('envFrom') or [])
        names.update(((item.get('valueFrom') or {}).get('secretKeyRef') or {}).get('name')
                     for item in container.get('env') or [])
    for volume in spec.get('volumes') or []:
        names.update(name for kind, name in references(volume) if kind == 'Secret')
    names.update(ref.get('name') for ref in spec.get('imagePullSecrets') or [])
    return sorted(name for name in names if name)


def secret_values(pod, lookup):
    """The values (as text) of the Secrets ``pod`` reads, longest first: what ``scrub`` hides."""
    values = set()
    for name in secret_names(pod):
        obj = lookup('Secret', pod['metadata']['namespace'], name)
        for key in (obj or {}).get('data') or {}:
            text = (value_of(obj, key) or b'').decode('utf-8', errors='replace')
            values.update(item for item in (text, text.strip()) if item.strip())
    return sorted(values, key=lambda item: (-len(item), item))


def scrub(text, values):
    """``text`` (a container's log tail or termination message that hostpods reports) with each of the
    pod's Secret values (``secret_values``) replaced by ``<redacted>``."""
    for value in values:
        text = text.replace(value, REDACTED)
    return text


# ----------------------------------------------------------------------------- image pull secrets

def registry_auth(secrets, image):
    """Docker's auth_config for ``image`` from ``kubernetes.io/dockerconfigjson`` (or dockercfg) Secrets, or None."""
    wanted = ImageRef(image).registry
    for secret in secrets:
        if secret is None:
            continue
        raw = value_of(secret, '.dockerconfigjson') or value_of(secret, '.dockercfg')
        if raw is None:
            continue
        try:
            config = json.loads(raw.decode('utf-8'))
        except ValueError:
            continue
        auths = config.get('auths', config)
        for server, entry in auths.items():
            host = server.split('://', 1)[-1].split('/', 1)[0]
            if host in (wanted, 'index.docker.io' if wanted == 'docker.io' else wanted):
                username, password = entry.get('username'), entry.get('password')
                if entry.get('auth') and not username:
                    username, _sep, password = base64.b64decode(entry['auth']).decode('utf-8').partition(':')
                return {'username': username, 'password': password, 'serveraddress': server}
    return None
