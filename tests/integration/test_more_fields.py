"""Fields real pods carry (issue 12), on the real engine: what only a control plane acts on runs and is warned about
(ownerReferences, finalizers, overhead, which still sizes the pod's cgroup), fsGroupChangePolicy's OnRootMismatch,
readiness gates that keep a running pod unready, and what a Docker host cannot do refused before anything is
touched (generateName, dynamic resource allocation, recursive read-only mounts on this engine)."""

import time

from harness import containers, docker, ok, pod, sleeper

OWNER = {'apiVersion': 'apps/v1', 'kind': 'ReplicaSet', 'name': 'web-5d9f', 'uid': 'a1b2c3', 'controller': True,
         'blockOwnerDeletion': True}


def in_pod(container, script):
    return docker('exec', container, 'sh', '-c', script)


def cgroup_file(hierarchy, cgroup, name):
    with open('/sys/fs/cgroup/%s/%s/%s' % (hierarchy, cgroup, name)) as handle:
        return handle.read().strip()


def test_owners_finalizers_and_overhead_run_and_are_warned_about(pods):
    name = pods.name('owned')
    manifest = pod(name, [sleeper('app', resources={'limits': {'cpu': '200m', 'memory': '64Mi'}})],
                   overhead={'cpu': '100m', 'memory': '10Mi'}, terminationGracePeriodSeconds=1)
    manifest['metadata'].update(ownerReferences=[OWNER], finalizers=['example.com/keep'], generateName=name + '-')
    applied = pods.four_step(manifest)
    obj = applied['pods'][0]
    # kept in the pod as the API server keeps them (generateName beside a name: the name wins)
    assert obj['metadata']['name'] == name and obj['metadata']['generateName'] == name + '-'
    assert obj['metadata']['ownerReferences'] == [OWNER] and obj['metadata']['finalizers'] == ['example.com/keep']
    [seen] = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['pods']
    assert seen['metadata']['ownerReferences'] == [OWNER] and seen['metadata']['generateName'] == name + '-'
    # they change in place, as labels do: no container restarts; one left out is gone
    del manifest['metadata']['ownerReferences']
    manifest['metadata']['finalizers'] = ['example.com/other']
    before = containers(pods.prefix)
    changed = ok(pods.apply(manifest))
    assert changed['changed'] and changed['pods'][0]['action'] == 'updated', changed['pods'][0]['action']
    [seen] = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['pods']
    assert 'ownerReferences' not in seen['metadata'] and seen['metadata']['finalizers'] == ['example.com/other']
    assert seen['status']['containerStatuses'][0]['restartCount'] == 0
    assert seen['metadata']['uid'] == obj['metadata']['uid'] and containers(pods.prefix) == before
    assert ok(pods.apply(manifest))['changed'] is False
    assert obj['status']['phase'] == 'Running' and obj['status']['qosClass'] == 'Guaranteed'
    warnings = '\n'.join(applied['warnings'])
    for field in ('metadata.ownerReferences: accepted', 'metadata.finalizers: accepted', 'spec.overhead: accepted'):
        assert '%s' % field in warnings and 'pod default/%s' % name in warnings, warnings
    # as ResourceConfigForPod: the overhead is added to the pod cgroup's requests and limits
    cgroup = 'kubepods/pod%s' % obj['metadata']['uid']
    assert cgroup_file('cpu', cgroup, 'cpu.cfs_quota_us') == '30000'
    assert cgroup_file('cpu', cgroup, 'cpu.shares') == '307'
    assert cgroup_file('memory', cgroup, 'memory.limit_in_bytes') == str(74 * 1024 * 1024)
    # a delete does not wait for finalizers (nobody would remove them)
    ok(pods.apply(manifest, state='absent'))
    assert containers(pods.prefix) == {}


def test_on_root_mismatch_leaves_a_volume_of_the_group_alone(pods):
    name, claim = pods.name('fsgrp'), pods.name('data')
    manifest = pod(name, [sleeper('app', volumeMounts=[{'name': 'data', 'mountPath': '/data'}])],
                   securityContext={'fsGroup': 2000, 'fsGroupChangePolicy': 'OnRootMismatch'},
                   volumes=[{'name': 'data', 'persistentVolumeClaim': {'claimName': claim}}],
                   terminationGracePeriodSeconds=1)
    obj = pods.four_step(manifest)['pods'][0]
    app = 'k8s_app_%s_default_%s_0' % (name, obj['metadata']['uid'])
    assert in_pod(app, 'stat -c %g:%A /data') == '2000:drwxrwsr-x'  # the first time, the volume becomes the group's
    in_pod(app, 'touch /data/mine && chgrp 0 /data/mine')
    again = ok(pods.apply(manifest, force=True))  # a new sandbox: the kubelet's volume ownership runs again
    assert again['pods'][0]['action'] == 'recreated'
    app = 'k8s_app_%s_default_%s_0' % (name, again['pods'][0]['metadata']['uid'])
    assert in_pod(app, 'stat -c %g /data/mine') == '0'  # the root was the group's: nothing changed
    in_pod(app, 'chgrp 0 /data')  # a root that is not the group's: the whole volume is changed again
    app = 'k8s_app_%s_default_%s_0' % (name, ok(pods.apply(manifest, force=True))['pods'][0]['metadata']['uid'])
    assert in_pod(app, 'stat -c %g /data; stat -c %g /data/mine') == '2000\n2000'


def test_readiness_gates_keep_a_running_pod_unready(pods):
    name = pods.name('gated')
    manifest = pod(name, [sleeper('app')], readinessGates=[{'conditionType': 'example.com/lb'}],
                   terminationGracePeriodSeconds=1)
    applied = pods.four_step(manifest)
    assert any('spec.readinessGates: accepted' in line and name in line for line in applied['warnings'])
    listed = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))
    obj = listed['pods'][0]
    conditions = {c['type']: c for c in obj['status']['conditions']}
    assert obj['status']['phase'] == 'Running' and conditions['ContainersReady']['status'] == 'True'
    assert (conditions['Ready']['status'], conditions['Ready']['reason']) == ('False', 'ReadinessGatesNotReady')
    assert conditions['Ready']['message'] == ('corresponding condition of pod readiness gate "example.com/lb" does not '
                                              'exist.')
    assert listed['rows'][0]['ready'] == '1/1'  # kubectl's READY counts the ready containers
    # wait: true cannot wait for a condition nobody sets: it fails at once, naming the gate
    started = time.monotonic()
    waited = pods.apply(manifest, wait=True, wait_timeout=120)
    assert waited.get('failed') and time.monotonic() - started < 60
    assert ('Cannot wait for pods to be ready: pod default/%s: spec.readinessGates "example.com/lb"' % name
            in waited['msg']), waited['msg']


def test_what_a_docker_host_cannot_do_is_refused_before_anything_is_touched(pods):
    valid = pod(pods.name('valid'), [sleeper('app')], terminationGracePeriodSeconds=1)
    generated = pod(pods.name('gen'), [sleeper('app')])
    generated['metadata']['generateName'] = pods.name('gen-')
    del generated['metadata']['name']  # beside a name it is kept (the name wins); alone, kubectl apply refuses it
    claimed = pod(pods.name('dra'), [sleeper('app', resources={'claims': [{'name': 'gpu'}]})],
                  resourceClaims=[{'name': 'gpu', 'resourceClaimName': 'gpu-claim'}])
    result = pods.apply([valid, generated, claimed])
    assert result.get('failed')
    assert 'metadata.generateName: not supported by hostpods: cannot use generate name with apply' in result['msg']
    assert 'spec.resourceClaims: not supported by hostpods: needs dynamic resource allocation' in result['msg']
    assert 'spec.containers[0].resources.claims: not supported by hostpods' in result['msg']
    assert containers(pods.prefix) == {}
    # a recursive read-only mount passes the schema and is refused by the node, naming its engine (API 1.41 here):
    # nothing of the batch is made
    recursive = pod(pods.name('rro'), [sleeper('app', volumeMounts=[
        {'name': 'scratch', 'mountPath': '/ro', 'readOnly': True, 'recursiveReadOnly': 'Enabled'}])],
        volumes=[{'name': 'scratch', 'emptyDir': {}}])
    result = pods.apply([valid, recursive])
    assert result.get('failed')
    assert ('spec.containers[0].volumeMounts[0].recursiveReadOnly: Enabled needs an engine that makes recursive '
            'read-only mounts (API 1.44, Docker 25 or later); the engine of node' in result['msg']), result['msg']
    assert containers(pods.prefix) == {}
