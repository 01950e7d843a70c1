"""Prune by ApplySet (issue 14 item 2), as `kubectl apply --prune --applyset` does: members are labelled,
the parent Secret lists their kinds and namespaces, what the manifests no longer hold is deleted (check mode
and diff first), pods and objects outside the set are never touched; claims only when asked."""

import json
import os

from harness import containers, docker, ok, pod, sleeper

from ansible_collections.hostpods.core.plugins.module_utils._spec import applyset as sets
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs


def stored(kind, namespace, name):
    path = configs.store_path(kind, namespace, name)
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def running_pods(prefix):
    return sorted({name.split('_')[2] for name, state in containers(prefix).items() if state == 'running'})


def config_map(name, namespace, **data):
    return {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name, 'namespace': namespace},
            'data': data}


def secret(name, namespace):
    return {'apiVersion': 'v1', 'kind': 'Secret', 'metadata': {'name': name, 'namespace': namespace},
            'stringData': {'token': 'prune-me'}}


def claim(name, namespace):
    return {'apiVersion': 'v1', 'kind': 'PersistentVolumeClaim', 'metadata': {'name': name, 'namespace': namespace},
            'spec': {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Mi'}}}}


def quick(name, namespace, **labels):
    return pod(name, [sleeper()], namespace=namespace, terminationGracePeriodSeconds=1, **(
        {'labels': labels} if labels else {}))


def test_prune_deletes_what_the_set_no_longer_holds_and_nothing_else(pods):
    ns = pods.prefix + '-ns'
    name = pods.prefix + '-shop'
    set_id = sets.applyset_id(name, ns)
    web, db, outside, other = (pods.name(n) for n in ('web', 'db', 'outside', 'other'))
    outsiders = [quick(outside, ns), config_map(pods.name('plain'), ns, a='1')]
    first = [quick(web, ns, app='web'), quick(db, ns), config_map(pods.name('cfg'), ns, a='1'), secret(pods.name('sec'), ns)]
    second = [quick(web, ns, app='web'), config_map(pods.name('cfg'), ns, a='1')]
    everything = first + outsiders + [quick(other, ns)]
    try:
        ok(pods.apply(outsiders, namespace=ns))                                   # no set
        ok(pods.apply([quick(other, ns)], namespace=ns, prune=True, applyset=name + '-b'))  # another set

        # 1. the set's first apply: members labelled, the parent written; the four steps
        applied = pods.four_step(first, namespace=ns, prune=True, applyset=name)
        assert [o['kind'] + '/' + o['action'] for o in applied['objects']] == [
            'Secret/created', 'ConfigMap/created', 'Secret/created']
        parent = stored('Secret', ns, name)
        assert parent['metadata']['labels'] == {sets.PARENT_ID: set_id}
        assert parent['metadata']['annotations'][sets.GROUP_KINDS] == 'ConfigMap,Pod,Secret'
        assert parent['metadata']['annotations'][sets.NAMESPACES] == ''
        assert parent['metadata']['annotations'][sets.TOOLING].startswith('hostpods/v')
        assert stored('Secret', ns, pods.name('sec'))['metadata']['labels'] == {sets.PART_OF: set_id}
        sandbox = [n for n in containers(pods.prefix) if n.startswith('k8s_POD_%s_' % web)][0]
        assert docker('inspect', '--format', '{{index .Config.Labels "%s"}}' % sets.PART_OF, sandbox) == set_id
        assert all(p['metadata']['labels'][sets.PART_OF] == set_id for p in applied['pods'])

        # 2. check mode and diff show what would be pruned, and change nothing
        before = containers(pods.prefix)
        checked = ok(pods.apply(second, namespace=ns, prune=True, applyset=name, check=True, diff=True))
        assert checked['changed'] is True and containers(pods.prefix) == before
        assert {p['metadata']['name']: p['action'] for p in checked['pods']} == {web: 'unchanged', db: 'pruned'}
        assert checked['pods'][1]['planned_steps'][0].startswith('forget the pod')
        assert [(o['metadata']['name'], o['action']) for o in checked['objects']] == [
            (name, 'updated'), (pods.name('cfg'), 'unchanged'), (pods.name('sec'), 'pruned')]
        assert checked['objects'][2]['data'] == {'token': '<redacted>'}
        headers = [d['after_header'] for d in checked['diff']]
        assert headers == ['pod %s/%s (pruned)' % (ns, db), 'Secret %s/%s (pruned)' % (ns, pods.name('sec')),
                           'Secret %s/%s (updated)' % (ns, name)], headers
        assert stored('Secret', ns, pods.name('sec')) is not None

        # 3. the prune, in four steps: db and the Secret go; web, the outsiders and the other set's pod stay
        pruned = pods.four_step(second, namespace=ns, prune=True, applyset=name, wait=True)
        assert {p['metadata']['name']: p['action'] for p in pruned['pods']} == {web: 'unchanged', db: 'pruned'}
        assert running_pods(pods.prefix) == sorted([web, outside, other])
        assert stored('Secret', ns, pods.name('sec')) is None
        assert stored('ConfigMap', ns, pods.name('plain')) is not None
        assert stored('Secret', ns, name)['metadata']['annotations'][sets.GROUP_KINDS] == 'ConfigMap,Pod'
    finally:
        pods.apply(everything + [claim(pods.name('data'), ns)], namespace=ns, state='absent')
        pods.apply([secret(name, ns), secret(name + '-b', ns)], namespace=ns, state='absent')


def test_claims_are_pruned_only_when_asked(pods):
    ns = pods.prefix + '-ns'
    name = pods.prefix + '-data'
    data = claim(pods.name('data'), ns)
    volume = 'k8s_pvc_%s_%s' % (pods.name('data'), ns)
    web = quick(pods.name('web'), ns)
    try:
        ok(pods.apply([web, data], namespace=ns, prune=True, applyset=name))
        kept = ok(pods.apply([web], namespace=ns, prune=True, applyset=name))
        assert kept['changed'] is False and kept['docker_calls']['write'] == 0
        assert [o['action'] for o in kept['objects']] == ['unchanged']  # the parent goes on listing the claim
        assert volume in docker('volume', 'ls', '-q').splitlines() and stored('PersistentVolumeClaim', ns, pods.name('data'))
        assert stored('Secret', ns, name)['metadata']['annotations'][sets.GROUP_KINDS] == 'PersistentVolumeClaim,Pod'
        gone = ok(pods.apply([web], namespace=ns, prune=True, applyset=name, prune_claims=True))
        assert [(o['kind'], o['action']) for o in gone['objects']] == [('Secret', 'updated'),
                                                                       ('PersistentVolumeClaim', 'pruned')]
        assert volume not in docker('volume', 'ls', '-q').splitlines()
        assert stored('Secret', ns, name)['metadata']['annotations'][sets.GROUP_KINDS] == 'Pod'
    finally:
        pods.apply([web, data, secret(name, ns)], namespace=ns, state='absent')
        docker('volume', 'rm', '-f', volume, check=False)


def test_bad_prune_calls_change_nothing(pods):
    ns = pods.prefix + '-ns'
    web = quick(pods.name('web'), ns)
    labelled = quick(pods.name('db'), ns, **{sets.PART_OF: 'applyset-x-v1'})
    failures = pods.play(
        ('hostpods.core.pod', {'definition': [web], 'namespace': ns, 'prune': True}),
        ('hostpods.core.pod', {'definition': [web], 'namespace': ns, 'applyset': 'x'}),
        ('hostpods.core.pod', {'definition': [web, labelled], 'namespace': ns, 'prune': True, 'applyset': 'x'}),
        ('hostpods.core.pod', {'definition': [web], 'namespace': ns, 'prune': True, 'applyset': 'secrets/Bad_Name'}))
    messages = [result['msg'] for result in failures]
    assert all(result.get('failed') for result in failures), messages
    assert messages[0].startswith('prune needs applyset')
    assert messages[1].startswith('applyset requires prune=true')
    assert 'Pod %s/%s: ApplySet label "%s" already set in input data' % (ns, pods.name('db'), sets.PART_OF) in messages[2]
    assert 'applyset: Invalid value: "Bad_Name"' in messages[3]
    assert containers(pods.prefix) == {} and stored('Secret', ns, 'x') is None
