"""Unit tests of _manifest: reading, defaulting and validating Pod manifests (pure)."""

import copy
import json

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

from hostpods_fakes import container, doc

DIGEST = 'sha256:' + '0123456789abcdef' * 4

ABSOLUTE = 'must be an absolute Linux path on hostpods (a limit of hostpods on Docker, not of Kubernetes, ' \
           'which takes Windows paths too)'


def load_one(document, **kwargs):
    return manifest.load_pods([(document, 'm.yaml')], **kwargs)[0]


def errors_of(document, **kwargs):
    with pytest.raises(ManifestError) as info:
        manifest.load_pods([(document, 'm.yaml')], **kwargs)
    return info.value.details['errors']


def semantic(document, namespace='default'):
    return manifest.semantic_errors(manifest.apply_defaults(document, namespace))


# ----------------------------------------------------------------------------- parse_text

def test_parse_text_splits_documents_and_skips_empty_ones():
    text = 'kind: Pod\nmetadata: {name: a}\n---\n---\nkind: Pod\nmetadata: {name: b}\n'
    docs = manifest.parse_text(text, 'pods.yaml')
    assert [d['metadata']['name'] for d, _origin in docs] == ['a', 'b']
    assert [origin for _d, origin in docs] == ['pods.yaml (document 1)', 'pods.yaml (document 2)']


def test_parse_text_reads_json():
    text = json.dumps({'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'j'}})
    [(document, _origin)] = manifest.parse_text(text)
    assert document['metadata']['name'] == 'j'


@pytest.mark.parametrize('text, where, problem', [
    # an unclosed flow sequence: the parser notices at the end of the stream (line 4, column 1)
    ('a: 1\nb: [1,\n  c: d\n', 'f.yaml:4:1', "expected ',' or ']'"),
    # a mapping value where none may be: line 2, column 4 (libyaml's wording, or PyYAML's without it)
    ('a: 1\n  b: 2\n', 'f.yaml:2:4',
     ('mapping values are not allowed in this context', 'mapping values are not allowed here')),
    # a tab for indentation, line 3 column 1
    ('a:\n  b: 1\n\tc: 2\n', 'f.yaml:3:1', ('found a tab character that violates indentation', 'found character')),
])
def test_parse_text_reports_file_line_and_column(text, where, problem):
    with pytest.raises(ManifestError) as info:
        manifest.parse_text(text, 'f.yaml')
    msg = info.value.msg
    assert msg.startswith(where + ': cannot parse manifest: ')
    assert any(wording in msg for wording in (problem if isinstance(problem, tuple) else (problem,))), msg
    assert info.value.details['source'] == 'f.yaml'


# ----------------------------------------------------------------------------- collect_documents

def test_collect_documents_dict():
    document = doc('a')
    assert manifest.collect_documents(document) == [(document, 'definition')]


def test_collect_documents_list_of_dicts_and_strings():
    text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\n'
    docs = manifest.collect_documents([doc('a'), text])
    assert [d['metadata']['name'] for d, _o in docs] == ['a', 'b', 'c']
    assert [o for _d, o in docs] == ['definition[0]', 'definition[1] (document 1)', 'definition[1] (document 2)']


def test_collect_documents_string_with_kind_list_is_expanded():
    text = '\n'.join([
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- {apiVersion: v1, kind: Pod, metadata: {name: a}}',
        '- {apiVersion: v1, kind: Pod, metadata: {name: b}}',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: c}',
    ])
    docs = manifest.collect_documents(text, 'src.yaml')
    assert [d['metadata']['name'] for d, _o in docs] == ['a', 'b', 'c']
    assert docs[1][1] == 'src.yaml (document 1) item 2'
    assert all(d['kind'] == 'Pod' for d, _o in docs)


def test_collect_documents_expands_pod_list_dict_and_nested_lists():
    nested = {'apiVersion': 'v1', 'kind': 'PodList', 'items': [
        doc('a'), {'apiVersion': 'v1', 'kind': 'List', 'items': [doc('b'), doc('c')]}]}
    docs = manifest.collect_documents(nested)
    assert [d['metadata']['name'] for d, _o in docs] == ['a', 'b', 'c']


def test_collect_documents_empty_text_gives_nothing():
    assert manifest.collect_documents('') == []
    assert manifest.collect_documents('---\n') == []


@pytest.mark.parametrize('value', [42, None, 3.5])
def test_collect_documents_refuses_other_types(value):
    with pytest.raises(ManifestError, match='must be a dict, a list of dicts or YAML/JSON text'):
        manifest.collect_documents(value)


def test_collect_documents_bad_yaml_in_list_names_the_item():
    with pytest.raises(ManifestError) as info:
        manifest.collect_documents([doc('a'), 'a: [1,\n'])
    assert info.value.msg.startswith('definition[1]:')


# ----------------------------------------------------------------------------- defaults

@pytest.mark.parametrize('image, policy', [
    ('busybox', 'Always'),                              # no tag = latest
    ('busybox:latest', 'Always'),
    ('busybox:1.35', 'IfNotPresent'),
    ('docker.io/library/busybox', 'Always'),
    ('hostpods/busybox:1.35', 'IfNotPresent'),
    ('localhost:5000/busybox', 'Always'),               # the port is not a tag
    ('localhost:5000/busybox:1.0', 'IfNotPresent'),
    ('localhost:5000/team/busybox:latest', 'Always'),
    ('busybox@' + DIGEST, 'IfNotPresent'),              # a digest without a tag
    ('busybox:1.35@' + DIGEST, 'IfNotPresent'),
    # ParseImageName keeps the tag "latest" next to a digest, and SetDefaults_Container
    # only looks at the tag: Always.
    ('busybox:latest@' + DIGEST, 'Always'),
])
def test_default_image_pull_policy(image, policy):
    pod = manifest.apply_defaults(doc(containers=[container('c', image)], init=[container('i', image)]), 'default')
    assert pod['spec']['containers'][0]['imagePullPolicy'] == policy
    assert pod['spec']['initContainers'][0]['imagePullPolicy'] == policy


def test_explicit_pull_policy_is_kept():
    pod = manifest.apply_defaults(doc(containers=[container('c', 'busybox', imagePullPolicy='Never')]), 'default')
    assert pod['spec']['containers'][0]['imagePullPolicy'] == 'Never'


def test_apply_defaults_sets_api_server_defaults():
    raw = doc(containers=[container('c', ports=[{'containerPort': 80}])],
              volumes=[{'name': 'scratch'}, {'name': 'h', 'hostPath': {'path': '/srv'}}])
    raw['status'] = {'phase': 'Running'}
    raw['metadata']['creationTimestamp'] = None
    pod = manifest.apply_defaults(raw, 'team-a')
    meta, spec = pod['metadata'], pod['spec']
    assert meta['namespace'] == 'team-a'
    assert meta['labels'] == {} and meta['annotations'] == {}
    assert 'creationTimestamp' not in meta and 'status' not in pod
    assert spec['restartPolicy'] == 'Always'
    assert spec['terminationGracePeriodSeconds'] == 30
    assert spec['dnsPolicy'] == 'ClusterFirst'
    assert spec['schedulerName'] == 'default-scheduler'
    assert spec['securityContext'] == {}
    assert spec['enableServiceLinks'] is True
    c = spec['containers'][0]
    assert c['terminationMessagePath'] == '/dev/termination-log'
    assert c['terminationMessagePolicy'] == 'File'
    assert c['ports'] == [{'containerPort': 80, 'protocol': 'TCP'}]
    # a volume with no source is an emptyDir; hostPath.type defaults to ""
    assert spec['volumes'][0] == {'name': 'scratch', 'emptyDir': {}}
    assert spec['volumes'][1]['hostPath'] == {'path': '/srv', 'type': ''}
    assert 'initContainers' not in spec


def test_apply_defaults_keeps_explicit_values_and_manifest_namespace():
    raw = doc(namespace='prod', restartPolicy='Never', terminationGracePeriodSeconds=5,
              containers=[container('c', ports=[{'containerPort': 53, 'protocol': 'UDP'}])])
    pod = manifest.apply_defaults(raw, 'default')
    assert pod['metadata']['namespace'] == 'prod'
    assert pod['spec']['restartPolicy'] == 'Never'
    assert pod['spec']['terminationGracePeriodSeconds'] == 5
    assert pod['spec']['containers'][0]['ports'][0]['protocol'] == 'UDP'


def test_apply_defaults_does_not_touch_its_input():
    raw = doc(volumes=[{'name': 'v'}])
    before = copy.deepcopy(raw)
    manifest.apply_defaults(raw, 'default')
    assert raw == before


def test_apply_defaults_is_idempotent():
    once = manifest.apply_defaults(doc(init=[container('i')], volumes=[{'name': 'v'}]), 'default')
    assert manifest.apply_defaults(once, 'default') == once


def test_empty_lists_are_the_same_as_missing_ones():
    # the stored pod (and so the spec hash) must not differ between `args: []` and no args
    bare = manifest.apply_defaults(doc(containers=[container('c')]), 'default')
    empty = manifest.apply_defaults(doc(containers=[container('c', command=[], args=[], env=[], ports=[],
                                                              volumeMounts=[])],
                                        initContainers=[], volumes=[]), 'default')
    assert bare == empty


# ----------------------------------------------------------------------------- semantic errors

def test_valid_pod_has_no_semantic_errors():
    raw = doc('web.example-1', namespace='team-a', hostname='web-1',
              init=[container('setup', volumeMounts=[{'name': 'data', 'mountPath': '/data', 'subPath': 'a/b'}])],
              containers=[container('app', ports=[{'containerPort': 80, 'hostPort': 8080}],
                                    volumeMounts=[{'name': 'data', 'mountPath': '/data'}])],
              volumes=[{'name': 'data', 'emptyDir': {}}])
    assert semantic(raw) == []


@pytest.mark.parametrize('name, expected', [
    ('Web', 'metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain'),
    ('web_1', 'metadata.name: Invalid value: "web_1": a lowercase RFC 1123 subdomain'),
    ('-web', 'metadata.name: Invalid value: "-web"'),
    ('web-', 'metadata.name: Invalid value: "web-"'),
    ('a' * 254, 'must be no more than 253 characters'),
    ('', 'metadata.name: Required value'),
])
def test_pod_name_must_be_a_dns1123_subdomain(name, expected):
    assert any(expected in e for e in semantic(doc(name)))


@pytest.mark.parametrize('name', ['web', 'web.example.com', 'a' * 253, '0web', 'a-b.c-d'])
def test_valid_pod_names(name):
    assert semantic(doc(name)) == []


def test_missing_metadata_name_is_required():
    raw = doc()
    del raw['metadata']['name']
    assert 'metadata.name: Required value' in semantic(raw)


@pytest.mark.parametrize('namespace, ok', [
    ('team-a', True), ('a' * 63, True), ('a' * 64, False), ('team.a', False), ('Team', False),
])
def test_namespace_must_be_a_dns1123_label(namespace, ok):
    errors = semantic(doc(namespace=namespace))
    assert (errors == []) == ok
    if not ok:
        assert errors[0].startswith('metadata.namespace: Invalid value: "%s"' % namespace)


@pytest.mark.parametrize('name, ok', [
    ('app', True), ('a' * 63, True), ('a' * 64, False), ('app.v1', False), ('App', False), ('app_1', False),
])
def test_container_name_must_be_a_dns1123_label(name, ok):
    errors = semantic(doc(containers=[container(name)]))
    assert (errors == []) == ok
    if not ok:
        assert errors[0].startswith('spec.containers[0].name: Invalid value: "%s"' % name)


def test_hostname_must_be_a_dns1123_label():
    assert semantic(doc(hostname='web-1')) == []
    errors = semantic(doc(hostname='web.example'))
    assert errors == ['spec.hostname: Invalid value: "web.example": ' + podspec.LABEL_MSG]


def test_duplicate_container_names_across_init_and_app():
    errors = semantic(doc(init=[container('app')], containers=[container('app'), container('side')]))
    assert errors == ['spec.containers[0].name: Duplicate value: "app"']


def test_duplicate_container_names_among_app_containers():
    errors = semantic(doc(containers=[container('a'), container('b'), container('a')]))
    assert errors == ['spec.containers[2].name: Duplicate value: "a"']


def test_containers_are_required():
    assert 'spec.containers: Required value' in semantic(doc(containers=[]))


@pytest.mark.parametrize('policy, ok', [('Always', True), ('OnFailure', True), ('Never', True),
                                        ('always', False), ('Sometimes', False)])
def test_restart_policy_values(policy, ok):
    errors = semantic(doc(restartPolicy=policy))
    if ok:
        assert errors == []
    else:
        assert errors == ['spec.restartPolicy: Unsupported value: "%s": supported values: '
                          '"Always", "OnFailure", "Never"' % policy]


@pytest.mark.parametrize('policy', ['Sometimes', 'always'])
def test_image_pull_policy_values(policy):
    errors = semantic(doc(containers=[container('c', imagePullPolicy=policy)]))
    assert errors == ['spec.containers[0].imagePullPolicy: Unsupported value: "%s": supported values: '
                      '"Always", "IfNotPresent", "Never"' % policy]


def test_image_is_required_and_must_not_have_surrounding_spaces():
    raw = doc(containers=[{'name': 'a'}, container('b', ' busybox')])
    errors = semantic(raw)
    assert 'spec.containers[0].image: Required value' in errors
    assert any(e.startswith('spec.containers[1].image: Invalid value: " busybox"') for e in errors)


def test_volume_mount_must_name_a_volume():
    raw = doc(containers=[container('c', volumeMounts=[{'name': 'nope', 'mountPath': '/x'}])],
              volumes=[{'name': 'data', 'emptyDir': {}}])
    assert semantic(raw) == ['spec.containers[0].volumeMounts[0].name: Not found: "nope"']


def test_volume_mount_in_init_container_must_name_a_volume():
    raw = doc(init=[container('i', volumeMounts=[{'name': 'nope', 'mountPath': '/x'}])])
    assert semantic(raw) == ['spec.initContainers[0].volumeMounts[0].name: Not found: "nope"']


@pytest.mark.parametrize('field, path, ok', [
    ('subPath', 'a', True),
    ('subPath', 'a/b', True),
    ('subPath', 'a..b', True),
    ('subPath', '..a', True),
    ('subPath', '..', False),
    ('subPath', 'a/../b', False),
    ('subPath', 'a/..', False),
    ('subPath', '/abs', False),
    ('subPathExpr', '$(POD_NAME)', True),
    ('subPathExpr', 'logs/$(POD_NAME)', True),
    ('subPathExpr', '$(A)..$(B)', True),
    ('subPathExpr', '../$(POD_NAME)', False),
    ('subPathExpr', '$(A)/..', False),
    ('subPathExpr', '/$(POD_NAME)', False),
])
def test_sub_path_and_sub_path_expr_must_be_relative_without_dotdot(field, path, ok):
    raw = doc(containers=[container('c', volumeMounts=[{'name': 'v', 'mountPath': '/x', field: path}])],
              volumes=[{'name': 'v', 'emptyDir': {}}])
    errors = semantic(raw)
    if ok:
        assert errors == []
    else:
        assert errors == ["spec.containers[0].volumeMounts[0].%s: Invalid value: \"%s\": "
                          "must be a relative path without '..'" % (field, path)]


def test_sub_path_and_sub_path_expr_are_mutually_exclusive():
    mount = {'name': 'v', 'mountPath': '/x', 'subPath': 'a', 'subPathExpr': '$(POD_NAME)'}
    raw = doc(initContainers=[container('i', volumeMounts=[mount])],
              volumes=[{'name': 'v', 'emptyDir': {}}])
    assert semantic(raw) == ['spec.initContainers[0].volumeMounts[0].subPathExpr: Invalid value: "$(POD_NAME)": '
                             'subPathExpr and subPath are mutually exclusive']


def test_mount_paths_must_be_absolute_and_unique():
    raw = doc(containers=[container('c', volumeMounts=[
        {'name': 'v', 'mountPath': '/x'}, {'name': 'v', 'mountPath': '/x'}, {'name': 'v', 'mountPath': 'rel'},
        {'name': 'v'}])], volumes=[{'name': 'v', 'emptyDir': {}}])
    assert semantic(raw) == [
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/x": must be unique',
        'spec.containers[0].volumeMounts[2].mountPath: Invalid value: "rel": ' + ABSOLUTE,
        'spec.containers[0].volumeMounts[3].mountPath: Required value',
    ]


def test_host_port_duplicates_across_app_containers():
    raw = doc(containers=[container('a', ports=[{'containerPort': 80, 'hostPort': 8080}]),
                          container('b', ports=[{'containerPort': 81, 'hostPort': 8080}])])
    errors = semantic(raw)
    assert len(errors) == 1
    assert errors[0].startswith('spec.containers[1].ports[0].hostPort: Duplicate value')
    assert '8080' in errors[0]


@pytest.mark.parametrize('second', [
    {'containerPort': 81, 'hostPort': 8080, 'protocol': 'UDP'},           # other protocol
    {'containerPort': 81, 'hostPort': 8080, 'hostIP': '127.0.0.1'},       # other host IP
    {'containerPort': 81, 'hostPort': 8081},                              # other port
    {'containerPort': 80},                                                # no hostPort at all
])
def test_host_ports_that_do_not_clash(second):
    raw = doc(containers=[container('a', ports=[{'containerPort': 80, 'hostPort': 8080}]),
                          container('b', ports=[second])])
    assert semantic(raw) == []


def test_init_container_host_port_does_not_clash_with_app_containers():
    # init containers run one by one before the app containers (validation checks them one at a time)
    raw = doc(init=[container('i', ports=[{'containerPort': 80, 'hostPort': 8080}])],
              containers=[container('a', ports=[{'containerPort': 80, 'hostPort': 8080}])])
    assert semantic(raw) == []


@pytest.mark.parametrize('port, expected', [
    # as the API server says it: 0 (or nothing) is a missing port, a hostPort of 0 is no hostPort
    ({'containerPort': 0}, 'spec.containers[0].ports[0].containerPort: Required value'),
    ({'containerPort': 65536}, 'containerPort: Invalid value: 65536: must be between 1 and 65535, inclusive'),
    ({}, 'spec.containers[0].ports[0].containerPort: Required value'),
    ({'containerPort': 80, 'hostPort': 70000}, 'hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive'),
    ({'containerPort': 80, 'hostPort': -1}, 'hostPort: Invalid value: -1: must be between 1 and 65535, inclusive'),
    ({'containerPort': 80, 'protocol': 'HTTP'}, 'protocol: Unsupported value: "HTTP": supported values: "TCP", "UDP", "SCTP"'),
])
def test_port_values(port, expected):
    errors = semantic(doc(containers=[container('c', ports=[port])]))
    assert len(errors) == 1 and expected in errors[0]


def test_volume_rules():
    raw = doc(volumes=[
        {'name': 'a', 'emptyDir': {}},
        {'name': 'a', 'emptyDir': {}},
        {'name': 'Bad_Name', 'emptyDir': {}},
        {'name': 'two', 'emptyDir': {}, 'hostPath': {'path': '/srv'}},
        {'name': 'rel', 'hostPath': {'path': 'srv'}},
        {'name': 'dots', 'hostPath': {'path': '/srv/../etc'}},
        {'name': 'kind', 'hostPath': {'path': '/srv', 'type': 'Folder'}},
        {'name': 'mem', 'emptyDir': {'medium': 'Disk'}},
        {'name': 'claim', 'persistentVolumeClaim': {'claimName': 'Data_1'}},
    ])
    errors = semantic(raw)
    expected = [
        'spec.volumes[1].name: Duplicate value: "a"',
        'spec.volumes[2].name: Invalid value: "Bad_Name"',
        'spec.volumes[3]: Forbidden: may not specify more than 1 volume type',
        'spec.volumes[4].hostPath.path: Invalid value: "srv": ' + ABSOLUTE,
        "spec.volumes[5].hostPath.path: Invalid value: \"/srv/../etc\": must not contain '..'",
        'spec.volumes[6].hostPath.type: Unsupported value: "Folder"',
        'spec.volumes[7].emptyDir.medium: Unsupported value: "Disk"',
        'spec.volumes[8].persistentVolumeClaim.claimName: Invalid value: "Data_1"',
    ]
    for want in expected:
        assert any(e.startswith(want) for e in errors), (want, errors)
    assert len(errors) == len(expected)


@pytest.mark.parametrize('kind', ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket',
                                  'CharDevice', 'BlockDevice'])
def test_host_path_types_accepted(kind):
    raw = doc(volumes=[{'name': 'h', 'hostPath': {'path': '/srv', 'type': kind}}])
    assert semantic(raw) == []


def test_env_name_is_required():
    raw = doc(containers=[container('c', env=[{'value': 'x'}, {'name': 'A', 'value': 'b'}])])
    assert semantic(raw) == ['spec.containers[0].env[0].name: Required value']


# ----------------------------------------------------------------------------- load_pods

def test_load_pods_returns_defaulted_pods_in_order():
    pods = manifest.load_pods([(doc('b'), 'x'), (doc('a', namespace='other'), 'y')], namespace='team')
    assert [(p['metadata']['namespace'], p['metadata']['name']) for p in pods] == [('team', 'b'), ('other', 'a')]
    assert pods[0]['spec']['restartPolicy'] == 'Always'


def test_load_pods_raises_one_error_listing_every_problem_of_the_batch():
    documents = [
        (doc('good'), 'a.yaml (document 1)'),
        (doc('Bad'), 'a.yaml (document 2)'),
        ({'apiVersion': 'v1', 'kind': 'Service', 'metadata': {'name': 'svc'}}, 'b.yaml (document 1)'),
        (doc('web', containers=[container('c', volumeDevices=[])]), 'c.yaml (document 1)'),
        ('just text', 'd.yaml (document 1)'),
    ]
    with pytest.raises(ManifestError) as info:
        manifest.load_pods(documents)
    errors = info.value.details['errors']
    assert len(errors) == 4
    assert errors[0].startswith('a.yaml (document 2) Pod "Bad": metadata.name: Invalid value: "Bad"')
    assert errors[1] == ('b.yaml (document 1) Service "svc": kind: Unsupported value: "Service": '
                         'hostpods applies only "Pod", "ConfigMap", "Secret", "PersistentVolumeClaim", "PriorityClass", '
                         '"RuntimeClass" yet')
    assert errors[2] == ('c.yaml (document 1) Pod "web": spec.containers[0].volumeDevices: '
                         'field not supported by hostpods yet')
    assert errors[3] == 'd.yaml (document 1): a manifest must be a mapping, not str'
    assert info.value.msg == 'Invalid manifest: ' + ' | '.join(errors)


def test_load_pods_joins_all_errors_of_one_pod():
    raw = doc('web', restartPolicy='Sometimes', containers=[container('a'), container('a')])
    [error] = errors_of(raw)
    assert error.startswith('m.yaml Pod "web": ')
    assert 'spec.restartPolicy: Unsupported value: "Sometimes"' in error
    assert '; spec.containers[1].name: Duplicate value: "a"' in error


def test_load_pods_refuses_the_same_pod_twice():
    documents = [(doc('web'), 'a.yaml'), (doc('web', namespace='default'), 'b.yaml'), (doc('web', namespace='x'), 'c')]
    with pytest.raises(ManifestError) as info:
        manifest.load_pods(documents)
    assert info.value.details['errors'] == ['b.yaml: Pod "web" in namespace "default" is also defined in a.yaml']


@pytest.mark.parametrize('document, expected', [
    ({'apiVersion': 'v1', 'metadata': {'name': 'a'}}, 'kind: Required value'),
    ({'kind': 'Pod', 'metadata': {'name': 'a'}}, 'apiVersion: Required value'),
    (dict(doc('a'), apiVersion='apps/v1'), 'apiVersion: Unsupported value: "apps/v1": Pod is in apiVersion "v1"'),
    (dict(doc('a'), kind='Deployment'), 'kind: Unsupported value: "Deployment": hostpods applies only "Pod", "ConfigMap", '
                                        '"Secret", "PersistentVolumeClaim", "PriorityClass", "RuntimeClass" yet'),
    (dict(doc('a'), kind='CronJob'), 'kind: Unsupported value: "CronJob": supported values: "Pod", "ConfigMap", "Secret", '
                                     '"PersistentVolumeClaim", "PriorityClass", "RuntimeClass"'),
])
def test_kind_and_api_version(document, expected):
    assert errors_of(document) == ['m.yaml %s "a": ' % document.get('kind', 'Pod') + expected]


@pytest.mark.parametrize('path, fields', [
    ('spec.hostnameOverride', {'hostnameOverride': 'other'}),
    ('spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm', {'affinity': {
        'podAntiAffinity': {'requiredDuringSchedulingIgnoredDuringExecution': [
            {'podAffinityTerm': {}, 'topologyKey': 'kubernetes.io/hostname'}]}}}),
    ('spec.containers[0].volumeDevices', {'containers': [container('c', volumeDevices=[{'name': 'v', 'devicePath': '/dev/xvda'}])]}),
    ('spec.initContainers[0].volumeDevices', {'initContainers': [container('i', volumeDevices=[])]}),
    ('spec.containers[0].env[0].valueFrom.fileKeyRef', {'containers': [container('c', env=[
        {'name': 'A', 'valueFrom': {'fileKeyRef': {'path': 'p', 'key': 'k'}}}])]}),
])
def test_unsupported_fields_are_named_by_path(path, fields):
    raw = doc('a')
    raw['spec'].update(fields)
    assert errors_of(raw) == ['m.yaml Pod "a": %s: field not supported by hostpods yet' % path]


def test_image_volumes_are_validated_and_defaulted_as_the_api_server_does():
    raw = doc('a', volumes=[{'name': 'v', 'image': {'reference': 'busybox'}},
                            {'name': 'w', 'image': {'reference': 'busybox:1.35'}}])
    [pod] = manifest.load_pods([(raw, 'm.yaml')], check_schema=True)
    assert [volume['image']['pullPolicy'] for volume in pod['spec']['volumes']] == ['Always', 'IfNotPresent']
    assert 'emptyDir' not in pod['spec']['volumes'][0]
    bad = doc('a', volumes=[{'name': 'v', 'image': {'pullPolicy': 'Sometimes'}}])
    assert errors_of(bad) == ['m.yaml Pod "a": spec.volumes[0].image.reference: Required value; '
                              'spec.volumes[0].image.pullPolicy: Unsupported value: "Sometimes": supported values: '
                              '"Always", "IfNotPresent", "Never"']


def test_refused_fields_say_why():
    raw = doc('a', volumes=[{'name': 'v', 'csi': {'driver': 'x'}}])
    assert errors_of(raw) == ['m.yaml Pod "a": spec.volumes[0].csi: not supported by hostpods: needs a CSI driver, which '
                              'only a kubelet registers and calls; a Docker host has none']


def test_ephemeral_storage_is_taken_and_its_request_defaults_to_its_limit():
    raw = doc('a', containers=[container('c', resources={'limits': {'ephemeral-storage': '1Gi', 'memory': '1Gi'}})])
    [pod] = manifest.load_pods([(raw, 'm.yaml')])
    assert pod['spec']['containers'][0]['resources']['requests'] == {'ephemeral-storage': '1Gi', 'memory': '1Gi'}
    wanted = {'limits': {'ephemeral-storage': '1Gi'}, 'requests': {'ephemeral-storage': '2Gi'}}
    too_much = doc('a', containers=[container('c', resources=wanted)])
    [error] = errors_of(too_much)
    assert error == ('m.yaml Pod "a": spec.containers[0].resources.requests: Invalid value: "2Gi": must be less than '
                     'or equal to ephemeral-storage limit of 1Gi')


def test_requests_default_to_limits_and_are_validated():
    raw = doc('a', containers=[container('c', resources={'limits': {'cpu': '500m', 'memory': '64Mi'},
                                                         'requests': {'cpu': '250m'}})])
    [pod] = manifest.load_pods([(raw, 'm.yaml')])
    assert pod['spec']['containers'][0]['resources']['requests'] == {'cpu': '250m', 'memory': '64Mi'}
    too_much = doc('a', containers=[container('c', resources={'limits': {'cpu': '1'}, 'requests': {'cpu': '2'}})])
    [error] = errors_of(too_much)
    assert 'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit' in error
    bad = doc('a', containers=[container('c', resources={'limits': {'memory': 'lots'}})])
    assert 'spec.containers[0].resources.limits[memory]: Invalid value' in errors_of(bad)[0]


def test_numbers_are_quantities_as_the_api_server_reads_them():
    # YAML gives `cpu: 0.5` as a float and `memory: 1.5e9` as text (YAML 1.1); a dict from JSON both as numbers
    text = ('apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: c\n    image: busybox\n'
            '    resources: {limits: {cpu: 0.5, memory: 1.5e9}, requests: {cpu: 0.25}}\n')
    [pod] = manifest.load_pods(manifest.collect_documents(text), check_schema=True)
    assert pod['spec']['containers'][0]['resources']['limits'] == {'cpu': 0.5, 'memory': '1.5e9'}
    as_json = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": [{"name": "c", ' \
              '"image": "busybox", "resources": {"limits": {"cpu": 0.5, "memory": 1.5e9}}}]}}'
    [pod] = manifest.load_pods(manifest.collect_documents(json.loads(as_json)), check_schema=True)
    assert pod['spec']['containers'][0]['resources']['requests'] == {'cpu': 0.5, 'memory': 1.5e9}
    too_much = doc('a', containers=[container('c', resources={'limits': {'cpu': 0.5}, 'requests': {'cpu': 0.75}})])
    assert 'resources.requests: Invalid value: "0.75": must be less than or equal to cpu limit of 0.5' in \
        errors_of(too_much)[0]


def test_ignored_fields_are_accepted():
    raw = doc('a')
    raw['metadata']['creationTimestamp'] = None
    raw['status'] = {'phase': 'Running', 'podIP': '10.0.0.1'}
    pod = load_one(raw)
    assert 'status' not in pod and 'creationTimestamp' not in pod['metadata']


def test_null_empty_dir_is_an_empty_dir():
    # `emptyDir:` with no value is JSON null: the API server decodes it as an unset source and
    # defaulting turns a volume without source into `emptyDir: {}` (the official schema allows it).
    raw = doc('a', volumes=[{'name': 'cache', 'emptyDir': None}])
    pod = load_one(raw)
    assert pod['spec']['volumes'] == [{'name': 'cache', 'emptyDir': {}}]


# ----------------------------------------------------------------------------- schema validation

def test_schema_names_unknown_fields():
    raw = doc('a', containers=[container('c', bogus=1)])
    [error] = errors_of(raw, check_schema=True)
    assert error.startswith('m.yaml Pod "a": spec.containers[0].bogus: unknown field (not in the Kubernetes ')


def test_schema_names_every_unknown_field():
    raw = doc('a', containers=[container('c', bogus=1), container('d', ports=[{'containerPort': 80, 'hostport': 1}])])
    raw['spec']['nodeNmae'] = 'x'
    [error] = errors_of(raw, check_schema=True)
    for path in ('spec.containers[0].bogus', 'spec.containers[1].ports[0].hostport', 'spec.nodeNmae'):
        assert '%s: unknown field' % path in error, error


def test_schema_names_unknown_metadata_field():
    raw = doc('a')
    raw['metadata']['lables'] = {'app': 'x'}
    [error] = errors_of(raw, check_schema=True)
    assert 'metadata.lables: unknown field' in error


def test_schema_reports_type_errors_with_their_path():
    raw = doc('a', containers=[container('c', ports=[{'containerPort': '80'}])])
    [error] = errors_of(raw, check_schema=True)
    assert 'spec.containers[0].ports[0].containerPort:' in error
    assert 'integer' in error


def test_without_schema_check_unknown_fields_are_still_refused():
    raw = doc('a', containers=[container('c', bogus=1)])
    assert errors_of(raw) == ['m.yaml Pod "a": spec.containers[0].bogus: field not supported by hostpods yet']


def test_schema_valid_but_unsupported_field_is_refused_by_hostpods():
    raw = doc('a', containers=[container('c', volumeDevices=[{'name': 'v', 'devicePath': '/dev/xvda'}])])
    assert errors_of(raw, check_schema=True) == [
        'm.yaml Pod "a": spec.containers[0].volumeDevices: field not supported by hostpods yet']


def test_schema_valid_pod_loads():
    raw = doc('a', containers=[container('c', ports=[{'containerPort': 80, 'hostPort': 8080}],
                                         env=[{'name': 'A', 'value': 'b'}])])
    assert load_one(raw, check_schema=True)['metadata']['name'] == 'a'


# ----------------------------------------------------------------------------- deleting

def test_deleting_checks_only_identity():
    # a pod that could not be applied can still be deleted by name
    raw = doc('web', containers=[], restartPolicy='Sometimes')
    raw['spec']['hostNetwork'] = True
    raw['spec']['bogus'] = 1
    pod = load_one(raw, deleting=True, check_schema=True)
    assert (pod['metadata']['namespace'], pod['metadata']['name']) == ('default', 'web')


def test_deleting_still_checks_name_namespace_and_kind():
    with pytest.raises(ManifestError) as info:
        manifest.load_pods([(doc('Web'), 'a'), (doc('b', namespace='Bad_NS'), 'b'),
                            ({'apiVersion': 'v1', 'kind': 'Service', 'metadata': {'name': 'c'}}, 'c')],
                           deleting=True)
    errors = info.value.details['errors']
    assert len(errors) == 3
    assert 'metadata.name: Invalid value: "Web"' in errors[0]
    assert 'metadata.namespace: Invalid value: "Bad_NS"' in errors[1]
    assert 'kind: Unsupported value: "Service"' in errors[2]


def test_empty_dir_size_limit_must_be_a_quantity():
    bad = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'web'},
           'spec': {'containers': [{'name': 'c', 'image': 'busybox:1.35'}],
                    'volumes': [{'name': 'v', 'emptyDir': {'sizeLimit': '1x'}}]}}
    with pytest.raises(ManifestError) as caught:
        manifest.load_pods([(bad, "test")])
    assert 'spec.volumes[0].emptyDir.sizeLimit: Invalid value: "1x"' in caught.value.msg


@pytest.mark.parametrize('item, expected', [
    ({'name': 'A', 'valueFrom': {'fieldRef': {'fieldPath': 'status.phase'}}},
     'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase"'),
    ({'name': 'A', 'value': 'x', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.name'}}},
     'spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'),
    ({'name': 'A', 'valueFrom': {'resourceFieldRef': {'resource': 'limits.cpu', 'containerName': 'nope'}}},
     'spec.containers[0].env[0].valueFrom.resourceFieldRef.containerName: Not found: "nope"'),
    ({'name': 'A', 'valueFrom': {'resourceFieldRef': {'resource': 'limits.gpu'}}},
     'spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu"'),
    ({'name': 'A', 'valueFrom': {'resourceFieldRef': {'resource': 'limits.cpu', 'divisor': '0'}}},
     'spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: "0"'),
])
def test_env_value_from_is_validated(item, expected):
    raw = doc('a', containers=[container('c', env=[item])])
    [error] = errors_of(raw)
    assert expected in error


def test_field_ref_api_version_defaults_to_v1():
    raw = doc('a', containers=[container('c', env=[{'name': 'A', 'valueFrom': {'fieldRef': {'fieldPath': 'metadata.uid'}}}])])
    [pod] = manifest.load_pods([(raw, 'm.yaml')])
    assert pod['spec']['containers'][0]['env'][0]['valueFrom']['fieldRef'] == {'apiVersion': 'v1', 'fieldPath': 'metadata.uid'}


def test_host_network_ports_default_and_must_match():
    raw = doc('a', hostNetwork=True, containers=[container('c', ports=[{'containerPort': 8080}])])
    [pod] = manifest.load_pods([(raw, 'm.yaml')])
    assert pod['spec']['containers'][0]['ports'][0]['hostPort'] == 8080
    bad = doc('a', hostNetwork=True, containers=[container('c', ports=[{'containerPort': 8080, 'hostPort': 9090}])])
    assert 'spec.containers[0].ports[0].hostPort: Invalid value: 9090: must match `containerPort` when `hostNetwork` is true' \
        in errors_of(bad)[0]
