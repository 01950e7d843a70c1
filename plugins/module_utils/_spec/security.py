# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: pod and container securityContext -> Docker settings, as dockershim maps them. Pure.

The container's own settings win over the pod's (``runAsUser``, ``runAsGroup``, ``runAsNonRoot``,
``seccompProfile``, ``appArmorProfile``: see ``_spec.apparmor``). ``fsGroup`` joins the supplemental
groups, as on a kubelet; the executor also gives writable volumes to that group. Without a
``seccompProfile`` a container runs unconfined, as a kubelet without ``--seccomp-default`` runs it.

What a Linux node's kubelet does with the rest: ``supplementalGroupsPolicy: Merge`` is the engine's
own way (the image's groups of the user join); ``Strict`` is rejected at admission, as by a kubelet
whose runtime cannot do it. ``procMount: Default`` is the engine's masked /proc (``Unmasked`` needs
``hostUsers: false``, which the engine cannot give a pod). ``seLinuxOptions`` and
``seLinuxChangePolicy`` have no effect on a node without SELinux (the apply warns); on a node with
SELinux hostpods refuses them, as it does not label the pod's volumes. ``windowsOptions`` have no
effect on a Linux node (the apply warns); ``os.name`` other than ``linux`` is rejected at admission.
"""

from __future__ import annotations

import re

from ansible_collections.hostpods.core.plugins.module_utils._spec import apparmor
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

SAFE_SYSCTLS = ('kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies',
                'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports',
                'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
                'net.ipv4.tcp_keepalive_probes')
SECCOMP_TYPES = ('RuntimeDefault', 'Unconfined', 'Localhost')
SECCOMP_ROOT = '/var/lib/kubelet/seccomp'
MAX_ID = 2 ** 31 - 1  # user and group IDs
_CAPABILITY = re.compile(r'^(CAP_)?[A-Z_]+$')


def effective(pod, container, field):
    """A container's setting, or the pod's when the container has none."""
    own = (container.get('securityContext') or {}).get(field)
    return own if own is not None else (pod['spec'].get('securityContext') or {}).get(field)


def container_settings(pod, container, seccomp_profile_text=None):
    """``(config, host_config)`` additions of one container; ``seccomp_profile_text`` is the JSON of a
    Localhost profile, read by the caller from the node."""
    context = container.get('securityContext') or {}
    pod_context = pod['spec'].get('securityContext') or {}
    config, host = {}, {}
    user, group = effective(pod, container, 'runAsUser'), effective(pod, container, 'runAsGroup')
    if user is not None:
        config['User'] = '%d:%d' % (user, group) if group is not None else str(user)
    groups = list(pod_context.get('supplementalGroups') or [])
    if pod_context.get('fsGroup') is not None:
        groups.append(pod_context['fsGroup'])
    if groups:
        host['GroupAdd'] = [str(g) for g in groups]
    if context.get('privileged'):
        host['Privileged'] = True
    capabilities = context.get('capabilities') or {}
    if capabilities.get('add'):
        host['CapAdd'] = list(capabilities['add'])
    if capabilities.get('drop'):
        host['CapDrop'] = list(capabilities['drop'])
    if context.get('readOnlyRootFilesystem'):
        host['ReadonlyRootfs'] = True
    options = []
    profile = effective(pod, container, 'seccompProfile') or {}
    if profile.get('type') == 'Localhost':
        options.append('seccomp=%s' % seccomp_profile_text)
    elif profile.get('type') != 'RuntimeDefault' and not context.get('privileged'):
        options.append('seccomp=unconfined')
    if context.get('allowPrivilegeEscalation') is False:
        options.append('no-new-privileges')
    options += apparmor.docker_options(pod, container)
    if options:
        host['SecurityOpt'] = options
    return config, host


def non_root_error(pod, container, image_user):
    """The kubelet's refusal of a container that must not run as root, or None.

    ``image_user`` is the image's ``Config.User`` (empty: root)."""
    if not effective(pod, container, 'runAsNonRoot'):
        return None
    ref = '(pod: "%s_%s(%s)", container: %s)' % (pod['metadata']['name'], pod['metadata']['namespace'],
                                                 pod['metadata'].get('uid', ''), container['name'])
    user = effective(pod, container, 'runAsUser')
    if user is not None:
        return 'container\'s runAsUser breaks non-root policy %s' % ref if user == 0 else None
    name = (image_user or '').split(':', 1)[0]
    if not name.isdigit():
        if name in ('', 'root'):
            return 'container has runAsNonRoot and image will run as root %s' % ref
        return 'container has runAsNonRoot and image has non-numeric user (%s), cannot verify user is non-root %s' \
            % (name, ref)
    return 'container has runAsNonRoot and image will run as root %s' % ref if int(name) == 0 else None


def sysctl_settings(pod):
    """The sandbox's Sysctls (they live in the pod's network and IPC namespaces)."""
    items = (pod['spec'].get('securityContext') or {}).get('sysctls') or []
    return {'Sysctls': {item['name']: item['value'] for item in items}} if items else {}


FS_GROUP_CHANGE_POLICIES = ('Always', 'OnRootMismatch')  # sorted, as the API server lists them


def security_errors(spec):
    """Kubernetes' validation of the securityContext fields hostpods supports."""
    errors = []
    pod_context = spec.get('securityContext') or {}
    for index, item in enumerate(pod_context.get('sysctls') or []):
        name = item.get('name')
        if name not in SAFE_SYSCTLS:
            errors.append('spec.securityContext.sysctls[%d].name: Forbidden: sysctl %s is not in the safe set '
                          '(SysctlForbidden: a kubelet allows only safe sysctls by default)'
                          % (index, podspec.quoted(name)))
    contexts = [('spec.securityContext', pod_context)]
    for key in ('initContainers', 'containers'):
        for index, container in enumerate(spec.get(key) or []):
            context = container.get('securityContext') or {}
            path = 'spec.%s[%d].securityContext' % (key, index)
            contexts.append((path, context))
            for kind in ('add', 'drop'):
                for cindex, cap in enumerate((context.get('capabilities') or {}).get(kind) or []):
                    if not _CAPABILITY.match(cap):
                        errors.append('%s.capabilities.%s[%d]: Invalid value: %s: must be a capability name'
                                      % (path, kind, cindex, podspec.quoted(cap)))
            if context.get('privileged') and context.get('allowPrivilegeEscalation') is False:
                errors.append('%s: Invalid value: cannot set `allowPrivilegeEscalation` to false and `privileged` to true'
                              % path)
    policy = pod_context.get('fsGroupChangePolicy')
    if policy is not None and policy not in FS_GROUP_CHANGE_POLICIES:  # validateFSGroupChangePolicy
        errors.append('spec.securityContext.fsGroupChangePolicy: Unsupported value: %s: supported values: "%s"'
                      % (podspec.quoted(policy), '", "'.join(FS_GROUP_CHANGE_POLICIES)))
    groups = [('spec.securityContext.fsGroup', pod_context.get('fsGroup'))]
    groups += [('spec.securityContext.supplementalGroups[%d]' % index, group)
               for index, group in enumerate(pod_context.get('supplementalGroups') or [])]
    for path, context in contexts:
        groups += [('%s.%s' % (path, field), context.get(field)) for field in ('runAsUser', 'runAsGroup')]
    for where, value in groups:  # IsValidUserID, IsValidGroupID
        if value is not None and not 0 <= value <= MAX_ID:
            errors.append('%s: Invalid value: %d: must be between 0 and %d, inclusive' % (where, value, MAX_ID))
    for path, context in contexts:
        profile = context.get('seccompProfile')
        if profile is not None:
            if profile.get('type') not in SECCOMP_TYPES:
                errors.append('%s.seccompProfile.type: Unsupported value: %s: supported values: "%s"'
                              % (path, podspec.quoted(profile.get('type')), '", "'.join(SECCOMP_TYPES)))
            elif profile['type'] == 'Localhost' and not profile.get('localhostProfile'):
                errors.append('%s.seccompProfile.localhostProfile: Required value: must be set when seccomp type is '
                              'Localhost' % path)
            elif profile['type'] != 'Localhost' and profile.get('localhostProfile'):
                errors.append('%s.seccompProfile.localhostProfile: Invalid value: %s: can only be set when seccomp '
                              'type is Localhost' % (path, podspec.quoted(profile['localhostProfile'])))
    return errors


# ----------------------------------------------------------------------------- what a Linux node does with the rest

SUPPLEMENTAL_GROUPS_POLICIES = ('Merge', 'Strict')
PROC_MOUNTS = ('Default', 'Unmasked')
SELINUX_CHANGE_POLICIES = ('MountOption', 'Recursive')
OS_NAMES = ('linux', 'windows')
SELINUX_FIELDS = ('seLinuxOptions', 'seLinuxChangePolicy')
NO_SELINUX = ('has no effect: SELinux is not enabled on this node (as on a kubelet whose node has none), so no label '
              'is given to the pod')
NO_WINDOWS = 'has no effect on a Linux node, whose kubelet ignores windowsOptions'
SELINUX_REFUSED = ('not supported by hostpods on a node with SELinux (%s): hostpods does not label the pod\'s volumes '
                   'for SELinux yet, so its containers could not read them' % naming.NOT_KUBERNETES)


def contexts(spec):
    """``(path, securityContext)`` of the pod and of each container (an empty map where none is set)."""
    out = [('spec.securityContext', spec.get('securityContext') or {})]
    for key in ('initContainers', 'containers'):
        for index, container in enumerate(spec.get(key) or []):
            out.append(('spec.%s[%d].securityContext' % (key, index), container.get('securityContext') or {}))
    return out


def linux_errors(spec):
    """The API server's rules of the fields a Linux kubelet only partly acts on: ``supplementalGroupsPolicy``,
    ``procMount`` (``Unmasked`` needs ``hostUsers: false``), ``seLinuxChangePolicy``, ``os``, ``windowsOptions``."""
    errors = []
    pod_context = spec.get('securityContext') or {}
    for field, allowed in (('supplementalGroupsPolicy', SUPPLEMENTAL_GROUPS_POLICIES),
                           ('seLinuxChangePolicy', SELINUX_CHANGE_POLICIES)):
        value = pod_context.get(field)
        if value is not None and value not in allowed:
            errors.append('spec.securityContext.%s: Unsupported value: %s: supported values: "%s"'
                          % (field, podspec.quoted(value), '", "'.join(allowed)))
    for path, context in contexts(spec)[1:]:
        mount = context.get('procMount')
        if mount is not None and mount not in PROC_MOUNTS:
            errors.append('%s.procMount: Unsupported value: %s: supported values: "%s"'
                          % (path, podspec.quoted(mount), '", "'.join(PROC_MOUNTS)))
        elif mount == 'Unmasked' and spec.get('hostUsers', True):
            errors.append('%s.procMount: Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`' % path)
    return errors + _os_errors(spec) + windows_errors(spec)


def _os_errors(spec):
    """``validateOS``, and a Linux pod sets no Windows field (``validateLinux``)."""
    os_field = spec.get('os')
    if os_field is None:
        return []
    name = os_field.get('name')
    if not name:
        return ['spec.os.name: Required value: cannot be empty']
    if name not in OS_NAMES:
        return ['spec.os: Unsupported value: %s: supported values: "%s"'
                % (podspec.quoted(name), '", "'.join(OS_NAMES))]
    if name == 'linux':
        return ['%s.windowsOptions: Forbidden: windows options cannot be set for a linux pod' % path
                for path, context in contexts(spec) if context.get('windowsOptions') is not None]
    return _windows_pod_errors(spec)


POD_LINUX_ONLY = ('appArmorProfile', 'seLinuxOptions', 'seLinuxChangePolicy', 'runAsUser', 'runAsGroup',
                  'supplementalGroups', 'supplementalGroupsPolicy', 'fsGroup', 'sysctls', 'seccompProfile')
CONTAINER_LINUX_ONLY = ('appArmorProfile', 'seLinuxOptions', 'runAsUser', 'runAsGroup', 'seccompProfile',
                        'capabilities', 'readOnlyRootFilesystem', 'privileged', 'allowPrivilegeEscalation', 'procMount')


def _windows_pod_errors(spec):
    """``validateWindows``: a Windows pod sets none of the Linux fields."""
    found = contexts(spec)
    errors = ['spec.securityContext.%s: Forbidden: cannot be set for a windows pod' % field
              for field in POD_LINUX_ONLY if found[0][1].get(field) is not None]
    if spec.get('shareProcessNamespace') is not None:
        errors.append('spec.shareProcessNamespace: Forbidden: cannot be set for a windows pod')
    for path, context in found[1:]:
        errors += ['%s.%s: Forbidden: cannot be set for a windows pod' % (path, field)
                   for field in CONTAINER_LINUX_ONLY if context.get(field) is not None]
    return errors


_NETBIOS = re.compile(r'^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$')
_LABEL = r'[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?'
_DNS_DOMAIN = re.compile(r'^%s(?:\.%s)*$' % (_LABEL, _LABEL))
_BAD_USER = re.compile(r'["/\\:;|=,+*?<>@\[\]]')


def windows_errors(spec):
    """``validateWindowsSecurityContextOptions`` of each context and ``validateWindowsHostProcessPod``."""
    errors = []
    for path, context in contexts(spec):
        options = context.get('windowsOptions')
        if options is not None:
            errors += _windows_option_errors(options, path + '.windowsOptions')
    return errors + _host_process_errors(spec)


def _windows_option_errors(options, path):
    errors = []
    name = options.get('gmsaCredentialSpecName')
    if name is not None:
        errors += [problem.replace('metadata.name', path + '.gmsaCredentialSpecName', 1)
                   for problem in podspec.name_errors(name, 'metadata.name', subdomain=True)]
    credential = options.get('gmsaCredentialSpec')
    if credential is not None and not 0 < len(credential) <= 64 * 1024:
        errors.append('%s.gmsaCredentialSpec: Invalid value: %s: %s' % (
            path, podspec.quoted(credential), 'gmsaCredentialSpec cannot be an empty string' if not credential
            else 'gmsaCredentialSpec size must be under 64 KiB'))
    user = options.get('runAsUserName')
    if user is not None:
        errors += ['%s.runAsUserName: Invalid value: %s: %s' % (path, podspec.quoted(user), problem)
                   for problem in _user_name_problems(user)]
    return errors


def _user_name_problems(value):
    if not value:
        return ['runAsUserName cannot be an empty string']
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return ['runAsUserName cannot contain control characters']
    parts = value.split('\\')
    if len(parts) > 2:
        return ['runAsUserName cannot contain more than one backslash']
    domain, user = (parts[0], parts[1]) if len(parts) == 2 else ('', parts[0])
    problems = []
    if len(domain) >= 256:
        problems.append("runAsUserName's Domain length must be under 256 characters")
    if len(parts) == 2 and not (_NETBIOS.match(domain) or _DNS_DOMAIN.match(domain)):
        problems.append("runAsUserName's Domain doesn't match the NetBios nor the DNS format")
    if not user:
        problems.append("runAsUserName's User cannot be empty")
    elif len(user) > 104:
        problems.append("runAsUserName's User length must not be longer than 104 characters")
    if user and not user.strip('. '):
        problems.append("runAsUserName's User cannot contain only periods or spaces")
    if _BAD_USER.search(user):
        problems.append('runAsUserName\'s User cannot contain the following characters: "/\\:;|=,+*?<>@[]')
    return problems


def _host_process_errors(spec):
    found = contexts(spec)
    pod_value = (found[0][1].get('windowsOptions') or {}).get('hostProcess')
    errors, count = [], 0
    for path, context in found[1:]:
        own = (context.get('windowsOptions') or {}).get('hostProcess')
        if pod_value is not None and own is not None and own != pod_value:
            errors.append('%s.windowsOptions.hostProcess: Invalid value: %s: pod hostProcess value must be identical '
                          'if both are specified, was %s' % (path, str(own).lower(), str(pod_value).lower()))
        count += bool(own if own is not None else pod_value)
    if count:
        if count != len(found) - 1:
            errors.append('spec: Invalid value: "": If pod contains any hostProcess containers then all containers '
                          'must be HostProcess containers')
        if not spec.get('hostNetwork'):
            errors.append('spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any '
                          'hostProcess containers')
    return errors


def node_problems(pod, modules):
    """What hostpods refuses on this node (``modules``: the kernel's security modules, 'apparmor', 'selinux'):
    SELinux settings where SELinux would need the pod's volumes labelled."""
    if 'selinux' not in modules:
        return []
    return ['%s.%s: %s' % (path, field, SELINUX_REFUSED)
            for path, context in contexts(pod['spec']) for field in SELINUX_FIELDS if context.get(field) is not None]


def node_notices(pod, modules):
    """The apply's warnings of fields that have no effect on this Linux node (``modules`` as ``node_problems``)."""
    out = []
    for path, context in contexts(pod['spec']):
        if 'selinux' not in modules:
            out += ['%s.%s: %s' % (_unindexed(path), field, NO_SELINUX) for field in SELINUX_FIELDS
                    if context.get(field) is not None]
        if context.get('windowsOptions') is not None:
            out.append('%s.windowsOptions: %s' % (_unindexed(path), NO_WINDOWS))
    return out


def _unindexed(path):
    """A path without its list indexes, so one warning names every pod that sets the field anywhere."""
    return re.sub(r'\[\d+\]', '[*]', path)


def admission_error(pod, modules):
    """The kubelet's admit handlers of a Linux node whose kernel has ``modules``: ``(reason, message)`` of the
    rejection, or None. The pod's OS, ``supplementalGroupsPolicy: Strict`` (the engine always merges the image's
    groups), then AppArmor."""
    spec = pod['spec']
    if (spec.get('os') or {}).get('name', 'linux') != 'linux':
        return 'PodOSNotSupported', "Failed to admit pod as the OS field doesn't match node OS"
    if (spec.get('securityContext') or {}).get('supplementalGroupsPolicy') == 'Strict':
        return 'SupplementalGroupsPolicyNotSupported', 'SupplementalGroupsPolicy=Strict is not supported in this node'
    return apparmor.admission_error(pod, 'apparmor' in modules)


# ----------------------------------------------------------------------------- seccomp's annotations

SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod'
SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/'
SECCOMP_GONE = 'non-functional in v1.27+; use the "seccompProfile" field instead'


def _seccomp_annotations(pod_like):
    """``(annotation key, value, path of the field it stands for, that field)`` of the pod's seccomp annotations."""
    annotations = pod_like['metadata'].get('annotations') or {}
    spec = pod_like['spec']
    found = contexts(spec)
    out = []
    if SECCOMP_POD_ANNOTATION in annotations:
        out.append((SECCOMP_POD_ANNOTATION, annotations[SECCOMP_POD_ANNOTATION], found[0][0],
                    found[0][1].get('seccompProfile')))
    names = [c.get('name') for key in ('initContainers', 'containers') for c in spec.get(key) or []]
    for name, (path, context) in zip(names, found[1:]):
        key = SECCOMP_CONTAINER_PREFIX + str(name)
        if key in annotations:
            out.append((key, annotations[key], path, context.get('seccompProfile')))
    return out


def seccomp_annotation_errors(pod_like):
    """``ValidateSeccompPodAnnotations`` and ``validateSeccompAnnotationsAndFields``: the deprecated annotations
    name valid profiles, and say the same as the fields where both are set."""
    annotations = pod_like['metadata'].get('annotations') or {}
    errors = []
    for key, value in sorted(annotations.items()):
        if key == SECCOMP_POD_ANNOTATION or key.startswith(SECCOMP_CONTAINER_PREFIX):
            errors += _seccomp_profile_errors(value, 'metadata.annotations.%s' % key)
    for _key, value, path, field in _seccomp_annotations(pod_like):
        if field is not None:
            errors += _seccomp_match_errors(value, field, path + '.seccompProfile')
    return errors


def _seccomp_profile_errors(value, path):
    if value in ('runtime/default', 'docker/default', 'unconfined'):
        return []
    if value.startswith('localhost/'):
        local = value[len('localhost/'):]
        errors = ['%s: Invalid value: %s: must be a relative path' % (path, podspec.quoted(local))] \
            if local.startswith('/') else []
        if '..' in local.split('/'):
            errors.append("%s: Invalid value: %s: must not contain '..'" % (path, podspec.quoted(local)))
        return errors
    return ['%s: Invalid value: %s: must be a valid seccomp profile' % (path, podspec.quoted(value))]


def _seccomp_match_errors(annotation, field, path):
    kind = field.get('type')
    mismatch = '%s.type: Forbidden: seccomp type in annotation and field must match' % path
    if kind == 'Unconfined' and annotation != 'unconfined':
        return [mismatch]
    if kind == 'RuntimeDefault' and annotation not in ('runtime/default', 'docker/default'):
        return [mismatch]
    if kind == 'Localhost':
        if not annotation.startswith('localhost/'):
            return [mismatch]
        if annotation[len('localhost/'):] != field.get('localhostProfile'):
            return ['%s.localhostProfile: Forbidden: seccomp profile in annotation and field must match' % path]
    return []


def seccomp_notices(doc):
    """The API server's warning for each seccomp annotation without its field: no kubelet reads them since v1.27."""
    return ['metadata.annotations[%s]: %s' % (key, SECCOMP_GONE)
            for key, _value, _path, field in _seccomp_annotations(doc) if field is None]
