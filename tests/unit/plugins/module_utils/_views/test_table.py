"""Unit tests of _views.table: Go's tabwriter as kubectl uses it, and the get tables."""

import calendar
import time

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._views import table
from ansible_collections.hostpods.core.plugins.module_utils._views.status import pod_object, pod_row

from hostpods_fakes import UID, container, inspected, inspected_sandbox, pod

CREATED = calendar.timegm(time.strptime('2024-05-01T09:59:59Z', '%Y-%m-%dT%H:%M:%SZ'))   # the fake sandbox
NOW = CREATED + 3600  # as in test_status_row


@pytest.mark.parametrize('lines, layout, expected', [
    # a column is as wide as its widest cell plus the padding; the last cell is never padded
    (['a\tbb\tc', 'ccc\td\te'], {'padding': 2}, ['a    bb  c', 'ccc  d   e']),
    # minwidth (kubectl get: 6, padding 3)
    (['A\tB', 'x\ty'], {'minwidth': 6, 'padding': 3}, ['A     B', 'x     y']),
    # a line without a tab ends the column block: the next block is aligned on its own
    (['Name:\tweb', 'Containers:', '  app:\tx', '    Image ID:\ty'], {'padding': 2},
     ['Name:  web', 'Containers:', '  app:         x', '    Image ID:  y']),
    # deeper columns are aligned within the blocks of the column before
    (['a\tb\tc', 'aa\tbbbb\tc', 'a\tc'], {'padding': 1}, ['a  b    c', 'aa bbbb c', 'a  c']),
    # empty cells are padded too (kubectl's multi-line labels)
    (['Labels:\ta=b', '\tc=d'], {'padding': 2}, ['Labels:  a=b', '         c=d']),
])
def test_tabwrite_aligns_as_go_tabwriter(lines, layout, expected):
    assert table.tabwrite(lines, **layout) == expected


def test_tabwrite_remembers_widths_for_watch():
    widths = {}
    first = table.tabwrite(['NAME\tSTATUS', 'web\tRunning'], widths=widths, padding=3)
    later = table.tabwrite(['a\tPending'], widths=widths, padding=3)
    assert first[1].index('Running') == later[0].index('Pending')


def running_pod(name='web', labels=None):
    applied = pod(name, labels=labels or {'app': 'web', 'tier': 'front'}, containers=[container('app')])
    return pod_object(applied, UID, inspected_sandbox(), {'app': [inspected('a0')]}, node_name='node1')


def test_pods_table_default_wide_all_namespaces_and_labels():
    obj = running_pod()
    assert table.pods_table([obj], wide=False, now=NOW).splitlines() == [
        'NAME   READY   STATUS    RESTARTS   AGE', 'web    1/1     Running   0          60m']
    wide = table.pods_table([obj], wide=True, namespaces=True, labels=True, now=NOW).splitlines()
    assert wide == [
        'NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE   IP           NODE    NOMINATED NODE   READINESS GATES   LABELS',
        'default     web    1/1     Running   0          60m   172.17.0.5   node1   <none>           <none>            '
        'app=web,tier=front']
    assert wide[1].split() == ['default', 'web', '1/1', 'Running', '0', '60m', '172.17.0.5', 'node1', '<none>', '<none>',
                               'app=web,tier=front']


def test_pods_table_takes_pod_info_rows_and_pod_objects_alike():
    obj = running_pod()
    assert table.pods_table([pod_row(obj, NOW)], now=NOW) == table.pods_table([obj], now=NOW)
    assert table.pods_table([], now=NOW) is None
    assert table.pods_table([{'metadata': {'name': 'gone'}, 'action': 'deleted'}], now=NOW) is None


def test_labels_text():
    assert table.labels_text({'b': '2', 'a': '1'}) == 'a=1,b=2'
    assert table.labels_text({}) == '<none>'


def test_object_rows():
    secret = {'kind': 'Secret', 'type': 'Opaque', 'data': {'a': 'eA==', 'b': 'eQ=='},
              'metadata': {'name': 's', 'namespace': 'default', 'labels': {}}}
    row = table.object_row(secret, NOW, written=NOW - 30)
    assert (row['data'], row['type'], row['age']) == ('2', 'Opaque', '30s')
    claim = {'kind': 'PersistentVolumeClaim', 'metadata': {'name': 'data', 'namespace': 'default'},
             'spec': {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}}}
    bound = table.object_row(claim, NOW, written=NOW - 3600, volume='k8s_pvc_data_default')
    assert (bound['status'], bound['capacity'], bound['access_modes'], bound['storage_class']) == (
        'Bound', '1Gi', 'RWO', '<unset>')
    assert table.object_row(claim, NOW)['status'] == 'Pending'
    text = table.objects_table('PersistentVolumeClaim', [bound]).splitlines()
    assert text[0].split() == ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS', 'MODES', 'STORAGECLASS',
                               'VOLUMEATTRIBUTESCLASS', 'AGE']
