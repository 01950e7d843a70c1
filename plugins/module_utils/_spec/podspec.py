# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the predicates every layer shares, each defined once. Pure.

Sidecars, when a pod has finished, image references, Kubernetes' DNS-1123 names, host ports,
the QoS class, and Docker's and Kubernetes' timestamps. The unit tests hold one truth table each.
"""

from __future__ import annotations

import calendar
import ipaddress
import re
import reprlib
import time

from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity

# ----------------------------------------------------------------------------- containers

RESTART_POLICIES = ('Always', 'OnFailure', 'Never')
TERMINAL_PHASES = ('Succeeded', 'Failed')
DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container'


def is_sidecar(container):
    """A restartable init container (``restartPolicy: Always``): it starts in init order and keeps running."""
    return container.get('restartPolicy') == 'Always'


def sidecar_names(spec):
    """The names of a pod's sidecars, in init order."""
    return [c['name'] for c in spec.get('initContainers') or [] if is_sidecar(c)]


def has_sub_path(mount):
    """A volume mount of part of its volume: a ``subPath``, or a ``subPathExpr`` (expanded when the container is
    made); the node pins it and the engine binds the pin."""
    return bool(mount.get('subPath') or mount.get('subPathExpr'))


def default_container(pod):
    """The container ``kubectl exec`` and ``kubectl cp`` use when none is named: the one the pod's
    ``kubectl.kubernetes.io/default-container`` annotation names, when the pod has it, else the first app
    container."""
    named = ((pod.get('metadata') or {}).get('annotations') or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    spec = pod.get('spec') or {}
    names = [c['name'] for c in spec.get('containers') or []] + [c['name'] for c in spec.get('initContainers') or []]
    if named in names:
        return named
    return names[0] if names else None


def rule_matches(rule, exit_code):
    """Whether a ``restartPolicyRules`` rule's ``exitCodes`` requirement holds for ``exit_code``."""
    codes = rule.get('exitCodes') or {}
    inside = exit_code in (codes.get('values') or [])
    return inside if codes.get('operator') == 'In' else not inside


def should_restart(restart_policy, state, exit_code, rules=()):
    """``ShouldContainerBeRestarted`` for a container instance that is not running: one only created
    is started; for an exited one the first of ``rules`` (``restartPolicyRules``) whose exit codes
    match decides, else the restart policy: Always restarts, OnFailure when it failed, Never never."""
    if state == 'created':
        return True
    for rule in rules or ():
        if rule_matches(rule, exit_code):
            return rule.get('action') == 'Restart'
    if restart_policy == 'Always':
        return True
    if restart_policy == 'OnFailure':
        return exit_code != 0
    return False


def container_policy(container, pod_policy):
    """``(restart policy, rules)`` of an app container: its own ``restartPolicy`` (and
    ``restartPolicyRules``) when set, else the pod's."""
    return container.get('restartPolicy') or pod_policy, container.get('restartPolicyRules') or ()


def pod_finished(restart_policy, apps, failed_init=False):
    """Whether a pod has reached Succeeded or Failed (``getPhase``); a terminal phase is sticky.

    ``apps`` holds, per app container, ``(state, exit code)`` of its newest instance, or None when it
    has none, optionally followed by the container's own restart policy and rules; ``failed_init`` tells
    a regular init container exited non-zero. A failed init container finishes a Never pod; otherwise the
    pod finishes once every app container exited and none is to be restarted (so under Always never,
    under Never once all exited, under OnFailure once all exited 0).
    """
    if failed_init and restart_policy == 'Never':
        return True
    for app in apps:
        if app is None or app[0] != 'exited':
            return False
        policy, rules = (app[2], app[3]) if len(app) > 2 else (restart_policy, ())
        if should_restart(policy, app[0], app[1], rules):
            return False
    return True


def is_terminal_phase(phase):
    return phase in TERMINAL_PHASES


# ----------------------------------------------------------------------------- images

class ImageRef:
    """An image reference split as the engine reads it: ``[registry/]repository[:tag][@digest]``."""

    def __init__(self, image):
        self.image = image
        name, _sep, self.digest = image.partition('@')
        last = name.rsplit('/', 1)[-1]
        if ':' in last:
            self.repository, self.tag = name.rsplit(':', 1)
        else:
            self.repository, self.tag = name, ''
        first = self.repository.split('/', 1)[0]
        has_host = '/' in self.repository and ('.' in first or ':' in first or first == 'localhost')
        self.registry = first if has_host else 'docker.io'

    @property
    def pull_tag(self):
        """The tag a pull asks for: the given one, ``latest`` without a tag or digest, None with a digest."""
        if self.digest:
            return None
        return self.tag or 'latest'

    @property
    def pull_repository(self):
        return self.repository + ('@' + self.digest if self.digest else '')

    @property
    def default_pull_policy(self):
        """Kubernetes' default: Always when the tag is ``latest`` (a missing tag without a digest counts
        as ``latest``), else IfNotPresent."""
        tag = self.tag or ('' if self.digest else 'latest')
        return 'Always' if tag == 'latest' else 'IfNotPresent'

    @property
    def normalized(self):
        """``busybox``, ``docker.io/library/busybox:latest`` and ``busybox:latest`` are one image."""
        if self.image.startswith('sha256:'):
            return self.image
        name = self.repository + (':' + self.tag if self.tag else '' if self.digest else ':latest')
        for prefix in ('docker.io/library/', 'docker.io/', 'library/'):
            if name.startswith(prefix):
                name = name[len(prefix):]
                break
        return name + ('@' + self.digest if self.digest else '')


_PATH_COMPONENT = r'[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
_DOMAIN = (r'(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*'
           r'[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?')
_REFERENCE = re.compile(r'^((?:%s/)?%s(?:/%s)*)(?::([\w][\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z]'
                        r'[A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$' % (_DOMAIN, _PATH_COMPONENT, _PATH_COMPONENT))


def image_problem(image):
    """Why the engine (and a kubelet, ``InvalidImageName``) cannot parse an image reference, or None:
    the grammar of ``[registry[:port]/]path[:tag][@digest]``, a lowercase path of at most 255 characters."""
    match = _REFERENCE.match(image)
    if match is None:
        lower = _REFERENCE.match(image.lower())
        return 'invalid reference format%s' % (': repository name must be lowercase' if lower else '')
    if len(match.group(1)) > 255:
        return 'invalid reference format: repository name must not be more than 255 characters'
    return None


def same_image(one, other):
    return ImageRef(one).normalized == ImageRef(other).normalized


# ----------------------------------------------------------------------------- names

DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
DNS1123_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
             "and must start and end with an alphanumeric character")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character")
LABEL_MAX, SUBDOMAIN_MAX = 63, 253


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 64, 64


def excerpt(value, limit=64):
    """A value as error messages quote it: at most ``limit`` characters, so no message dumps a long value
    (a dict or list is summarised without being printed whole)."""
    if not isinstance(value, str):
        text = _SHORT.repr(value)
        return text if len(text) <= limit else text[:limit] + '...'
    return value if len(value) <= limit else value[:limit] + '...(%d characters)' % len(value)


def quoted(value):
    """A value as the API server shows it in a message: a string in double quotes, a boolean or null as in JSON,
    anything else as is; cut by ``excerpt``."""
    if isinstance(value, bool) or value is None:
        return {True: 'true', False: 'false', None: 'null'}[value]
    return '"%s"' % excerpt(value) if isinstance(value, str) else excerpt(value)


def shown(value):
    """A value as a type error shows it: a map or a list is named, never printed; anything else is ``quoted``."""
    if isinstance(value, dict):
        return 'a map'
    if isinstance(value, list):
        return 'a list'
    return quoted(value)


def wrong_type(path, value, expected):
    """The one line of a value of the wrong type: the field, the value (see ``shown``) and what it must be
    (``expected``: "a string", "a list of strings"...)."""
    return '%s: Invalid value: %s: must be %s' % (path, shown(value), expected)


def invalid(path, value, problems):
    """``field.Invalid`` for each problem of ``value`` at ``path`` (the value cut by ``excerpt``)."""
    return ['%s: Invalid value: %s: %s' % (path, quoted(value), problem) for problem in problems]


def name_errors(value, path, subdomain=False):
    """The API server's messages for a DNS-1123 label (``subdomain``: a DNS-1123 subdomain) at ``path``."""
    if not isinstance(value, str) or not value:
        return ['%s: Required value' % path]
    pattern, message, limit = ((DNS1123_SUBDOMAIN, SUBDOMAIN_MSG, SUBDOMAIN_MAX) if subdomain
                               else (DNS1123_LABEL, LABEL_MSG, LABEL_MAX))
    errors = []
    if len(value) > limit:
        errors.append('%s: Invalid value: "%s": must be no more than %d characters' % (path, excerpt(value), limit))
    if not pattern.match(value):
        errors.append('%s: Invalid value: "%s": %s' % (path, excerpt(value), message))
    return errors


def is_ip(value):
    """An IPv4 or IPv6 address (``IsValidIP``)."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def is_subdomain(value):
    return isinstance(value, str) and len(value) <= SUBDOMAIN_MAX and bool(DNS1123_SUBDOMAIN.match(value))


def _regex_error(message, pattern, *examples):
    """apimachinery's RegexError: the rule, examples and the expression."""
    shown = ''.join("'%s', %s" % (example, ' or ' if index < len(examples) - 1 else '')
                    for index, example in enumerate(examples))
    return "%s (e.g. %sregex used for validation is '%s')" % (message, shown, pattern)


def _chdir_problems(value):
    if value in ('.', '..'):
        return ["must not be '%s'" % value]
    return ["must not start with '..'"] if value.startswith('..') else []


ENV_NAME = re.compile(r'^[-._a-zA-Z][-._a-zA-Z0-9]*$')
ENV_NAME_MSG = _regex_error("a valid environment variable name must consist of alphabetic characters, digits, '_', "
                            "'-', or '.', and must not start with a digit", '[-._a-zA-Z][-._a-zA-Z0-9]*',
                            'my.env-name', 'MY_ENV.NAME', 'MyEnvName1')
CONFIG_KEY = re.compile(r'^[-._a-zA-Z0-9]+$')
CONFIG_KEY_MSG = _regex_error("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                              '[-._a-zA-Z0-9]+', 'key.name', 'KEY_NAME', 'key-name')


def env_name_problems(name):
    """``IsEnvVarName``: the API server's rule for env names and envFrom prefixes (the rule every cluster
    version accepts; 1.34's relaxed rule would let more through)."""
    return ([] if ENV_NAME.match(name) else [ENV_NAME_MSG]) + _chdir_problems(name)


def config_key_problems(key):
    """``IsConfigMapKey``: keys of ConfigMap and Secret data, and the keys pods refer to."""
    problems = ['must be no more than %d characters' % SUBDOMAIN_MAX] if len(key) > SUBDOMAIN_MAX else []
    return problems + ([] if CONFIG_KEY.match(key) else [CONFIG_KEY_MSG]) + _chdir_problems(key)


def port_name_problems(name):
    """``IsValidPortName`` (an IANA_SVC_NAME): at most 15 of [-a-z0-9], a letter, no '--', no '-' at either end."""
    problems = ['must be no more than 15 characters'] if len(name) > 15 else []
    if not re.match(r'^[-a-z0-9]+$', name):
        problems.append('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
    if not re.search('[a-z]', name):
        problems.append('must contain at least one letter (a-z)')
    if '--' in name:
        problems.append('must not contain consecutive hyphens')
    if name.startswith('-') or name.endswith('-'):
        problems.append('must not begin or end with a hyphen')
    return problems


# ----------------------------------------------------------------------------- ports

def host_ports(spec):
    """``[(host IP, protocol, host port, container port)]`` the app containers publish on the node
    (what the sandbox binds, what the scheduler's NodePorts filter counts)."""
    out = []
    for container in spec.get('containers') or []:
        for port in container.get('ports') or []:
            if (port.get('hostPort') or 0) > 0:
                out.append((port.get('hostIP') or '', port.get('protocol') or 'TCP', port['hostPort'],
                            port.get('containerPort')))
    return out


# ----------------------------------------------------------------------------- resources

def _resources_qos(resources):
    """``resourceQOS`` of one ``resources`` (a container's, or the pod-level one), a missing request being its
    limit as the API server defaults it."""
    limits = resources.get('limits') or {}
    requests = dict(limits, **(resources.get('requests') or {}))
    if not requests and not limits:
        return 'BestEffort'
    found = None
    for name in ('cpu', 'memory'):
        request = quantity.parse(requests[name]) if name in requests else 0
        limit = quantity.parse(limits[name]) if name in limits else 0
        if request != limit:
            return 'Burstable'  # at least one is set, so neither Guaranteed nor BestEffort
        kind = 'BestEffort' if request == 0 else 'Guaranteed'
        if found is not None and found != kind:
            return 'Burstable'
        found = kind
    return found


def qos_class(spec):
    """``ComputePodQOS``: from the pod-level ``resources`` when the pod sets them, else from every container
    (init containers too): BestEffort without any cpu/memory request or limit, Guaranteed when each has cpu
    and memory limits equal to its requests, else Burstable."""
    if spec.get('resources') is not None:
        return _resources_qos(spec['resources'])
    found = None
    for container in (spec.get('initContainers') or []) + (spec.get('containers') or []):
        qos = _resources_qos(container.get('resources') or {})
        if qos == 'Burstable' or (found is not None and found != qos):
            return 'Burstable'
        found = qos
    return found or 'BestEffort'


# ----------------------------------------------------------------------------- times

def _unset(docker_time):
    return not docker_time or docker_time.startswith('0001-01-01')


def kube_time(docker_time):
    """Docker's RFC 3339 nano timestamp -> Kubernetes' second precision (``...Z``), or None when unset."""
    if _unset(docker_time):
        return None
    return docker_time.split('.')[0].rstrip('Z') + 'Z'


def epoch_seconds(stamp):
    """Docker's RFC 3339 nano timestamp, or Kubernetes' ``...Z`` one, as epoch seconds (float); None when unset."""
    if _unset(stamp):
        return None
    whole, _sep, fraction = stamp.rstrip('Z').partition('.')
    return calendar.timegm(time.strptime(whole, '%Y-%m-%dT%H:%M:%S')) + float('0.' + (fraction or '0'))


def rfc3339(epoch):
    """Epoch seconds -> Kubernetes' ``...Z`` timestamp."""
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(epoch))
