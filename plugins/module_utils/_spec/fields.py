# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: which Pod fields hostpods supports, with their types.

Every field of a manifest is checked against this tree: a field that is not here is refused by
name ("not supported by hostpods yet"), never silently ignored. Leaves name the type a value must
have; ``Only`` leaves also restrict the values (for fields whose other values are not built yet).
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import excerpt, quoted


class Only:
    """A leaf whose value must be one of ``values``; ``why`` explains the others' refusal."""

    def __init__(self, kind, values, why):
        self.kind = kind
        self.values = values
        self.why = why


class ListOf:
    """A list whose items follow ``item``."""

    def __init__(self, item):
        self.item = item


class Hidden:
    """A leaf whose values are never shown in a message: a Secret's ``data`` and ``stringData``."""

    def __init__(self, kind):
        self.kind = kind


class Ignored:
    """A field accepted and not acted upon, the way the API server treats it on create."""

    def __init__(self, why):
        self.why = why


class Forbidden:
    """A field the API server refuses in a manifest (``Forbidden: <why>``), whatever its value."""

    def __init__(self, why):
        self.why = why


STR, INT, BOOL, STRMAP, STRLIST, QUANTITY = 'string', 'integer', 'boolean', 'map of strings', 'list of strings', 'quantity'
INTLIST = 'list of integers'
INTORSTR = 'integer or string'
HANDLER = {'exec': {'command': STRLIST},
           'httpGet': {'path': STR, 'port': INTORSTR, 'host': STR, 'scheme': STR,
                       'httpHeaders': ListOf({'name': STR, 'value': STR})},
           'sleep': {'seconds': INT},
           'tcpSocket': {'port': INTORSTR, 'host': STR}}
PROBE = {
    'exec': HANDLER['exec'], 'httpGet': HANDLER['httpGet'], 'tcpSocket': HANDLER['tcpSocket'],
    'grpc': {'port': INT, 'service': STR},
    'initialDelaySeconds': INT, 'timeoutSeconds': INT, 'periodSeconds': INT, 'successThreshold': INT,
    'failureThreshold': INT, 'terminationGracePeriodSeconds': INT,
}
SECCOMP = {'type': STR, 'localhostProfile': STR}
POD_SECURITY = {'runAsUser': INT, 'runAsGroup': INT, 'runAsNonRoot': BOOL, 'supplementalGroups': INTLIST, 'fsGroup': INT,
                'sysctls': ListOf({'name': STR, 'value': STR}), 'seccompProfile': SECCOMP}
CONTAINER_SECURITY = {'runAsUser': INT, 'runAsGroup': INT, 'runAsNonRoot': BOOL, 'privileged': BOOL,
                      'capabilities': {'add': STRLIST, 'drop': STRLIST}, 'readOnlyRootFilesystem': BOOL,
                      'allowPrivilegeEscalation': BOOL, 'seccompProfile': SECCOMP}

FIELD_REF = {'apiVersion': STR, 'fieldPath': STR}
RESOURCE_REF = {'containerName': STR, 'resource': STR, 'divisor': QUANTITY}
KEY_REF = {'name': STR, 'key': STR, 'optional': BOOL}
ENV_VAR = {'name': STR, 'value': STR, 'valueFrom': {
    'fieldRef': FIELD_REF,
    'resourceFieldRef': RESOURCE_REF,
    'configMapKeyRef': KEY_REF,
    'secretKeyRef': KEY_REF,
}}
ENV_FROM = {'prefix': STR, 'configMapRef': {'name': STR, 'optional': BOOL}, 'secretRef': {'name': STR, 'optional': BOOL}}
KEY_TO_PATH = ListOf({'key': STR, 'path': STR, 'mode': INT})
DOWNWARD_ITEMS = ListOf({'path': STR, 'fieldRef': FIELD_REF, 'resourceFieldRef': RESOURCE_REF, 'mode': INT})
RESOURCES = {'cpu': QUANTITY, 'memory': QUANTITY}  # other resources (hugepages, devices...) are refused by name
PORT = {'name': STR, 'containerPort': INT, 'hostPort': INT, 'hostIP': STR, 'protocol': STR}
VOLUME_MOUNT = {'name': STR, 'mountPath': STR, 'readOnly': BOOL, 'subPath': STR}
CONTAINER = {
    'name': STR,
    'image': STR,
    'imagePullPolicy': STR,
    'command': STRLIST,
    'args': STRLIST,
    'workingDir': STR,
    'env': ListOf(ENV_VAR),
    'envFrom': ListOf(ENV_FROM),
    'ports': ListOf(PORT),
    'volumeMounts': ListOf(VOLUME_MOUNT),
    'resources': {'requests': RESOURCES, 'limits': RESOURCES},
    'terminationMessagePath': STR,
    'terminationMessagePolicy': STR,
    'lifecycle': {'postStart': HANDLER, 'preStop': HANDLER},
    'livenessProbe': PROBE,
    'readinessProbe': PROBE,
    'startupProbe': PROBE,
    'securityContext': CONTAINER_SECURITY,
    'restartPolicy': STR,  # Always on an init container makes a sidecar; on an app container it overrides the pod's
    'restartPolicyRules': ListOf({'action': STR, 'exitCodes': {'operator': STR, 'values': INTLIST}}),
    'stdin': BOOL,
    'stdinOnce': BOOL,
    'tty': BOOL,
}
NODE_SELECTOR_REQUIREMENT = {'key': STR, 'operator': STR, 'values': STRLIST}
NODE_SELECTOR_TERM = {'matchExpressions': ListOf(NODE_SELECTOR_REQUIREMENT), 'matchFields': ListOf(NODE_SELECTOR_REQUIREMENT)}
NODE_AFFINITY = {  # podAffinity and podAntiAffinity are refused by name: the scheduler does not model them
    'requiredDuringSchedulingIgnoredDuringExecution': {'nodeSelectorTerms': ListOf(NODE_SELECTOR_TERM)},
    'preferredDuringSchedulingIgnoredDuringExecution': ListOf({'weight': INT, 'preference': NODE_SELECTOR_TERM}),
}
TOLERATION = {'key': STR, 'operator': STR, 'value': STR, 'effect': STR, 'tolerationSeconds': INT}
VOLUME = {
    'name': STR,
    'emptyDir': {'medium': STR, 'sizeLimit': QUANTITY},
    'hostPath': {'path': STR, 'type': STR},
    'persistentVolumeClaim': {'claimName': STR, 'readOnly': BOOL},
    'configMap': {'name': STR, 'items': KEY_TO_PATH, 'defaultMode': INT, 'optional': BOOL},
    'secret': {'secretName': STR, 'items': KEY_TO_PATH, 'defaultMode': INT, 'optional': BOOL},
    'downwardAPI': {'items': DOWNWARD_ITEMS, 'defaultMode': INT},
    'projected': {'defaultMode': INT, 'sources': ListOf({
        'configMap': {'name': STR, 'items': KEY_TO_PATH, 'optional': BOOL},
        'secret': {'name': STR, 'items': KEY_TO_PATH, 'optional': BOOL},
        'downwardAPI': {'items': DOWNWARD_ITEMS},
    })},
}
POD = {
    'apiVersion': STR,
    'kind': STR,
    'metadata': {
        'name': STR,
        'namespace': STR,
        'labels': STRMAP,
        'annotations': STRMAP,
        'creationTimestamp': Ignored('set by the node when the pod is created'),
    },
    'spec': {
        'containers': ListOf(CONTAINER),
        'imagePullSecrets': ListOf({'name': STR}),
        'initContainers': ListOf(CONTAINER),
        'volumes': ListOf(VOLUME),
        'restartPolicy': STR,
        'terminationGracePeriodSeconds': INT,
        'activeDeadlineSeconds': INT,  # kept by the node agent
        'shareProcessNamespace': BOOL,
        'hostPID': BOOL,
        'hostNetwork': BOOL,
        'hostIPC': BOOL,
        'hostname': STR,
        'dnsPolicy': STR,
        'dnsConfig': {'nameservers': STRLIST, 'searches': STRLIST, 'options': ListOf({'name': STR, 'value': STR})},
        'subdomain': STR,
        'setHostnameAsFQDN': BOOL,
        'hostAliases': ListOf({'ip': STR, 'hostnames': STRLIST}),
        'schedulerName': Only(STR, ['default-scheduler'], 'hostpods places pods itself'),
        'nodeName': STR,
        'nodeSelector': STRMAP,
        'affinity': {'nodeAffinity': NODE_AFFINITY},
        'tolerations': ListOf(TOLERATION),
        'enableServiceLinks': BOOL,
        'securityContext': POD_SECURITY,
        'ephemeralContainers': Forbidden('cannot be set on create: add them to a running pod with '
                                         'hostpods.core.pod_debug (kubectl debug)'),
    },
    'status': Ignored('written by the node, as the API server ignores it on create'),
}

OBJECT_META = {'name': STR, 'namespace': STR, 'labels': STRMAP, 'annotations': STRMAP,
               'creationTimestamp': Ignored('set by the node when the object is created')}
OBJECTS = {
    'ConfigMap': {'apiVersion': STR, 'kind': STR, 'metadata': OBJECT_META, 'data': STRMAP, 'binaryData': STRMAP,
                  'immutable': BOOL},
    'Secret': {'apiVersion': STR, 'kind': STR, 'metadata': OBJECT_META,
               'data': Hidden(STRMAP), 'stringData': Hidden(STRMAP),
               'type': STR, 'immutable': BOOL},
    'PersistentVolumeClaim': {'apiVersion': STR, 'kind': STR, 'metadata': OBJECT_META, 'spec': {
        'accessModes': STRLIST, 'resources': {'requests': {'storage': QUANTITY}, 'limits': {'storage': QUANTITY}},
        'storageClassName': STR, 'volumeMode': STR}, 'status': Ignored('written by the node')},
}

# How hostpods acts on a field, where a word helps (``hostpods explain`` prints it; paths without list indexes).
NOTES = {
    'metadata.labels': 'on the sandbox container; changed in place (nothing restarts)',
    'metadata.annotations': 'on the sandbox container as annotation.<key>; changed in place (nothing restarts)',
    'spec.containers': 'each a Docker container k8s_<container>_<pod>_<namespace>_<uid>_<attempt> in the sandbox\'s '
                       'network and IPC namespaces',
    'spec.initContainers': 'run one by one to completion before the containers; restartPolicy Always makes a sidecar',
    'spec.containers.command': 'the entrypoint, $(VAR) expanded from the container\'s env',
    'spec.containers.args': 'the command (cmd), $(VAR) expanded from the container\'s env',
    'spec.containers.env': 'values, the downward API, configMapKeyRef and secretKeyRef',
    'spec.containers.imagePullPolicy': 'Kubernetes\' defaults; under Never a missing image waits with '
                                       'ErrImageNeverPull',
    'spec.containers.ports.hostPort': 'published on the sandbox (hostIP and protocol honoured)',
    'spec.containers.resources': 'cpu shares from the request, a CFS quota from the cpu limit, the memory limit '
                                 'without swap',
    'spec.containers.lifecycle': 'postStart right after the start; preStop before every stop the node makes',
    'spec.containers.volumeMounts': 'bind mounts of the pod\'s volumes (readOnly, subPath)',
    'spec.containers.terminationMessagePath': 'a file of the node bind-mounted at this path',
    'spec.containers.stdin': 'the engine\'s OpenStdin',
    'spec.containers.tty': 'the engine\'s Tty',
    'spec.restartPolicy': 'the engine\'s restart policy (always, on-failure, no)',
    'spec.terminationGracePeriodSeconds': 'SIGTERM, then SIGKILL after it (at least 2 s, as on a kubelet)',
    'spec.volumes.emptyDir': 'a Docker volume owned by the pod; medium Memory: one tmpfs shared by its containers',
    'spec.volumes.hostPath': 'a bind mount, with Kubernetes\' type checks',
    'spec.volumes.persistentVolumeClaim': 'the Docker volume k8s_pvc_<claim>_<namespace>, kept when the pod goes',
    'spec.volumes.configMap': 'files the node writes atomically and updates in place',
    'spec.volumes.secret': 'files the node writes atomically and updates in place (root-only on the node)',
    'spec.volumes.projected': 'files the node writes atomically and updates in place',
    'spec.volumes.downwardAPI': 'files the node writes atomically and updates in place',
    'spec.hostNetwork': 'the node\'s network namespace; the pod IP is the node\'s address',
    'spec.hostPID': 'the node\'s PID namespace',
    'spec.hostIPC': 'the node\'s IPC namespace',
    'spec.shareProcessNamespace': 'the containers join the sandbox\'s PID namespace',
    'spec.hostname': 'the sandbox\'s host name',
    'spec.dnsPolicy': 'the sandbox\'s resolver; ClusterFirst falls back to the node\'s (no cluster DNS)',
    'spec.nodeName': 'the node the pod runs on (hostpods places pods as kube-scheduler does)',
    'spec.nodeSelector': 'placement on a group of nodes, as kube-scheduler places pods',
    'spec.affinity': 'placement on a group of nodes (node affinity only)',
    'spec.tolerations': 'placement on a group of nodes, against the nodes\' taints',
    'spec.imagePullSecrets': 'kubernetes.io/dockerconfigjson Secrets authenticate the pulls',
    'spec.enableServiceLinks': 'accepted; a node has no Services, so no variables come of it',
}

_PY_TYPES = {STR: str, INT: int, BOOL: bool}
INT64 = (-2 ** 63, 2 ** 63 - 1)


def _type_ok(kind, value):
    if kind in _PY_TYPES:
        return isinstance(value, _PY_TYPES[kind]) and not (kind == INT and isinstance(value, bool))
    if kind == STRMAP:
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    if kind == STRLIST:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == INTLIST:
        return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    if kind == INTORSTR:
        return isinstance(value, (str, int)) and not isinstance(value, bool)
    if kind == QUANTITY:
        return isinstance(value, (str, int)) and not isinstance(value, bool)
    if kind == 'object':
        return isinstance(value, dict)
    return True


def support(path, tree=None):
    """How hostpods takes the field at ``path`` (field names, no list indexes) of ``tree`` (default: ``POD``):
    ``(status, text)`` with status ``supported``, ``restricted`` (some values only), ``ignored`` or
    ``unsupported`` (refused)."""
    node, where = POD if tree is None else tree, []
    for name in path:
        while isinstance(node, ListOf):
            node = node.item
        if isinstance(node, (Ignored, Only, Forbidden)) or not isinstance(node, dict):
            break  # inside a field taken whole (a map, a quantity...)
        if name not in node:
            return 'unsupported', 'not supported yet: a manifest that sets it is refused'
        node = node[name]
        where.append(name)
    while isinstance(node, ListOf):
        node = node.item
    if isinstance(node, Ignored):
        return 'ignored', 'accepted and ignored: %s' % node.why
    if isinstance(node, Forbidden):
        return 'unsupported', 'refused: %s' % node.why
    if isinstance(node, Only):
        return 'restricted', 'only %s (%s)' % (', '.join(quoted(value) for value in node.values), node.why)
    note = NOTES.get('.'.join(where))
    partly = ' (field by field)' if isinstance(node, dict) else ''
    return 'supported', 'supported%s%s' % (partly, ': %s' % note if note else '')


def check_fields(value, tree, path, errors):
    """Append to ``errors`` a message for every field of ``value`` that ``tree`` does not accept."""
    if isinstance(tree, Ignored) or value is None:  # null is the same as unset, as in the API
        return
    if isinstance(tree, Forbidden):
        errors.append('%s: Forbidden: %s' % (path, tree.why))
        return
    if isinstance(tree, Only):
        if not _type_ok(tree.kind, value):
            errors.append('%s: Invalid value: must be a %s' % (path, tree.kind))
        elif value not in tree.values:
            errors.append('%s: Unsupported value: %s (%s)' % (path, quoted(value), tree.why))
        return
    if isinstance(tree, Hidden):
        _check_hidden(value, tree.kind, path, errors)
        return
    if isinstance(tree, ListOf):
        if not isinstance(value, list):
            errors.append('%s: Invalid value: must be a list' % path)
            return
        for index, item in enumerate(value):
            check_fields(item, tree.item, '%s[%d]' % (path, index), errors)
        return
    if isinstance(tree, dict):
        if not isinstance(value, dict):
            errors.append('%s: Invalid value: must be an object' % (path or 'document'))
            return
        for key, item in value.items():
            where = '%s.%s' % (path, key) if path else str(key)
            if key not in tree:
                errors.append('%s: field not supported by hostpods yet' % where)
            else:
                check_fields(item, tree[key], where, errors)
        return
    if not _type_ok(tree, value):
        errors.append('%s: Invalid value: %s: must be a %s' % (path, quoted(value), tree))
    elif tree == INT and not INT64[0] <= value <= INT64[1]:
        errors.append('%s: Invalid value: %s: must be between %d and %d, inclusive (a 64-bit integer)'
                      % (path, quoted(value), INT64[0], INT64[1]))


def _check_hidden(value, kind, path, errors):
    """The type check of a Secret's values, naming the key at fault and never the value."""
    never = '(the values of a Secret are never shown)'
    if kind == STRMAP and isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                errors.append('%s: Invalid value: %s: keys must be strings' % (path, quoted(key)))
            elif not isinstance(item, str):
                errors.append('%s[%s]: Invalid value: must be a string %s' % (path, excerpt(key), never))
    elif not _type_ok(kind, value):
        errors.append('%s: Invalid value: must be a %s %s' % (path, kind, never))
