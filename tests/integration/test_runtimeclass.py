"""runtimeClassName on the real engine: the RuntimeClass of the same apply gives the pod its overhead and its handler,
which is the engine's runtime (HostConfig.Runtime) of the sandbox and the containers; a handler the engine does not
have fails the pod as the kubelet's FailedCreatePodSandBox before anything is made; a class that is not in the apply
refuses the pod before anything runs; a pod that names another class gets a new sandbox."""

import json

from harness import containers, docker, ok, pod, sleeper


def runtime_class(name, handler, **extra):
    return dict({'apiVersion': 'node.k8s.io/v1', 'kind': 'RuntimeClass', 'metadata': {'name': name},
                 'handler': handler}, **extra)


def runtimes(prefix):
    """``{container name in the pod (POD: the sandbox): HostConfig.Runtime}`` of the running containers."""
    out = {}
    for name, state in containers(prefix).items():
        if state == 'running':
            out[name.split('_')[1]] = json.loads(docker('inspect', '--format', '{{json .HostConfig.Runtime}}', name))
    return out


def test_a_runtime_class_with_the_runc_handler_runs_the_pod_on_runc_with_its_overhead(pods):
    name = pods.name('rc')
    klass = runtime_class(pods.name('runc'), 'runc', overhead={'podFixed': {'cpu': '10m', 'memory': '8Mi'}})
    manifest = [pod(name, [sleeper('app')], runtimeClassName=klass['metadata']['name'],
                    terminationGracePeriodSeconds=1), klass]
    try:
        applied = pods.four_step(manifest)
        [result] = applied['pods']
        assert result['spec']['runtimeClassName'] == klass['metadata']['name']
        assert result['spec']['overhead'] == {'cpu': '10m', 'memory': '8Mi'}
        assert 'runtimeHandler' not in result and 'runtimeHandler' not in result['spec']
        assert runtimes(pods.prefix) == {'POD': 'runc', 'app': 'runc'}
        # another class (of the same overhead): the pod's sandbox is made again, as for any change of its spec
        other = dict(klass, metadata={'name': pods.name('runc2')})
        moved_pod = dict(manifest[0], spec=dict(manifest[0]['spec'], runtimeClassName=other['metadata']['name']))
        moved = ok(pods.apply([moved_pod, other]))
        assert moved['changed'] is True and moved['pods'][0]['action'] == 'recreated', moved['pods'][0]
        assert runtimes(pods.prefix) == {'POD': 'runc', 'app': 'runc'}
        assert ok(pods.apply([moved_pod, other]))['changed'] is False
    finally:
        ok(pods.apply(manifest, state='absent'))
    assert containers(pods.prefix) == {}


def test_a_handler_the_engine_does_not_have_fails_the_pod_naming_it_before_anything_is_made(pods):
    name = pods.name('rckata')
    klass = runtime_class(pods.name('kata'), 'kata')
    failed = pods.apply([pod(name, [sleeper('app')], runtimeClassName=klass['metadata']['name']), klass])
    assert failed.get('failed'), failed
    assert failed['msg'].startswith(
        'pod "default/%s": FailedCreatePodSandBox: Failed to create pod sandbox: no runtime for "kata" is configured: '
        'RuntimeClass "%s" names the handler "kata", and the node\'s Docker engine has the runtimes '
        % (name, klass['metadata']['name'])), failed['msg']
    assert '"runc"' in failed['msg']
    assert containers(pods.prefix) == {}


def test_a_runtime_class_that_is_not_in_the_apply_refuses_the_pod_before_anything_runs(pods):
    name = pods.name('rcnone')
    failed = pods.apply(pod(name, [sleeper('app')], runtimeClassName='gvisor'))
    assert failed.get('failed'), failed
    assert 'pods "%s" is forbidden: pod rejected: RuntimeClass "gvisor" not found' % name in failed['msg'], failed['msg']
    assert containers(pods.prefix) == {}
