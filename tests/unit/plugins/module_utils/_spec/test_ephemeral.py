"""Unit tests of _spec.ephemeral: kubectl debug's container and the API server's rules for adding one."""

import re

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import ephemeral

from hostpods_fakes import container, pod

SPEC = pod(containers=[container('app')], init=[container('setup')])['spec']


def test_kubectl_debugs_name_and_defaults():
    assert re.match(r'^debugger-[bcdfghjklmnpqrstvwxz2456789]{5}$', ephemeral.generated_name())
    made = ephemeral.debug_container('dbg', 'busybox:1.35', ['sleep', 3600], None, 'app')
    assert made == {'name': 'dbg', 'image': 'busybox:1.35', 'imagePullPolicy': 'IfNotPresent', 'command': ['sleep', '3600'],
                    'terminationMessagePath': '/dev/termination-log', 'terminationMessagePolicy': 'File',
                    'resources': {}, 'stdin': False, 'tty': False, 'targetContainerName': 'app'}
    assert ephemeral.debug_container('dbg', 'busybox')['imagePullPolicy'] == 'Always'  # no tag: latest


@pytest.mark.parametrize('made, message', [
    (ephemeral.debug_container('app', 'busybox:1.35'), 'spec.ephemeralContainers[0].name: Duplicate value: "app"'),
    (ephemeral.debug_container('dbg', 'busybox:1.35', target='nope'),
     'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"'),
    (ephemeral.debug_container('Dbg', 'busybox:1.35'), 'spec.ephemeralContainers[0].name: Invalid value: "Dbg"'),
    (ephemeral.debug_container('dbg', 'Busy Box'), 'spec.ephemeralContainers[0].image: Invalid value: "Busy Box"'),
])
def test_the_api_servers_refusals(made, message):
    with pytest.raises(ManifestError) as caught:
        ephemeral.check_add(SPEC, made, 'web')
    assert caught.value.msg.startswith('Pod "web" is invalid: ') and message in caught.value.msg


def test_an_existing_ephemeral_container_is_never_changed_and_the_same_one_is_there_already():
    first = ephemeral.debug_container('dbg', 'busybox:1.35', ['sleep', '1'], target='setup')
    assert ephemeral.check_add(SPEC, first, 'web') is False
    spec = dict(SPEC, ephemeralContainers=[first])
    assert ephemeral.check_add(spec, dict(first), 'web') is True
    with pytest.raises(ManifestError) as caught:
        ephemeral.check_add(spec, ephemeral.debug_container('dbg', 'busybox:1.36'), 'web')
    assert 'spec.ephemeralContainers[0]: Forbidden: existing ephemeral containers "dbg" may not be changed' in caught.value.msg
