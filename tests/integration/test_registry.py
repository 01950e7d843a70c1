"""Image pulls from a real registry on loopback (Debian's docker-registry), with and without auth:
imagePullPolicy Always really pulls, and imagePullSecrets authenticate the pull."""

import base64
import json
import os
import socket
import subprocess
import time

import docker as docker_sdk
import pytest
import yaml

from harness import BUSYBOX, containers, docker, inspect, ok, pod, shell_container

USER, PASSWORD = 'puller', 'pull-secret-pw'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def registries(tmp_path_factory):
    """Two registries on 127.0.0.1: an open one and one that wants a user and password."""
    base = tmp_path_factory.mktemp('registry')
    htpasswd = base / 'htpasswd'
    subprocess.run(['htpasswd', '-Bbc', str(htpasswd), USER, PASSWORD], check=True, capture_output=True)
    procs, ports = [], {}
    for kind in ('open', 'auth'):
        port = free_port()
        config = {'version': 0.1, 'storage': {'filesystem': {'rootdirectory': str(base / kind)}},
                  'http': {'addr': '127.0.0.1:%d' % port}}
        if kind == 'auth':
            config['auth'] = {'htpasswd': {'realm': 'hostpods-test', 'path': str(htpasswd)}}
        (base / ('%s.yml' % kind)).write_text(yaml.safe_dump(config))
        procs.append(subprocess.Popen(['docker-registry', 'serve', str(base / ('%s.yml' % kind))],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        ports[kind] = port
    for port in ports.values():
        for _attempt in range(100):
            try:
                socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
    yield ports
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def push(image, source, auth=None):
    """Tag ``source`` as ``image``, push it, and remove the local tag (so a pod must pull it)."""
    api = docker_sdk.APIClient(version='auto')
    repository, tag = image.rsplit(':', 1)
    api.tag(source, repository, tag)
    for line in api.push(repository, tag=tag, auth_config=auth, stream=True, decode=True):
        assert 'error' not in line, line
    api.remove_image(image)


def test_always_really_pulls(pods, registries):
    image = '127.0.0.1:%d/%s/app:1' % (registries['open'], pods.prefix)
    push(image, BUSYBOX)
    name = pods.name('always')
    manifest = pod(name, [shell_container('app', 'trap "exit 0" TERM; sleep 3600 & wait', image=image,
                                          imagePullPolicy='Always')], terminationGracePeriodSeconds=1)
    try:
        # a different local image under the same name: Always must replace it with the registry's
        docker('tag', 'hostpods/pause:3.10', image)
        obj = ok(pods.apply(manifest))['pods'][0]
        container = inspect('k8s_app_%s_default_%s_0' % (name, obj['metadata']['uid']))
        assert container['Image'] == inspect(BUSYBOX)['Id'] and container['State']['Running']
    finally:
        pods.apply(manifest, state='absent')
        docker('rmi', '-f', image, check=False)


def test_image_pull_secrets_authenticate(pods, registries):
    registry = '127.0.0.1:%d' % registries['auth']
    image = '%s/%s/private:1' % (registry, pods.prefix)
    push(image, BUSYBOX, auth={'username': USER, 'password': PASSWORD})
    config = {'auths': {registry: {'auth': base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()}}}
    secret = {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/dockerconfigjson',
              'metadata': {'name': pods.prefix + '-pull'}, 'stringData': {'.dockerconfigjson': json.dumps(config)}}
    anonymous = pod(pods.name('anon'), [shell_container('app', 'sleep 3600', image=image)],
                    terminationGracePeriodSeconds=1)
    private = pod(pods.name('priv'), [shell_container('app', 'trap "exit 0" TERM; sleep 3600 & wait', image=image)],
                  imagePullSecrets=[{'name': pods.prefix + '-pull'}], terminationGracePeriodSeconds=1)
    try:
        refused = pods.apply(anonymous)
        assert refused.get('failed') and 'ErrImagePull' in refused['msg']
        listed = ok(pods.run({'name': pods.name('anon')}, module='hostpods.core.pod_info'))
        assert listed['rows'][0]['status'] == 'ErrImagePull'
        applied = ok(pods.apply([private, secret]))
        assert PASSWORD not in json.dumps(applied)
        states = {n.split('_')[1]: s for n, s in containers(pods.prefix).items() if pods.name('priv') in n}
        assert states == {'POD': 'running', 'app': 'running'}
    finally:
        pods.apply([anonymous, private, secret], state='absent')
        docker('rmi', '-f', image, check=False)
        assert not os.path.exists('/var/lib/hostpods/objects/default/secrets/%s-pull.json' % pods.prefix)


def test_an_image_the_registry_does_not_have_is_a_clean_failure_then_a_clean_apply(pods, registries):
    """A 404 from the registry is the pod's ErrImagePull naming the image (not a traceback); the next
    apply with an image that exists converges, with one sandbox."""
    missing = '127.0.0.1:%d/%s/nope:1' % (registries['open'], pods.prefix)
    name = pods.name('404')
    broken = pod(name, [shell_container('app', 'sleep 3600', image=missing)], terminationGracePeriodSeconds=1)
    fixed = pod(name, [shell_container('app', 'trap "exit 0" TERM; sleep 3600 & wait')], terminationGracePeriodSeconds=1)
    try:
        failed = pods.apply(broken)
        assert failed.get('failed') and 'ErrImagePull' in failed['msg'] and missing in failed['msg'], failed['msg']
        assert 'Traceback' not in json.dumps(failed) and 'MODULE FAILURE' not in failed['msg']
        assert failed['pods'][0]['error'] and failed['docker_calls']['write'] > 0
        applied = ok(pods.apply(fixed, wait=True))
        assert applied['pods'][0]['status']['phase'] == 'Running'
        states = sorted((n.split('_')[1], s) for n, s in containers(pods.prefix).items())
        assert states == [('POD', 'running'), ('app', 'running')]
    finally:
        pods.apply(fixed, state='absent')
