# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: which Pod fields hostpods supports, with their types.

Every field of a manifest is checked against this tree: a field that is not here is refused by
name ("not supported by hostpods yet"), never silently ignored. Leaves name the type a value must
have; ``Only`` leaves also restrict the values (for fields whose other values hostpods cannot take),
``Refused`` leaves refuse a field a Docker host cannot honour, with the reason. A field accepted
because only the control plane acts on it is an ordinary leaf: ``_spec.notices`` warns about it once
an apply.
"""

from __future__ import annotations

import copy

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
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


class Refused:
    """A field Kubernetes accepts that a Docker host cannot honour: refused by path, ``why`` saying what it would
    need."""

    def __init__(self, why):
        self.why = why


class Ignored:
    """A field accepted and not acted upon, the way the API server treats it on create."""

    def __init__(self, why):
        self.why = why


class Forbidden:
    """A field the API server refuses in a manifest (``Forbidden: <why>``), whatever its value."""

    def __init__(self, why):
        self.why = why


CLOUD_DISK = "needs %s, a cloud provider's disk that only a cloud's volume plugin attaches; a Docker host has none"
CLUSTER_STORAGE = 'needs %s, a storage cluster that only its volume plugin (now a CSI driver) mounts'
BLOCK = 'needs %s, a block device the node attaches; hostpods attaches none'
REFUSED_VOLUMES = {
    'awsElasticBlockStore': Refused(CLOUD_DISK % 'an AWS EBS volume'),
    'azureDisk': Refused(CLOUD_DISK % 'an Azure disk'),
    'azureFile': Refused(CLOUD_DISK % 'an Azure file share'),
    'cinder': Refused(CLOUD_DISK % 'an OpenStack Cinder volume'),
    'gcePersistentDisk': Refused(CLOUD_DISK % 'a GCE persistent disk'),
    'photonPersistentDisk': Refused(CLOUD_DISK % 'a Photon persistent disk'),
    'vsphereVolume': Refused(CLOUD_DISK % 'a vSphere volume'),
    'portworxVolume': Refused(CLUSTER_STORAGE % 'a Portworx volume'),
    'scaleIO': Refused(CLUSTER_STORAGE % 'a ScaleIO volume'),
    'storageos': Refused(CLUSTER_STORAGE % 'a StorageOS volume'),
    'cephfs': Refused(CLUSTER_STORAGE % 'a CephFS file system'),
    'glusterfs': Refused(CLUSTER_STORAGE % 'a GlusterFS volume'),
    'quobyte': Refused(CLUSTER_STORAGE % 'a Quobyte volume'),
    'flocker': Refused(CLUSTER_STORAGE % 'a Flocker dataset'),
    'rbd': Refused(BLOCK % 'a Ceph RBD image'),
    'iscsi': Refused(BLOCK % 'an iSCSI target'),
    'fc': Refused(BLOCK % 'a Fibre Channel disk'),
    'csi': Refused('needs a CSI driver, which only a kubelet registers and calls; a Docker host has none'),
    'flexVolume': Refused('needs a FlexVolume driver, which only a kubelet calls'),
    'gitRepo': Refused('is deprecated and disabled in Kubernetes (clone the repository in an init container into an '
                       'emptyDir instead)'),
    'nfs': Refused('needs an NFS mount, which hostpods does not make (a hostPath on an NFS mount the node made works)'),
}


STR, INT, BOOL, STRMAP, STRLIST, QUANTITY = 'string', 'integer', 'boolean', 'map of strings', 'list of strings', 'quantity'
INTLIST = 'list of integers'
INTORSTR = 'integer or string'
RESOURCE_LIST = 'map of resource names to quantities'  # names checked by _spec.resource_names
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
APPARMOR = {'type': STR, 'localhostProfile': STR}
SELINUX = {'user': STR, 'role': STR, 'type': STR, 'level': STR}
WINDOWS = {'gmsaCredentialSpecName': STR, 'gmsaCredentialSpec': STR, 'runAsUserName': STR, 'hostProcess': BOOL}
POD_SECURITY = {'runAsUser': INT, 'runAsGroup': INT, 'runAsNonRoot': BOOL, 'supplementalGroups': INTLIST, 'fsGroup': INT,
                'fsGroupChangePolicy': STR,
                'sysctls': ListOf({'name': STR, 'value': STR}), 'seccompProfile': SECCOMP, 'appArmorProfile': APPARMOR,
                'supplementalGroupsPolicy': STR, 'seLinuxOptions': SELINUX, 'seLinuxChangePolicy': STR,
                'windowsOptions': WINDOWS}
CONTAINER_SECURITY = {'runAsUser': INT, 'runAsGroup': INT, 'runAsNonRoot': BOOL, 'privileged': BOOL,
                      'capabilities': {'add': STRLIST, 'drop': STRLIST}, 'readOnlyRootFilesystem': BOOL,
                      'allowPrivilegeEscalation': BOOL, 'seccompProfile': SECCOMP, 'appArmorProfile': APPARMOR,
                      'procMount': STR, 'seLinuxOptions': SELINUX, 'windowsOptions': WINDOWS}

DRA = Refused('needs dynamic resource allocation: ResourceClaims allocated by an API server\'s scheduler and a DRA '
              'driver on the node, which a Docker host has neither of')
IMAGE_VOLUME = {'reference': STR, 'pullPolicy': STR}  # refused by _plan.capabilities where nobody can mount it
OWNER_REFERENCE = {'apiVersion': STR, 'kind': STR, 'name': STR, 'uid': STR, 'controller': BOOL,
                   'blockOwnerDeletion': BOOL}
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
CLAIM_SPEC = {'accessModes': STRLIST, 'resources': {'requests': {'storage': QUANTITY}, 'limits': {'storage': QUANTITY}},
              'storageClassName': STR, 'volumeMode': STR}
KEY_TO_PATH = ListOf({'key': STR, 'path': STR, 'mode': INT})
DOWNWARD_ITEMS = ListOf({'path': STR, 'fieldRef': FIELD_REF, 'resourceFieldRef': RESOURCE_REF, 'mode': INT})
RESOURCES = RESOURCE_LIST  # cpu, memory, hugepages-<size> and extended resources (_spec.resource_names)
POD_RESOURCES = {'cpu': QUANTITY, 'memory': QUANTITY}  # pod-level resources: cpu and memory (hugepages refused)
PORT = {'name': STR, 'containerPort': INT, 'hostPort': INT, 'hostIP': STR, 'protocol': STR}
VOLUME_MOUNT = {'name': STR, 'mountPath': STR, 'readOnly': BOOL, 'subPath': STR, 'subPathExpr': STR,
                'mountPropagation': STR, 'recursiveReadOnly': STR}
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
    'resources': {'requests': RESOURCES, 'limits': RESOURCES, 'claims': DRA},
    'resizePolicy': ListOf({'resourceName': STR, 'restartPolicy': STR}),
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
NODE_AFFINITY = {
    'requiredDuringSchedulingIgnoredDuringExecution': {'nodeSelectorTerms': ListOf(NODE_SELECTOR_TERM)},
    'preferredDuringSchedulingIgnoredDuringExecution': ListOf({'weight': INT, 'preference': NODE_SELECTOR_TERM}),
}
LABEL_SELECTOR = {'matchLabels': STRMAP, 'matchExpressions': ListOf({'key': STR, 'operator': STR, 'values': STRLIST})}
POD_AFFINITY_TERM = {'labelSelector': LABEL_SELECTOR, 'namespaces': STRLIST, 'topologyKey': STR,
                     'namespaceSelector': LABEL_SELECTOR, 'matchLabelKeys': STRLIST, 'mismatchLabelKeys': STRLIST}
POD_AFFINITY = {
    'requiredDuringSchedulingIgnoredDuringExecution': ListOf(POD_AFFINITY_TERM),
    'preferredDuringSchedulingIgnoredDuringExecution': ListOf({'weight': INT, 'podAffinityTerm': POD_AFFINITY_TERM}),
}
SPREAD_CONSTRAINT = {'maxSkew': INT, 'topologyKey': STR, 'whenUnsatisfiable': STR, 'labelSelector': LABEL_SELECTOR,
                     'minDomains': INT, 'nodeAffinityPolicy': STR, 'nodeTaintsPolicy': STR, 'matchLabelKeys': STRLIST}
TOLERATION = {'key': STR, 'operator': STR, 'value': STR, 'effect': STR, 'tolerationSeconds': INT}
NO_API_SERVER = 'needs %s, from an API server, which hostpods does not have'
VOLUME = dict(REFUSED_VOLUMES, **{
    'name': STR,
    'emptyDir': {'medium': STR, 'sizeLimit': QUANTITY, 'mode': INT},
    'hostPath': {'path': STR, 'type': STR},
    'persistentVolumeClaim': {'claimName': STR, 'readOnly': BOOL},
    'ephemeral': {'volumeClaimTemplate': {'metadata': {'labels': STRMAP, 'annotations': STRMAP}, 'spec': CLAIM_SPEC}},
    'image': IMAGE_VOLUME,
    'configMap': {'name': STR, 'items': KEY_TO_PATH, 'defaultMode': INT, 'optional': BOOL},
    'secret': {'secretName': STR, 'items': KEY_TO_PATH, 'defaultMode': INT, 'optional': BOOL},
    'downwardAPI': {'items': DOWNWARD_ITEMS, 'defaultMode': INT},
    'projected': {'defaultMode': INT, 'sources': ListOf({
        'configMap': {'name': STR, 'items': KEY_TO_PATH, 'optional': BOOL},
        'secret': {'name': STR, 'items': KEY_TO_PATH, 'optional': BOOL},
        'downwardAPI': {'items': DOWNWARD_ITEMS},
        'serviceAccountToken': Refused(NO_API_SERVER % 'the TokenRequest API'),
        'clusterTrustBundle': Refused(NO_API_SERVER % 'ClusterTrustBundle objects'),
        'podCertificate': Refused(NO_API_SERVER % 'the PodCertificateRequest API and a signer'),
    })},
})
POD = {
    'apiVersion': STR,
    'kind': STR,
    'metadata': {
        'name': STR,
        'namespace': STR,
        'labels': STRMAP,
        'annotations': STRMAP,
        'generateName': STR,
        'ownerReferences': ListOf(OWNER_REFERENCE),  # only the garbage collector acts on them: _spec.notices warns
        'finalizers': STRLIST,  # only the control plane removes them: _spec.notices warns
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
        'hostUsers': Only(BOOL, [True], 'a pod of its own user namespace needs what the Docker engine cannot give one '
                                        'container: its user namespaces (userns-remap) are one mapping for the whole '
                                        'daemon'),
        'os': {'name': STR},
        'hostname': STR,
        'dnsPolicy': STR,
        'dnsConfig': {'nameservers': STRLIST, 'searches': STRLIST, 'options': ListOf({'name': STR, 'value': STR})},
        'subdomain': STR,
        'setHostnameAsFQDN': BOOL,
        'hostAliases': ListOf({'ip': STR, 'hostnames': STRLIST}),
        'schedulerName': STR,
        'nodeName': STR,
        'nodeSelector': STRMAP,
        'affinity': {'nodeAffinity': NODE_AFFINITY, 'podAffinity': POD_AFFINITY, 'podAntiAffinity': POD_AFFINITY},
        'tolerations': ListOf(TOLERATION),
        'topologySpreadConstraints': ListOf(SPREAD_CONSTRAINT),
        'priorityClassName': STR,
        'priority': INT,
        'preemptionPolicy': STR,
        'schedulingGates': ListOf({'name': STR}),
        'readinessGates': ListOf({'conditionType': STR}),  # the Ready condition: _spec.readiness
        'enableServiceLinks': BOOL,
        'serviceAccountName': STR,
        'serviceAccount': STR,  # deprecated: the same as serviceAccountName
        'automountServiceAccountToken': BOOL,
        'securityContext': POD_SECURITY,
        'resources': {'requests': POD_RESOURCES, 'limits': POD_RESOURCES},
        'runtimeClassName': STR,  # the RuntimeClass admission of _spec.runtimeclass; the handler: the engine's runtime
        'overhead': RESOURCE_LIST,  # set by RuntimeClass admission on a cluster: added to the pod cgroup, and warned
        'resourceClaims': DRA,
        'ephemeralContainers': Forbidden('cannot be set on create: add them to a running pod with '
                                         'hostpods.core.pod_debug (kubectl debug)'),
    },
    'status': Ignored('written by the node, as the API server ignores it on create'),
}

OBJECT_META = {'name': STR, 'namespace': STR, 'labels': STRMAP, 'annotations': STRMAP, 'generateName': STR,
               'creationTimestamp': Ignored('set by the node when the object is created')}
CLUSTER_META = {key: value for key, value in OBJECT_META.items() if key != 'namespace'}  # cluster-scoped objects
OBJECTS = {
    'ConfigMap': {'apiVersion': STR, 'kind': STR, 'metadata': OBJECT_META, 'data': STRMAP, 'binaryData': STRMAP,
                  'immutable': BOOL},
    'Secret': {'apiVersion': STR, 'kind': STR, 'metadata': OBJECT_META,
               'data': Hidden(STRMAP), 'stringData': Hidden(STRMAP),
               'type': STR, 'immutable': BOOL},
    'PriorityClass': {'apiVersion': STR, 'kind': STR, 'metadata': CLUSTER_META,
                      'value': INT, 'globalDefault': BOOL, 'description': STR, 'preemptionPolicy': STR},
    'RuntimeClass': {'apiVersion': STR, 'kind': STR, 'metadata': CLUSTER_META, 'handler': STR,
                     'overhead': {'podFixed': RESOURCE_LIST},
                     'scheduling': {'nodeSelector': STRMAP, 'tolerations': ListOf(TOLERATION)}},
    'PersistentVolumeClaim': {'apiVersion': STR, 'kind': STR, 'metadata': OBJECT_META, 'spec': CLAIM_SPEC,
                              'status': Ignored('written by the node')},
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
                                 'without swap (a limit it does not set is the pod-level one); hugepages-<size> and '
                                 'extended resources (example.com/dongle) are counted against the node\'s '
                                 'allocatable, as the scheduler counts them; ephemeral-storage requests too (the '
                                 'engine data root\'s file system), its limits are the node agent\'s local '
                                 'storage evictions (Evicted)',
    'spec.containers.resizePolicy': 'a re-apply that changes only cpu or memory resizes the running container in '
                                    'place (NotRequired: the engine\'s update, same container) or restarts it alone '
                                    '(RestartContainer)',
    'spec.resources': 'the pod\'s cgroup kubepods/<qos>/pod<uid> (the slice kubepods-<qos>-pod<uid>.slice under the '
                      'engine\'s systemd cgroup driver), which holds its sandbox and containers: cpu shares from the '
                      'requests, the limits on it; the QoS class comes from it',
    'spec.containers.lifecycle': 'postStart right after the start; preStop before every stop the node makes',
    'spec.containers.volumeMounts': 'bind mounts of the pod\'s volumes (readOnly, subPath, mountPropagation, '
                                    'recursiveReadOnly where the engine can)',
    'spec.containers.volumeMounts.subPathExpr': 'expanded with the container\'s own environment (env, the downward '
                                                'API, envFrom) when it is made, then a subPath, as the kubelet does',
    'spec.containers.terminationMessagePath': 'a file of the node bind-mounted at this path',
    'spec.containers.stdin': 'the engine\'s OpenStdin',
    'spec.containers.tty': 'the engine\'s Tty',
    'spec.restartPolicy': 'the engine\'s restart policy (always, on-failure, no)',
    'spec.terminationGracePeriodSeconds': 'SIGTERM, then SIGKILL after it (at least 2 s, as on a kubelet)',
    'spec.volumes.emptyDir': 'a Docker volume owned by the pod (sizeLimit: the node agent evicts the pod past it); '
                             'medium Memory: one tmpfs shared by its containers (sizeLimit: its size)',
    'spec.volumes.hostPath': 'a bind mount, with Kubernetes\' type checks',
    'spec.volumes.image': 'the image\'s file system, read-only, pulled per its pullPolicy: the engine\'s image mount '
                          '(Docker 28, API 1.48), else the image\'s overlay2 layers mounted by the node (read-only, '
                          'noexec) and bound into the containers; refused on an older engine with another storage driver',
    'spec.volumes.persistentVolumeClaim': 'the Docker volume k8s_pvc_<claim>_<namespace>, kept when the pod goes',
    'spec.volumes.ephemeral': 'the claim <pod>-<volume> made from the template, owned by the pod and removed with it '
                              '(the Docker volume k8s_pvc_<pod>-<volume>_<namespace>)',
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
    'spec.affinity': 'placement on a group of nodes: node affinity, pod affinity and anti-affinity (any node label '
                     'as topologyKey), as kube-scheduler filters and scores them',
    'spec.tolerations': 'placement on a group of nodes, against the nodes\' taints (Equal, Exists, Lt, Gt)',
    'spec.topologySpreadConstraints': 'placement on a group of nodes: maxSkew, minDomains and the node inclusion '
                                      'policies, as kube-scheduler filters (DoNotSchedule) and scores (ScheduleAnyway)',
    'spec.priorityClassName': 'resolved as the Priority admission plugin does (system-node-critical, '
                              'system-cluster-critical, PriorityClass objects of the same apply) into spec.priority',
    'spec.priority': 'higher priority pods are placed first; must equal the value of the pod\'s PriorityClass',
    'spec.preemptionPolicy': 'accepted; hostpods never evicts pods to make room (no preemption)',
    'spec.schedulingGates': 'the pod stays Pending (SchedulingGated) and nothing runs until an apply without gates',
    'spec.schedulerName': 'default-scheduler is hostpods\' scheduler; a pod for another scheduler stays Pending, '
                          'as on a cluster where that scheduler does not run',
    'spec.imagePullSecrets': 'kubernetes.io/dockerconfigjson Secrets authenticate the pulls',
    'spec.enableServiceLinks': 'accepted; a node has no Services, so no variables come of it',
    'spec.serviceAccountName': 'accepted: the downward API\'s spec.serviceAccountName; no token is mounted (there is '
                               'no API server to issue one), and the apply warns once unless '
                               'automountServiceAccountToken is false',
    'spec.securityContext.appArmorProfile': 'the engine\'s apparmor= option of each container without its own (and '
                                            'the deprecated container.apparmor.security.beta.kubernetes.io '
                                            'annotations); on a node without AppArmor the pod is rejected, as by a '
                                            'kubelet (Cannot enforce AppArmor)',
    'spec.containers.securityContext.appArmorProfile': 'the engine\'s apparmor= option (RuntimeDefault: the engine\'s '
                                                       'docker-default; Unconfined; Localhost: a profile loaded on '
                                                       'the node)',
    'spec.securityContext.supplementalGroupsPolicy': 'Merge: the engine\'s own way; Strict is rejected, as by a '
                                                     'kubelet whose runtime cannot do it',
    'spec.containers.securityContext.procMount': 'Default: the engine\'s masked /proc (Unmasked needs hostUsers: '
                                                 'false)',
    'spec.securityContext.seLinuxOptions': 'no effect on a node without SELinux (the apply warns); refused on a node '
                                           'with SELinux',
    'spec.securityContext.windowsOptions': 'validated; no effect on a Linux node (the apply warns)',
    'metadata.generateName': 'kept beside metadata.name, which wins as on the API server; alone it is refused, as '
                             'kubectl apply refuses it (an apply finds its object by name)',
    'metadata.ownerReferences': 'accepted and validated; only the garbage collector of a control plane acts on '
                                'them (the apply warns): hostpods never deletes a pod for them',
    'metadata.finalizers': 'accepted and validated; only a control plane removes them (the apply warns): a delete '
                           'does not wait for them',
    'spec.overhead': 'added to the pod\'s requests and to the limits of its cgroup, as a kubelet adds it; set from '
                     'the pod\'s RuntimeClass as its admission sets it (set by hand without one: the apply warns)',
    'spec.runtimeClassName': 'a RuntimeClass of the same apply, admitted as the RuntimeClass admission plugin does '
                             '(its overhead.podFixed, scheduling.nodeSelector and tolerations go into the pod); its '
                             'handler is the Docker engine\'s runtime (HostConfig.Runtime) of the sandbox and the '
                             'containers, one the engine has (docker info: Runtimes), else the sandbox cannot be made',
    'spec.readinessGates': 'the pod is Ready only when every gate\'s condition is True, which only an API client sets: '
                           'its Ready condition stays False (ReadinessGatesNotReady), wait fails at once naming the '
                           'gates, and the apply warns',
    'spec.securityContext.fsGroupChangePolicy': 'Always: every apply that makes the pod gives its emptyDir and claim '
                                                'volumes to the fsGroup, recursively; OnRootMismatch: only when the '
                                                'volume\'s root is not already the group\'s (setgid, rwx for the group)',
    'spec.os': 'linux; another OS is rejected, as by a kubelet (PodOSNotSupported)',
    'spec.serviceAccount': 'the deprecated name of serviceAccountName, defaulted from it as the API server does',
    'spec.automountServiceAccountToken': 'accepted: false is exact (no token); true or unset with a service account '
                                         'gives the apply\'s one warning that no token is mounted',
}

_PY_TYPES = {STR: str, INT: int, BOOL: bool}
INT64 = (-2 ** 63, 2 ** 63 - 1)
# What a value of each kind must be, as a message says it
EXPECTED = {STR: 'a string', INT: 'an integer', BOOL: 'a boolean', STRMAP: 'a map of strings',
            STRLIST: 'a list of strings', INTLIST: 'a list of integers', INTORSTR: 'an integer or a string',
            QUANTITY: 'a quantity (a string such as "100m" or "64Mi", or a number)', 'object': 'a map'}


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
    if kind == QUANTITY:  # "250m", 2, and numbers with a fraction or an exponent (cpu: 0.5, memory: 1.5e9)
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == RESOURCE_LIST:
        return isinstance(value, dict) and all(isinstance(k, str) and _type_ok(QUANTITY, v) for k, v in value.items())
    if kind == 'object':
        return isinstance(value, dict)
    return True


def _type_error(kind, value, path):
    """The line of a value that is not of ``kind``: a map or a list of the wrong items names the first bad item."""
    item = {STRMAP: (dict, STR), STRLIST: (list, STR), INTLIST: (list, INT)}.get(kind)
    if item and isinstance(value, item[0]):
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, entry in pairs:
            where = '%s.%s' % (path, excerpt(key)) if isinstance(value, dict) else '%s[%d]' % (path, key)
            if isinstance(value, dict) and not isinstance(key, str):
                return podspec.wrong_type(path, value, '%s (key %s is not a string)' % (EXPECTED[kind], quoted(key)))
            if not _type_ok(item[1], entry):
                return podspec.wrong_type(where, entry, EXPECTED[item[1]])
    return podspec.wrong_type(path, value, EXPECTED.get(kind, 'a %s' % kind))


def support(path, tree=None):
    """How hostpods takes the field at ``path`` (field names, no list indexes) of ``tree`` (default: ``POD``):
    ``(status, text)`` with status ``supported``, ``restricted`` (some values only), ``ignored``, ``refused``
    (with the reason) or ``unsupported`` (refused: not built yet)."""
    node, where = POD if tree is None else tree, []
    for name in path:
        while isinstance(node, ListOf):
            node = node.item
        if isinstance(node, (Ignored, Only, Refused, Forbidden)) or not isinstance(node, dict):
            break  # inside a field taken whole (a map, a quantity...)
        if name not in node:
            return 'unsupported', 'not supported yet: a manifest that sets it is refused'
        node = node[name]
        where.append(name)
    while isinstance(node, ListOf):
        node = node.item
    if isinstance(node, Ignored):
        return 'ignored', 'accepted and ignored: %s' % node.why
    if isinstance(node, Refused):
        return 'refused', 'refused: %s' % node.why
    if isinstance(node, Forbidden):
        return 'unsupported', 'refused: %s' % node.why
    if isinstance(node, Only):
        return 'restricted', 'only %s (%s)' % (', '.join(quoted(value) for value in node.values), node.why)
    note = NOTES.get('.'.join(where))
    partly = ' (field by field)' if isinstance(node, dict) else ''
    return 'supported', 'supported%s%s' % (partly, ': %s' % note if note else '')


ZERO = {STR: '', INT: 0, BOOL: False, STRMAP: {}, STRLIST: [], INTLIST: [], INTORSTR: '', QUANTITY: '0'}


class Checker:
    """Checks a document against a tree: ``errors`` gets a message for every field the tree does not accept;
    ``mistyped`` gets ``(path parts, zero)`` for every value of the wrong type, ``zero`` being a value of the
    right type that may stand in for it (see ``stand_in``), so the document's other rules can still be checked."""

    def __init__(self, errors, mistyped=None):
        self.errors = errors
        self.mistyped = mistyped if mistyped is not None else []

    def check(self, value, tree, path, parts=()):
        if isinstance(tree, Ignored) or value is None:  # null is the same as unset, as in the API
            return
        if isinstance(tree, Refused):
            self.errors.append('%s: not supported by hostpods: %s' % (path, tree.why))
        elif isinstance(tree, Forbidden):
            self.errors.append('%s: Forbidden: %s' % (path, tree.why))
        elif isinstance(tree, Only):
            self._only(value, tree, path, parts)
        elif isinstance(tree, Hidden):
            count = len(self.errors)
            _check_hidden(value, tree.kind, path, self.errors)
            if len(self.errors) > count:
                self.mistyped.append((parts, ZERO.get(tree.kind)))
        elif isinstance(tree, ListOf):
            self._list(value, tree, path, parts)
        elif isinstance(tree, dict):
            self._object(value, tree, path, parts)
        elif not _type_ok(tree, value):
            self._mistyped(_type_error(tree, value, path), parts, ZERO.get(tree))
        elif tree == INT and not INT64[0] <= value <= INT64[1]:
            self.errors.append('%s: Invalid value: %s: must be between %d and %d, inclusive (a 64-bit integer)'
                               % (path, quoted(value), INT64[0], INT64[1]))

    def _mistyped(self, message, parts, zero):
        self.errors.append(message)
        self.mistyped.append((parts, zero))

    def _only(self, value, tree, path, parts):
        if not _type_ok(tree.kind, value):
            self._mistyped(podspec.wrong_type(path, value, EXPECTED.get(tree.kind, tree.kind)), parts, None)
        elif value not in tree.values:
            self.errors.append('%s: Unsupported value: %s: not supported by hostpods, which takes only %s (%s)'
                               % (path, quoted(value), ', '.join(quoted(v) for v in tree.values), tree.why))

    def _list(self, value, tree, path, parts):
        if not isinstance(value, list):
            self._mistyped(podspec.wrong_type(path, value, 'a list'), parts, [])
            return
        for index, item in enumerate(value):
            self.check(item, tree.item, '%s[%d]' % (path, index), parts + (index,))

    def _object(self, value, tree, path, parts):
        if not isinstance(value, dict):
            self._mistyped(podspec.wrong_type(path or 'document', value, 'a map'), parts, {})
            return
        for key, item in value.items():
            where = '%s.%s' % (path, excerpt(key)) if path else excerpt(key)
            if key not in tree:
                self.errors.append('%s: field not supported by hostpods yet' % where)
            else:
                self.check(item, tree[key], where, parts + (key,))


def check_fields(value, tree, path, errors, mistyped=None):
    """Append to ``errors`` a message for every field of ``value`` that ``tree`` does not accept (see ``Checker``)."""
    Checker(errors, mistyped).check(value, tree, path)


def stand_in(document, mistyped):
    """A copy of ``document`` in which each value of the wrong type (``mistyped``, as ``Checker`` collects them) is
    gone from its map, or replaced by its ``zero`` in a list, so that the rules of its other fields can be checked
    (``document`` itself when nothing is of the wrong type)."""
    if not mistyped:
        return document
    document = copy.deepcopy(document)
    for parts, zero in sorted(mistyped, key=lambda item: len(item[0]), reverse=True):
        if not parts:
            return None
        parent = document
        for part in parts[:-1]:
            parent = parent[part] if isinstance(parent, (dict, list)) else None
        if isinstance(parent, dict):
            parent.pop(parts[-1], None)
        elif isinstance(parent, list):
            parent[parts[-1]] = copy.deepcopy(zero) if zero is not None else {}
    return document


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
        errors.append('%s: Invalid value: must be %s %s' % (path, EXPECTED.get(kind, kind), never))
