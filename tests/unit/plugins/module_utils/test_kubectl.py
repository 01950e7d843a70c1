"""Unit tests of _kubectl's pure parts: which container of a pod a call is about, and where an exec goes."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._kubectl import pick_container, running_instance

from hostpods_fakes import container, pod, record_of

SIDECAR = container('proxy', restartPolicy='Always')


def web(**kwargs):
    return record_of(pod('web', containers=[container('app'), container('side')], init=[container('setup'), SIDECAR],
                         **kwargs))


@pytest.mark.parametrize('name, kubectl_default, expected', [
    ('side', False, 'side'),
    ('setup', False, 'setup'),
    (None, True, 'app'),
])
def test_pick_container(name, kubectl_default, expected):
    assert pick_container(web(), 'default', 'web', name, kubectl_default=kubectl_default) == expected


def test_pick_container_by_annotation():
    annotated = web(annotations={'kubectl.kubernetes.io/default-container': 'side'})
    assert pick_container(annotated, 'default', 'web', kubectl_default=True) == 'side'
    assert pick_container(record_of(pod('one')), 'default', 'one') == 'app'


@pytest.mark.parametrize('record, name, message', [
    (None, None, 'pods "web" not found in namespace "default"'),
    ('web', None, r'a container name must be specified for pod web, choose one of: \[app side\] '
                  r'or one of the init containers: \[setup proxy\]'),
    ('web', 'db', 'container db is not valid for pod web'),
])
def test_pick_container_refusals(record, name, message):
    with pytest.raises(HostpodsError, match=message):
        pick_container(web() if record else None, 'default', 'web', name)


def test_running_instance():
    record = web()
    assert running_instance(record, 'app').id == record.latest('app').id
    with pytest.raises(HostpodsError, match='cannot exec in a container that is not running: container setup of pod web'):
        running_instance(record, 'setup')
