# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``kubectl describe pod`` as text, from a Pod object (``pod_info``'s ``pods``) and its
events. Pure.

The sections, their order, labels and alignment are kubectl's (``describePod``; Go's tabwriter with
padding 2, see ``table.tabwrite``); times are RFC 1123 in the local time zone, ages kubectl's
HumanDuration. The ``hostpods`` command (``describe pod``) and the ``pod_describe`` filter call it.

Events are dicts as the node agent records them (``type``, ``reason``, ``message``, ``count``,
``firstTimestamp``, ``lastTimestamp``, ``source.component``, ``involvedObject.fieldPath``).
"""

from __future__ import annotations

import time

from ansible_collections.hostpods.core.plugins.module_utils._spec import downward
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import epoch_seconds, qos_class
from ansible_collections.hostpods.core.plugins.module_utils._views.status import human_duration
from ansible_collections.hostpods.core.plugins.module_utils._views.table import DESCRIBE_LAYOUT, tabwrite

SKIPPED_ANNOTATIONS = ('kubectl.kubernetes.io/last-applied-configuration',)
MAX_ANNOTATION = 140
PROBE_DEFAULTS = {'initialDelaySeconds': 0, 'timeoutSeconds': 1, 'periodSeconds': 10, 'successThreshold': 1,
                  'failureThreshold': 3}


class _Writer:
    """kubectl's PrefixWriter over a tabwriter: text at an indentation level (two spaces a level),
    aligned when flushed."""

    def __init__(self):
        self.done, self.pending = [], ''

    def write(self, level, text):
        self.pending += '  ' * level + text

    def flush(self):
        lines = self.pending.split('\n')
        self.pending = lines.pop()
        self.done += tabwrite(lines, **DESCRIBE_LAYOUT)

    def text(self):
        self.flush()
        return '\n'.join(self.done) + '\n' + self.pending


def rfc1123(stamp):
    """``Mon, 02 Jan 2006 15:04:05 -0700`` (Go's RFC1123Z) in the local time zone, of a Kubernetes time."""
    seconds = epoch_seconds(stamp)
    if seconds is None:
        return '<unknown>'
    return time.strftime('%a, %d %b %Y %H:%M:%S %z', time.localtime(seconds))


def describe_pod(pod, events=(), now=None):
    """The text of ``kubectl describe pod`` for ``pod``; ``events`` None leaves the Events section out
    (``--show-events=false``)."""
    now = time.time() if now is None else now
    out = _Writer()
    _header(out, pod, now)
    spec, status = pod['spec'], pod.get('status') or {}
    if spec.get('initContainers'):
        _containers(out, 'Init Containers', pod, spec['initContainers'], status.get('initContainerStatuses'))
    _containers(out, 'Containers', pod, spec.get('containers') or [], status.get('containerStatuses'))
    if spec.get('readinessGates'):  # as kubectl: each gate's condition, <none> where the pod has none
        found = {condition['type']: condition['status'] for condition in status.get('conditions') or []}
        out.write(0, 'Readiness Gates:\n  Type\tStatus\n')
        for gate in spec['readinessGates']:
            out.write(1, '%s \t%s \n' % (gate['conditionType'], found.get(gate['conditionType'], '<none>')))
    if status.get('conditions'):
        out.write(0, 'Conditions:\n  Type\tStatus\n')
        for condition in status['conditions']:
            out.write(1, '%s \t%s \n' % (condition['type'], condition['status']))
    _volumes(out, spec.get('volumes') or [])
    out.write(0, 'QoS Class:\t%s\n' % (status.get('qosClass') or qos_class(spec)))
    _labels(out, 'Node-Selectors', spec.get('nodeSelector'))
    _tolerations(out, spec.get('tolerations'))
    if events is not None:
        _events(out, events, now)
    return out.text()


def _header(out, pod, now):
    meta, spec, status = pod['metadata'], pod['spec'], pod.get('status') or {}
    out.write(0, 'Name:\t%s\n' % meta['name'])
    out.write(0, 'Namespace:\t%s\n' % meta.get('namespace', 'default'))
    for key, title in (('priority', 'Priority'), ('priorityClassName', 'Priority Class Name'),
                       ('runtimeClassName', 'Runtime Class Name'), ('serviceAccountName', 'Service Account')):
        if spec.get(key) not in (None, ''):
            out.write(0, '%s:\t%s\n' % (title, spec[key]))
    node = spec.get('nodeName')
    out.write(0, 'Node:\t%s\n' % ('%s/%s' % (node, status.get('hostIP', '')) if node else '<none>'))
    if status.get('startTime'):
        out.write(0, 'Start Time:\t%s\n' % rfc1123(status['startTime']))
    _labels(out, 'Labels', meta.get('labels'))
    _annotations(out, meta.get('annotations'))
    phase = status.get('phase', '')
    if meta.get('deletionTimestamp') and phase not in ('Failed', 'Succeeded'):
        lasts = human_duration(epoch_seconds(meta['deletionTimestamp']), now)
        out.write(0, 'Status:\tTerminating (lasts %s)\n' % lasts)
    else:
        out.write(0, 'Status:\t%s\n' % phase)
    for key in ('reason', 'message'):
        if status.get(key):
            out.write(0, '%s:\t%s\n' % (key.capitalize(), status[key]))
    seccomp = (spec.get('securityContext') or {}).get('seccompProfile')
    if seccomp:
        out.write(0, 'SeccompProfile:\t%s\n' % seccomp.get('type', ''))
        if seccomp.get('type') == 'Localhost':
            out.write(0, 'LocalhostProfile:\t%s\n' % seccomp.get('localhostProfile', ''))
    out.write(0, 'IP:\t%s\n' % status.get('podIP', ''))
    if status.get('podIPs'):
        out.write(0, 'IPs:\n')
        for item in status['podIPs']:
            out.write(1, 'IP:\t%s\n' % item['ip'])
    else:
        out.write(0, 'IPs:\t<none>\n')


def _labels(out, title, labels):
    out.write(0, '%s:\t' % title)
    if not labels:
        out.write(0, '<none>\n')
        return
    for index, key in enumerate(sorted(labels)):
        out.write(0, '%s%s=%s\n' % ('\t' if index else '', key, labels[key]))


def _annotations(out, annotations):
    out.write(0, 'Annotations:\t')
    keys = sorted(key for key in annotations or {} if key not in SKIPPED_ANNOTATIONS)
    if not keys:
        out.write(0, '<none>\n')
        return
    for index, key in enumerate(keys):
        if index:
            out.write(0, '\t')
        value = annotations[key]
        value = value[:-1] if value.endswith('\n') else value
        if len(value) + len(key) + 2 > MAX_ANNOTATION or '\n' in value:
            out.write(0, '%s:\n' % key)
            for line in value.split('\n'):
                short = line if len(line) <= MAX_ANNOTATION - 2 else line[:MAX_ANNOTATION - 2] + '...'
                out.write(0, '\t  %s\n' % short)
        else:
            out.write(0, '%s: %s\n' % (key, value))


def _tolerations(out, tolerations):
    out.write(0, 'Tolerations:\t')
    if not tolerations:
        out.write(0, '<none>\n')
        return
    for index, item in enumerate(sorted(tolerations, key=lambda t: t.get('key', ''))):
        text = ('\t' if index else '') + item.get('key', '')
        text += '=%s' % item['value'] if item.get('value') else ''
        text += ':%s' % item['effect'] if item.get('effect') else ''
        if item.get('operator') == 'Exists' and not item.get('value'):
            text += ' op=Exists' if item.get('key') or item.get('effect') else 'op=Exists'
        if item.get('tolerationSeconds') is not None:
            text += ' for %ds' % item['tolerationSeconds']
        out.write(0, text + '\n')


# ----------------------------------------------------------------------------- containers

def _ports(ports, key):
    out = []
    for port in ports or []:
        text = '%d/%s' % (port.get(key) or 0, port.get('protocol', 'TCP'))
        out.append('%s (%s)' % (text, port['name']) if port.get('name') else text)
    return ', '.join(out)


def _containers(out, label, pod, containers, statuses):
    out.write(0, '%s:%s\n' % (label, '' if containers else ' <none>'))
    by_name = {status['name']: status for status in statuses or []}
    for container in containers:
        status = by_name.get(container['name'])
        out.write(1, '%s:\n' % container['name'])
        if status is not None:
            out.write(2, 'Container ID:\t%s\n' % status.get('containerID', ''))
        out.write(2, 'Image:\t%s\n' % container.get('image', ''))
        if status is not None:
            out.write(2, 'Image ID:\t%s\n' % status.get('imageID', ''))
        for key, one, many in (('containerPort', 'Port', 'Ports'), ('hostPort', 'Host Port', 'Host Ports')):
            text = _ports(container.get('ports'), key)
            out.write(2, '%s:\t%s\n' % (many if ',' in text else one, text or '<none>'))
        seccomp = (container.get('securityContext') or {}).get('seccompProfile')
        if seccomp:
            out.write(2, 'SeccompProfile:\t%s\n' % seccomp.get('type', ''))
            if seccomp.get('type') == 'Localhost':
                out.write(3, 'LocalhostProfile:\t%s\n' % seccomp.get('localhostProfile', ''))
        for key, title in (('command', 'Command'), ('args', 'Args')):
            if container.get(key):
                out.write(2, '%s:\n' % title)
                for word in container[key]:
                    for line in word.split('\n'):
                        out.write(3, '%s\n' % line)
        if status is not None:
            _state(out, 'State', status.get('state') or {})
            if (status.get('lastState') or {}).get('terminated'):
                _state(out, 'Last State', status['lastState'])
            out.write(2, 'Ready:\t%s\n' % ('True' if status.get('ready') else 'False'))
            out.write(2, 'Restart Count:\t%d\n' % status.get('restartCount', 0))
        _resources(out, container.get('resources') or {})
        _probes(out, container)
        _environment(out, pod, container)
        _mounts(out, container.get('volumeMounts'))


def _state(out, title, state):
    if 'running' in state:
        out.write(2, '%s:\tRunning\n' % title)
        out.write(3, 'Started:\t%s\n' % rfc1123(state['running'].get('startedAt')))
    elif 'terminated' in state:
        done = state['terminated']
        out.write(2, '%s:\tTerminated\n' % title)
        for key, label in (('reason', 'Reason'), ('message', 'Message')):
            if done.get(key):
                out.write(3, '%s:\t%s\n' % (label, done[key]))
        out.write(3, 'Exit Code:\t%s\n' % done.get('exitCode'))
        if done.get('signal'):
            out.write(3, 'Signal:\t%d\n' % done['signal'])
        out.write(3, 'Started:\t%s\n' % rfc1123(done.get('startedAt')))
        out.write(3, 'Finished:\t%s\n' % rfc1123(done.get('finishedAt')))
    else:
        out.write(2, '%s:\tWaiting\n' % title)
        reason = (state.get('waiting') or {}).get('reason')
        if reason:
            out.write(3, 'Reason:\t%s\n' % reason)


def _resources(out, resources):
    for key, title in (('limits', 'Limits'), ('requests', 'Requests')):
        amounts = resources.get(key) or {}
        if amounts:
            out.write(2, '%s:\n' % title)
        for name in sorted(amounts):
            out.write(3, '%s:\t%s\n' % (name, amounts[name]))


def describe_probe(probe):
    """kubectl's one-line summary of a probe (its timings defaulted as the API server defaults them)."""
    timing = dict(PROBE_DEFAULTS, **{k: v for k, v in probe.items() if k in PROBE_DEFAULTS})
    attrs = 'delay=%ds timeout=%ds period=%ds successThreshold=%d failureThreshold=%d' % tuple(
        timing[key] for key in PROBE_DEFAULTS)
    if 'exec' in probe:
        return 'exec [%s] %s' % (' '.join(probe['exec'].get('command') or []), attrs)
    if 'httpGet' in probe:
        get = probe['httpGet']
        host = '%s:%s' % (get.get('host', ''), get['port']) if str(get.get('port', '')) else get.get('host', '')
        return 'http-get %s://%s%s %s' % (get.get('scheme', 'HTTP').lower(), host, get.get('path', ''), attrs)
    if 'tcpSocket' in probe:
        return 'tcp-socket %s:%s %s' % (probe['tcpSocket'].get('host', ''), probe['tcpSocket'].get('port', ''), attrs)
    if 'grpc' in probe:
        return 'grpc <pod>:%s %s %s' % (probe['grpc'].get('port'), probe['grpc'].get('service', ''), attrs)
    return 'unknown %s' % attrs


def _probes(out, container):
    for key, title in (('livenessProbe', 'Liveness'), ('readinessProbe', 'Readiness'), ('startupProbe', 'Startup')):
        if container.get(key):
            out.write(2, '%s:\t%s\n' % (title, describe_probe(container[key])))


def _environment(out, pod, container):
    if container.get('envFrom'):
        out.write(2, 'Environment Variables from:\n')
        for item in container['envFrom']:
            kind = 'ConfigMap' if 'configMapRef' in item else 'Secret'
            ref = item.get('configMapRef') or item.get('secretRef') or {}
            source = "%s with prefix '%s'" % (kind, item['prefix']) if item.get('prefix') else kind
            optional = 'true' if ref.get('optional') else 'false'
            out.write(3, '%s\t%s\tOptional: %s\n' % (ref.get('name', ''), source, optional))
    out.write(2, 'Environment:%s\n' % ('' if container.get('env') else '\t<none>'))
    status = pod.get('status') or {}
    runtime = {'nodeName': pod['spec'].get('nodeName', ''), 'hostIP': status.get('hostIP', ''),
               'podIP': status.get('podIP', '')}
    for item in container.get('env') or []:
        source = item.get('valueFrom')
        if source is None:
            for index, line in enumerate(str(item.get('value', '')).split('\n')):
                out.write(3, '%s:\t%s\n' % (item['name'], line) if index == 0 else '\t%s\n' % line)
        elif 'fieldRef' in source:
            ref = source['fieldRef']
            value = downward.field_value(pod, ref['fieldPath'], runtime) if not downward.field_path_error(
                ref.get('fieldPath')) else ''
            out.write(3, '%s:\t%s (%s:%s)\n' % (item['name'], value, ref.get('apiVersion', 'v1'), ref.get('fieldPath')))
        elif 'resourceFieldRef' in source:
            out.write(3, '%s:\t%s (%s)\n' % (item['name'], _resource_value(pod, container, source['resourceFieldRef']),
                                             source['resourceFieldRef'].get('resource')))
        else:
            if 'secretKeyRef' in source:
                kind, ref = 'secret', source['secretKeyRef']
            else:
                kind, ref = 'config map', source['configMapKeyRef']
            verb = 'in' if kind == 'secret' else 'of'
            out.write(3, "%s:\t<set to the key '%s' %s %s '%s'>\tOptional: %s\n" % (
                item['name'], ref.get('key'), verb, kind, ref.get('name'), 'true' if ref.get('optional') else 'false'))


def _resource_value(pod, container, ref):
    """kubectl's value of a resourceFieldRef: an unset limit is "node allocatable"."""
    try:
        value = downward.resource_value(pod, ref.get('containerName') or container['name'], ref['resource'],
                                        ref.get('divisor'), {})
    except (KeyError, ValueError, StopIteration):
        return ''
    return 'node allocatable' if value == '0' and ref['resource'] in ('limits.cpu', 'limits.memory') else value


def _mounts(out, mounts):
    out.write(2, 'Mounts:%s\n' % ('' if mounts else '\t<none>'))
    for mount in sorted(mounts or [], key=lambda m: m.get('mountPath', '')):
        flags = ['ro' if mount.get('readOnly') else 'rw']
        if mount.get('subPath'):
            flags.append('path="%s"' % mount['subPath'])
        out.write(3, '%s from %s (%s)\n' % (mount.get('mountPath'), mount.get('name'), ','.join(flags)))


# ----------------------------------------------------------------------------- volumes and events

def _volume_lines(volume):
    """The lines of one volume (after its name), as kubectl describes its source."""
    def flag(value):
        return 'true' if value else 'false'
    if 'hostPath' in volume:
        source = volume['hostPath']
        return ['Type:\tHostPath (bare host directory volume)', 'Path:\t%s' % source.get('path', ''),
                'HostPathType:\t%s' % source.get('type', '<none>')]
    if 'emptyDir' in volume:
        source = volume['emptyDir'] or {}
        return ["Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)",
                'Medium:\t%s' % source.get('medium', ''), 'SizeLimit:\t%s' % (source.get('sizeLimit') or '<unset>')]
    if 'secret' in volume:
        source = volume['secret']
        return ['Type:\tSecret (a volume populated by a Secret)', 'SecretName:\t%s' % source.get('secretName', ''),
                'Optional:\t%s' % flag(source.get('optional'))]
    if 'configMap' in volume:
        source = volume['configMap']
        return ['Type:\tConfigMap (a volume populated by a ConfigMap)', 'Name:\t%s' % source.get('name', ''),
                'Optional:\t%s' % flag(source.get('optional'))]
    if 'persistentVolumeClaim' in volume:
        source = volume['persistentVolumeClaim']
        return ['Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)',
                'ClaimName:\t%s' % source.get('claimName', ''), 'ReadOnly:\t%s' % flag(source.get('readOnly'))]
    if 'downwardAPI' in volume:
        lines = ['Type:\tDownwardAPI (a volume populated by information about the pod)', 'Items:']
        for item in volume['downwardAPI'].get('items') or []:
            ref = item.get('fieldRef', {}).get('fieldPath') or item.get('resourceFieldRef', {}).get('resource')
            lines.append('  %s -> %s' % (ref, item.get('path')))
        return lines
    if 'projected' in volume:
        return _projected_lines(volume['projected'], flag)
    if 'image' in volume:  # printImageVolumeSource
        return ['Type:\tImage (a container image or OCI artifact)', 'Reference:\t%s' % volume['image'].get('reference', ''),
                'PullPolicy:\t%s' % volume['image'].get('pullPolicy', '')]
    return ['<unknown>']


def _projected_lines(projected, flag):
    lines = ['Type:\tProjected (a volume that contains injected data from multiple sources)']
    for source in projected.get('sources') or []:
        if 'secret' in source:
            lines += ['SecretName:\t%s' % source['secret'].get('name', ''),
                      'Optional:\t%s' % flag(source['secret'].get('optional'))]
        elif 'downwardAPI' in source:
            lines.append('DownwardAPI:\ttrue')
        elif 'configMap' in source:
            lines += ['ConfigMapName:\t%s' % source['configMap'].get('name', ''),
                      'Optional:\t%s' % flag(source['configMap'].get('optional'))]
    return lines


def _volumes(out, volumes):
    if not volumes:
        out.write(0, 'Volumes:\t<none>\n')
        return
    out.write(0, 'Volumes:\n')
    for volume in volumes:
        out.write(1, '%s:\n' % volume['name'])
        lines = _volume_lines(volume)
        for line in lines:
            out.write(1 if lines == ['<unknown>'] else 2, line + '\n')


def event_age(event, now):
    """The Age column of an event: ``5s``, or ``2m (x4 over 10m)`` for a repeated one."""
    first = human_duration(epoch_seconds(event.get('eventTime') or event.get('firstTimestamp')), now)
    if (event.get('count') or 0) > 1:
        last = human_duration(epoch_seconds(event.get('lastTimestamp')), now)
        return '%s (x%d over %s)' % (last, event['count'], first)
    return first


def _events(out, events, now):
    if not events:
        out.write(0, 'Events:\t<none>\n')
        return
    out.flush()
    out.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n')
    out.write(1, '----\t------\t----\t----\t-------\n')
    ordered = sorted(events, key=lambda e: epoch_seconds(e.get('lastTimestamp') or e.get('firstTimestamp')) or 0)
    for event in ordered:
        message = (event.get('message') or '').strip()
        field = (event.get('involvedObject') or {}).get('fieldPath')
        if field:
            message = '%s: %s' % (field, message)
        source = (event.get('source') or {}).get('component') or event.get('reportingComponent', '')
        out.write(1, '%s\t%s\t%s\t%s\t%s\n' % (event.get('type', ''), event.get('reason', ''), event_age(event, now),
                                               source, message))
