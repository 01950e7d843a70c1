# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: pod and container securityContext -> Docker settings, as dockershim maps them. Pure.

The container's own settings win over the pod's (``runAsUser``, ``runAsGroup``, ``runAsNonRoot``,
``seccompProfile``). ``fsGroup`` joins the supplemental groups, as on a kubelet; the executor also
gives writable volumes to that group. Without a ``seccompProfile`` a container runs unconfined,
as a kubelet without ``--seccomp-default`` runs it.
"""

from __future__ import annotations

import re

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
