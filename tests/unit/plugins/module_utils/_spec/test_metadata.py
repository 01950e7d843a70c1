"""Unit tests of _spec/metadata: ValidateObjectMeta's labels and annotations, on Pods and on objects."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import metadata
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

from hostpods_fakes import doc

NAME_RULE = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
             "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
             "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
VALUE_RULE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
              "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
              "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
KIB = 1024


def errors_of(document):
    with pytest.raises(ManifestError) as info:
        manifest.load_manifests([(document, 'm.yaml')], check_schema=True)
    [error] = info.value.details['errors']
    return error


# ----------------------------------------------------------------------------- labels

@pytest.mark.parametrize('labels, expected', [
    ({'app': 'web', 'example.com/tier': 'front', 'a_b.c-d': '', 'k': 'v' * 63}, []),
    ({'k': 'v' * 64}, ['metadata.labels: Invalid value: "%s": must be no more than 63 characters' % ('v' * 64)]),
    ({'bad key!': 'x'}, ['metadata.labels: Invalid value: "bad key!": ' + NAME_RULE]),
    ({'k': 'bad value!'}, ['metadata.labels: Invalid value: "bad value!": ' + VALUE_RULE]),
    ({'k': '-x'}, ['metadata.labels: Invalid value: "-x": ' + VALUE_RULE]),
    ({'/x': 'y'}, ['metadata.labels: Invalid value: "/x": prefix part must be non-empty']),
    ({'a/b/c': 'y'}, ["metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric "
                      "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                      "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
                      "(e.g. 'example.com/MyName')"]),
    ({'k' * 64: 'y'}, ['metadata.labels: Invalid value: "%s": name part must be no more than 63 characters' % ('k' * 64)]),
])
def test_pod_labels(labels, expected):
    assert manifest.semantic_errors(manifest.apply_defaults(doc('web', labels=labels), 'default')) == expected


def test_a_long_label_value_is_quoted_short():
    [error] = manifest.semantic_errors(manifest.apply_defaults(doc('web', labels={'k': 'v' * 100000}), 'default'))
    assert error == 'metadata.labels: Invalid value: "%s...(100000 characters)": must be no more than 63 characters' \
        % ('v' * 64)


# ----------------------------------------------------------------------------- annotations

@pytest.mark.parametrize('annotations, expected', [
    ({'Example.COM/Anything': 'any value, spaces and all', 'note': ''}, []),         # case does not matter in keys
    ({'bad key!': 'x'}, ['metadata.annotations: Invalid value: "bad key!": ' + NAME_RULE]),
    ({'a': 'x' * (256 * KIB - 1)}, []),                                              # 256 KiB: key and value
    ({'a': 'x' * (256 * KIB)}, ['metadata.annotations: Too long: must have at most 262144 bytes']),
    ({'a': 'x' * (128 * KIB), 'b': 'x' * (128 * KIB)}, ['metadata.annotations: Too long: must have at most 262144 bytes']),
    ({'a': 'é' * (128 * KIB)}, ['metadata.annotations: Too long: must have at most 262144 bytes']),   # bytes, not characters
    ({'a': 'x' * (10 * KIB * KIB)}, ['metadata.annotations: Too long: must have at most 262144 bytes']),
])
def test_pod_annotations(annotations, expected):
    assert manifest.semantic_errors(manifest.apply_defaults(doc('web', annotations=annotations), 'default')) == expected


def test_annotations_size_counts_keys_and_values_in_bytes():
    assert metadata.annotations_size({'ab': 'cd', 'é': ''}) == 6


# ----------------------------------------------------------------------------- objects

@pytest.mark.parametrize('kind, body', [
    ('ConfigMap', {'data': {'k': 'v'}}),
    ('Secret', {'stringData': {'k': 'v'}}),
    ('PersistentVolumeClaim', {'spec': {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}}}),
])
def test_objects_have_their_metadata_validated_too(kind, body):
    good = dict(body, apiVersion='v1', kind=kind, metadata={'name': 'o', 'labels': {'app': 'x'},
                                                            'annotations': {'note': 'y'}})
    assert manifest.load_manifests([(good, 'm.yaml')], check_schema=True)[1][0]['kind'] == kind
    bad = dict(body, apiVersion='v1', kind=kind, metadata={'name': 'o', 'labels': {'bad key!': 'v' * 64},
                                                           'annotations': {'a': 'x' * (300 * KIB)}})
    error = errors_of(bad)
    assert error.startswith('m.yaml %s "o": ' % kind)
    assert 'metadata.labels: Invalid value: "bad key!": name part must consist' in error
    assert 'metadata.labels: Invalid value: "%s": must be no more than 63 characters' % ('v' * 64) in error
    assert 'metadata.annotations: Too long: must have at most 262144 bytes' in error


def test_deleting_does_not_check_labels():
    # a manifest that could never be applied can still be deleted by name
    document = doc('web', labels={'bad key!': 'x'})
    assert manifest.load_pods([(document, 'm.yaml')], deleting=True)[0]['metadata']['name'] == 'web'


# ----------------------------------------------------------------------------- owners and finalizers

OWNER = {'apiVersion': 'apps/v1', 'kind': 'ReplicaSet', 'name': 'web-5d9f', 'uid': 'f3b1', 'controller': True,
         'blockOwnerDeletion': True}


@pytest.mark.parametrize('references, expected', [
    ([OWNER], []),
    ([dict(OWNER, apiVersion='apps/'), dict(OWNER, controller=False, kind='', uid='')], [
        'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty']),
    ([OWNER, dict(OWNER, kind='Job', name='j')], [
        'metadata.ownerReferences: Invalid value: %s: Only one reference can have Controller set to true. Found '
        '"true" in references for ReplicaSet/web-5d9f and Job/j' % metadata.podspec.excerpt(
            [OWNER, dict(OWNER, kind='Job', name='j')])]),
    ([dict(OWNER, apiVersion='v1', kind='Event', controller=False)], [
        'metadata.ownerReferences: Invalid value: %s: /v1, Kind=Event is disallowed from being an owner'
        % metadata.podspec.excerpt(dict(OWNER, apiVersion='v1', kind='Event', controller=False))]),
])
def test_owner_references_as_the_api_server_validates_them(references, expected):
    assert metadata.owner_references_errors(references) == expected


@pytest.mark.parametrize('finalizers, expected', [
    (['kubernetes', 'orphan', 'example.com/cleanup'], []),
    (['cleanup'], ['metadata.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it '
                   'fully qualified']),
    (['example.com/a b'], ['metadata.finalizers: Invalid value: "example.com/a b": ' + NAME_RULE]),
    (['orphan', 'foregroundDeletion'], ['metadata.finalizers: Invalid value: [\'orphan\', \'foregroundDeletion\']: '
                                        'finalizer orphan and foregroundDeletion cannot be both set']),
])
def test_finalizers_as_the_api_server_validates_them(finalizers, expected):
    assert metadata.finalizers_errors(finalizers) == expected


def test_a_pod_with_owners_and_finalizers_is_accepted_and_keeps_them():
    document = doc('web')
    document['metadata'].update(ownerReferences=[OWNER], finalizers=['example.com/keep'])
    [pod] = manifest.load_pods([(document, 'm.yaml')], check_schema=True)
    assert pod['metadata']['ownerReferences'] == [OWNER] and pod['metadata']['finalizers'] == ['example.com/keep']
    document['metadata']['finalizers'] = ['keep']
    assert errors_of(document) == ('m.yaml Pod "web": metadata.finalizers: Invalid value: "keep": name is neither a '
                                   'standard finalizer name nor is it fully qualified')


def test_generate_name_beside_a_name_is_kept_and_the_name_wins_as_on_the_api_server():
    document = doc('web')
    document['metadata']['generateName'] = 'web-'
    [pod] = manifest.load_pods([(document, 'm.yaml')], check_schema=True)
    assert pod['metadata']['name'] == 'web' and pod['metadata']['generateName'] == 'web-'


def test_generate_name_is_a_name_prefix_a_trailing_dash_allowed():
    assert metadata.generate_name_errors({'name': 'web', 'generateName': 'web-'}) == []
    [error] = metadata.generate_name_errors({'name': 'web', 'generateName': 'Web_'})
    assert error.startswith('metadata.generateName: Invalid value: "Web_": a lowercase RFC 1123 subdomain')


def test_generate_name_alone_is_refused_as_kubectl_apply_refuses_it_and_alone():
    document = doc('web')
    document['metadata']['generateName'] = 'web-'
    del document['metadata']['name']
    message = errors_of(document)
    assert 'metadata.generateName: not supported by hostpods: cannot use generate name with apply' in message
    assert 'metadata.name: Required value' not in message
