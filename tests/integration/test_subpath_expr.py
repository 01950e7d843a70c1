"""subPathExpr on the real engine, as the kubelet's makeMounts has it: the expression is expanded with the
container's own environment (env, the downward API, envFrom) and the result is used exactly as a subPath (made
safe, pinned, bound); a result that is absolute, steps out with '..' or names a variable the container does
not have fails that container with CreateContainerConfigError, and its siblings run."""

import subprocess

from harness import containers, ok, pod, shell_container, sleeper


def vm(name, path, **extra):
    return dict({'name': name, 'mountPath': path}, **extra)


def names(prefix):
    return {name.split('_')[1]: state for name, state in containers(prefix).items()}


def in_container(prefix, container, script):
    [found] = [n for n in containers(prefix) if n.startswith('k8s_%s_' % container)]
    proc = subprocess.run(['docker', 'exec', found, 'sh', '-c', script], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, (script, proc.stdout, proc.stderr)
    return proc.stdout.strip()


POD_NAME = {'name': 'POD_NAME', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.name'}}}


def test_a_sub_path_expr_is_expanded_with_the_containers_environment(pods):
    name = pods.name('expr')
    config = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name}, 'data': {'TIER': 'web'}}
    writer = shell_container('write', 'echo from-$POD_NAME > /out/note', env=[POD_NAME],
                             volumeMounts=[vm('data', '/out', subPathExpr='logs/$(POD_NAME)')])
    reader = sleeper('app', env=[POD_NAME, {'name': 'WHERE', 'value': '$(TIER)-$(POD_NAME)'}],
                     envFrom=[{'configMapRef': {'name': name}}],
                     volumeMounts=[vm('data', '/mine', subPathExpr='logs/$(POD_NAME)'),
                                   vm('data', '/tier', subPathExpr='$(WHERE)'), vm('data', '/all')])
    manifest = [config, pod(name, [reader], initContainers=[writer], terminationGracePeriodSeconds=1,
                            volumes=[{'name': 'data', 'emptyDir': {}}])]
    try:
        pods.four_step(manifest)
        assert names(pods.prefix) == {'POD': 'running', 'write': 'exited', 'app': 'running'}
        assert in_container(pods.prefix, 'app', 'cat /mine/note') == 'from-%s' % name
        assert in_container(pods.prefix, 'app', 'ls /all; ls /all/logs') == 'logs\nweb-%s\n%s' % (name, name)
        assert in_container(pods.prefix, 'app', 'touch /tier/x && ls /all/web-%s' % name) == 'x'
    finally:
        ok(pods.apply(manifest, state='absent'))
    assert containers(pods.prefix) == {}


def test_a_sub_path_expr_that_expands_out_of_its_volume_fails_that_container_as_the_kubelet_does(pods):
    name = pods.name('exprout')
    escape = sleeper('app', env=[{'name': 'UP', 'value': '..'}],
                     volumeMounts=[vm('data', '/mnt', subPathExpr='a/$(UP)/$(UP)')])
    missing = sleeper('other', volumeMounts=[vm('data', '/mnt', subPathExpr='$(NOPE)')])
    manifest = pod(name, [escape, missing, sleeper('side', volumeMounts=[vm('data', '/data')])],
                   terminationGracePeriodSeconds=1, volumes=[{'name': 'data', 'emptyDir': {}}])
    try:
        result = pods.apply(manifest)
        assert result.get('failed'), result
        for part in ('pod "%s": container "app": CreateContainerConfigError: unable to provision SubPath '
                     "`a/../..`: must not contain '..'" % name,
                     'pod "%s": container "other": CreateContainerConfigError: missing value for NOPE' % name):
            assert part in result['msg'], result['msg']
        # what the apply made: the sandbox and the sibling; its status says why the two are not there
        status = result['pods'][0]['status']
        waiting = {s['name']: s['state'].get('waiting') for s in status['containerStatuses']}
        assert waiting['app'] == {'reason': 'CreateContainerConfigError',
                                  'message': "unable to provision SubPath `a/../..`: must not contain '..'"}
        assert waiting['other'] == {'reason': 'CreateContainerConfigError', 'message': 'missing value for NOPE'}
        assert names(pods.prefix)['side'] == 'running'
        events = ok(pods.run({'name': name}, module='hostpods.core.pod_info'))['events']
        assert {e['involvedObject'].get('fieldPath'): e['message'] for e in events if e['reason'] == 'Failed'
                and e['source']['component'] == 'hostpods'} == {
                    'spec.containers{app}': "Error: unable to provision SubPath `a/../..`: must not contain '..'",
                    'spec.containers{other}': 'Error: missing value for NOPE'}
    finally:
        ok(pods.apply(manifest, state='absent'))
    assert containers(pods.prefix) == {}


def test_sub_path_and_sub_path_expr_together_are_refused_before_anything_runs(pods):
    name = pods.name('exprboth')
    manifest = pod(name, [sleeper('app', volumeMounts=[vm('data', '/mnt', subPath='a', subPathExpr='$(X)')])],
                   volumes=[{'name': 'data', 'emptyDir': {}}])
    result = pods.apply(manifest)
    assert result.get('failed')
    assert ('spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "$(X)": subPathExpr and subPath are '
            'mutually exclusive') in result['msg'], result['msg']
    assert containers(pods.prefix) == {}
