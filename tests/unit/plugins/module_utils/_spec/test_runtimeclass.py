"""Unit tests of _spec.runtimeclass: RuntimeClass objects, the RuntimeClass admission plugin as load_manifests applies
it to a batch, the handler on the engine's bodies and in the pod hash, and the engine's runtimes."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._plan import translate
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass

from hostpods_fakes import UID, doc


def klass(name, handler='runc', **extra):
    out = {'apiVersion': 'node.k8s.io/v1', 'kind': 'RuntimeClass', 'metadata': {'name': name}, 'handler': handler}
    out.update(extra)
    return out


def load(*documents, check_schema=False):
    return manifest.load_manifests([(item, 'm.yaml') for item in documents], check_schema=check_schema)


def problems(*documents, check_schema=False):
    with pytest.raises(ManifestError) as info:
        load(*documents, check_schema=check_schema)
    return info.value.details['errors']


def test_a_class_of_the_batch_gives_its_handler_overhead_and_scheduling_in_any_order():
    placing = {'nodeSelector': {'sandbox': 'yes'}, 'tolerations': [{'key': 'sandbox', 'operator': 'Exists'}]}
    pods, others = load(doc('web', runtimeClassName='safe', nodeSelector={'zone': 'a'},
                            tolerations=[{'key': 'sandbox', 'operator': 'Exists'}, {'operator': 'Exists'}]),
                        klass('safe', 'runc', overhead={'podFixed': {'cpu': '250m', 'memory': '64Mi'}}, scheduling=placing),
                        check_schema=True)
    assert others == []  # a node keeps no RuntimeClass
    [pod] = pods
    assert runtimeclass.handler(pod) == 'runc' and 'runtimeHandler' not in pod['spec']
    assert pod['spec']['overhead'] == {'cpu': '250m', 'memory': '64Mi'}
    assert pod['spec']['nodeSelector'] == {'zone': 'a', 'sandbox': 'yes'}
    assert pod['spec']['tolerations'] == [{'key': 'sandbox', 'operator': 'Exists'}, {'operator': 'Exists'}]


def test_a_pod_without_a_class_has_no_handler():
    [pod], dummy = load(doc('web'), klass('safe'))
    assert runtimeclass.handler(pod) == '' and 'runtimeHandler' not in pod


def test_a_class_that_is_not_in_the_apply_refuses_the_pod():
    assert problems(doc('web', runtimeClassName='gvisor'), klass('other')) == [
        'm.yaml Pod "web": pods "web" is forbidden: pod rejected: RuntimeClass "gvisor" not found']


@pytest.mark.parametrize('overhead, fixed, expected', [
    ({'cpu': '0.25'}, {'cpu': '250m'}, None),  # the same quantity: admitted
    ({'cpu': '1'}, {'cpu': '250m'}, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"),
    ({'cpu': '1'}, None, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead'),
])
def test_a_pod_that_sets_its_own_overhead(overhead, fixed, expected):
    extra = {'overhead': {'podFixed': fixed}} if fixed else {}
    documents = (doc('web', runtimeClassName='safe', overhead=overhead), klass('safe', **extra))
    if expected is None:
        [pod], dummy = load(*documents)
        assert pod['spec']['overhead'] == fixed
    else:
        assert problems(*documents) == ['m.yaml Pod "web": pods "web" is forbidden: ' + expected]


def test_a_node_selector_that_conflicts_with_the_class_refuses_the_pod():
    assert problems(doc('web', runtimeClassName='safe', nodeSelector={'sandbox': 'no'}),
                    klass('safe', scheduling={'nodeSelector': {'sandbox': 'yes'}})) == [
        'm.yaml Pod "web": pods "web" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[sandbox] = yes; '
        'pod.spec.nodeSelector[sandbox] = no']


def test_runtime_classes_are_validated_as_the_api_server_does():
    errors = problems(doc('web'), klass('Bad_Name', handler='Not A Label',
                                        overhead={'podFixed': {'cpu': '-1'}},
                                        scheduling={'tolerations': [{'operator': 'Sometimes'}]}))
    [line] = errors
    for part in ('RuntimeClass "Bad_Name": metadata.name: Invalid value: "Bad_Name"', 'handler: Invalid value: "Not A Label"',
                 'overhead.podFixed[cpu]: Invalid value: "-1"', 'scheduling.tolerations[0].operator'):
        assert part in line, line
    assert problems(klass('safe', handler='')) == ['m.yaml RuntimeClass "safe": handler: Required value']
    assert problems(doc('web', runtimeClassName='Not_A_Name'))[0].startswith(
        'm.yaml Pod "web": spec.runtimeClassName: Invalid value: "Not_A_Name"')


def test_the_handler_is_the_engines_runtime_and_part_of_the_pod_hash():
    [pod], dummy = load(doc('web', runtimeClassName='safe'), klass('safe', 'runc'))
    pod['metadata']['uid'] = UID
    [plain], dummy = load(doc('web'))
    plain['metadata']['uid'] = UID
    assert translate.sandbox_body(pod, 0, 'pause')['HostConfig']['Runtime'] == 'runc'
    assert 'Runtime' not in translate.sandbox_body(plain, 0, 'pause')['HostConfig']
    body = translate.container_body(pod, pod['spec']['containers'][0], 'container', 0, 'sandbox', 'pause')
    assert body['HostConfig']['Runtime'] == 'runc'
    other = dict(pod, runtimeHandler='kata')
    assert naming.pod_hash(other, 'pause') != naming.pod_hash(pod, 'pause')
    # a pod under no class hashes as before RuntimeClasses were taken: its running sandbox is kept
    spec = dict(plain['spec'], containers=[{k: v for k, v in c.items() if k != 'image'} for c in plain['spec']['containers']])
    assert naming.pod_hash(plain, 'pause') == naming.short_hash({'spec': spec, 'sandboxImage': 'pause'})


@pytest.mark.parametrize('handler, engine, ok', [
    ('runc', {'runtimes': ['io.containerd.runc.v2', 'runc'], 'defaultRuntime': 'runc'}, True),
    ('crun', {'runtimes': ['runc'], 'defaultRuntime': 'crun'}, True),   # the engine's default
    ('kata', {}, True),   # the engine's runtimes unknown: its own refusal says it
    ('kata', {'runtimes': ['io.containerd.runc.v2', 'runc'], 'defaultRuntime': 'runc'}, False),
])
def test_a_handler_the_engine_does_not_have(handler, engine, ok):
    problem = runtimeclass.engine_problem('safe', handler, engine)
    if ok:
        assert problem == ''
    else:
        assert problem == ('Failed to create pod sandbox: no runtime for "kata" is configured: RuntimeClass "safe" '
                           'names the handler "kata", and the node\'s Docker engine has the runtimes '
                           '"io.containerd.runc.v2", "runc" (default runc)')
