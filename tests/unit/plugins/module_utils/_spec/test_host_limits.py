"""Unit tests of the node's and the engine's limits that Kubernetes does not know (naming.host_name_errors,
naming.path_problems, the object store's file names): a valid pod that would fail half-way is refused up front,
with a message that names the field and says the limit is hostpods' on Docker, not Kubernetes'."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

from hostpods_fakes import UID, container, doc

DOCKER = 'a limit of hostpods on Docker, not of Kubernetes'


def semantic_pod(document, namespace='default'):
    return manifest.semantic_errors(manifest.apply_defaults(document, namespace))


def with_empty_dir(name, volume='cache'):
    return doc(name, containers=[container('c', volumeMounts=[{'name': volume, 'mountPath': '/c'}])],
               volumes=[{'name': volume, 'emptyDir': {}}])


# ----------------------------------------------------------------------------- emptyDir volumes

def test_the_longest_pod_name_whose_empty_dir_fits():
    # k8s_emptydir_ + pod + _default_ + uid + _cache: 13 + n + 9 + 36 + 6 <= 255
    longest = 'a' * (255 - 13 - 9 - 36 - 6)
    assert len(naming.emptydir_volume_name('default', longest, UID, 'cache')) == 255
    assert semantic_pod(with_empty_dir(longest)) == []


def test_a_valid_253_character_pod_name_with_an_empty_dir_is_refused_naming_the_field():
    name = ('a' * 62 + '.') * 3 + 'a' * 64
    assert len(name) == 253
    assert semantic_pod(with_empty_dir(name)) == [
        'metadata.name: Invalid value: "%s...(253 characters)": too long for hostpods (%s): its emptyDir volume "cache" '
        '(spec.volumes[0]) is the Docker volume k8s_emptydir_<pod>_<namespace>_<uid>_cache, a directory of '
        '/var/lib/docker/volumes, whose name may have at most 255 bytes and would have 317; shorten the pod name (or '
        'its namespace or the volume name) by 62 characters' % (name[:64], DOCKER)]


def test_the_same_pod_without_volumes_is_fine():
    # container names (k8s_<container>_<pod>_<ns>_<uid>_<attempt>) have no such limit on the engine
    assert semantic_pod(doc(('a' * 62 + '.') * 3 + 'a' * 64)) == []


def test_namespace_and_volume_name_count_too():
    name = 'p' * 150
    assert semantic_pod(with_empty_dir(name, 'v' * 41), 'n' * 10) == []        # 150 + 10 + 41 = 201 <= 203
    [error] = semantic_pod(with_empty_dir(name, 'v' * 63), 'n' * 63)
    assert error.startswith('metadata.name: Invalid value: "%s...(150 characters)": too long for hostpods' % ('p' * 64))
    assert 'would have 328; shorten the pod name (or its namespace or the volume name) by 73 characters' in error


# ----------------------------------------------------------------------------- claims

def test_claim_names_as_docker_volumes():
    claim = 'c' * 238                                        # k8s_pvc_ + 238 + _default = 254
    volumes = [{'name': 'data', 'persistentVolumeClaim': {'claimName': claim}}]
    assert semantic_pod(doc('web', volumes=volumes)) == []
    volumes[0]['persistentVolumeClaim']['claimName'] = claim + 'cc'
    assert semantic_pod(doc('web', volumes=volumes)) == [
        'spec.volumes[0].persistentVolumeClaim.claimName: Invalid value: "%s...(240 characters)": too long for hostpods '
        '(%s): the claim is the Docker volume k8s_pvc_<claim>_<namespace>, a directory of /var/lib/docker/volumes, '
        'whose name may have at most 255 bytes and would have 256; shorten the claim name (or its namespace) by 1 '
        'character' % ('c' * 64, DOCKER)]


# ----------------------------------------------------------------------------- objects kept on the node

def an_object(kind, name):
    body = {'apiVersion': 'v1', 'kind': kind, 'metadata': {'name': name}}
    if kind == 'PersistentVolumeClaim':
        body['spec'] = {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}}
    return body


@pytest.mark.parametrize('kind', ['ConfigMap', 'Secret'])
def test_object_names_as_files_of_the_node(kind):
    assert manifest.load_manifests([(an_object(kind, 'o' * 246), 'm')])[1][0]['metadata']['name'] == 'o' * 246
    with pytest.raises(ManifestError) as info:
        manifest.load_manifests([(an_object(kind, 'o' * 247), 'm')])
    [error] = info.value.details['errors']
    plural = {'ConfigMap': 'configmaps', 'Secret': 'secrets'}[kind]
    assert error == (
        'm %s "%s...(247 characters)": metadata.name: Invalid value: "%s...(247 characters)": too long for hostpods '
        '(%s): the node keeps it as the file /var/lib/hostpods/objects/default/%s/<name>.json (written through '
        '<name>.json.tmp), whose name may have at most 255 bytes and would have 256; shorten the name by 1 character'
        % (kind, 'o' * 64, 'o' * 64, DOCKER, plural))


def test_claim_objects_are_docker_volumes_too():
    with pytest.raises(ManifestError) as info:
        manifest.load_manifests([(an_object('PersistentVolumeClaim', 'c' * 240), 'm')])
    [error] = info.value.details['errors']
    assert 'metadata.name: Invalid value: "%s...(240 characters)": too long for hostpods (%s): the claim is the ' \
        'Docker volume k8s_pvc_<claim>_<namespace>' % ('c' * 64, DOCKER) in error


# ----------------------------------------------------------------------------- paths

@pytest.mark.parametrize('path, bind, problems', [
    ('/srv/data', True, []),
    ('relative/' + 'x' * 255, False, []),
    ('/' + 'x' * 256, False, ['too long for hostpods (%s): each part of a path may have at most 255 bytes' % DOCKER]),
    ('/' + 'é' * 128, False, ['too long for hostpods (%s): each part of a path may have at most 255 bytes' % DOCKER]),
    ('/x' * 2048, False, ['too long for hostpods (%s): a path may have at most 4095 bytes' % DOCKER]),
    ('/a:b', False, []),
    ('/a:b', True, ["must not contain ':' on hostpods (%s): the engine's binds are written source:target" % DOCKER]),
])
def test_path_problems(path, bind, problems):
    assert naming.path_problems(path, bind=bind) == problems
