"""Unit tests of the pod_table filter: the table of kubectl get pods -o wide, from the shared table code."""

from ansible_collections.hostpods.core.plugins.filter.pod_table import FilterModule, pod_table
from ansible_collections.hostpods.core.plugins.module_utils._views.table import pods_table


def row(name, status='Running'):
    return {'name': name, 'namespace': 'default', 'ready': '1/1', 'status': status, 'restarts': '0', 'age': '5s',
            'ip': '172.17.0.2', 'node': 'node1'}


def test_the_filter_is_the_shared_table():
    rows = [row('web'), row('db', 'Pending')]
    assert pod_table(rows) == pods_table(rows, wide=True)
    assert pod_table(rows, namespaces=True).startswith('NAMESPACE   NAME   READY')
    assert pod_table(rows).splitlines() == [
        'NAME   READY   STATUS    RESTARTS   AGE   IP           NODE    NOMINATED NODE   READINESS GATES',
        'web    1/1     Running   0          5s    172.17.0.2   node1   <none>           <none>',
        'db     1/1     Pending   0          5s    172.17.0.2   node1   <none>           <none>']


def test_no_pods():
    assert pod_table([]) == 'No resources found.'
    assert FilterModule().filters()['pod_table'] is pod_table
