"""Unit tests of _reconcile: what one call returns, in check mode on a node without pods (no engine)."""

from ansible_collections.hostpods.core.plugins.module_utils import _reconcile as reconcile
from ansible_collections.hostpods.core.plugins.module_utils._plan.node import NodeContext
from ansible_collections.hostpods.core.plugins.module_utils._runtime import observe
from ansible_collections.hostpods.core.plugins.module_utils._spec import notices

from hostpods_fakes import container, doc

GI = 1024 ** 3
NODE = NodeContext(name='n1', agent=True, scheduling={
    'name': 'n1', 'labels': {'kubernetes.io/hostname': 'n1'}, 'taints': [],
    'allocatable': {'cpu': 4000, 'memory': 8 * GI, 'pods': 110, 'hugepages-2Mi': '64Mi'}})


class Client:
    """The engine as a check-mode apply reads it: no image, no call."""
    calls = {}

    @staticmethod
    def image_references():
        return set()


def check_mode_apply(monkeypatch, pods):
    monkeypatch.setattr(observe, 'read_records', lambda client: {})
    monkeypatch.setattr(observe, 'read_object', lambda *key: None)
    return reconcile.apply_pods(Client(), {'definition': pods, 'wait': False}, check_mode=True, node=NODE)


def test_the_hugepages_warning_comes_beside_the_batch_warnings(monkeypatch):
    huge = doc('huge', containers=[container('app', resources={'limits': {'hugepages-2Mi': '4Mi', 'memory': '64Mi'}})],
               serviceAccountName='sa')
    result = check_mode_apply(monkeypatch, [huge])
    assert len(result['warnings']) == 2
    assert result['warnings'][0] == '%s: pod default/huge' % notices.NO_TOKEN
    assert result['warnings'][1].startswith('hugepages-* of default/huge: ')


def test_no_warning_no_warnings_key(monkeypatch):
    assert 'warnings' not in check_mode_apply(monkeypatch, [doc('plain', containers=[container('app')])])


def test_a_selector_without_a_namespace_takes_every_namespace():
    """``hostpods delete pods --all -A``: the reconcile's selector over every namespace of the node."""
    from ansible_collections.hostpods.core.plugins.module_utils._options import POD, defaults
    from hostpods_fakes import pod, record_of
    records = {(ns, name): record_of(pod(name, ns, containers=[container('app')], labels={'app': name}))
               for ns, name in [('a', 'web'), ('b', 'db'), ('b', 'web')]}
    every = reconcile.Batch(defaults(POD, {'state': 'absent', 'label_selectors': [], 'namespace': None}))
    every.lock_keys(records)
    assert every.keys == [('a', 'web'), ('b', 'db'), ('b', 'web')]
    labelled = reconcile.Batch(defaults(POD, {'state': 'absent', 'label_selectors': ['app=web'], 'namespace': None}))
    labelled.lock_keys(records)
    assert labelled.keys == [('a', 'web'), ('b', 'web')]
    one = reconcile.Batch(defaults(POD, {'state': 'absent', 'label_selectors': [], 'namespace': 'b'}))
    one.lock_keys(records)
    assert one.keys == [('b', 'db'), ('b', 'web')]
