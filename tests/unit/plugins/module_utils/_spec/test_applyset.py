"""Unit tests of _spec.applyset: the ApplySet's ID, options, member labels and parent, as kubectl keeps them."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import applyset as sets
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

from hostpods_fakes import pod


def test_the_id_is_kubectls():
    # kubectl's own test (apply_test.go): Secret my-set in namespace test
    assert sets.applyset_id('my-set', 'test') == 'applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1'
    assert sets.ApplySet('my-set', 'test').id == sets.applyset_id('my-set', 'test', 'Secret')
    assert sets.ApplySet('configmaps/my-set', 'test').id == sets.applyset_id('my-set', 'test', 'ConfigMap')
    assert sets.ApplySet('secrets/my-set', 'test').key == ('Secret', 'test', 'my-set')


@pytest.mark.parametrize('params, problem', [
    ({'prune': True}, 'prune needs applyset'),
    ({'applyset': 'web'}, 'applyset requires prune=true'),
    ({'prune_claims': True}, 'prune_claims requires prune=true'),
    ({'prune': True, 'applyset': 'web', 'state': 'absent'}, 'prune is for state=present'),
    ({'prune': True, 'applyset': 'web', 'label_selectors': []}, 'prune cannot be combined with label_selectors'),
])
def test_option_errors(params, problem):
    [error] = sets.option_errors(params)
    assert error.startswith(problem)


def test_options_that_go_together():
    assert sets.option_errors({'prune': True, 'applyset': 'web', 'state': 'present', 'label_selectors': None,
                               'prune_claims': True}) == []
    assert sets.option_errors({'prune': False, 'applyset': None, 'state': 'absent'}) == []


@pytest.mark.parametrize('ref, message', [
    ('deployments.apps/web', 'resource "deployments.apps" is not permitted as an ApplySet parent'),
    ('secrets/', 'applyset: Required value'),
    ('Web_1', 'applyset: Invalid value: "Web_1": a lowercase RFC 1123 subdomain'),
])
def test_bad_parents_are_refused(ref, message):
    with pytest.raises(ManifestError) as caught:
        sets.ApplySet(ref, 'default')
    assert message in caught.value.msg


def test_members_are_labelled_and_a_label_set_by_hand_is_refused():
    applyset = sets.ApplySet('web', 'default')
    web = pod('web', labels={'app': 'web'})
    config = {'kind': 'ConfigMap', 'metadata': {'name': 'c', 'namespace': 'default', 'labels': {}}}
    applyset.label([web, config])
    assert web['metadata']['labels'] == {'app': 'web', sets.PART_OF: applyset.id}
    assert config['metadata']['labels'] == {sets.PART_OF: applyset.id}
    with pytest.raises(ManifestError) as caught:
        applyset.label([pod('db', labels={sets.PART_OF: 'applyset-x-v1'}),
                        {'kind': 'Secret', 'metadata': {'name': 'web', 'namespace': 'default'}}])
    assert caught.value.details['errors'] == [
        'Pod default/db: ApplySet label "applyset.kubernetes.io/part-of" already set in input data',
        'Secret default/web: is the parent of ApplySet secrets./web: it cannot be one of its members']


def test_the_parent_lists_kinds_and_other_namespaces_sorted():
    applyset = sets.ApplySet('web', 'shop')
    parent = applyset.parent({'Pod', 'ConfigMap'}, {'shop', 'db', 'cache'})
    assert parent['kind'] == 'Secret' and parent['type'] == 'Opaque' and parent['data'] == {}
    assert parent['metadata']['labels'] == {sets.PARENT_ID: applyset.id}
    assert parent['metadata']['annotations'] == {
        sets.TOOLING: 'hostpods/v%s' % naming.VERSION, sets.GROUP_KINDS: 'ConfigMap,Pod',
        sets.NAMESPACES: 'cache,db'}
    assert applyset.scope(parent) == ({'ConfigMap', 'Pod'}, {'shop', 'cache', 'db'})
    assert applyset.scope(None) == (set(), set())
    assert applyset.scope(applyset.parent(set(), set())) == (set(), {'shop'})


def test_a_parent_on_the_node_must_be_this_sets():
    applyset = sets.ApplySet('web', 'default')
    applyset.check_parent(None)
    applyset.check_parent(applyset.parent({'Pod'}, {'default'}))
    plain = {'kind': 'Secret', 'metadata': {'name': 'web', 'namespace': 'default', 'labels': {}, 'annotations': {}}}
    other_tool = applyset.parent({'Pod'}, {'default'})
    other_tool['metadata']['annotations'][sets.TOOLING] = 'kubectl/v1.30'
    other_id = applyset.parent({'Pod'}, {'default'})
    other_id['metadata']['labels'][sets.PARENT_ID] = 'applyset-x-v1'
    for stored, message in ((plain, 'is missing required annotation "applyset.kubernetes.io/tooling"'),
                            (other_tool, 'is managed by tooling "kubectl" instead of "hostpods"'),
                            (other_id, 'has incorrect value for label "applyset.kubernetes.io/id" (got: applyset-x-v1')):
        with pytest.raises(ManifestError) as caught:
            applyset.check_parent(stored)
        assert caught.value.msg.startswith('ApplySet parent object "secrets./web" ') and message in caught.value.msg
