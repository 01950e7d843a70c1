"""Unit tests of _spec/containers: env and envFrom, ports, mounts of one container, with the API server's messages
(and hostpods' own, naming the Docker limit, where Kubernetes has none)."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import containers
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

from hostpods_fakes import container, doc

ENV_RULE = ("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and "
            "must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
            "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
KEY_RULE = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
            "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
             "start and end with an alphanumeric character")
DOCKER = 'a limit of hostpods on Docker, not of Kubernetes'
C = 'spec.containers[0]'


def semantic(**fields):
    return manifest.semantic_errors(manifest.apply_defaults(doc('web', containers=[container('c', **fields)]), 'default'))


def semantic_pod(document):
    return manifest.semantic_errors(manifest.apply_defaults(document, 'default'))


# ----------------------------------------------------------------------------- env

@pytest.mark.parametrize('name, expected', [
    ('PATH', []), ('my.env-name', []), ('_x', []), ('-x', []), ('.x', []), ('x1', []),
    ('A=B', [ENV_RULE]),
    ('1ABC', [ENV_RULE]),
    ('my var', [ENV_RULE]),
    ('.', ["must not be '.'"]),
    ('..', ["must not be '..'"]),
    ('..x', ["must not start with '..'"]),
])
def test_env_names(name, expected):
    expected = ['%s.env[0].name: Invalid value: "%s": %s' % (C, name, problem) for problem in expected]
    assert semantic(env=[{'name': name, 'value': '1'}]) == expected


def test_env_name_is_quoted_short():
    [error] = semantic(env=[{'name': '=' * 5000, 'value': '1'}])
    assert error == '%s.env[0].name: Invalid value: "%s...(5000 characters)": %s' % (C, '=' * 64, ENV_RULE)


@pytest.mark.parametrize('item, expected', [
    ({'prefix': 'APP_', 'configMapRef': {'name': 'settings'}}, []),
    ({'secretRef': {'name': 'creds', 'optional': True}}, []),
    ({'prefix': 'A=', 'configMapRef': {'name': 'settings'}},
     ['%s.envFrom[0].prefix: Invalid value: "A=": %s' % (C, ENV_RULE)]),
    ({'prefix': '9'}, ['%s.envFrom[0].prefix: Invalid value: "9": %s' % (C, ENV_RULE),
                       '%s.envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`' % C]),
    ({'configMapRef': {'name': 'a'}, 'secretRef': {'name': 'b'}},
     ['%s.envFrom: Invalid value: "": may not have more than one field specified at a time' % C]),
    ({'configMapRef': {}}, ['%s.envFrom[0].configMapRef.name: Required value' % C]),
    ({'secretRef': {'name': 'Bad_Name'}}, ['%s.envFrom[0].secretRef.name: Invalid value: "Bad_Name": %s' % (C, SUBDOMAIN)]),
])
def test_env_from(item, expected):
    assert semantic(envFrom=[item]) == expected


@pytest.mark.parametrize('source, expected', [
    ({'configMapKeyRef': {'name': 'settings', 'key': 'log.level'}}, []),
    ({'secretKeyRef': {'name': 'creds', 'key': 'password'}}, []),
    ({'configMapKeyRef': {'name': 'settings', 'key': 'a/b'}},
     ['%s.env[0].valueFrom.configMapKeyRef.key: Invalid value: "a/b": %s' % (C, KEY_RULE)]),
    ({'secretKeyRef': {'name': 'creds', 'key': '..'}},
     ["%s.env[0].valueFrom.secretKeyRef.key: Invalid value: \"..\": must not be '..'" % C]),
    ({'secretKeyRef': {'name': 'Creds', 'key': 'k'}},
     ['%s.env[0].valueFrom.secretKeyRef.name: Invalid value: "Creds": %s' % (C, SUBDOMAIN)]),
    ({'secretKeyRef': {}}, ['%s.env[0].valueFrom.secretKeyRef.name: Required value' % C,
                            '%s.env[0].valueFrom.secretKeyRef.key: Required value' % C]),
    ({}, ['%s.env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, '
          '`configMapKeyRef` or `secretKeyRef`' % C]),
])
def test_env_value_from_references(source, expected):
    assert semantic(env=[{'name': 'X', 'valueFrom': source}]) == expected


# ----------------------------------------------------------------------------- ports

@pytest.mark.parametrize('name, expected', [
    ('http', []), ('web-8080', []), ('a', []), ('x' * 15, []),
    ('x' * 16, ['must be no more than 15 characters']),
    ('Bad_Name', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']),
    ('8080', ['must contain at least one letter (a-z)']),
    ('a--b', ['must not contain consecutive hyphens']),
    ('-ab', ['must not begin or end with a hyphen']),
    ('ab-', ['must not begin or end with a hyphen']),
])
def test_port_names_are_iana_service_names(name, expected):
    assert semantic(ports=[{'name': name, 'containerPort': 80}]) == [
        '%s.ports[0].name: Invalid value: "%s": %s' % (C, name, problem) for problem in expected]


def test_port_names_are_unique_within_a_container():
    errors = semantic(ports=[{'name': 'http', 'containerPort': 80}, {'name': 'http', 'containerPort': 81}])
    assert errors == ['%s.ports[1].name: Duplicate value: "http"' % C]
    # ... not across containers, as on the API server
    two = doc('web', containers=[container('a', ports=[{'name': 'http', 'containerPort': 80}]),
                                 container('b', ports=[{'name': 'http', 'containerPort': 81}])])
    assert semantic_pod(two) == []


def test_host_port_duplicates_are_named_as_the_api_server_names_them():
    two = doc('web', containers=[container('a', ports=[{'containerPort': 80, 'hostPort': 8080}]),
                                 container('b', ports=[{'containerPort': 81, 'hostPort': 8080}])])
    assert semantic_pod(two) == ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']


def test_an_init_container_may_not_publish_one_host_port_twice():
    init = container('i', ports=[{'containerPort': 80, 'hostPort': 8080}, {'containerPort': 81, 'hostPort': 8080}])
    assert semantic_pod(doc('web', init=[init])) == [
        'spec.initContainers[0].ports[1].hostPort: Duplicate value: "TCP//8080"']


@pytest.mark.parametrize('host_ip, ok', [
    ('127.0.0.1', True), ('::1', True), ('0.0.0.0', True), ('localhost', False), ('1.2.3.4:80', False)])
def test_host_ip_must_be_an_address_the_engine_can_bind(host_ip, ok):
    errors = semantic(ports=[{'containerPort': 80, 'hostPort': 8080, 'hostIP': host_ip}])
    assert errors == ([] if ok else ['%s.ports[0].hostIP: Invalid value: "%s": must be a valid IP address on hostpods '
                                     '(%s)' % (C, host_ip, DOCKER)])


# ----------------------------------------------------------------------------- mounts and paths the node binds

def mounted(volume, mount_path='/data', **mount):
    body = dict(mount, name='v', mountPath=mount_path)
    return doc('web', containers=[container('c', volumeMounts=[body])], volumes=[dict(volume, name='v')])


BIND = "must not contain ':' on hostpods (%s): the engine's binds are written source:target" % DOCKER


@pytest.mark.parametrize('volume, mount, expected', [
    ({'emptyDir': {}}, {'mountPath': '/a:b'}, []),                          # a Docker volume mount: ':' is fine
    ({'hostPath': {'path': '/srv'}}, {'mountPath': '/a:b'}, ['%s.volumeMounts[0].mountPath: Invalid value: "/a:b": %s'
                                                             % (C, BIND)]),
    ({'configMap': {'name': 'cm'}}, {'mountPath': '/a:b'}, ['%s.volumeMounts[0].mountPath: Invalid value: "/a:b": %s'
                                                            % (C, BIND)]),
    ({'emptyDir': {}}, {'mountPath': '/a:b', 'subPath': 'x'}, ['%s.volumeMounts[0].mountPath: Invalid value: "/a:b": %s'
                                                               % (C, BIND)]),
    ({'emptyDir': {}}, {'subPath': 'x:y'}, ['%s.volumeMounts[0].subPath: Invalid value: "x:y": %s' % (C, BIND)]),
    ({'hostPath': {'path': '/srv:/etc'}}, {}, ['spec.volumes[0].hostPath.path: Invalid value: "/srv:/etc": %s' % BIND]),
])
def test_colons_in_what_the_engine_binds_are_refused(volume, mount, expected):
    mount = dict(mount)
    assert semantic_pod(mounted(volume, mount.pop('mountPath', '/data'), **mount)) == expected


def test_termination_message_path_is_a_bind():
    assert semantic(terminationMessagePath='/tmp/a:b') == [
        '%s.terminationMessagePath: Invalid value: "/tmp/a:b": %s' % (C, BIND)]


@pytest.mark.parametrize('path, expected', [
    ('/' + 'a' * 255, []),
    ('/' + 'a' * 256, ['too long for hostpods (%s): each part of a path may have at most 255 bytes' % DOCKER]),
    ('/a' * 2048, ['too long for hostpods (%s): a path may have at most 4095 bytes' % DOCKER]),
])
def test_paths_longer_than_linux_takes_are_refused(path, expected):
    shown = path if len(path) <= 64 else path[:64] + '...(%d characters)' % len(path)
    assert semantic_pod(mounted({'emptyDir': {}}, path)) == [
        '%s.volumeMounts[0].mountPath: Invalid value: "%s": %s' % (C, shown, problem) for problem in expected]
    assert semantic_pod(mounted({'hostPath': {'path': path}})) == [
        'spec.volumes[0].hostPath.path: Invalid value: "%s": %s' % (shown, problem) for problem in expected]


def test_file_names_of_projected_files_must_fit_the_node():
    items = [{'key': 'k', 'path': 'dir/' + 'f' * 256}]
    assert semantic_pod(mounted({'configMap': {'name': 'cm', 'items': items}})) == [
        'spec.volumes[0].configMap.items[0].path: Invalid value: "dir/%s...(260 characters)": too long for hostpods '
        '(%s): each part of a path may have at most 255 bytes' % ('f' * 60, DOCKER)]


# ----------------------------------------------------------------------------- images the engine can parse

@pytest.mark.parametrize('image, problem', [
    ('busybox', None), ('busybox:1.35', None), ('registry.k8s.io/pause:3.10', None), ('localhost:5000/a/b:c', None),
    ('[::1]:5000/x:y', None), ('a@sha256:' + '0' * 64, None), ('sha256:' + 'a' * 64, None), ('a__b.c-d', None),
    ('Registry.Example.com/x:Tag', None),                       # a registry host and a tag may have capitals
    ('BusyBox:1.35', 'invalid reference format: repository name must be lowercase'),
    ('busy box', 'invalid reference format'),
    ('a..b', 'invalid reference format'),
    ('nginx:', 'invalid reference format'),
    ('x/' + 'a' * 300, 'invalid reference format: repository name must not be more than 255 characters'),
])
def test_image_problem(image, problem):
    assert podspec.image_problem(image) == problem


def test_an_image_the_engine_cannot_parse_is_refused_as_the_kubelet_refuses_it():
    assert semantic(image='BusyBox:1.35') == [
        '%s.image: Invalid value: "BusyBox:1.35": InvalidImageName: Failed to apply default image tag "BusyBox:1.35": '
        'couldn\'t parse image reference "BusyBox:1.35": invalid reference format: repository name must be lowercase' % C]


@pytest.mark.parametrize('container, init, errors', [
    ({'restartPolicy': 'Never'}, False, []),
    ({'restartPolicy': 'Sometimes'}, False,
     ['c.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']),
    ({'restartPolicy': 'Never'}, True, ['c.restartPolicy: Unsupported value: "Never": supported values: "Always"']),
    ({'restartPolicyRules': [{'action': 'Restart', 'exitCodes': {'operator': 'In', 'values': [1]}}]}, False,
     ['c.restartPolicyRules: Forbidden: must be set with an explicit restartPolicy']),
    ({'restartPolicy': 'Never', 'restartPolicyRules': [{'action': 'Stop', 'exitCodes': {'operator': 'Is', 'values': [1, 1]}}]},
     False, ['c.restartPolicyRules[0].action: Unsupported value: "Stop": supported values: "Restart"',
             'c.restartPolicyRules[0].exitCodes.operator: Unsupported value: "Is": supported values: "In", "NotIn"',
             'c.restartPolicyRules[0].exitCodes.values: Duplicate value: the values must be unique']),
    ({'restartPolicy': 'Never', 'restartPolicyRules': [{'action': 'Restart'}]}, False,
     ['c.restartPolicyRules[0].exitCodes: Required value']),
])
def test_container_restart_policy_and_rules(container, init, errors):
    assert containers.restart_errors(container, 'c', init) == errors


@pytest.mark.parametrize('mount, privileged, expected', [
    ({'mountPropagation': 'HostToContainer'}, False, []),
    ({'mountPropagation': 'Bidirectional'}, True, []),
    ({'mountPropagation': 'Bidirectional'}, False,
     ['c.volumeMounts[0].mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged '
      'containers']),
    ({'mountPropagation': 'Sideways'}, False,
     ['c.volumeMounts[0].mountPropagation: Unsupported value: "Sideways": supported values: "Bidirectional", '
      '"HostToContainer", "None"']),
    ({'recursiveReadOnly': 'Enabled', 'readOnly': True}, False, []),
    ({'recursiveReadOnly': 'Disabled'}, False, []),
    ({'recursiveReadOnly': 'IfPossible'}, False,
     ['c.volumeMounts[0].recursiveReadOnly: Forbidden: may only be specified when readOnly is true']),
    ({'recursiveReadOnly': 'Enabled', 'readOnly': True, 'mountPropagation': 'HostToContainer'}, False,
     ['c.volumeMounts[0].recursiveReadOnly: Forbidden: may only be specified when mountPropagation is None or not '
      'specified']),
    ({'recursiveReadOnly': 'Always', 'readOnly': True}, False,
     ['c.volumeMounts[0].recursiveReadOnly: Unsupported value: "Always": supported values: "Disabled", "Enabled", '
      '"IfPossible"']),
])
def test_mount_propagation_and_recursive_read_only_are_validated_as_the_api_server_does(mount, privileged, expected):
    container = {'name': 'c', 'securityContext': {'privileged': privileged},
                 'volumeMounts': [dict(mount, name='v', mountPath='/v')]}
    assert containers.mount_option_errors(container, 'c.volumeMounts') == expected


def test_local_storage_limits_need_the_node_agent():
    spec = {'containers': [{'name': 'app', 'resources': {'limits': {'ephemeral-storage': '1Gi'}}},
                           {'name': 'other', 'resources': {'requests': {'ephemeral-storage': '1Gi'}}}],
            'initContainers': [{'name': 'init', 'resources': {'limits': {'ephemeral-storage': '1Gi'}}}],
            'volumes': [{'name': 'disk', 'emptyDir': {'sizeLimit': '1Mi'}}, {'name': 'plain', 'emptyDir': {}},
                        {'name': 'mem', 'emptyDir': {'medium': 'Memory', 'sizeLimit': '1Mi'}}]}
    assert containers.agent_paths({'spec': spec}) == [
        'spec.initContainers[0].resources.limits[ephemeral-storage]',
        'spec.containers[0].resources.limits[ephemeral-storage]', 'spec.volumes[0].emptyDir.sizeLimit']
