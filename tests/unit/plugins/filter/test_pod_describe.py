"""Unit tests of the pod_describe filter: kubectl describe pod's text, from the shared describe code."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hostpods.core.plugins.filter.pod_describe import FilterModule, pod_describe
from ansible_collections.hostpods.core.plugins.module_utils._views.describe import describe_pod


def pod(name, uid):
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'name': name, 'namespace': 'default', 'uid': uid},
            'spec': {'containers': [{'name': 'app', 'image': 'busybox'}]}, 'status': {'phase': 'Pending'}}


def event(uid, reason):
    return {'type': 'Normal', 'reason': reason, 'message': 'm', 'count': 1, 'firstTimestamp': '2024-05-01T10:00:00Z',
            'lastTimestamp': '2024-05-01T10:00:00Z', 'source': {'component': 'hostpods'}, 'involvedObject': {'uid': uid}}


def test_one_pod_is_the_shared_text():
    assert pod_describe(pod('web', 'u1')) == describe_pod(pod('web', 'u1'), [])
    assert 'Events:' not in pod_describe(pod('web', 'u1'), events=None)


def test_each_pod_gets_its_own_events():
    text = pod_describe([pod('a', 'u1'), pod('b', 'u2')], events=[event('u1', 'Pulled'), event('u2', 'Killing')])
    first, second = text.split('\n\n\n') if '\n\n\n' in text else text.split('\n\nName:')
    assert 'Pulled' in first and 'Killing' not in first
    assert 'Killing' in second and 'Pulled' not in second


def test_refuses_what_is_not_a_pod():
    with pytest.raises(AnsibleFilterError):
        pod_describe({'name': 'web'})
    assert FilterModule().filters()['pod_describe'] is pod_describe
