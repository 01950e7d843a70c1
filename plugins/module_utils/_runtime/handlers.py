# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: run a lifecycle handler as a kubelet does: ``exec`` in the container (through the
engine), ``httpGet`` from the node to the pod IP, ``sleep``; ``tcpSocket`` is accepted and not run.

Only the Python standard library and the docker client: this runs in the module and on a node
without ansible-core.
"""

from __future__ import annotations

import http.client
import ssl
import time
import urllib.parse

from ansible_collections.hostpods.core.plugins.module_utils._spec.hooks import resolve_port

USER_AGENT = 'kube-lifecycle/hostpods'
MAX_REDIRECTS = 10
MAX_BODY = 10 * 1024  # the kubelet reads at most 10 KiB of a probe's or hook's answer


class HTTPFailure(Exception):
    """An HTTP GET that got an answer outside 200-399 (``status``), or none (``status`` None: then
    ``cause`` is the error and ``url`` the request that met it)."""

    def __init__(self, message, status=None, cause=None, url=None):
        super().__init__(message)
        self.status = status
        self.cause = cause
        self.url = url


def http_get(url, headers, timeout):
    """GET ``url`` as the kubelet's prober does: certificates not checked, keep-alive off, at most
    10 KiB of the body read, redirects followed (to the same host only; another host's redirect
    ends the request as a success, as the kubelet's does with a warning). A header given as None is
    not sent. Returns the status and body; raises HTTPFailure on a status of 400 and more, or when no
    answer comes."""
    merged = dict({'User-Agent': USER_AGENT, 'Accept': '*/*', 'Connection': 'close'}, **headers)
    headers = {name: value for name, value in merged.items() if value is not None}
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == 'https':
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # as the kubelet's prober: the pod's own certificate
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request('GET', parts.path + ('?' + parts.query if parts.query else '') or '/', headers=headers)
            response = connection.getresponse()
            body = response.read(MAX_BODY)
            location = response.getheader('Location')
        except (OSError, http.client.HTTPException) as exc:
            raise HTTPFailure('HTTP GET %s: %s' % (url, exc), cause=exc, url=url)
        finally:
            connection.close()
        if 300 <= response.status < 400 and location:
            target = urllib.parse.urljoin(url, location)
            if urllib.parse.urlsplit(target).hostname != parts.hostname:
                return response.status, body
            url = target
            continue
        if response.status >= 400:
            raise HTTPFailure('HTTP GET %s: %d' % (url, response.status), response.status)
        return response.status, body
    raise HTTPFailure('HTTP GET %s: stopped after %d redirects' % (url, MAX_REDIRECTS))


def run_handler(client, container_id, handler, pod_ip, ports, timeout):
    """Run one handler; returns an error message, or None when it succeeded."""
    if 'exec' in handler:
        rc, stdout, stderr = client.exec_run(container_id, handler['exec']['command'])
        if rc != 0:
            output = (stdout + stderr).decode('utf-8', errors='replace').strip()
            return 'command %r exited with %d: %s' % (handler['exec']['command'], rc, output)
        return None
    if 'httpGet' in handler:
        get = handler['httpGet']
        try:
            url = '%s://%s:%d%s' % (get.get('scheme', 'HTTP').lower(), get.get('host') or pod_ip,
                                    resolve_port(get['port'], ports), get.get('path', '/'))
        except ValueError as exc:
            return str(exc)
        headers = {h['name']: h['value'] for h in get.get('httpHeaders') or []}
        try:
            http_get(url, headers, max(1, timeout))
        except HTTPFailure as exc:
            return str(exc)
        return None
    if 'sleep' in handler:
        time.sleep(min(handler['sleep']['seconds'], max(0, timeout)))
    return None  # tcpSocket: accepted for compatibility and not run, as on a kubelet
