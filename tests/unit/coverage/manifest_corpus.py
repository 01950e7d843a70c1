"""The corpus of real manifests (``corpus/<source>/``, see SOURCES.md): their pods, as the controllers of a
cluster would make them from each workload's pod template, and why hostpods refuses those it refuses."""

import os

import yaml

from ansible_collections.hostpods.core.plugins.module_utils._plan import capabilities
from ansible_collections.hostpods.core.plugins.module_utils._plan.node import NodeContext
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import priority

HERE = os.path.dirname(os.path.abspath(__file__))
SUFFIXES = ('.yaml.txt', '.yml.txt', '.json.txt')  # copies of third-party YAML, kept from the linters
CORPUS = os.path.join(HERE, 'corpus')
TEMPLATES = {'Deployment': ('spec', 'template'), 'ReplicaSet': ('spec', 'template'), 'StatefulSet': ('spec', 'template'),
             'DaemonSet': ('spec', 'template'), 'Job': ('spec', 'template'), 'ReplicationController': ('spec', 'template'),
             'CronJob': ('spec', 'jobTemplate', 'spec', 'template'), 'PodTemplate': ('template',)}


def sources():
    return sorted(name for name in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, name)))


def files(source):
    root = os.path.join(CORPUS, source)
    for folder, dummy, names in sorted(os.walk(root)):
        for name in sorted(names):
            if name.endswith(SUFFIXES):
                yield os.path.relpath(os.path.join(folder, name), root), os.path.join(folder, name)


def _claims(workload, spec):
    """The volumes the StatefulSet controller adds for its claim templates (``<template>-<set>-0``)."""
    volumes = list(spec.get('volumes') or [])
    names = {volume.get('name') for volume in volumes}
    for template in (workload.get('spec') or {}).get('volumeClaimTemplates') or []:
        name = (template.get('metadata') or {}).get('name')
        if name not in names:
            volumes.append({'name': name, 'persistentVolumeClaim': {
                'claimName': '%s-%s-0' % (name, workload['metadata']['name'])}})
    return volumes


def pod_of(document):
    """The Pod a document makes: itself, or its workload's pod template named after the workload; else None."""
    kind = document.get('kind')
    if kind == 'Pod':
        return document
    if kind not in TEMPLATES:
        return None
    template = document
    for key in TEMPLATES[kind]:
        template = template.get(key) or {}
    meta = dict(template.get('metadata') or {})
    meta['name'] = document['metadata']['name']
    if document['metadata'].get('namespace'):
        meta['namespace'] = document['metadata']['namespace']
    spec = dict(template.get('spec') or {})
    if kind == 'StatefulSet' and (document.get('spec') or {}).get('volumeClaimTemplates'):
        spec['volumes'] = _claims(document, spec)
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': meta, 'spec': spec}


def pods(source):
    """``[(file, pod name, Pod, PriorityClasses of the source)]``."""
    found, classes = [], []
    for relative, path in files(source):
        with open(path, encoding='utf-8') as handle:
            documents = [doc for doc in yaml.safe_load_all(handle) if isinstance(doc, dict)]
        classes += [priority.normalise(doc) for doc in documents if doc.get('kind') == priority.KIND]
        for document in documents:
            pod = pod_of(document)
            if pod is not None:
                found.append((relative, pod['metadata']['name'], pod))
    return [(relative, name, pod, classes) for relative, name, pod in found]


# The node the corpus is applied to: this machine's engine (Docker 20.10, API 1.41, the cgroupfs driver, overlay2)
NODE = NodeContext(name='node', engine={'version': '20.10.24', 'api': '1.41', 'cgroupDriver': 'cgroupfs',
                                        'storageDriver': 'overlay2'})


def problems(pod, classes):
    """What hostpods refuses in a pod (empty: accepted) on ``NODE``, its engine's limits included, and whether
    Kubernetes' schema accepts it."""
    errors = manifest.pod_errors(pod, classes)
    if not errors:
        [defaulted] = manifest.load_pods([(pod, 'corpus')])
        errors = capabilities.refusals(defaulted, NODE)
    return errors, manifest.schema_errors(pod)
