# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a Pod -> Docker Engine API bodies for its sandbox and its containers. Pure.

The bodies are what dockershim sent (``makeSandboxDockerConfig``, ``CreateContainer``): the
sandbox owns the network, IPC and UTS namespaces and the published hostPorts; containers join
it with ``container:<sandbox id>``.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import dns
from ansible_collections.hostpods.core.plugins.module_utils._spec import downward
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import containers
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass
from ansible_collections.hostpods.core.plugins.module_utils._spec import security
from ansible_collections.hostpods.core.plugins.module_utils._spec.expansion import container_environment, expand_all, expand_sub_path

RESTART_POLICIES = {'Always': 'always', 'OnFailure': 'on-failure', 'Never': 'no'}
SANDBOX_VOLUME_DIR = '/.hostpods/volumes'


def volume_sources(pod):
    """``{volume name: (kind, docker source, read only)}``: kind is 'volume' (a Docker volume) or 'bind'."""
    meta = pod['metadata']
    out = {}
    for volume in pod['spec'].get('volumes') or []:
        if 'emptyDir' in volume:
            out[volume['name']] = ('volume', naming.emptydir_volume_name(meta['namespace'], meta['name'], meta['uid'],
                                                                         volume['name']), False)
        elif 'persistentVolumeClaim' in volume:
            claim = volume['persistentVolumeClaim']
            out[volume['name']] = ('volume', naming.claim_volume_name(meta['namespace'], claim['claimName']),
                                   bool(claim.get('readOnly')))
        elif 'ephemeral' in volume:
            out[volume['name']] = ('volume', naming.claim_volume_name(
                meta['namespace'], configs.ephemeral_claim_name(meta['name'], volume['name'])), False)
        elif 'hostPath' in volume:
            out[volume['name']] = ('bind', volume['hostPath']['path'], False)
        elif 'image' in volume or any(key in volume for key in configs.REFERENCING_VOLUMES):
            # files the node writes, or an image the node mounts (see ``engine_mounts_images``): read-only
            out[volume['name']] = ('bind', naming.volume_dir(meta['uid'], volume['name']), True)
    return out


def engine_mounts_images(engine_api):
    """Whether the engine of ``engine_api`` mounts ``image`` volumes itself (its ``Mount.Type=image``, API 1.48);
    before it the node mounts them."""
    return engine_api_at_least(engine_api, IMAGE_MOUNT_API)


def image_volumes(pod, engine_api):
    """``{volume name: its image source}`` of the pod's ``image`` volumes that the engine mounts itself (see
    ``engine_mounts_images``): none on an older engine, where the node mounts them (``volume_sources``)."""
    if not engine_mounts_images(engine_api):
        return {}
    return {volume['name']: volume['image'] for volume in pod['spec'].get('volumes') or [] if 'image' in volume}


def memory_volumes(pod):
    """The Docker volumes of ``emptyDir.medium: Memory`` volumes (the sandbox keeps them mounted)."""
    sources = volume_sources(pod)
    return [sources[v['name']][1] for v in pod['spec'].get('volumes') or []
            if 'emptyDir' in v and (v['emptyDir'] or {}).get('medium') == 'Memory']


def port_bindings(pod):
    """ExposedPorts and PortBindings for every app container port with a hostPort."""
    exposed, bindings = {}, {}
    for host_ip, protocol, host_port, container_port in podspec.host_ports(pod['spec']):
        key = '%d/%s' % (container_port, protocol.lower())
        exposed[key] = {}
        bindings.setdefault(key, []).append({'HostIp': host_ip, 'HostPort': str(host_port)})
    return exposed, bindings


def restart_policy(pod, container=None, kind='container', supervised=False):
    """The engine's restart policy of the sandbox (``container`` None) or a container. On a node whose
    agent keeps the pods (``supervised``) the engine restarts nothing: the agent restarts by the
    kubelet's rules. Otherwise the sandbox and sidecars always restart, init containers never, and
    app containers by the pod's restartPolicy."""
    if supervised or kind == 'ephemeral':  # an ephemeral container is never restarted
        return 'no'
    if container is None or podspec.is_sidecar(container):
        return 'always'
    return 'no' if kind == 'init' else RESTART_POLICIES[podspec.container_policy(container, pod['spec']['restartPolicy'])[0]]


def cgroup_parent(pod, driver):
    """The pod's cgroup, the engine's ``CgroupParent`` of its sandbox and containers under its cgroup driver
    ``driver``: a path (cgroupfs), or the pod's slice unit (systemd)."""
    cgroup = naming.pod_cgroup(pod['metadata']['uid'], podspec.qos_class(pod['spec']), driver)
    return cgroup.rsplit('/', 1)[-1] if driver == 'systemd' else '/' + cgroup


def runtime_setting(pod):
    """The engine's runtime of the pod's sandbox and containers: its RuntimeClass's handler (``_spec.runtimeclass``);
    none without one (the engine's default)."""
    handler = runtimeclass.handler(pod)
    return {'Runtime': handler} if handler else {}


def sandbox_body(pod, attempt, sandbox_image, dns_settings=None, supervised=False, pod_cgroups=''):
    """The sandbox's create body; ``dns_settings`` are its Dns/DnsSearch/DnsOptions (see ``_dns``); with
    ``pod_cgroups`` (the engine's cgroup driver, see ``NodeContext.pod_cgroups``) it goes in the pod's cgroup."""
    host_network = bool(pod['spec'].get('hostNetwork'))
    exposed, bindings = ({}, {}) if host_network else port_bindings(pod)
    mounts = [{'Type': 'volume', 'Source': name, 'Target': '%s/%s' % (SANDBOX_VOLUME_DIR, name),
               'VolumeOptions': {'NoCopy': True}} for name in memory_volumes(pod)]
    body = {
        'Image': sandbox_image,
        'Hostname': dns.kernel_hostname(pod),
        'Labels': naming.sandbox_labels(pod, attempt, sandbox_image),
        'ExposedPorts': exposed,
        'HostConfig': {
            'IpcMode': 'host' if pod['spec'].get('hostIPC') else 'shareable',
            **({'PidMode': 'host'} if pod['spec'].get('hostPID') else {}),
            'NetworkMode': 'host' if host_network else 'bridge',
            'PortBindings': bindings,
            'RestartPolicy': {'Name': restart_policy(pod, supervised=supervised)},
            'CpuShares': 2,
            'Mounts': mounts,
            **(dns_settings or {}),
            **security.sysctl_settings(pod),
            **({'CgroupParent': cgroup_parent(pod, pod_cgroups)} if pod_cgroups else {}),
            **runtime_setting(pod),
        },
    }
    if host_network:  # the node's hostname and network: the engine refuses a hostname of our own
        del body['Hostname']
    return body


def container_environment_of(pod, container, runtime):
    """The container's environment: ``envFrom``, then ``env`` (ConfigMap/Secret keys and the downward API)."""
    namespace = pod['metadata']['namespace']

    def resolve(source):
        if 'configMapKeyRef' in source or 'secretKeyRef' in source:
            return configs.env_ref_value(runtime['lookup'], namespace, source)
        return downward.env_source_value(pod, container, source, runtime)
    base = configs.env_from(runtime['lookup'], namespace, container['envFrom']) if container.get('envFrom') else None
    return container_environment(container.get('env'), resolve, base)


def container_mounts(pod, container, attempt, subpath_sources, runtime, environment=None):
    """``(Mounts, Binds)``: the container's volumes (a subPath as a bind of the node path it was pinned on, and a
    Docker volume with a mountPropagation as a bind of its mount point, by its index in ``volumeMounts``: see
    ``bound_volumes``; an image volume as the engine's image mount where it has them, a subPath or a
    subPathExpr expanded with ``environment`` in it), the node's /etc/hosts for the pod and this instance's
    termination message file."""
    sources = volume_sources(pod)
    images = image_volumes(pod, runtime.get('engineApi'))
    mounts, binds = [], []
    modern = engine_api_at_least(runtime.get('engineApi'), RRO_API)
    for index, mount in enumerate(container.get('volumeMounts') or []):
        if mount['name'] in images:
            mounts.append(image_mount(images[mount['name']], mount, environment))
            continue
        source_kind, source, source_ro = sources[mount['name']]
        read_only = bool(mount.get('readOnly')) or source_ro
        if index in (subpath_sources or {}):
            source_kind, source = 'bind', subpath_sources[index]
        if source_kind == 'bind':
            kind, item = _bind(source, mount, read_only, modern)
            (mounts if kind == 'mount' else binds).append(item)
        else:
            mounts.append({'Type': 'volume', 'Source': source, 'Target': mount['mountPath'], 'ReadOnly': read_only,
                           'VolumeOptions': {'NoCopy': True}})
    if runtime.get('hostsFile'):  # the kubelet's managed /etc/hosts
        binds.append('%s:/etc/hosts' % runtime['hostsFile'])
        # ... and the file of the termination message, made by the executor for this instance
        binds.append('%s:%s' % (naming.termination_log_path(pod['metadata']['uid'], container['name'], attempt),
                                container.get('terminationMessagePath', '/dev/termination-log')))
    return mounts, binds


RRO_API = (1, 44)  # the engine API whose binds know ReadOnlyNonRecursive and ReadOnlyForceRecursive (Docker 25)
IMAGE_MOUNT_API = (1, 48)  # the engine's Mount.Type=image, with ImageOptions.Subpath (Docker 28)


def image_mount(source, mount, environment=None):
    """The engine's read-only image mount of an ``image`` volume (``source``: its ``reference``), the mount's
    subPath (a subPathExpr expanded with the container's ``environment``) as ``ImageOptions.Subpath``."""
    out = {'Type': 'image', 'Source': source['reference'], 'Target': mount['mountPath'], 'ReadOnly': True}
    sub_path = sub_path_of(mount, environment) if podspec.has_sub_path(mount) else ''
    if sub_path:
        out['ImageOptions'] = {'Subpath': sub_path}
    return out


def engine_api_at_least(api, wanted):
    """Whether the engine API version ``api`` (``"1.41"``) is at least ``wanted`` (a tuple)."""
    try:
        return tuple(int(part) for part in str(api).split('.')[:2]) >= wanted
    except ValueError:
        return False


def _bind(source, mount, read_only, modern):
    """``('bind', 'src:dst[:ro][,rslave]')`` or, for a read-only bind on an engine that knows recursive read-only
    mounts, ``('mount', {...})`` saying which one ``recursiveReadOnly`` asks for (unset and Disabled: not
    recursive, as Kubernetes means; older engines never make them recursive)."""
    propagation = containers.PROPAGATIONS.get(mount.get('mountPropagation') or 'None', '')
    if modern and read_only:
        recursive = mount.get('recursiveReadOnly') or 'Disabled'
        options = {'Disabled': {'ReadOnlyNonRecursive': True}, 'IfPossible': {},
                   'Enabled': {'ReadOnlyForceRecursive': True}}[recursive]
        if propagation:
            options['Propagation'] = propagation
        return 'mount', {'Type': 'bind', 'Source': source, 'Target': mount['mountPath'], 'ReadOnly': True,
                         'BindOptions': options}
    suffix = ','.join(option for option in ('ro' if read_only else '', propagation) if option)
    return 'bind', '%s:%s%s' % (source, mount['mountPath'], ':' + suffix if suffix else '')


def bound_volumes(pod, container):
    """``[(index in volumeMounts, Docker volume name)]`` of the mounts of a Docker volume (an emptyDir or a claim)
    with a mountPropagation: the engine propagates only binds, so the volume's mount point is bound instead."""
    sources = volume_sources(pod)
    return [(index, sources[mount['name']][1]) for index, mount in enumerate(container.get('volumeMounts') or [])
            if not podspec.has_sub_path(mount) and (mount.get('mountPropagation') or 'None') != 'None'
            and sources[mount['name']][0] == 'volume']


def _namespaces(pod, sandbox_id, pid_target=None):
    """Network and IPC of the sandbox (PID too with shareProcessNamespace), or the node's; an ephemeral
    container with a target joins the PID namespace of that container (``pid_target``, its Docker ID)."""
    join = 'container:%s' % sandbox_id
    out = {'NetworkMode': join, 'IpcMode': 'host' if pod['spec'].get('hostIPC') else join}
    if pod['spec'].get('hostPID'):
        out['PidMode'] = 'host'
    elif pid_target:
        out['PidMode'] = 'container:%s' % pid_target
    elif pod['spec'].get('shareProcessNamespace'):
        out['PidMode'] = join
    return out


def container_body(pod, container, kind, attempt, sandbox_id, sandbox_image, subpath_sources=None, runtime=None,
                   pid_target=None):
    """The create body of one init (``kind='init'``), app or ephemeral container (``pid_target``: the Docker ID
    of the container whose PID namespace an ephemeral container joins).

    ``subpath_sources`` maps a subPath mount's index in ``volumeMounts`` to the node path to bind; ``runtime``
    holds the node's facts the downward API needs (see ``_downward``).
    """
    runtime = runtime or {}
    env = container_environment_of(pod, container, runtime)
    mounts, binds = container_mounts(pod, container, attempt, subpath_sources, runtime, env)
    host_config = {
        'RestartPolicy': {'Name': restart_policy(pod, container, kind, runtime.get('supervised', False))},
        'Mounts': mounts,
        'Binds': binds,
    }
    host_config.update(resource_settings(container, pod['spec']))
    if runtime.get('podCgroups'):
        host_config['CgroupParent'] = cgroup_parent(pod, runtime['podCgroups'])
    profile = security.effective(pod, container, 'seccompProfile') or {}
    config, secured = security.container_settings(
        pod, container, (runtime.get('seccompProfiles') or {}).get(profile.get('localhostProfile')))
    host_config.update(secured)
    host_config.update(_namespaces(pod, sandbox_id, pid_target))
    host_config.update(runtime_setting(pod))
    body = {
        'Image': container['image'],
        'Env': ['%s=%s' % item for item in env.items()],
        'Labels': naming.container_labels(pod, container, kind, attempt, sandbox_id, sandbox_image),
        'Healthcheck': {'Test': ['NONE']},
        'OpenStdin': bool(container.get('stdin')),
        'StdinOnce': bool(container.get('stdinOnce')),
        'Tty': bool(container.get('tty')),
        'HostConfig': host_config,
    }
    for key, value in (('Entrypoint', expand_all(container.get('command'), env)),
                       ('Cmd', expand_all(container.get('args'), env)), ('WorkingDir', container.get('workingDir'))):
        if value:
            body[key] = value
    body.update(config)
    return body


def resource_settings(container, spec=None):
    """The kubelet's cgroup settings for a container's requests and limits: cpu.shares from the cpu
    request (2 without one), a CFS quota from the cpu limit, the memory limit with no swap; a limit the
    container does not set is the pod-level one (``spec.resources``), when the pod sets it."""
    requests = (container.get('resources') or {}).get('requests') or {}
    limits = resources.container_limits(spec or {}, container)
    settings = {'CpuShares': resources.shares(quantity.cpu_millicores(requests['cpu']) if 'cpu' in requests else 0)}
    if 'cpu' in limits:
        settings['CpuPeriod'] = resources.CFS_PERIOD
        settings['CpuQuota'] = resources.quota(quantity.cpu_millicores(limits['cpu']))
    if 'memory' in limits:
        settings['Memory'] = settings['MemorySwap'] = quantity.memory_bytes(limits['memory'])
    return settings


def sub_path_of(mount, environment=None):
    """A volume mount's ``subPath``, or its ``subPathExpr`` expanded with the container's ``environment``."""
    return mount.get('subPath') or expand_sub_path(mount['subPathExpr'], environment or {})


def subpath_mounts(pod, container, environment=None, engine_api=None):
    """``[(index in volumeMounts, volume name, subPath, docker source kind, source)]`` for the container's
    subPath mounts (but those into an image volume that the engine mounts: see ``image_mount``); a
    ``subPathExpr`` is expanded with the container's ``environment`` (raises ``expansion.ExpansionError`` as the
    kubelet fails it)."""
    sources = volume_sources(pod)
    images = image_volumes(pod, engine_api)
    out = []
    for index, mount in enumerate(container.get('volumeMounts') or []):
        if podspec.has_sub_path(mount):
            kind, source, _ro = sources[mount['name']]
            sub_path = sub_path_of(mount, environment)  # expanded (or refused) whoever mounts it
            if mount['name'] in images:
                continue
            out.append((index, mount['name'], sub_path, kind, source))
    return out
