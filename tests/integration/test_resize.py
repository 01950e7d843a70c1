"""In-place resize on the real engine: a re-apply that changes only cpu or memory updates the running containers
where they run (same container ID, no restart, the new values in their cgroups and in the pod's), restarts only the
container whose resizePolicy says RestartContainer, reports `updated`, and is unchanged on the next apply."""

import json

from harness import containers, docker, inspect, ok, pod, sleeper

MI = 1024 * 1024


def resources(cpu, memory):
    return {'limits': {'cpu': cpu, 'memory': memory}}


def manifest(name, app_cpu='200m', jvm_memory='32Mi'):
    return pod(name, [sleeper('app', resources=resources(app_cpu, '32Mi')),
                      sleeper('jvm', resources=resources('100m', jvm_memory),
                              resizePolicy=[{'resourceName': 'memory', 'restartPolicy': 'RestartContainer'}])],
               terminationGracePeriodSeconds=1)


def container_cgroup(name, hierarchy, filename):
    info = inspect(name)
    with open('/sys/fs/cgroup/%s%s/%s/%s' % (hierarchy, info['HostConfig']['CgroupParent'], info['Id'], filename)) as f:
        return f.read().strip()


def test_a_resize_updates_in_place_or_restarts_one_container_as_its_policy_says(pods):
    name = pods.name('resize')
    first = pods.four_step(manifest(name))['pods'][0]
    uid = first['metadata']['uid']
    app, jvm = 'k8s_app_%s_default_%s_0' % (name, uid), 'k8s_jvm_%s_default_%s_0' % (name, uid)
    app_id = inspect(app)['Id']
    bigger = manifest(name, app_cpu='500m', jvm_memory='64Mi')

    checked = ok(pods.apply(bigger, check=True))
    assert checked['changed'] is True and checked['pods'][0]['action'] == 'updated'
    planned = checked['pods'][0]['planned_steps']
    assert any(step.startswith('resize app in place') for step in planned), planned
    assert any(step.startswith('replace jvm attempt 1') for step in planned), planned
    assert inspect(app)['HostConfig']['CpuQuota'] == 20000  # check mode changed nothing

    applied = ok(pods.apply(bigger))
    obj = applied['pods'][0]
    assert applied['changed'] is True and obj['action'] == 'updated'
    # app: the same container, never restarted, with the new quota in its cgroup
    info = inspect(app)
    assert info['Id'] == app_id and info['State']['Running'] and info['RestartCount'] == 0
    assert info['HostConfig']['CpuQuota'] == 50000
    assert container_cgroup(app, 'cpu', 'cpu.cfs_quota_us') == '50000'
    # jvm: restarted alone, as a new instance (restartCount 1) with the new memory limit
    assert containers(name) == {'k8s_POD_%s_default_%s_0' % (name, uid): 'running', app: 'running', jvm: 'exited',
                                'k8s_jvm_%s_default_%s_1' % (name, uid): 'running'}
    assert inspect('k8s_jvm_%s_default_%s_1' % (name, uid))['HostConfig']['Memory'] == 64 * MI
    # the pod's cgroup follows (Guaranteed: its limits are the sums)
    with open('/sys/fs/cgroup/cpu/kubepods/pod%s/cpu.cfs_quota_us' % uid) as handle:
        assert handle.read().strip() == '60000'
    with open('/sys/fs/cgroup/memory/kubepods/pod%s/memory.limit_in_bytes' % uid) as handle:
        assert handle.read().strip() == str(96 * MI)
    statuses = {s['name']: s for s in obj['status']['containerStatuses']}
    assert statuses['app']['containerID'] == 'docker://' + app_id and statuses['app']['restartCount'] == 0
    assert statuses['app']['resources']['limits']['cpu'] == '500m'
    assert statuses['jvm']['restartCount'] == 1 and statuses['jvm']['resources']['limits']['memory'] == '64Mi'
    assert obj['status']['qosClass'] == 'Guaranteed'

    again = ok(pods.apply(bigger))
    assert again['changed'] is False and again['pods'][0]['action'] == 'unchanged'
    assert again['docker_calls']['write'] == 0
    assert ok(pods.apply(bigger, check=True))['changed'] is False
    listed = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['pods'][0]
    assert listed['spec']['containers'][0]['resources']['limits']['cpu'] == '500m'  # the spec as resized

    # and back down: in place again, the pod's cgroup lowered after its containers
    back = ok(pods.apply(manifest(name, app_cpu='200m', jvm_memory='64Mi')))
    assert back['pods'][0]['action'] == 'updated'
    assert inspect(app)['Id'] == app_id and inspect(app)['HostConfig']['CpuQuota'] == 20000
    with open('/sys/fs/cgroup/cpu/kubepods/pod%s/cpu.cfs_quota_us' % uid) as handle:
        assert handle.read().strip() == '30000'


def test_a_change_that_is_not_only_resources_recreates_the_pod_as_before(pods):
    name = pods.name('qos')
    first = ok(pods.apply(manifest(name)))['pods'][0]
    burstable = manifest(name)
    burstable['spec']['containers'][0]['resources'] = {'requests': {'cpu': '100m'}}  # the QoS class would change
    result = ok(pods.apply(burstable))
    assert result['pods'][0]['action'] == 'recreated'
    assert result['pods'][0]['status']['qosClass'] == 'Burstable'
    assert result['pods'][0]['metadata']['uid'] == first['metadata']['uid']
    assert json.loads(docker('inspect', '--format', '{{json .HostConfig.CgroupParent}}',
                             'k8s_app_%s_default_%s_0' % (name, first['metadata']['uid']))) == \
        '/kubepods/burstable/pod%s' % first['metadata']['uid']
