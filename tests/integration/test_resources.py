"""Container resources on the real engine: the kubelet's cgroup settings, qosClass and OOMKilled."""

from harness import containers, docker, inspect, ok, pod, shell_container, sleeper


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
