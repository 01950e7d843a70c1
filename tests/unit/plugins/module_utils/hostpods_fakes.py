"""Builders of Pods, sparse ``docker ps -a`` entries and ``docker inspect`` dicts for the unit tests.

Everything here is plain data: no Docker, no network. Labels come from ``_naming`` so the fakes
look exactly like what the executor would have created.
"""

import copy

from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._plan import observed as state

SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10'
UID = '6a1f3c2e-1111-4d2b-9c1e-0123456789ab'
OTHER_UID = '9b8e7d6c-2222-4a3b-8c2d-abcdef012345'


def container(name, image='busybox:1.35', **fields):
    out = {'name': name, 'image': image}
    out.update(fields)
    return out


def doc(name='web', namespace=None, containers=None, init=None, labels=None, annotations=None, **spec):
    """A raw (not defaulted) Pod manifest."""
    metadata = {'name': name}
    if namespace is not None:
        metadata['namespace'] = namespace
    if labels is not None:
        metadata['labels'] = labels
    if annotations is not None:
        metadata['annotations'] = annotations
    body = {'containers': containers if containers is not None else [container('app')]}
    if init is not None:
        body['initContainers'] = init
    body.update(spec)
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': metadata, 'spec': body}


def pod(name='web', namespace='default', **kwargs):
    """A defaulted Pod, as ``load_pods`` returns it (no uid yet)."""
    return manifest.apply_defaults(doc(name, **kwargs), namespace)


def with_uid(pod_, uid=UID):
    out = copy.deepcopy(pod_)
    out['metadata']['uid'] = uid
    return out


def exit_status(code):
    return 'Exited (%d) 2 minutes ago' % code


def entry(container_id, name, labels, state_='running', exit_code=None, created=1000):
    """One item of a sparse ``docker ps -a`` listing."""
    if state_ == 'running':
        status = 'Up 2 minutes'
    elif state_ == 'created':
        status = 'Created'
    elif state_ == 'exited':
        status = exit_status(exit_code if exit_code is not None else 0)
    else:
        status = state_.capitalize()
    return {'Id': container_id, 'Names': ['/' + name], 'Labels': dict(labels), 'State': state_, 'Status': status,
            'Created': created}


def sandbox_entry(pod_, uid=UID, attempt=0, state_='running', sandbox_image=SANDBOX_IMAGE, container_id=None,
                  created=None):
    p = with_uid(pod_, uid)
    meta = p['metadata']
    return entry(container_id or 'sandbox-%s-%d' % (uid[:4], attempt),
                 naming.sandbox_name(meta['name'], meta['namespace'], uid, attempt),
                 naming.sandbox_labels(p, attempt, sandbox_image), state_,
                 exit_code=None if state_ != 'exited' else 0,
                 created=created if created is not None else 1000 + attempt)


def container_entry(pod_, name, uid=UID, attempt=0, state_='running', exit_code=None, kind=None,
                    sandbox_id=None, container_id=None, created=None):
    """A sparse listing entry of one container instance, labelled as the executor labels it."""
    p = with_uid(pod_, uid)
    meta = p['metadata']
    sandbox_id = sandbox_id or 'sandbox-%s-0' % uid[:4]  # the sandbox of sandbox_entry, attempt 0
    spec = next(c for c in (p['spec'].get('initContainers') or []) + p['spec']['containers'] +
                (p['spec'].get('ephemeralContainers') or []) if c['name'] == name)
    if kind is None:
        kind = 'init' if any(c['name'] == name for c in p['spec'].get('initContainers') or []) else \
            'ephemeral' if any(c['name'] == name for c in p['spec'].get('ephemeralContainers') or []) else 'container'
    return entry(container_id or '%s-%s-%d' % (name, uid[:4], attempt),
                 naming.container_name(name, meta['name'], meta['namespace'], uid, attempt),
                 naming.container_labels(p, spec, kind, attempt, sandbox_id, SANDBOX_IMAGE), state_, exit_code,
                 created=created if created is not None else 2000 + attempt)


def record_of(pod_, containers=None, uid=UID, sandbox_state='running', sandbox_attempt=0, sandbox=True):
    """A PodRecord made through ``group_pods`` from ``pod_`` as applied.

    ``containers`` maps a container name to a list of ``dict(attempt=, state_=, exit_code=)``; by
    default every container (init ones exited 0) has one instance at attempt 0.
    """
    entries = []
    if sandbox:
        entries.append(sandbox_entry(pod_, uid, sandbox_attempt, sandbox_state))
    if containers is None:
        containers = {}
        for c in pod_['spec'].get('initContainers') or []:
            containers[c['name']] = [dict(state_='exited', exit_code=0)]
        for c in pod_['spec']['containers']:
            containers[c['name']] = [dict(state_='running')]
    for name, instances in containers.items():
        for index, instance in enumerate(instances):
            instance = dict(instance)
            instance.setdefault('attempt', index)
            instance.setdefault('sandbox_id', 'sandbox-%s-%d' % (uid[:4], sandbox_attempt))
            entries.append(container_entry(pod_, name, uid, **instance))
    return state.group_pods(entries)[(pod_['metadata']['namespace'], pod_['metadata']['name'])]


# ------------------------------------------------------------------ docker inspect shapes

T0 = '2024-05-01T10:00:00.123456789Z'
T1 = '2024-05-01T10:05:00.987654321Z'
T2 = '2024-05-01T10:06:00.5Z'
ZERO = '0001-01-01T00:00:00Z'


def inspected(container_id, image='busybox:1.35', attempt=0, status='running', exit_code=0, oom=False,
              restart_count=0, started=T0, finished=ZERO, error='', created=T0, labels=None):
    """A ``docker inspect`` dict of one container; ``status`` is Docker's State.Status."""
    all_labels = {naming.ATTEMPT: str(attempt)}
    all_labels.update(labels or {})
    return {
        'Id': container_id,
        'Created': created,
        'Image': 'sha256:' + 'ab' * 32,
        'RestartCount': restart_count,
        'Config': {'Image': image, 'Labels': all_labels},
        'State': {'Status': status, 'Running': status in ('running', 'restarting'),
                  'Restarting': status == 'restarting', 'OOMKilled': oom, 'ExitCode': exit_code,
                  'Error': error, 'StartedAt': started, 'FinishedAt': finished},
    }


def exited(container_id, exit_code=0, attempt=0, **kwargs):
    kwargs.setdefault('finished', T1)
    return inspected(container_id, attempt=attempt, status='exited', exit_code=exit_code, **kwargs)


def inspected_sandbox(running=True, ip='172.17.0.5', gateway='172.17.0.1'):
    info = inspected('sandbox-id', image=SANDBOX_IMAGE, status='running' if running else 'exited',
                     started=T0, created='2024-05-01T09:59:59.000000001Z')
    info['NetworkSettings'] = {'IPAddress': ip if running else '', 'Gateway': gateway if running else ''}
    return info
