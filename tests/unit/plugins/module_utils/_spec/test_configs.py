"""Unit tests of _objects: ConfigMap/Secret/PVC objects and what pods take from them."""

import base64
import json

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import configs

B64 = base64.b64encode


def cm(name='settings', data=None, binary=None):
    return configs.normalise({'kind': 'ConfigMap', 'metadata': {'name': name}, 'data': data or {},
                              'binaryData': binary or {}}, 'shop')


def secret(name='creds', data=None, string=None, kind='Opaque'):
    return configs.normalise({'kind': 'Secret', 'metadata': {'name': name}, 'type': kind, 'data': data or {},
                              'stringData': string or {}}, 'shop')


def lookup_of(*items):
    found = {(o['kind'], o['metadata']['namespace'], o['metadata']['name']): o for o in items}
    return lambda kind, namespace, name: found.get((kind, namespace, name))


def test_secret_string_data_is_merged_and_wins():
    s = secret(data={'a': B64(b'old').decode(), 'b': B64(b'keep').decode()}, string={'a': 'new'})
    assert configs.value_of(s, 'a') == b'new' and configs.value_of(s, 'b') == b'keep'
    assert configs.redacted(s)['data'] == {'a': '<redacted>', 'b': '<redacted>'}


@pytest.mark.parametrize('obj, expected', [
    (cm(data={'bad key': 'x'}), 'data[bad key]: Invalid value: "bad key": a valid config key'),
    (cm(binary={'b': '***'}), 'binaryData[b]: Invalid value: must be base64 encoded'),
    (cm(data={'a': '1'}, binary={'a': B64(b'1').decode()}), 'data[a]: Invalid value: duplicate of key a in binaryData'),
    (secret(data={'p': 'not base64!'}), 'data[p]: Invalid value: must be base64 encoded'),
    (cm(data={'big': 'x' * (1024 * 1024 + 1)}), 'data: Too long'),
])
def test_object_validation(obj, expected):
    errors = configs.object_errors(obj)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_env_references_and_kubelet_messages():
    lookup = lookup_of(cm(data={'color': 'red'}), secret(string={'password': 'pw'}))
    assert configs.env_ref_value(lookup, 'shop', {'configMapKeyRef': {'name': 'settings', 'key': 'color'}}) == 'red'
    assert configs.env_ref_value(lookup, 'shop', {'secretKeyRef': {'name': 'creds', 'key': 'password'}}) == 'pw'
    assert configs.env_ref_value(lookup, 'shop', {'configMapKeyRef': {'name': 'x', 'key': 'k', 'optional': True}}) is None
    assert configs.env_ref_value(lookup, 'shop', {'configMapKeyRef': {'name': 'settings', 'key': 'k', 'optional': True}}) is None
    with pytest.raises(configs.ConfigError, match='^configmap "x" not found$'):
        configs.env_ref_value(lookup, 'shop', {'configMapKeyRef': {'name': 'x', 'key': 'k'}})
    with pytest.raises(configs.ConfigError, match='^couldn\'t find key k in Secret shop/creds$'):
        configs.env_ref_value(lookup, 'shop', {'secretKeyRef': {'name': 'creds', 'key': 'k'}})


def test_env_from_with_prefix_later_sources_win_and_invalid_names_skipped():
    lookup = lookup_of(cm(data={'A': '1', 'B': '2', '1bad': 'x'}), secret(string={'B': 'from-secret'}))
    values = configs.env_from(lookup, 'shop', [{'configMapRef': {'name': 'settings'}},
                                               {'secretRef': {'name': 'creds'}},
                                               {'configMapRef': {'name': 'settings'}, 'prefix': 'CFG_'},
                                               {'configMapRef': {'name': 'missing', 'optional': True}}])
    assert values == {'A': '1', 'B': 'from-secret', 'CFG_A': '1', 'CFG_B': '2', 'CFG_1bad': 'x'}


def a_pod(volume):
    return {'metadata': {'name': 'web', 'namespace': 'shop', 'labels': {'app': 'web', 'tier': 'a'}},
            'spec': {'containers': [{'name': 'c', 'resources': {'limits': {'memory': '2Mi'}}}], 'volumes': [volume]}}


def test_config_map_volume_items_and_modes():
    lookup = lookup_of(cm(data={'a': 'A', 'b': 'B'}, binary={'bin': B64(b'\x00\x01').decode()}))
    volume = {'name': 'v', 'configMap': {'name': 'settings', 'defaultMode': 0o640}}
    assert configs.volume_files(a_pod(volume), volume, lookup, {}) == {
        'a': (b'A', 0o640), 'b': (b'B', 0o640), 'bin': (b'\x00\x01', 0o640)}
    volume = {'name': 'v', 'configMap': {'name': 'settings', 'items': [{'key': 'a', 'path': 'x/y.txt', 'mode': 0o600}]}}
    assert configs.volume_files(a_pod(volume), volume, lookup, {}) == {'x/y.txt': (b'A', 0o600)}


def test_missing_volume_sources():
    lookup = lookup_of()
    volume = {'name': 'v', 'secret': {'secretName': 'creds'}}
    with pytest.raises(configs.ConfigError, match='secret "creds" not found'):
        configs.volume_files(a_pod(volume), volume, lookup, {})
    volume = {'name': 'v', 'secret': {'secretName': 'creds', 'optional': True}}
    assert configs.volume_files(a_pod(volume), volume, lookup, {}) == {}


def test_projected_volume_with_downward_api():
    lookup = lookup_of(cm(data={'a': 'A'}), secret(string={'s': 'S'}))
    volume = {'name': 'v', 'projected': {'defaultMode': 0o644, 'sources': [
        {'configMap': {'name': 'settings'}}, {'secret': {'name': 'creds'}},
        {'downwardAPI': {'items': [{'path': 'labels', 'fieldRef': {'fieldPath': 'metadata.labels'}},
                                   {'path': 'name', 'fieldRef': {'fieldPath': 'metadata.name'}},
                                   {'path': 'mem', 'resourceFieldRef': {'containerName': 'c', 'resource': 'limits.memory',
                                                                        'divisor': '1Ki'}}]}}]}}
    files = configs.volume_files(a_pod(volume), volume, lookup, {})
    assert files == {'a': (b'A', 0o644), 's': (b'S', 0o644), 'labels': (b'app="web"\ntier="a"', 0o644),
                     'name': (b'web', 0o644), 'mem': (b'2048', 0o644)}
    assert configs.references(volume) == [('ConfigMap', 'settings'), ('Secret', 'creds')]


def test_registry_auth_from_docker_config_json():
    config = {'auths': {'127.0.0.1:5000': {'auth': B64(b'alice:pw').decode()},
                        'https://index.docker.io/v1/': {'username': 'bob', 'password': 'pw2'}}}
    pull = secret(string={'.dockerconfigjson': json.dumps(config)}, kind='kubernetes.io/dockerconfigjson')
    assert configs.registry_auth([None, pull], '127.0.0.1:5000/app:1') == {
        'username': 'alice', 'password': 'pw', 'serveraddress': '127.0.0.1:5000'}
    assert configs.registry_auth([pull], 'busybox')['username'] == 'bob'
    assert configs.registry_auth([pull], 'quay.io/x/y') is None


# ----------------------------------------------------------------------------- Secrets through Ansible's options

def test_secret_values_travel_apart_from_their_manifests():
    """The values alone go to the no_log option (stringData merged as base64, winning), the rest stays."""
    pod_doc = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': 'p'}, 'spec': {}}
    first = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'a', 'namespace': 'shop'}, 'type': 'Opaque',
             'data': {'x': B64(b'old').decode(), 'y': B64(b'keep').decode()}, 'stringData': {'x': 'new'}}
    second = {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'b'}, 'stringData': {'z': 'zz'}}
    documents = [(first, 'f (document 1)'), (pod_doc, 'f (document 2)'), (second, 'f (document 3)')]
    split, values = configs.split_secret_values(documents)
    assert split == [({'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'a', 'namespace': 'shop'},
                       'type': 'Opaque'}, 'f (document 1)'), (pod_doc, 'f (document 2)'),
                     ({'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': 'b'}}, 'f (document 3)')]
    assert values == [{'x': B64(b'new').decode(), 'y': B64(b'keep').decode()}, {'z': B64(b'zz').decode()}]
    joined = configs.join_secret_values(split, values)
    assert [configs.normalise(doc, 'shop') for doc, _origin in joined if doc['kind'] == 'Secret'] == \
        [configs.normalise(doc, 'shop') for doc, _origin in documents if doc['kind'] == 'Secret']
    assert first['stringData'] == {'x': 'new'}   # the caller's documents are left as they were


def test_whole_secrets_without_values_are_kept_and_a_mismatch_is_refused():
    whole = [({'kind': 'Secret', 'metadata': {'name': 'a'}, 'data': {'k': 'dg=='}}, 'definition[0]')]
    assert configs.join_secret_values(whole, None) == whole      # a library call may hold Secrets whole
    assert configs.join_secret_values(whole, []) == whole
    with pytest.raises(configs.ManifestError, match=r'^secret_data: 1 value set\(s\) for 1 Secret\(s\) without data'):
        configs.join_secret_values(whole, [{'k': 'dg=='}])
    with pytest.raises(configs.ManifestError, match=r'^secret_data: 2 value set\(s\) for 1 Secret\(s\)'):
        configs.join_secret_values([({'kind': 'Secret', 'metadata': {'name': 'a'}}, 'd')], [{}, {}])


def test_the_values_of_the_secrets_a_pod_reads_are_scrubbed_from_what_hostpods_reports():
    consumer = {'metadata': {'name': 'web', 'namespace': 'shop'}, 'spec': {
        'initContainers': [{'name': 'i', 'envFrom': [{'secretRef': {'name': 'from'}}]}],
        'containers': [{'name': 'c', 'env': [{'name': 'A', 'valueFrom': {'secretKeyRef': {'name': 'env', 'key': 'k'}}},
                                             {'name': 'B', 'value': 'plain'}]}],
        'volumes': [{'name': 'v', 'secret': {'secretName': 'vol'}},
                    {'name': 'p', 'projected': {'sources': [{'secret': {'name': 'proj'}}]}}],
        'imagePullSecrets': [{'name': 'pull'}]}}
    assert configs.secret_names(consumer) == ['env', 'from', 'proj', 'pull', 'vol']
    lookup = lookup_of(secret('env', string={'k': 'hunter2\n'}), secret('from', string={'k': 'from-env-from'}),
                       secret('vol', string={'k': 'short', 'blank': '  '}), secret('unread', string={'k': 'other'}))
    values = configs.secret_values(consumer, lookup)
    assert values == ['from-env-from', 'hunter2\n', 'hunter2', 'short']   # longest first; missing Secrets skipped
    assert configs.scrub('pw=hunter2 short and other', values) == 'pw=<redacted> <redacted> and other'


def ephemeral_pod(template=None, name='web'):
    volume = {'name': 'scratch', 'ephemeral': {'volumeClaimTemplate': template if template is not None else {
        'metadata': {'labels': {'a': 'b'}},
        'spec': {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}}}}}
    return {'metadata': {'name': name, 'namespace': 'ns', 'uid': 'u1'}, 'spec': {'volumes': [volume]}}


def test_an_ephemeral_volumes_claim_is_named_after_the_pod_and_owned_by_it():
    pod = ephemeral_pod()
    claim = configs.ephemeral_claim(pod, pod['spec']['volumes'][0])
    assert claim['metadata'] == {'name': 'web-scratch', 'namespace': 'ns', 'labels': {'a': 'b'}, 'annotations': {},
                                 'ownerReferences': [{'apiVersion': 'v1', 'kind': 'Pod', 'name': 'web', 'uid': 'u1',
                                                      'controller': True, 'blockOwnerDeletion': True}]}
    assert claim['spec']['volumeMode'] == 'Filesystem'
    assert configs.not_owner_error(pod, claim) is None
    other = dict(claim, metadata=dict(claim['metadata'], ownerReferences=[]))
    assert configs.not_owner_error(pod, other) == 'PVC ns/web-scratch was not created for pod ns/web (pod is not owner)'


@pytest.mark.parametrize('template, expected', [
    ({}, ['spec.volumes[0].ephemeral.volumeClaimTemplate: Required value']),
    ({'metadata': {}}, ['spec.volumes[0].ephemeral.volumeClaimTemplate.spec: Required value']),
    ({'spec': {'accessModes': ['ReadWriteOnce']}},
     ['spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources[storage]: Required value']),
    ({'spec': {'accessModes': ['ReadWriteOnce'], 'volumeMode': 'Block', 'resources': {'requests': {'storage': '1'}}}},
     ['spec.volumes[0].ephemeral.volumeClaimTemplate.spec.volumeMode: not supported by hostpods: "Block" needs a raw '
      'block device, which hostpods does not attach (a claim is a Docker volume: "Filesystem")']),
])
def test_ephemeral_volumes_are_validated_as_their_claims(template, expected):
    assert configs.ephemeral_errors(ephemeral_pod(template)) == expected
