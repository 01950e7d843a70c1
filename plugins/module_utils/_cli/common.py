# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what every verb of the ``hostpods`` command shares: its errors (kubectl's words and exit
codes), the call context (a Docker client made on first use, the namespace, this node), resource
names and the -o printers (PyYAML imported only for yaml)."""

from __future__ import annotations

import json
import os
import re
import sys

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError, NotFoundError

# kubectl's resource names and short names, by kind
RESOURCES = {
    'Pod': ('pods', 'pod', 'po'),
    'ConfigMap': ('configmaps', 'configmap', 'cm'),
    'Secret': ('secrets', 'secret'),
    'PersistentVolumeClaim': ('persistentvolumeclaims', 'persistentvolumeclaim', 'pvc'),
}
SINGULAR = {kind: names[1] for kind, names in RESOURCES.items()}


class CliError(Exception):
    """A failure of the command: printed as kubectl prints it (``error: ...`` by default) and exit ``code``."""

    def __init__(self, message, code=1, prefix='error: '):
        super().__init__(message)
        self.message, self.code, self.prefix = message, code, prefix

    def text(self):
        return self.prefix + self.message


class NotFound(CliError):
    """``Error from server (NotFound): pods "web" not found``."""

    def __init__(self, kind, name, context=''):
        plural = RESOURCES.get(kind, (kind.lower() + 's',))[0]
        super().__init__('%s%s "%s" not found' % (context, plural, name), prefix='Error from server (NotFound): ')


class Exit(Exception):
    """Leave with ``code`` without a message (the exit code of a command run in a container...)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def kind_of(resource):
    """The kind of a kubectl resource name (``po``, ``pods``, ``pvc``...), or a CliError."""
    word = resource.lower().split('.', 1)[0]
    for kind, names in RESOURCES.items():
        if word in names:
            return kind
    raise CliError('the server doesn\'t have a resource type "%s"' % resource)


def library_error(exc):
    """A hostpods library error as the command reports it."""
    if isinstance(exc, NotFoundError):
        return NotFound(exc.kind, exc.name)
    return CliError(exc.msg)


class Context:
    """One run of the command: its arguments, the Docker client (made on first use, as the modules'
    ``docker_host``: ``--docker-host``, else ``DOCKER_HOST``, else the local engine) and this node."""

    def __init__(self, args, stdout=None, stderr=None):
        self.args = args
        self.namespace = getattr(args, 'namespace', None) or 'default'
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._client = None
        self._node = None

    @property
    def docker_host(self):
        return getattr(self.args, 'docker_host', None) or os.environ.get('DOCKER_HOST') or None

    @property
    def client(self):
        if self._client is None:
            from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import DockerClient
            try:
                self._client = DockerClient(self.docker_host)
            except HostpodsError as exc:
                raise CliError(exc.msg)
        return self._client

    @property
    def node(self):
        if self._node is None:
            from ansible_collections.hostpods.core.plugins.module_utils._runtime import host
            self._node = host.read_node(self.client)
        return self._node

    def out(self, text=''):
        self.stdout.write(text + '\n')
        self.stdout.flush()

    def err(self, text):
        self.stderr.write(text + '\n')
        self.stderr.flush()


def quiet_stdout():
    """Send what is left of stdout nowhere (its reader is gone)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# ----------------------------------------------------------------------------- printers

def dump(obj, fmt):
    """An object (or a list of objects as a kubectl ``List``) as ``json`` or ``yaml`` text."""
    if isinstance(obj, list):
        obj = {'apiVersion': 'v1', 'items': obj, 'kind': 'List', 'metadata': {'resourceVersion': ''}}
    if fmt == 'json':
        return json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
    return yaml_text(obj).rstrip('\n')


def yaml_text(obj):
    """YAML as kubectl prints it (go-yaml): keys sorted, double quotes where quotes are needed, literal
    blocks for text of several lines."""
    try:
        import yaml
    except ImportError:
        raise CliError('-o yaml needs PyYAML (python3-yaml) on this node; -o json works without it')

    class Dumper(yaml.SafeDumper):
        def choose_scalar_style(self):
            style = super().choose_scalar_style()
            return '"' if style == "'" else style

    def text(dumper, value):
        return dumper.represent_scalar('tag:yaml.org,2002:str', value, style='|' if '\n' in value else None)
    Dumper.add_representer(str, text)
    return yaml.dump(obj, Dumper=Dumper, default_flow_style=False, sort_keys=True, allow_unicode=True)


def print_objects(ctx, objects, fmt, single):
    """``-o json|yaml|name`` of objects (one object alone when the command named one)."""
    if fmt == 'name':
        for obj in objects:
            ctx.out('%s/%s' % (SINGULAR.get(obj.get('kind'), 'pod'), obj['metadata']['name']))
        return
    ctx.out(dump(objects[0] if single and len(objects) == 1 else objects, fmt))


def no_resources(ctx, all_namespaces):
    """kubectl's note (on stderr) when a listing is empty."""
    ctx.err('No resources found' if all_namespaces else 'No resources found in %s namespace.' % ctx.namespace)


_DURATION = re.compile(r'(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)')
_UNITS = {'ns': 1e-9, 'us': 1e-6, 'µs': 1e-6, 'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600}


def parse_duration(text):
    """Go's ``time.ParseDuration`` (``5s``, ``2m``, ``1h30m``, ``250ms``) in seconds, or a CliError."""
    text = (text or '').strip()
    if text in ('0', ''):
        return 0.0
    parts = _DURATION.findall(text)
    if not parts or ''.join(number + unit for number, unit in parts) != text:
        raise CliError('invalid argument "%s" for "--since" flag: time: invalid duration "%s"' % (text, text))
    return sum(float(number) * _UNITS[unit] for number, unit in parts)
