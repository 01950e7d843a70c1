"""Unit tests of _fields.check_fields: every unsupported or mistyped field is named by its path."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import fields
from ansible_collections.hostpods.core.plugins.module_utils._spec.fields import POD, Ignored, ListOf, Only, check_fields


def check(value, tree=None, path=''):
    errors = []
    tree = POD if tree is None else tree
    check_fields(value, tree, path, errors)
    return errors


def minimal_pod(**spec):
    body = {'containers': [{'name': 'c', 'image': 'busybox'}]}
    body.update(spec)
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'p'}, 'spec': body}


def test_full_supported_pod_has_no_errors():
    container = {
        'name': 'c', 'image': 'busybox:1.35', 'imagePullPolicy': 'IfNotPresent', 'command': ['sh', '-c'],
        'args': ['echo hi'], 'workingDir': '/tmp', 'env': [{'name': 'A', 'value': '1'}],
        'ports': [{'name': 'http', 'containerPort': 80, 'hostPort': 8080, 'hostIP': '127.0.0.1', 'protocol': 'TCP'}],
        'volumeMounts': [{'name': 'v', 'mountPath': '/v', 'readOnly': True, 'subPath': 'x'}],
        'resources': {}, 'terminationMessagePath': '/dev/termination-log', 'terminationMessagePolicy': 'File',
        'stdin': False, 'stdinOnce': False, 'tty': False,
    }
    pod = {
        'apiVersion': 'v1', 'kind': 'Pod', 'status': {'anything': ['goes']},
        'metadata': {'name': 'p', 'namespace': 'n', 'labels': {'a': 'b'}, 'annotations': {'x': 'y'},
                     'creationTimestamp': '2024-01-01T00:00:00Z'},
        'spec': {
            'containers': [container], 'initContainers': [dict(container, name='i')],
            'volumes': [{'name': 'v', 'emptyDir': {'medium': 'Memory', 'sizeLimit': '64Mi'}},
                        {'name': 'h', 'hostPath': {'path': '/srv', 'type': 'Directory'}},
                        {'name': 'c', 'persistentVolumeClaim': {'claimName': 'data', 'readOnly': True}},
                        {'name': 'q', 'emptyDir': {'sizeLimit': 1024}}],
            'restartPolicy': 'Never', 'terminationGracePeriodSeconds': 5, 'shareProcessNamespace': True,
            'hostname': 'h', 'dnsPolicy': 'Default', 'schedulerName': 'default-scheduler',
            'enableServiceLinks': False, 'securityContext': {},
        },
    }
    assert check(pod) == []


@pytest.mark.parametrize('mutate, expected', [
    (lambda p: p.update(extra=1), ['extra: field not supported by hostpods yet']),
    (lambda p: p['spec'].update(hostnameOverride='x'), ['spec.hostnameOverride: field not supported by hostpods yet']),
    (lambda p: p['spec']['containers'][0].update(volumeDevices=[]),
     ['spec.containers[0].volumeDevices: field not supported by hostpods yet']),
    (lambda p: p['spec'].update(volumes=[{'name': 'v', 'someDriver': {'server': 's'}}]),
     ['spec.volumes[0].someDriver: field not supported by hostpods yet']),
    (lambda p: p['spec'].update(volumes=[{'name': 'v', 'emptyDir': {'medium': 'Memory', 'size': 1}}]),
     ['spec.volumes[0].emptyDir.size: field not supported by hostpods yet']),
    (lambda p: p['spec']['containers'][0].update(ports=[{'containerPort': 80, 'hostIp': 'x'}]),
     ['spec.containers[0].ports[0].hostIp: field not supported by hostpods yet']),
])
def test_unknown_fields_are_named_by_path(mutate, expected):
    pod = minimal_pod()
    mutate(pod)
    assert check(pod) == expected


@pytest.mark.parametrize('mutate, expected', [
    (lambda p: p['metadata'].update(name=5), 'metadata.name: Invalid value: 5: must be a string'),
    (lambda p: p['spec'].update(terminationGracePeriodSeconds='30'),
     'spec.terminationGracePeriodSeconds: Invalid value: "30": must be an integer'),
    # a bool is not an integer, although Python says so
    (lambda p: p['spec'].update(terminationGracePeriodSeconds=True),
     'spec.terminationGracePeriodSeconds: Invalid value: true: must be an integer'),
    (lambda p: p['spec'].update(shareProcessNamespace='yes'),
     'spec.shareProcessNamespace: Invalid value: "yes": must be a boolean'),
    (lambda p: p['metadata'].update(labels={'a': 1}), 'metadata.labels.a: Invalid value: 1: must be a string'),
    (lambda p: p['metadata'].update(labels=['a']), 'metadata.labels: Invalid value: a list: must be a map of strings'),
    (lambda p: p['spec']['containers'][0].update(command='sh -c x'),
     'spec.containers[0].command: Invalid value: "sh -c x": must be a list of strings'),
    (lambda p: p['spec']['containers'][0].update(args=['a', 1]),
     'spec.containers[0].args[1]: Invalid value: 1: must be a string'),
    (lambda p: p['spec'].update(containers={'name': 'c'}), 'spec.containers: Invalid value: a map: must be a list'),
    (lambda p: p['spec'].update(volumes=[{'name': 'v', 'emptyDir': {'sizeLimit': True}}]),
     'spec.volumes[0].emptyDir.sizeLimit: Invalid value: true: must be a quantity (a string such as "100m" or "64Mi", '
     'or a number)'),
    (lambda p: p.update(spec='text'), 'spec: Invalid value: "text": must be a map'),
    (lambda p: p['spec']['containers'].append('text'), 'spec.containers[1]: Invalid value: "text": must be a map'),
])
def test_wrong_types(mutate, expected):
    pod = minimal_pod()
    mutate(pod)
    assert check(pod) == [expected]


@pytest.mark.parametrize('amount', [0.5, 1.5e9, 2, '250m', '1.5e9'])
def test_numbers_are_quantities_too(amount):
    # cpu: 0.5 and memory: 1.5e9 are valid Kubernetes (a quantity is a string or a number)
    pod = minimal_pod()
    pod['spec']['containers'][0]['resources'] = {'limits': {'cpu': amount, 'memory': amount}}
    pod['spec']['volumes'] = [{'name': 'v', 'emptyDir': {'sizeLimit': amount}}]
    assert check(pod) == []


@pytest.mark.parametrize('source, why', [
    ('awsElasticBlockStore', "needs an AWS EBS volume, a cloud provider's disk"),
    ('csi', 'needs a CSI driver, which only a kubelet registers and calls'),
    ('iscsi', 'needs an iSCSI target, a block device the node attaches'),
    ('nfs', 'needs an NFS mount, which hostpods does not make (a hostPath on an NFS mount the node made works)'),
    ('gitRepo', 'is deprecated and disabled in Kubernetes'),
])
def test_volumes_a_docker_host_cannot_have_are_refused_with_the_reason(source, why):
    pod = minimal_pod(volumes=[{'name': 'v', source: {'anything': 1}}])
    [error] = check(pod)
    assert error.startswith('spec.volumes[0].%s: not supported by hostpods: %s' % (source, why)), error
    assert fields.support(['spec', 'volumes', source])[0] == 'refused'
    assert fields.support(['spec', 'volumes', source, 'anything'])[0] == 'refused'


DRA_WHY = ("needs dynamic resource allocation: ResourceClaims allocated by an API server's scheduler and a DRA driver "
           "on the node, which a Docker host has neither of")


def test_dynamic_resource_allocation_is_refused_with_the_reason():
    pod = minimal_pod(resourceClaims=[{'name': 'gpu', 'resourceClaimName': 'gpu-claim'}])
    pod['spec']['containers'][0]['resources'] = {'claims': [{'name': 'gpu'}], 'limits': {'cpu': '1'}}
    assert check(pod) == ['spec.containers[0].resources.claims: not supported by hostpods: ' + DRA_WHY,
                          'spec.resourceClaims: not supported by hostpods: ' + DRA_WHY]
    assert fields.support(['spec', 'resourceClaims']) == ('refused', 'refused: ' + DRA_WHY)


def test_every_volume_source_of_kubernetes_is_supported_or_refused_with_a_reason():
    kubernetes = {'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI',
                  'emptyDir', 'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs',
                  'hostPath', 'image', 'iscsi', 'name', 'nfs', 'persistentVolumeClaim', 'photonPersistentDisk',
                  'portworxVolume', 'projected', 'quobyte', 'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume'}
    assert kubernetes <= set(fields.VOLUME)  # image volumes included


def test_null_is_the_same_as_unset():
    pod = minimal_pod()
    pod['spec']['volumes'] = [{'name': 'v', 'emptyDir': None}]
    pod['metadata']['labels'] = None
    assert check(pod) == []


def test_not_a_mapping_at_the_top():
    assert check(['a']) == ['document: Invalid value: a list: must be a map']


@pytest.mark.parametrize('value, expected', [
    ('a', []),
    ('other', ['spec.mode: Unsupported value: "other": not supported by hostpods, which takes only "a" (only a is built)']),
    (3, ['spec.mode: Invalid value: 3: must be a string']),
])
def test_only_leaves_restrict_values(value, expected):
    tree = {'spec': {'mode': Only(fields.STR, ['a'], 'only a is built')}}
    assert check({'spec': {'mode': value}}, tree) == expected


@pytest.mark.parametrize('field, value, fragment', [
    ('hostUsers', False, 'spec.hostUsers: Unsupported value: false: not supported by hostpods, which takes only true ('),
])
def test_only_leaves_of_the_pod_restrict_values(field, value, fragment):
    errors = check(minimal_pod(**{field: value}))
    assert len(errors) == 1 and errors[0].startswith(fragment)


def test_any_scheduler_name_is_a_string_field():
    assert check(minimal_pod(schedulerName='my-scheduler')) == []


@pytest.mark.parametrize('policy', ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'])
def test_supported_dns_policies(policy):
    assert check(minimal_pod(dnsPolicy=policy)) == []


def test_every_problem_is_reported_not_just_the_first():
    pod = minimal_pod(hostnameOverride='x', hostPID='yes')
    pod['spec']['containers'][0].update(volumeDevices=[], tty='no')
    errors = check(pod)
    assert sorted(errors) == sorted([
        'spec.hostnameOverride: field not supported by hostpods yet',
        'spec.hostPID: Invalid value: "yes": must be a boolean',
        'spec.containers[0].volumeDevices: field not supported by hostpods yet',
        'spec.containers[0].tty: Invalid value: "no": must be a boolean',
    ])


def test_ignored_subtree_is_not_checked():
    assert check({'status': {'x': object()}}, {'status': Ignored('why')}) == []


def test_custom_trees():
    tree = {'items': ListOf({'n': fields.INT}), 'mode': Only(fields.STR, ['a'], 'only a')}
    assert check({'items': [{'n': 1}, {'n': 'x'}], 'mode': 'b'}, tree, 'root') == [
        'root.items[1].n: Invalid value: "x": must be an integer',
        'root.mode: Unsupported value: "b": not supported by hostpods, which takes only "a" (only a)',
    ]


def test_errors_are_appended_to_the_given_list():
    errors = ['earlier']
    check_fields({'x': 1}, {}, 'p', errors)
    assert errors == ['earlier', 'p.x: field not supported by hostpods yet']


def test_security_context_fields():
    assert check(minimal_pod(securityContext={'runAsUser': 1000, 'fsGroup': 2000, 'supplementalGroups': [3, 4]})) == []
    assert check(minimal_pod(securityContext={'fsGroup': 2000, 'fsGroupChangePolicy': 'OnRootMismatch'})) == []
    assert check(minimal_pod(securityContext={'fsGroupChangePolicy': 1})) == [
        'spec.securityContext.fsGroupChangePolicy: Invalid value: 1: must be a string']
    assert check(minimal_pod(securityContext={'supplementalGroups': ['a']})) == [
        'spec.securityContext.supplementalGroups[0]: Invalid value: "a": must be an integer']
    assert check(minimal_pod(securityContext='x')) == ['spec.securityContext: Invalid value: "x": must be a map']


def test_sub_path_expr_is_a_supported_field():
    """``subPathExpr`` is taken (expanded when the container is made, then made safe as a subPath)."""
    pod = minimal_pod(containers=[{'name': 'c', 'image': 'busybox',
                                   'volumeMounts': [{'name': 'v', 'mountPath': '/v', 'subPathExpr': '$(POD_NAME)'}]}])
    assert check(pod) == []
    assert fields.support(['spec', 'containers', 'volumeMounts', 'subPathExpr'])[0] == 'supported'


def test_a_stand_in_leaves_out_the_values_of_the_wrong_type():
    pod = minimal_pod(hostPID='yes')
    pod['spec']['containers'].append('text')
    errors, mistyped = [], []
    check_fields(pod, POD, '', errors, mistyped)
    assert sorted(mistyped, key=str) == sorted([(('spec', 'hostPID'), False), (('spec', 'containers', 1), {})], key=str)
    stand_in = fields.stand_in(pod, mistyped)
    assert 'hostPID' not in stand_in['spec'] and stand_in['spec']['containers'][1] == {}
    assert pod['spec']['hostPID'] == 'yes' and pod['spec']['containers'][1] == 'text'   # the manifest is untouched
    assert fields.stand_in(pod, []) is pod                                              # nothing to leave out: no copy
    assert fields.stand_in(['a'], [((), {})]) is None                                   # not a map at all


def test_support_of_the_fields_only_a_control_plane_or_some_engines_take():
    assert fields.support(['metadata', 'finalizers'])[0] == 'supported'
    assert 'the apply warns' in fields.support(['metadata', 'ownerReferences'])[1]
    kind, note = fields.support(['spec', 'volumes', 'image'])  # the node refuses it only where nobody can mount it
    assert kind == 'supported' and "the engine's image mount (Docker 28, API 1.48)" in note and 'overlay2' in note
    assert fields.support(['metadata', 'generateName']) == (
        'supported', 'supported: kept beside metadata.name, which wins as on the API server; alone it is refused, as kubectl '
                     'apply refuses it (an apply finds its object by name)')
