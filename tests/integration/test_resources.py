"""Container resources on the real engine: the kubelet's cgroup settings, qosClass and OOMKilled."""

from harness import containers, docker, inspect, ok, pod, pod_cgroup_dirs, shell_container, sleeper


def test_requests_and_limits_become_cgroup_settings(pods):
    name = pods.name('res')
    manifest = pod(name, [
        sleeper('guaranteed', resources={'limits': {'cpu': '500m', 'memory': '64Mi'}}),
        sleeper('burstable', resources={'requests': {'cpu': '250m'}}),
    ], terminationGracePeriodSeconds=1)
    result = pods.four_step(manifest)
    obj = result['pods'][0]
    uid = obj['metadata']['uid']
    guaranteed = inspect('k8s_guaranteed_%s_default_%s_0' % (name, uid))['HostConfig']
    assert (guaranteed['CpuShares'], guaranteed['CpuPeriod'], guaranteed['CpuQuota']) == (512, 100000, 50000)
    assert guaranteed['Memory'] == guaranteed['MemorySwap'] == 64 * 1024 * 1024
    burstable = inspect('k8s_burstable_%s_default_%s_0' % (name, uid))['HostConfig']
    assert (burstable['CpuShares'], burstable['CpuQuota'], burstable['Memory']) == (256, 0, 0)
    # what the container itself sees in its cgroup (cgroup v1 here; v2 files as a fallback)
    seen = docker('exec', 'k8s_guaranteed_%s_default_%s_0' % (name, uid), 'sh', '-c',
                  'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max')
    assert seen == str(64 * 1024 * 1024)
    # requests default to limits, as the API server defaults them; one container is not Guaranteed
    containers_ = {c['name']: c for c in obj['spec']['containers']}
    assert containers_['guaranteed']['resources']['requests'] == {'cpu': '500m', 'memory': '64Mi'}
    assert obj['status']['qosClass'] == 'Burstable'


def test_all_limits_equal_requests_is_guaranteed_and_a_memory_hog_is_oom_killed(pods):
    name = pods.name('oom')
    limits = {'cpu': '200m', 'memory': '16Mi'}
    manifest = pod(name, [shell_container('hog', 'sleep 1; tail /dev/zero', resources={'limits': limits})],
                   restartPolicy='Never', terminationGracePeriodSeconds=1)
    applied, listed = pods.play(
        ('hostpods.core.pod', {'definition': manifest}),
        ('hostpods.core.pod_info', {'name': name},
         {'until': "RESULT.pods[0].status.phase == 'Failed'", 'retries': 60, 'delay': 1}))
    assert ok(applied)['pods'][0]['status']['qosClass'] == 'Guaranteed'
    obj = ok(listed)['pods'][0]
    assert obj['status']['phase'] == 'Failed'
    terminated = obj['status']['containerStatuses'][0]['state']['terminated']
    assert terminated['reason'] == 'OOMKilled' and terminated['exitCode'] == 137
    assert listed['rows'][0]['status'] == 'OOMKilled'
    assert list(containers(pods.prefix).values()).count('exited') == 1


def cgroup_file(hierarchy, cgroup, name):
    with open('/sys/fs/cgroup/%s/%s/%s' % (hierarchy, cgroup, name)) as handle:
        return handle.read().strip()


def test_pod_level_resources_make_a_pod_cgroup_holding_the_sandbox_and_containers(pods):
    # numbers are quantities too (cpu: 0.5, memory: 1.5e9 as JSON gives them); the pod's limits go on its cgroup,
    # and a container without its own limit gets the pod's
    name = pods.name('podres')
    manifest = pod(name, [sleeper('app', resources={'requests': {'cpu': 0.25}}),
                          sleeper('side', resources={'limits': {'cpu': '100m', 'memory': '32Mi'}})],
                   resources={'limits': {'cpu': 0.5, 'memory': 1.5e8}}, terminationGracePeriodSeconds=1)
    obj = pods.four_step(manifest)['pods'][0]
    uid = obj['metadata']['uid']
    assert obj['status']['qosClass'] == 'Guaranteed'  # from the pod-level values (requests default to the limits)
    assert obj['spec']['resources']['requests'] == {'cpu': 0.5, 'memory': 1.5e8}
    cgroup = 'kubepods/pod%s' % uid
    sandbox, app, side = ('k8s_%s_%s_default_%s_0' % (c, name, uid) for c in ('POD', 'app', 'side'))
    assert {inspect(c)['HostConfig']['CgroupParent'] for c in (sandbox, app, side)} == {'/' + cgroup}
    assert cgroup_file('cpu', cgroup, 'cpu.cfs_quota_us') == '50000'
    assert cgroup_file('cpu', cgroup, 'cpu.shares') == '512'
    assert cgroup_file('memory', cgroup, 'memory.limit_in_bytes') == str(150000000 // 4096 * 4096)  # page-aligned
    # the processes are in it: what the container itself reads of its cgroup
    assert '/%s/' % cgroup in docker('exec', app, 'cat', '/proc/self/cgroup')
    host = inspect(app)['HostConfig']
    assert (host['CpuShares'], host['CpuQuota'], host['Memory']) == (256, 50000, 150000000)  # the pod's limits
    # the pod's removal removes its cgroup
    ok(pods.apply(manifest, state='absent'))
    assert pod_cgroup_dirs(uid) == []


def test_every_pod_gets_a_cgroup_of_its_qos_class(pods):
    name = pods.name('qos')
    obj = ok(pods.apply(pod(name, [sleeper('app', resources={'requests': {'cpu': '250m'}})],
                            terminationGracePeriodSeconds=1)))['pods'][0]
    uid = obj['metadata']['uid']
    cgroup = 'kubepods/burstable/pod%s' % uid
    assert inspect('k8s_app_%s_default_%s_0' % (name, uid))['HostConfig']['CgroupParent'] == '/' + cgroup
    assert cgroup_file('cpu', cgroup, 'cpu.shares') == '256'
    assert cgroup_file('cpu', cgroup, 'cpu.cfs_quota_us') == '-1'  # not every container has a cpu limit
    best = ok(pods.apply(pod(pods.name('best'), [sleeper('app')], terminationGracePeriodSeconds=1)))['pods'][0]
    assert best['status']['qosClass'] == 'BestEffort'
    assert cgroup_file('cpu', 'kubepods/besteffort/pod%s' % best['metadata']['uid'], 'cpu.shares') == '2'


def test_pod_level_resources_are_validated_before_anything_is_touched(pods):
    name = pods.name('bad')
    result = pods.apply([pod(pods.name('fine'), [sleeper('app')]),
                         pod(name, [sleeper('app', resources={'limits': {'cpu': '2'}})], resources={'limits': {'cpu': '1'}})])
    assert result['failed']
    assert 'spec.containers[0].resources.limits[cpu]: Invalid value: "2": must be less than or equal to pod limits of 1' \
        in result['msg']
    assert containers(pods.prefix) == {}
