# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the API server's validation of one container (``validateContainerCommon``) for the fields
hostpods supports: image, pull policy, env and envFrom, volume mounts, resources and ports, with its
messages; and the node's and the engine's limits on the paths a container binds. Pure.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import downward
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import probes
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import resource_names

PULL_POLICIES = ('Always', 'IfNotPresent', 'Never')
PROTOCOLS = ('TCP', 'UDP', 'SCTP')
BIND_SOURCES = ('hostPath', 'configMap', 'secret', 'downwardAPI', 'projected')  # volumes the engine binds
ENV_SOURCES = ('fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef')


def container_errors(container, path, volumes, containers=()):
    """One container: ``volumes`` maps the pod's volume names to the volumes, ``containers`` lists every
    container name of the pod (for ``resourceFieldRef.containerName``)."""
    errors = quantity.resources_errors(container['resources'], path + '.resources')
    errors += resource_names.resources_errors(container['resources'], path + '.resources')
    image = container.get('image')
    if not image:
        errors.append('%s.image: Required value' % path)
    elif image != image.strip():
        errors += podspec.invalid(path + '.image', image, ['must not have leading or trailing whitespace'])
    elif podspec.image_problem(image):  # the kubelet's refusal, made before anything of the batch is touched
        shown = podspec.excerpt(image)
        errors += podspec.invalid(path + '.image', image, [
            'InvalidImageName: Failed to apply default image tag "%s": couldn\'t parse image reference "%s": %s'
            % (shown, shown, podspec.image_problem(image))])
    if container['imagePullPolicy'] not in PULL_POLICIES:
        errors.append('%s.imagePullPolicy: Unsupported value: %s: supported values: "%s"'
                      % (path, podspec.quoted(container['imagePullPolicy']), '", "'.join(PULL_POLICIES)))
    errors += env_errors(container.get('env'), path + '.env', containers)
    errors += env_from_errors(container.get('envFrom'), path + '.envFrom')
    errors += mount_errors(container.get('volumeMounts'), path + '.volumeMounts', volumes)
    errors += mount_option_errors(container, path + '.volumeMounts')
    errors += podspec.invalid(path + '.terminationMessagePath', container.get('terminationMessagePath') or '',
                              naming.path_problems(container.get('terminationMessagePath') or '', bind=True))
    return errors


# ----------------------------------------------------------------------------- env

def env_errors(items, path, containers=()):
    """``ValidateEnv``: each variable named by the env rule, and at most one source for its value."""
    errors = []
    for index, item in enumerate(items or []):
        where = '%s[%d]' % (path, index)
        if not item.get('name'):
            errors.append('%s.name: Required value' % where)
        else:
            errors += podspec.invalid(where + '.name', item['name'], podspec.env_name_problems(item['name']))
        errors += _value_from_errors(item, where, containers)
    return errors


def env_from_errors(items, path):
    """``ValidateEnvFrom``: the prefix follows the env rule, exactly one of configMapRef and secretRef, named."""
    errors = []
    for index, item in enumerate(items or []):
        where = '%s[%d]' % (path, index)
        if item.get('prefix'):
            errors += podspec.invalid(where + '.prefix', item['prefix'], podspec.env_name_problems(item['prefix']))
        sources = [key for key in ('configMapRef', 'secretRef') if item.get(key) is not None]
        if not sources:
            errors.append('%s: Invalid value: "": must specify one of: `configMapRef` or `secretRef`' % path)
        elif len(sources) > 1:
            errors.append('%s: Invalid value: "": may not have more than one field specified at a time' % path)
        for key in sources:
            errors += _object_name_errors(item[key].get('name'), '%s.%s.name' % (where, key))
    return errors


def _object_name_errors(name, path):
    """The name of a ConfigMap or Secret a container refers to: a DNS-1123 subdomain."""
    if not name:
        return ['%s: Required value' % path]
    return podspec.invalid(path, name, [] if podspec.is_subdomain(name) else [podspec.SUBDOMAIN_MSG])


def _value_from_errors(item, path, containers):
    """``valueFrom``: exactly one source, and one the downward API allows for env."""
    source = item.get('valueFrom')
    if source is None:
        return []
    given = [key for key in ENV_SOURCES if source.get(key) is not None]
    if not given:
        return ['%s.valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, '
                '`configMapKeyRef` or `secretKeyRef`' % path]
    if 'value' in item and item['value'] != '':
        return ['%s.valueFrom: Invalid value: "": may not be specified when `value` is not empty' % path]
    if len(given) > 1:
        return ['%s.valueFrom: Invalid value: "": may not have more than one field specified at a time' % path]
    where = '%s.valueFrom.%s' % (path, given[0])
    if given[0] in ('configMapKeyRef', 'secretKeyRef'):
        ref = source[given[0]]
        errors = _object_name_errors(ref.get('name'), where + '.name')
        if not ref.get('key'):
            return errors + ['%s.key: Required value' % where]
        return errors + podspec.invalid(where + '.key', ref['key'], podspec.config_key_problems(ref['key']))
    if given[0] == 'fieldRef':
        problem = downward.field_path_error(source['fieldRef'].get('fieldPath'))
        return ['%s.fieldPath: %s' % (where, problem)] if problem else []
    return _resource_ref_errors(source['resourceFieldRef'], where, containers)


def _resource_ref_errors(ref, where, containers):
    errors = []
    if ref.get('resource') not in downward.RESOURCES:
        errors.append('%s.resource: Unsupported value: %s: supported values: "%s"'
                      % (where, podspec.quoted(ref.get('resource')), '", "'.join(downward.RESOURCES)))
    if ref.get('containerName') and ref['containerName'] not in containers:
        errors.append('%s.containerName: Not found: %s' % (where, podspec.quoted(ref['containerName'])))
    if ref.get('divisor') is not None:
        try:
            if quantity.parse(ref['divisor']) <= 0:
                raise ValueError('must be greater than 0')
        except ValueError as exc:
            errors.append('%s.divisor: Invalid value: %s: %s' % (where, podspec.quoted(ref['divisor']), exc))
    return errors


# ----------------------------------------------------------------------------- volume mounts

def mount_errors(mounts, path, volumes):
    """``ValidateVolumeMounts``: a volume of the pod, a unique absolute mountPath, a relative subPath without
    '..'; and what the node and the engine can mount (Linux path limits, no ':' in what is bound)."""
    errors, seen = [], set()
    for index, mount in enumerate(mounts or []):
        where = '%s[%d]' % (path, index)
        volume = volumes.get(mount.get('name'))
        if volume is None:
            errors.append('%s.name: Not found: %s' % (where, podspec.quoted(mount.get('name'))))
        mount_path = mount.get('mountPath')
        bound = podspec.has_sub_path(mount) or any(key in (volume or {}) for key in BIND_SOURCES)
        if not mount_path:
            errors.append('%s.mountPath: Required value' % where)
        elif not mount_path.startswith('/'):
            errors += podspec.invalid(where + '.mountPath', mount_path, [naming.ABSOLUTE])
        elif mount_path in seen:
            errors += podspec.invalid(where + '.mountPath', mount_path, ['must be unique'])
        else:
            errors += podspec.invalid(where + '.mountPath', mount_path, naming.path_problems(mount_path, bind=bound))
        seen.add(mount_path)
        errors += _sub_path_errors(mount, where)
    return errors


def _sub_path_errors(mount, where):
    """``subPath`` and ``subPathExpr``: each a relative path without '..' (``validateLocalDescendingPath``; an
    expression is checked again once expanded), never both."""
    errors = []
    if mount.get('subPath') and mount.get('subPathExpr'):
        errors += podspec.invalid(where + '.subPathExpr', mount['subPathExpr'],
                                  ['subPathExpr and subPath are mutually exclusive'])
    for key in ('subPath', 'subPathExpr'):
        sub_path = mount.get(key) or ''
        if sub_path.startswith('/') or '..' in sub_path.split('/'):
            errors += podspec.invalid('%s.%s' % (where, key), sub_path, ["must be a relative path without '..'"])
        elif sub_path:
            errors += podspec.invalid('%s.%s' % (where, key), sub_path, naming.path_problems(sub_path, bind=True))
    return errors


PROPAGATIONS = {'None': '', 'HostToContainer': 'rslave', 'Bidirectional': 'rshared'}  # -> the engine's propagation
RECURSIVE_READ_ONLY = ('Disabled', 'Enabled', 'IfPossible')


def mount_option_errors(container, path):
    """``validateMountPropagation`` and ``validateMountRecursiveReadOnly`` of a container's volume mounts."""
    errors = []
    privileged = bool((container.get('securityContext') or {}).get('privileged'))
    for index, mount in enumerate(container.get('volumeMounts') or []):
        where = '%s[%d]' % (path, index)
        propagation, recursive = mount.get('mountPropagation'), mount.get('recursiveReadOnly')
        if propagation is not None and propagation not in PROPAGATIONS:
            errors.append('%s.mountPropagation: Unsupported value: %s: supported values: "Bidirectional", '
                          '"HostToContainer", "None"' % (where, podspec.quoted(propagation)))
        elif propagation == 'Bidirectional' and not privileged:
            errors.append('%s.mountPropagation: Forbidden: Bidirectional mount propagation is available only to '
                          'privileged containers' % where)
        if recursive is None or recursive == 'Disabled':
            continue
        if recursive not in RECURSIVE_READ_ONLY:
            errors.append('%s.recursiveReadOnly: Unsupported value: %s: supported values: "Disabled", "Enabled", '
                          '"IfPossible"' % (where, podspec.quoted(recursive)))
            continue
        if not mount.get('readOnly'):
            errors.append('%s.recursiveReadOnly: Forbidden: may only be specified when readOnly is true' % where)
        if propagation not in (None, 'None'):
            errors.append('%s.recursiveReadOnly: Forbidden: may only be specified when mountPropagation is None or '
                          'not specified' % where)
    return errors


# ----------------------------------------------------------------------------- ports

def ports_errors(container, path, host_ports, app, host_network=False):
    """``validateContainerPorts`` of one container, and its hostPorts against ``host_ports`` (those of the
    app containers already seen; an init container runs alone, so its own only)."""
    errors, names = [], set()
    if not app:
        host_ports = {}
    for index, port in enumerate(container.get('ports') or []):
        where = '%s.ports[%d]' % (path, index)
        name = port.get('name')
        if name:
            problems = podspec.port_name_problems(name)
            errors += podspec.invalid(where + '.name', name, problems)
            if not problems and name in names:
                errors.append('%s.name: Duplicate value: %s' % (where, podspec.quoted(name)))
            names.add(name)
        errors += _port_errors(port, where, host_ports, host_network and app)
    return errors


def _port_errors(port, path, host_ports, host_network):
    errors = []
    container_port, host_port = port.get('containerPort'), port.get('hostPort', 0)
    if not container_port:
        errors.append('%s.containerPort: Required value' % path)
    elif not 0 < container_port < 65536:
        errors.append('%s.containerPort: Invalid value: %s: must be between 1 and 65535, inclusive'
                      % (path, podspec.excerpt(container_port)))
    if host_port and not 0 < host_port < 65536:
        errors.append('%s.hostPort: Invalid value: %s: must be between 1 and 65535, inclusive'
                      % (path, podspec.excerpt(host_port)))
    if port['protocol'] not in PROTOCOLS:
        errors.append('%s.protocol: Unsupported value: %s: supported values: "%s"'
                      % (path, podspec.quoted(port['protocol']), '", "'.join(PROTOCOLS)))
    if host_network and host_port != container_port:
        errors.append('%s.hostPort: Invalid value: %s: must match `containerPort` when `hostNetwork` is true'
                      % (path, podspec.excerpt(host_port)))
    if port.get('hostIP'):
        errors += podspec.invalid(path + '.hostIP', port['hostIP'], _ip_problems(port['hostIP']))
    if host_port:
        ident = '%s/%s/%d' % (port['protocol'], port.get('hostIP', ''), host_port)
        if ident in host_ports:
            errors.append('%s.hostPort: Duplicate value: "%s"' % (path, podspec.excerpt(ident)))
        host_ports[ident] = path
    return errors


def _ip_problems(address):
    """A hostIP the engine can bind: an IP address (Kubernetes does not check it; the engine refuses it)."""
    return [] if podspec.is_ip(address) else ['must be a valid IP address on hostpods (%s)' % naming.NOT_KUBERNETES]


MAX_RESTART_RULES, MAX_EXIT_CODES = 20, 255


def restart_errors(container, path, init):
    """A container's own ``restartPolicy`` (an init container's ``Always`` makes a sidecar; an app
    container's overrides the pod's) and its ``restartPolicyRules`` (which need an explicit policy)."""
    errors, policy = [], container.get('restartPolicy')
    allowed = ('Always',) if init else podspec.RESTART_POLICIES
    if policy is not None and policy not in allowed:
        errors.append('%s.restartPolicy: Unsupported value: %s: supported values: "%s"'
                      % (path, podspec.quoted(policy), '", "'.join(allowed)))
    rules = container.get('restartPolicyRules') or []
    if rules and (init or policy is None):
        why = 'may not be set for init containers' if init else 'must be set with an explicit restartPolicy'
        errors.append('%s.restartPolicyRules: Forbidden: %s' % (path, why))
    if len(rules) > MAX_RESTART_RULES:
        errors.append('%s.restartPolicyRules: Too many: %d: must have at most %d items'
                      % (path, len(rules), MAX_RESTART_RULES))
    for index, rule in enumerate(rules):
        where = '%s.restartPolicyRules[%d]' % (path, index)
        if rule.get('action') != 'Restart':
            errors.append('%s.action: Unsupported value: %s: supported values: "Restart"'
                          % (where, podspec.quoted(rule.get('action') or '')))
        codes = rule.get('exitCodes')
        if not codes:
            errors.append('%s.exitCodes: Required value' % where)
            continue
        if codes.get('operator') not in ('In', 'NotIn'):
            errors.append('%s.exitCodes.operator: Unsupported value: %s: supported values: "In", "NotIn"'
                          % (where, podspec.quoted(codes.get('operator') or '')))
        values = codes.get('values') or []
        if len(values) > MAX_EXIT_CODES:
            errors.append('%s.exitCodes.values: Too many: %d: must have at most %d items'
                          % (where, len(values), MAX_EXIT_CODES))
        if len(set(values)) != len(values):
            errors.append('%s.exitCodes.values: Duplicate value: the values must be unique' % where)
    return errors


def agent_paths(pod):
    """The paths of what only the node agent can do for a pod: probes, restartPolicyRules, ephemeral-storage limits
    and a disk emptyDir's sizeLimit (its local storage evictions)."""
    out = probes.probe_paths(pod)
    for key in ('initContainers', 'containers'):
        for index, container in enumerate(pod['spec'].get(key) or []):
            if key == 'containers' and container.get('restartPolicyRules'):
                out.append('spec.containers[%d].restartPolicyRules' % index)
            if 'ephemeral-storage' in ((container.get('resources') or {}).get('limits') or {}):
                out.append('spec.%s[%d].resources.limits[ephemeral-storage]' % (key, index))
    for index, volume in enumerate(pod['spec'].get('volumes') or []):
        source = volume.get('emptyDir') or {}
        if source.get('sizeLimit') not in (None, '') and source.get('medium', '') != 'Memory':
            out.append('spec.volumes[%d].emptyDir.sizeLimit' % index)
    return out
