"""Unit tests of _translate: Pod -> Docker Engine API create bodies (dockershim's configs)."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import dns
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec.expansion import ExpansionError
from ansible_collections.hostpods.core.plugins.module_utils._plan import translate

from hostpods_fakes import SANDBOX_IMAGE, UID, container, pod, with_uid

SID = 'f' * 64


def make(**kwargs):
    return with_uid(pod(**kwargs))


# ----------------------------------------------------------------------------- sandbox

def test_sandbox_body_basics():
    p = make(labels={'app': 'web'}, annotations={'owner': 'ops'})
    body = translate.sandbox_body(p, 3, SANDBOX_IMAGE)
    assert body['Image'] == SANDBOX_IMAGE
    assert body['Hostname'] == 'web'
    assert body['HostConfig']['IpcMode'] == 'shareable'
    assert body['HostConfig']['PortBindings'] == {} and body['ExposedPorts'] == {}
    assert body['HostConfig']['Mounts'] == []
    assert body['Labels'] == naming.sandbox_labels(p, 3, SANDBOX_IMAGE)
    assert body['Labels']['app'] == 'web'
    assert body['Labels']['annotation.owner'] == 'ops'
    assert body['Labels'][naming.CONTAINER_NAME] == 'POD'
    assert body['Labels'][naming.ATTEMPT] == '3'


@pytest.mark.parametrize('name, hostname, expected', [
    ('web', None, 'web'),
    ('web', 'db-1', 'db-1'),
    ('web.example.com', None, 'web.example.com'),
    ('a' * 70, None, 'a' * 63),
    ('a' * 62 + '-b' + 'c' * 5, None, 'a' * 62),           # cut at 63, then the trailing "-" goes
    ('a' * 62 + '.b' + 'c' * 5, None, 'a' * 62),           # ... and so does a trailing "."
    ('a' * 70, 'x', 'x'),                                   # spec.hostname wins over the name
    ('web', 'h' * 63, 'h' * 63),
])
def test_sandbox_hostname(name, hostname, expected):
    spec = {'hostname': hostname} if hostname else {}
    p = make(name=name, **spec)
    assert dns.kernel_hostname(p) == expected
    assert translate.sandbox_body(p, 0, SANDBOX_IMAGE)['Hostname'] == expected


def test_port_bindings_only_for_host_ports_of_app_containers():
    p = make(
        init=[container('setup', ports=[{'containerPort': 9000, 'hostPort': 9000}])],
        containers=[
            container('app', ports=[{'containerPort': 80, 'hostPort': 8080},
                                    {'containerPort': 443},                                    # not published
                                    {'containerPort': 53, 'hostPort': 5353, 'protocol': 'UDP'},
                                    {'containerPort': 81, 'hostPort': 8081, 'hostIP': '127.0.0.1'}]),
            container('side', ports=[{'containerPort': 9090, 'hostPort': 19090, 'protocol': 'SCTP'},
                                     {'containerPort': 80, 'hostPort': 8082, 'hostIP': '127.0.0.2'}]),
        ])
    body = translate.sandbox_body(p, 0, SANDBOX_IMAGE)
    assert body['ExposedPorts'] == {'80/tcp': {}, '53/udp': {}, '81/tcp': {}, '9090/sctp': {}}
    assert body['HostConfig']['PortBindings'] == {
        '80/tcp': [{'HostIp': '', 'HostPort': '8080'}, {'HostIp': '127.0.0.2', 'HostPort': '8082'}],
        '53/udp': [{'HostIp': '', 'HostPort': '5353'}],
        '81/tcp': [{'HostIp': '127.0.0.1', 'HostPort': '8081'}],
        '9090/sctp': [{'HostIp': '', 'HostPort': '19090'}],
    }


def test_memory_empty_dirs_are_mounted_in_the_sandbox():
    p = make(volumes=[{'name': 'shm', 'emptyDir': {'medium': 'Memory'}}, {'name': 'disk', 'emptyDir': {}}])
    mounts = translate.sandbox_body(p, 0, SANDBOX_IMAGE)['HostConfig']['Mounts']
    name = naming.emptydir_volume_name('default', 'web', UID, 'shm')
    assert [m['Source'] for m in mounts] == [name]
    assert mounts[0]['Type'] == 'volume'


# ----------------------------------------------------------------------------- containers

def body_of(p, name='app', kind='container', attempt=0, subpaths=None):
    spec = next(c for c in (p['spec'].get('initContainers') or []) + p['spec']['containers'] if c['name'] == name)
    return translate.container_body(p, spec, kind, attempt, SID, SANDBOX_IMAGE, subpaths)


def test_container_joins_the_sandbox_namespaces():
    body = body_of(make())
    host = body['HostConfig']
    assert host['NetworkMode'] == 'container:' + SID
    assert host['IpcMode'] == 'container:' + SID
    assert 'PidMode' not in host                       # its own PID namespace by default
    assert body['Healthcheck'] == {'Test': ['NONE']}   # the image's HEALTHCHECK is disabled
    assert body['Image'] == 'busybox:1.35'


def test_share_process_namespace_joins_the_sandbox_pid_namespace():
    assert body_of(make(shareProcessNamespace=True))['HostConfig']['PidMode'] == 'container:' + SID
    assert 'PidMode' not in body_of(make(shareProcessNamespace=False))['HostConfig']


def test_container_labels_in_body():
    p = make()
    body = body_of(p, attempt=4)
    assert body['Labels'] == naming.container_labels(p, p['spec']['containers'][0], 'container', 4, SID, SANDBOX_IMAGE)


def test_command_is_entrypoint_and_args_is_cmd_with_expansion():
    p = make(containers=[container(
        'app', command=['/bin/sh', '-c', '$(SCRIPT)'], args=['$(GREETING)', '$$(GREETING)', '$(UNSET)'],
        env=[{'name': 'GREETING', 'value': 'hello'},
             {'name': 'SCRIPT', 'value': 'echo $(GREETING) $(LATER)'},
             {'name': 'LATER', 'value': 'later'}],
        workingDir='/work')])
    body = body_of(p)
    # env values see only earlier variables; command and args see the whole env
    assert body['Env'] == ['GREETING=hello', 'SCRIPT=echo hello $(LATER)', 'LATER=later']
    assert body['Entrypoint'] == ['/bin/sh', '-c', 'echo hello $(LATER)']
    assert body['Cmd'] == ['hello', '$(GREETING)', '$(UNSET)']
    assert body['WorkingDir'] == '/work'


def test_command_and_args_can_use_later_env_entries():
    env = [{'name': 'A', 'value': 'a'}, {'name': 'B', 'value': 'b'}]
    p = make(containers=[container('app', args=['$(B)'], env=env)])
    assert body_of(p)['Cmd'] == ['b']


def test_no_command_no_args_keep_the_image_defaults():
    body = body_of(make())
    assert 'Entrypoint' not in body and 'Cmd' not in body and 'WorkingDir' not in body
    assert body['Env'] == []


def test_args_only_keeps_the_image_entrypoint():
    body = body_of(make(containers=[container('app', args=['sleep', '10'])]))
    assert 'Entrypoint' not in body
    assert body['Cmd'] == ['sleep', '10']


def test_command_only_sets_entrypoint():
    body = body_of(make(containers=[container('app', command=['sleep', '10'])]))
    assert body['Entrypoint'] == ['sleep', '10']
    assert 'Cmd' not in body


def test_stdin_and_tty():
    body = body_of(make(containers=[container('app', stdin=True, stdinOnce=True, tty=True)]))
    assert (body['OpenStdin'], body['StdinOnce'], body['Tty']) == (True, True, True)
    body = body_of(make())
    assert (body['OpenStdin'], body['StdinOnce'], body['Tty']) == (False, False, False)


@pytest.mark.parametrize('policy, docker', [('Always', 'always'), ('OnFailure', 'on-failure'), ('Never', 'no')])
def test_restart_policy_mapping(policy, docker):
    p = make(restartPolicy=policy, init=[container('setup')])
    assert body_of(p)['HostConfig']['RestartPolicy'] == {'Name': docker}
    # init containers are run to completion by hostpods, never restarted by Docker
    assert body_of(p, 'setup', kind='init')['HostConfig']['RestartPolicy'] == {'Name': 'no'}
    assert body_of(p, 'setup', kind='init')['Labels'][naming.CONTAINER_TYPE] == 'init'


def test_sandbox_is_restarted_by_docker():
    assert translate.sandbox_body(make(), 0, SANDBOX_IMAGE)['HostConfig']['RestartPolicy'] == {'Name': 'always'}


# ----------------------------------------------------------------------------- mounts

VOLUMES = [
    {'name': 'cache', 'emptyDir': {}},
    {'name': 'shm', 'emptyDir': {'medium': 'Memory'}},
    {'name': 'host', 'hostPath': {'path': '/srv/data', 'type': ''}},
    {'name': 'claim', 'persistentVolumeClaim': {'claimName': 'db'}},
    {'name': 'roclaim', 'persistentVolumeClaim': {'claimName': 'ro', 'readOnly': True}},
]


def test_volume_sources():
    p = make(volumes=VOLUMES)
    assert translate.volume_sources(p) == {
        'cache': ('volume', naming.emptydir_volume_name('default', 'web', UID, 'cache'), False),
        'shm': ('volume', naming.emptydir_volume_name('default', 'web', UID, 'shm'), False),
        'host': ('bind', '/srv/data', False),
        'claim': ('volume', 'k8s_pvc_db_default', False),
        'roclaim': ('volume', 'k8s_pvc_ro_default', True),
    }
    assert translate.memory_volumes(p) == [naming.emptydir_volume_name('default', 'web', UID, 'shm')]


def vol(name):
    return naming.emptydir_volume_name('default', 'web', UID, name)


def test_mounts_volume_vs_bind_and_read_only():
    p = make(volumes=VOLUMES, containers=[container('app', volumeMounts=[
        {'name': 'cache', 'mountPath': '/cache'},
        {'name': 'shm', 'mountPath': '/dev/shm2', 'readOnly': True},
        {'name': 'host', 'mountPath': '/data'},
        {'name': 'host', 'mountPath': '/data-ro', 'readOnly': True},
        {'name': 'claim', 'mountPath': '/db'},
        {'name': 'roclaim', 'mountPath': '/ro'},               # readOnly from the claim
    ])])
    host = body_of(p)['HostConfig']
    assert host['Mounts'] == [
        {'Type': 'volume', 'Source': vol('cache'), 'Target': '/cache', 'ReadOnly': False, 'VolumeOptions': {'NoCopy': True}},
        {'Type': 'volume', 'Source': vol('shm'), 'Target': '/dev/shm2', 'ReadOnly': True, 'VolumeOptions': {'NoCopy': True}},
        {'Type': 'volume', 'Source': 'k8s_pvc_db_default', 'Target': '/db', 'ReadOnly': False,
         'VolumeOptions': {'NoCopy': True}},
        {'Type': 'volume', 'Source': 'k8s_pvc_ro_default', 'Target': '/ro', 'ReadOnly': True,
         'VolumeOptions': {'NoCopy': True}},
    ]
    assert host['Binds'] == ['/srv/data:/data', '/srv/data:/data-ro:ro']


def test_sub_path_mounts_bind_the_given_sources():
    p = make(volumes=VOLUMES, containers=[container('app', volumeMounts=[
        {'name': 'cache', 'mountPath': '/conf', 'subPath': 'conf'},
        {'name': 'host', 'mountPath': '/logs', 'subPath': 'logs/app', 'readOnly': True},
        {'name': 'cache', 'mountPath': '/whole'},
    ])])
    spec = p['spec']['containers'][0]
    cache = naming.emptydir_volume_name('default', 'web', UID, 'cache')
    assert translate.subpath_mounts(p, spec) == [(0, 'cache', 'conf', 'volume', cache),
                                                 (1, 'host', 'logs/app', 'bind', '/srv/data')]
    sources = {0: naming.subpath_pin(UID, 'cache', 'app', 0), 1: naming.subpath_pin(UID, 'host', 'app', 1)}
    host = body_of(p, subpaths=sources)['HostConfig']
    assert host['Binds'] == ['/var/lib/hostpods/pods/%s/volume-subpaths/cache/app/0:/conf' % UID,
                             '/var/lib/hostpods/pods/%s/volume-subpaths/host/app/1:/logs:ro' % UID]
    assert [m['Target'] for m in host['Mounts']] == ['/whole']


def test_a_sub_path_expr_is_expanded_with_the_container_environment_and_bound_as_a_sub_path():
    p = make(volumes=VOLUMES, containers=[container('app', volumeMounts=[
        {'name': 'cache', 'mountPath': '/conf', 'subPathExpr': 'pods/$(POD_NAME)/$$(x)'},
        {'name': 'host', 'mountPropagation': 'HostToContainer', 'mountPath': '/logs', 'subPathExpr': '$(POD_NAME)'},
    ])])
    spec = p['spec']['containers'][0]
    cache = naming.emptydir_volume_name('default', 'web', UID, 'cache')
    expected = [(0, 'cache', 'pods/web/$(x)', 'volume', cache), (1, 'host', 'web', 'bind', '/srv/data')]
    assert translate.subpath_mounts(p, spec, {'POD_NAME': 'web'}) == expected
    assert translate.bound_volumes(p, spec) == []  # a subPathExpr is bound through its pin, as a subPath


@pytest.mark.parametrize('expression, environment, message', [
    ('$(A)/$(B)', {'A': 'a', 'B': ''}, 'missing value for B'),
    ('$(A)/$(C)/$(B)', {}, 'missing value for A, B, C'),
    ('$(A)', {'A': '/etc'}, 'error SubPath `/etc` must not be an absolute path'),
    ('x/$(A)', {'A': '../..'}, "unable to provision SubPath `x/../..`: must not contain '..'"),
])
def test_a_sub_path_expr_the_kubelet_cannot_use_fails_with_its_message(expression, environment, message):
    p = make(volumes=VOLUMES, containers=[container('app', volumeMounts=[
        {'name': 'cache', 'mountPath': '/conf', 'subPathExpr': expression}])])
    with pytest.raises(ExpansionError) as caught:
        translate.subpath_mounts(p, p['spec']['containers'][0], environment)
    assert str(caught.value) == message


def test_mount_propagation_binds_with_rslave_or_rshared_and_a_docker_volume_through_its_mount_point():
    p = make(volumes=VOLUMES, containers=[container('app', securityContext={'privileged': True}, volumeMounts=[
        {'name': 'host', 'mountPath': '/in', 'mountPropagation': 'HostToContainer'},
        {'name': 'host', 'mountPath': '/both', 'mountPropagation': 'Bidirectional', 'readOnly': True},
        {'name': 'cache', 'mountPath': '/cache', 'mountPropagation': 'HostToContainer'},
        {'name': 'cache', 'mountPath': '/plain', 'mountPropagation': 'None'},
    ])])
    spec = p['spec']['containers'][0]
    assert translate.bound_volumes(p, spec) == [(2, vol('cache'))]
    host = body_of(p, subpaths={2: '/var/lib/docker/volumes/%s/_data' % vol('cache')})['HostConfig']
    assert host['Binds'] == ['/srv/data:/in:rslave', '/srv/data:/both:ro,rshared',
                             '/var/lib/docker/volumes/%s/_data:/cache:rslave' % vol('cache')]
    assert [m['Target'] for m in host['Mounts']] == ['/plain']


@pytest.mark.parametrize('recursive, options', [
    (None, {'ReadOnlyNonRecursive': True}),          # Kubernetes' read-only mounts are not recursive unless asked
    ('Disabled', {'ReadOnlyNonRecursive': True}),
    ('IfPossible', {}),                              # the engine's own: recursive where the kernel can
    ('Enabled', {'ReadOnlyForceRecursive': True}),
])
def test_recursive_read_only_on_an_engine_that_knows_it(recursive, options):
    mount = {'name': 'host', 'mountPath': '/ro', 'readOnly': True}
    if recursive:
        mount['recursiveReadOnly'] = recursive
    p = make(volumes=VOLUMES, containers=[container('app', volumeMounts=[mount, {'name': 'host', 'mountPath': '/rw'}])])
    body = translate.container_body(p, p['spec']['containers'][0], 'container', 0, SID, SANDBOX_IMAGE,
                                    runtime={'engineApi': '1.44'})
    assert body['HostConfig']['Mounts'] == [{'Type': 'bind', 'Source': '/srv/data', 'Target': '/ro', 'ReadOnly': True,
                                             'BindOptions': options}]
    assert body['HostConfig']['Binds'] == ['/srv/data:/rw']
    older = translate.container_body(p, p['spec']['containers'][0], 'container', 0, SID, SANDBOX_IMAGE,
                                     runtime={'engineApi': '1.41'})
    assert older['HostConfig']['Binds'] == ['/srv/data:/ro:ro', '/srv/data:/rw']  # never recursive there


def test_no_volume_mounts():
    host = body_of(make(volumes=VOLUMES))['HostConfig']
    assert host['Mounts'] == [] and host['Binds'] == []


@pytest.mark.parametrize('resources, expected', [
    ({}, {'CpuShares': 2}),
    ({'requests': {'cpu': '250m'}}, {'CpuShares': 256}),
    ({'requests': {'cpu': '1m'}}, {'CpuShares': 2}),
    ({'requests': {'cpu': '500m'}, 'limits': {'cpu': '500m'}},
     {'CpuShares': 512, 'CpuPeriod': 100000, 'CpuQuota': 50000}),
    ({'limits': {'cpu': '5m'}}, {'CpuShares': 2, 'CpuPeriod': 100000, 'CpuQuota': 1000}),
    ({'limits': {'memory': '64Mi'}}, {'CpuShares': 2, 'Memory': 67108864, 'MemorySwap': 67108864}),
])
def test_resources_map_to_the_kubelet_cgroup_settings(resources, expected):
    # cpu.shares = max(2, milliCPU * 1024 / 1000); quota = max(1000, milliCPU * period / 1000); no swap
    assert translate.resource_settings({'resources': resources}) == expected


def test_a_limit_the_container_does_not_set_is_the_pod_level_one():
    spec = {'resources': {'limits': {'cpu': 0.5, 'memory': '1.5e9'}}}
    assert translate.resource_settings({'resources': {'requests': {'cpu': '100m'}}}, spec) == {
        'CpuShares': 102, 'CpuPeriod': 100000, 'CpuQuota': 50000, 'Memory': 1500000000, 'MemorySwap': 1500000000}


def test_sandbox_and_containers_go_in_the_pod_cgroup_when_the_node_makes_it():
    guaranteed = make(containers=[container('app', resources={'limits': {'cpu': '1', 'memory': '1Gi'}})])
    assert translate.sandbox_body(guaranteed, 0, SANDBOX_IMAGE, pod_cgroups='cgroupfs')['HostConfig']['CgroupParent'] == \
        '/kubepods/pod' + UID
    burstable = make(containers=[container('app', resources={'requests': {'cpu': '1'}})])
    body = translate.container_body(burstable, burstable['spec']['containers'][0], 'container', 0, SID, SANDBOX_IMAGE,
                                    runtime={'podCgroups': 'cgroupfs'})
    assert body['HostConfig']['CgroupParent'] == '/kubepods/burstable/pod' + UID
    assert 'CgroupParent' not in translate.sandbox_body(burstable, 0, SANDBOX_IMAGE)['HostConfig']
    assert 'CgroupParent' not in body_of(make())['HostConfig']


def test_host_pid_and_ipc():
    p = make(hostPID=True, hostIPC=True)
    sandbox = translate.sandbox_body(p, 0, SANDBOX_IMAGE)['HostConfig']
    assert (sandbox['IpcMode'], sandbox['PidMode']) == ('host', 'host')
    host = body_of(p)['HostConfig']
    assert (host['IpcMode'], host['PidMode'], host['NetworkMode']) == ('host', 'host', 'container:' + SID)


def test_host_network_sandbox():
    p = make(hostNetwork=True)
    body = translate.sandbox_body(p, 0, SANDBOX_IMAGE)
    assert body['HostConfig']['NetworkMode'] == 'host' and 'Hostname' not in body
    assert body['HostConfig']['PortBindings'] == {} and body['ExposedPorts'] == {}


# ----------------------------------------------------------------------------- image volumes

IMAGE_VOLUMES = [{'name': 'tools', 'image': {'reference': 'example.org/tools:1', 'pullPolicy': 'IfNotPresent'}}]
IMAGE_MOUNTS = [{'name': 'tools', 'mountPath': '/tools'},
                {'name': 'tools', 'mountPath': '/bin/tool', 'subPath': 'usr/bin/tool'},
                {'name': 'tools', 'mountPath': '/mine', 'subPathExpr': 'home/$(WHO)'}]


def image_pod():
    return make(volumes=IMAGE_VOLUMES, containers=[container('app', volumeMounts=IMAGE_MOUNTS,
                                                             env=[{'name': 'WHO', 'value': 'ann'}])])


def test_an_image_volume_is_the_engines_image_mount_where_it_has_them():
    p = image_pod()
    spec = p['spec']['containers'][0]
    body = translate.container_body(p, spec, 'container', 0, SID, SANDBOX_IMAGE, runtime={'engineApi': '1.48'})
    assert body['HostConfig']['Mounts'] == [
        {'Type': 'image', 'Source': 'example.org/tools:1', 'Target': '/tools', 'ReadOnly': True},
        {'Type': 'image', 'Source': 'example.org/tools:1', 'Target': '/bin/tool', 'ReadOnly': True,
         'ImageOptions': {'Subpath': 'usr/bin/tool'}},
        {'Type': 'image', 'Source': 'example.org/tools:1', 'Target': '/mine', 'ReadOnly': True,
         'ImageOptions': {'Subpath': 'home/ann'}}]
    assert body['HostConfig']['Binds'] == []
    # the engine mounts a subPath in the image: the node pins none
    assert translate.subpath_mounts(p, spec, {'WHO': 'ann'}, '1.48') == []


def test_an_image_volume_before_image_mounts_binds_what_the_node_mounted_read_only():
    p = image_pod()
    spec = p['spec']['containers'][0]
    body = translate.container_body(p, spec, 'container', 0, SID, SANDBOX_IMAGE, {1: '/pin/1', 2: '/pin/2'},
                                    runtime={'engineApi': '1.41'})
    assert body['HostConfig']['Binds'] == ['%s:/tools:ro' % naming.volume_dir(UID, 'tools'), '/pin/1:/bin/tool:ro',
                                           '/pin/2:/mine:ro']
    assert translate.subpath_mounts(p, spec, {'WHO': 'ann'}, '1.41') == [
        (1, 'tools', 'usr/bin/tool', 'bind', naming.volume_dir(UID, 'tools')),
        (2, 'tools', 'home/ann', 'bind', naming.volume_dir(UID, 'tools'))]
    with pytest.raises(ExpansionError):  # a subPathExpr that cannot be expanded fails whoever mounts the image
        translate.subpath_mounts(p, spec, {}, '1.48')
