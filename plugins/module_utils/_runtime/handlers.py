# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: run a lifecycle handler as a kubelet does: ``exec`` in the container (through the
engine), ``httpGet`` from the node to the pod IP, ``sleep``; ``tcpSocket`` is accepted and not run.

Only the Python standard library and the docker client: this runs in the module and on a node
without ansible-core.
"""

from __future__ import annotations

import ssl
import time
import urllib.error
import urllib.request

from ansible_collections.hostpods.core.plugins.module_utils._spec.hooks import resolve_port

USER_AGENT = 'kube-lifecycle/hostpods'


def http_get(url, headers, timeout):
    """GET ``url`` (certificates not checked, redirects followed); raises on 4xx/5xx and failures."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, headers=dict({'User-Agent': USER_AGENT}, **headers))
    with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # nosec - the pod's own URL
        return response.status


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
        except urllib.error.HTTPError as exc:
            return 'HTTP GET %s: %d' % (url, exc.code)
        except (urllib.error.URLError, OSError) as exc:
            return 'HTTP GET %s: %s' % (url, getattr(exc, 'reason', exc))
        return None
    if 'sleep' in handler:
        time.sleep(min(handler['sleep']['seconds'], max(0, timeout)))
    return None  # tcpSocket: accepted for compatibility and not run, as on a kubelet
