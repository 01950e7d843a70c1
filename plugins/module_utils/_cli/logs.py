# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods logs``: ``_kubectl.log_source`` picks the instance and the window, as for the
``pod_logs`` module; ``-f`` streams it and then the container's next run (restarted in place by the
engine, or a newer instance), until interrupted or until the container will not run again."""

from __future__ import annotations

import threading
import time

from ansible_collections.hostpods.core.plugins.module_utils._cli import common
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import epoch_seconds

DEFAULT_CONTAINER = 'kubectl.kubernetes.io/default-container'
NEXT_RUN_SECONDS = 0.5
GONE_SECONDS = 10  # a pod recreated by an apply has no container for a moment: -f waits this long for it


def pod_name(word):
    """``web``, ``pod/web`` or ``pods/web``."""
    if '/' in word:
        kind, name = word.split('/', 1)
        if common.kind_of(kind) != 'Pod':
            raise CliError('cannot get the logs of %s: only pods have logs on a node' % word)
        return name
    return word


def pick_container(ctx, name, container, quiet=False):
    """The container asked for, else kubectl's default: the ``kubectl.kubernetes.io/default-container``
    annotation, else the first container (with kubectl's note on stderr when there were several)."""
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
    if container:
        return container
    record = read_records(ctx.client).get((ctx.namespace, name))
    if record is None or not record.applied:
        raise common.NotFound('Pod', name)
    spec, meta = record.applied['spec'], record.applied['metadata']
    apps = [c['name'] for c in spec['containers']]
    chosen = (meta.get('annotations') or {}).get(DEFAULT_CONTAINER) or apps[0]
    others = apps + ['%s (init)' % c['name'] for c in spec.get('initContainers') or []]
    if len(others) > 1 and not quiet:
        ctx.err('Defaulted container "%s" out of: %s' % (chosen, ', '.join(others)))
    return chosen


def all_containers(ctx, name):
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
    record = read_records(ctx.client).get((ctx.namespace, name))
    if record is None or not record.applied:
        raise common.NotFound('Pod', name)
    spec = record.applied['spec']
    containers = (spec.get('initContainers') or []) + spec['containers']
    return [c['name'] for c in containers if record.instances.get(c['name'])]


def _since_seconds(args):
    since = common.parse_duration(args.since)
    if args.since_time:
        stamp = epoch_seconds(args.since_time)
        if stamp is None:
            raise CliError('invalid argument "%s" for "--since-time" flag: not an RFC3339 time' % args.since_time)
        since = max(since, time.time() - stamp)
    return int(since + 0.999) if since else None


class _Output:
    """Writes log bytes to stdout, whole lines with a prefix when asked, from one thread at a time."""

    def __init__(self, ctx):
        self.ctx, self.lock = ctx, threading.Lock()
        self.stream = getattr(ctx.stdout, 'buffer', None)

    def write(self, data, prefix=''):
        if prefix:
            data = b''.join(prefix.encode() + line for line in data.splitlines(True))
        with self.lock:
            if self.stream is not None:
                self.stream.write(data)
                self.stream.flush()
            else:
                self.ctx.stdout.write(data.decode('utf-8', errors='replace'))

    def close(self):
        """Take the lock for good: no follower is amid a write of stdout while the interpreter exits (a daemon
        thread stopped there would hold stdout's own lock, and Python aborts at exit)."""
        self.lock.acquire()  # pylint: disable=consider-using-with


def run(ctx, verb, args, extra):
    name = pod_name(args.pod)
    if args.positional_container and args.container:
        raise CliError('only one of -c or an inline [CONTAINER] arg is allowed')
    params = {'name': name, 'namespace': ctx.namespace, 'tail_lines': args.tail if args.tail >= 0 else None,
              'since_seconds': _since_seconds(args), 'previous': args.previous, 'timestamps': args.timestamps}
    containers = all_containers(ctx, name) if args.all_containers else [
        pick_container(ctx, name, args.container or args.positional_container)]
    out = _Output(ctx)
    prefixes = {c: '[pod/%s/%s] ' % (name, c) if args.prefix else '' for c in containers}
    if not args.follow or args.previous:
        for container in containers:
            _print(ctx, dict(params, container=container), out, prefixes[container])
        return 0
    threads = [threading.Thread(target=follow, args=(ctx, dict(params, container=c), out, prefixes[c]), daemon=True)
               for c in containers]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(0.2)
    except KeyboardInterrupt:  # ^C: kubectl's end of -f (130, as a shell reports it), no traceback
        out.close()
        raise
    return 0


def _print(ctx, params, out, prefix):
    from ansible_collections.hostpods.core.plugins.module_utils._kubectl import log_source
    source = log_source(ctx.client, params)
    text = ctx.client.logs(source['id'], tail=source['tail'], timestamps=source['timestamps'], since=source['since'],
                           until=source['until'])
    out.write(text.encode('utf-8'), prefix)


def follow(ctx, params, out, prefix):
    """Stream the container's log, then each next run of it, until it will not run again."""
    from ansible_collections.hostpods.core.plugins.module_utils._kubectl import log_source
    try:
        source = log_source(ctx.client, params)
    except HostpodsError as exc:
        ctx.err(common.library_error(exc).text())
        return
    container_id, since, tail = source['id'], source['since'], source['tail']
    while container_id:
        for chunk in ctx.client.logs_stream(container_id, tail=tail, timestamps=params['timestamps'], since=since):
            out.write(chunk, prefix)
        container_id, since = next_run(ctx, params, container_id, source['record'])
        tail = 'all'


def next_run(ctx, params, last_id, record):
    """``(container id, since)`` of the run after ``last_id`` once it starts, or ``(None, None)`` when the
    container will not run again (its pod is gone for ``GONE_SECONDS``, or its restart policy says so)."""
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
    from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import is_sidecar, should_restart
    spec = record.applied['spec']
    policy = spec['restartPolicy']
    init = {c['name']: c for c in spec.get('initContainers') or []}.get(params['container'])
    if init is not None and not is_sidecar(init):  # an init container that succeeded is done
        policy = 'Never' if policy == 'Never' else 'OnFailure'
    gone_since = None
    while True:
        info = ctx.client.inspect_container(last_id)
        current = read_records(ctx.client).get((params['namespace'], params['name']))
        latest = current.latest(params['container']) if current else None
        if latest is None:  # the pod (or the container) is gone: for good, or while an apply recreates it
            gone_since = gone_since or time.monotonic()
            if time.monotonic() - gone_since > GONE_SECONDS:
                return None, None
            time.sleep(NEXT_RUN_SECONDS)
            continue
        gone_since = None
        if latest.id != last_id:
            return latest.id, None
        state = (info or {}).get('State') or {}
        if state.get('Running'):  # restarted in place by the engine: its log goes on after the last run
            return last_id, epoch_seconds(state.get('FinishedAt'))
        if not state.get('Restarting') and not should_restart(policy, state.get('Status', 'exited'),
                                                              state.get('ExitCode', 0)):
            return None, None
        time.sleep(NEXT_RUN_SECONDS)
