"""Unit tests of the run_manifest and kubectl_yaml filters (the run playbook's manifest and its dry-run text)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hostpods.core.plugins.filter.kubectl_yaml import kubectl_yaml
from ansible_collections.hostpods.core.plugins.filter.run_manifest import run_manifest


def test_the_playbooks_arguments_become_kubectl_runs_pod():
    pod = run_manifest('web', image='busybox', port='80', env={'A': '1'}, labels='app=web', restart='Never',
                       command='sh -c "echo hi; sleep 1"', args=None)
    container = pod['spec']['containers'][0]
    assert container['command'] == ['sh', '-c', 'echo hi; sleep 1'] and 'args' not in container
    assert container['ports'] == [{'containerPort': 80}] and pod['spec']['restartPolicy'] == 'Never'
    assert pod['metadata']['labels'] == {'app': 'web'}
    assert run_manifest('web', image='busybox', args=['a', 'b c'])['spec']['containers'][0]['args'] == ['a', 'b c']


def test_kubectl_yaml_prints_as_kubectl():
    assert kubectl_yaml(run_manifest('web', image='busybox', args=['-p', '80'])).splitlines()[-9:] == [
        '  - args:', '    - -p', '    - "80"', '    image: busybox', '    name: web', '    resources: {}',
        '  dnsPolicy: ClusterFirst', '  restartPolicy: Always', 'status: {}']


@pytest.mark.parametrize('kwargs, message', [({}, 'run_manifest: required flag(s) "image" not set'),
                                             ({'image': 'x', 'port': 'http'}, "run_manifest: invalid port: http: a port number"),
                                             ({'image': 'x', 'restart': 'Sometimes'},
                                              'run_manifest: invalid restart policy: Sometimes')])
def test_bad_arguments_fail_the_task(kwargs, message):
    with pytest.raises(AnsibleFilterError) as caught:
        run_manifest('web', **kwargs)
    assert str(caught.value).startswith(message)
