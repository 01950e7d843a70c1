# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: carry out pod plans. The only layer that changes the host (never called in check mode).

Pods run concurrently (bounded); the steps of one pod run in order. Init containers run one by
one to completion: a failure under ``restartPolicy: Never`` fails the pod; otherwise the container
is retried with the kubelet's back-off (immediately, then 10 s, 20 s, 40 s ... at most 300 s) for as
long as the call's time budget lasts, and the next apply goes on from there.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hostpods.core.plugins.module_utils._spec import dns as dns
from ansible_collections.hostpods.core.plugins.module_utils._spec import hooks as hooks
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming as naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import objects as objects
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity as quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import security as security
from ansible_collections.hostpods.core.plugins.module_utils._plan import translate as translate
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError, PodStartError

BACKOFF = (0, 10, 20, 40, 80, 160, 300)
SANDBOX_GRACE = 10
MINIMUM_GRACE = 2  # the kubelet's minimumGracePeriodInSeconds
LOG_TAIL_LINES = 20
MAX_WORKERS = 8


def grace_seconds(instance):
    """The pod's terminationGracePeriodSeconds, but at least the kubelet's 2 s minimum."""
    return max(MINIMUM_GRACE, instance.grace_period)


def run_concurrently(function, items, workers=MAX_WORKERS):
    """``[function(item)]`` in order, with at most ``workers`` at a time."""
    items = list(items)
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(function, items))


class Executor:
    def __init__(self, client, sandbox_image, budget_seconds, sleep=time.sleep, clock=time.monotonic, lookup=None,
                 node=None):
        self.client = client
        self.node = node or {}  # this node's name and allocatable (see _placement.NodeGate.runtime_node)
        self.sandbox_image = sandbox_image
        self.lookup = lookup or (lambda kind, namespace, name: None)
        self.sleep = sleep
        self.clock = clock
        self.deadline = clock() + budget_seconds

    def run(self, plans):
        """Carry out every plan; returns ``{pod key: error message}`` for the pods that failed."""
        results = run_concurrently(self._run_plan, [plan for plan in plans if plan.steps])
        return {key: error for key, error in results if error}

    def _run_plan(self, plan):
        """Run one pod's steps in order. A container that cannot start does not keep its siblings
        from starting (as on a kubelet); any other failure stops the pod's steps."""
        context = {'sandbox_id': plan.record.sandbox.id if plan.record and plan.record.sandbox else None}
        errors = []
        for step in plan.steps:
            try:
                getattr(self, '_step_' + step.op)(plan, step, context)
            except PodStartError as exc:
                errors.append(exc.msg)
                if step.op not in ('start', 'replace'):
                    break
            except HostpodsError as exc:
                errors.append(exc.msg)
                break
        return plan.key, '; '.join(errors) or None

    # ------------------------------------------------------------------ steps
    def _stop_all(self, instances):
        """Stop the running app containers in parallel with their grace period, then the sidecars in
        reverse order (the kubelet's terminationOrdering), then the sandboxes."""
        running = [item for item in instances if item.running]
        sandboxes = [item for item in running if item.container == naming.SANDBOX_CONTAINER]
        sidecars = sorted([item for item in running if item.kind == 'init'], key=lambda item: item.created, reverse=True)
        apps = [item for item in running if item not in sandboxes and item not in sidecars]
        run_concurrently(self._stop, apps)
        for item in sidecars:
            self._stop(item)
        run_concurrently(lambda item: self.client.stop(item.id, SANDBOX_GRACE), sandboxes)

    def _step_stop_pod(self, plan, step, context):
        self._stop_all(step.record.all_instances())

    def _step_remove_pod(self, plan, step, context):
        record = step.record
        instances = record.all_instances() + list(getattr(record, 'strays', []))
        sandboxes = [item for item in instances if item.container == naming.SANDBOX_CONTAINER]
        self._stop_all(instances)
        run_concurrently(lambda item: self.client.remove_container(item.id), instances)
        if context.get('sandbox_id') in [item.id for item in sandboxes]:
            context['sandbox_id'] = None
        if not step.keep_volumes and record.uid:
            shutil.rmtree(os.path.dirname(naming.metadata_path(record.uid)), ignore_errors=True)
            for volume in self.client.pod_volumes(record.uid):
                if (volume.get('Labels') or {}).get(naming.VOLUME_TYPE) == 'emptyDir':
                    self.client.remove_volume(volume['Name'])

    def _step_metadata(self, plan, step, context):
        """Keep the pod's new labels and annotations on the node."""
        write_file(naming.metadata_path(plan.uid), json.dumps(step.metadata, sort_keys=True))

    def _step_project(self, plan, step, context):
        """Write a configMap, secret, downwardAPI or projected volume's files (the kubelet's AtomicWriter)."""
        try:
            files = objects.volume_files(plan.pod, step.volume, self.lookup, self._runtime(plan, context))
        except objects.ConfigError as exc:
            raise PodStartError('pod "%s": FailedMount: MountVolume.SetUp failed for volume "%s" : %s'
                                % (plan.pod['metadata']['name'], step.name, exc))
        write_atomic_dir(naming.volume_dir(plan.uid, step.name), files)

    def run_objects(self, plans):
        """Carry out object plans (before the pods that use them); ``{key: error}`` of the failures."""
        errors = {}
        for plan in plans:
            for step in plan.steps:
                try:
                    getattr(self, '_object_' + step.op)(step)
                except HostpodsError as exc:
                    errors[plan.key] = exc.msg
        return errors

    def _object_write_object(self, step):
        kind, namespace, name = step.key
        write_file(objects.store_path(kind, namespace, name), json.dumps(step.obj, sort_keys=True),
                   mode=0o600 if kind == 'Secret' else 0o644, private=True)
        if kind == 'PersistentVolumeClaim':
            volume = naming.claim_volume_name(namespace, name)
            if self.client.inspect_volume(volume) is None:
                self.client.create_volume(volume, {naming.VOLUME_TYPE: 'persistentVolumeClaim', naming.CLAIM_NAME: name,
                                                   naming.POD_NAMESPACE: namespace})

    def _object_delete_object(self, step):
        kind, namespace, name = step.key
        if kind == 'PersistentVolumeClaim':
            volume = naming.claim_volume_name(namespace, name)
            users = [c['Names'][0].lstrip('/') for c in self.client.volume_users(volume)]
            if users:  # kubernetes.io/pvc-protection: a claim in use is not removed
                raise PodStartError('persistentvolumeclaim "%s" is in use by %s; delete those pods first'
                                    % (name, ', '.join(users)))
            self.client.remove_volume(volume)
        try:
            os.remove(objects.store_path(kind, namespace, name))
        except FileNotFoundError:
            pass

    def refresh_volumes(self, records, changed):
        """Rewrite, in place and atomically, the volumes of running pods that use a changed ConfigMap
        or Secret (``changed``: set of (kind, namespace, name)), as the kubelet's sync does."""
        for record in records:
            applied = record.applied
            if not applied or not record.sandbox or not record.sandbox.running:
                continue
            pod = dict(applied, metadata=dict(applied['metadata'], uid=record.uid))
            volumes = [v for v in pod['spec'].get('volumes') or []
                       if any((kind, pod['metadata']['namespace'], name) in changed for kind, name in objects.references(v))]
            if not volumes:
                continue
            from ansible_collections.hostpods.core.plugins.module_utils._plan.planner import PodPlan
            plan = PodPlan((record.namespace, record.name), pod, record, 'updated', [], record.uid)
            context = {'sandbox_id': record.sandbox.id}
            for volume in volumes:
                try:
                    files = objects.volume_files(pod, volume, self.lookup, self._runtime(plan, context))
                except objects.ConfigError:
                    continue  # the kubelet keeps the last good files while a reference is missing
                write_atomic_dir(naming.volume_dir(record.uid, volume['name']), files)

    def _step_pull(self, plan, step, context):
        self.client.pull(step.image)

    def _step_volume(self, plan, step, context):
        if self.client.inspect_volume(step.name) is not None:
            return
        meta = plan.pod['metadata']
        labels = {naming.VOLUME_TYPE: step.kind, naming.VOLUME_NAME: step.volume['name'],
                  naming.POD_NAMESPACE: meta['namespace']}
        opts = None
        if step.kind == 'emptyDir':
            labels.update({naming.POD_UID: plan.uid, naming.POD_NAME: meta['name']})
            if step.memory:
                fs_group = (plan.pod['spec'].get('securityContext') or {}).get('fsGroup')
                opts = {'type': 'tmpfs', 'device': 'tmpfs',
                        'o': 'mode=1777' if fs_group is None else 'mode=2777,gid=%d' % fs_group}
                size = (step.volume['emptyDir'] or {}).get('sizeLimit')
                if size:
                    opts['o'] += ',size=%d' % quantity.memory_bytes(size)
        else:
            labels[naming.CLAIM_NAME] = step.volume['persistentVolumeClaim']['claimName']
        created = self.client.create_volume(step.name, labels, opts)
        mountpoint = (created or {}).get('Mountpoint')
        if step.kind == 'emptyDir' and not step.memory and mountpoint and os.path.isdir(mountpoint):
            os.chmod(mountpoint, 0o777)  # emptyDir is world-writable, as on a kubelet

    def _step_fs_group(self, plan, step, context):
        """``fsGroup``: the pod's writable volumes belong to that group (setgid directories), as the
        kubelet's SetVolumeOwnership makes them."""
        info = self.client.inspect_volume(step.name) or {}
        root = info.get('Mountpoint')
        if root and os.path.isdir(root):
            set_group_ownership(root, step.group)

    def _step_host_path(self, plan, step, context):
        try:
            if step.type == 'DirectoryOrCreate':
                os.makedirs(step.path, 0o755, exist_ok=True)
            elif not os.path.exists(step.path):
                fd = os.open(step.path, os.O_CREAT | os.O_WRONLY, 0o644)
                os.close(fd)
        except OSError as exc:
            raise PodStartError('pod "%s": hostPath %s: cannot create %s: %s'
                                % (plan.pod['metadata']['name'], step.type, step.path, exc.strerror))

    def _step_sandbox(self, plan, step, context):
        pod = plan.pod
        name = naming.sandbox_name(pod['metadata']['name'], pod['metadata']['namespace'], plan.uid, step.attempt)
        settings, _event = dns.resolver_settings(pod, host_resolv_conf())
        body = translate.sandbox_body(pod, step.attempt, self.sandbox_image, settings)
        sandbox_id = self.client.create_container(name, body)
        self.client.start(sandbox_id)
        context['sandbox_id'] = sandbox_id

    def _step_start(self, plan, step, context):
        self._ensure_image(plan, step)
        self._create_and_start(plan, step.container, 'container', step.attempt, context)

    def _step_replace(self, plan, step, context):
        self._ensure_image(plan, step)
        # The engine may have restarted the old instance in place: count those restarts too.
        old = self.client.inspect_container(step.old.id) or {}
        attempt = max(step.attempt, step.old.attempt + int(old.get('RestartCount') or 0) + 1)
        if step.old.running:
            self._stop(step.old)
        new_id = self._create_and_start(plan, step.container, step.args.get('kind', 'container'), attempt, context)
        self._prune(plan, step.container['name'], keep=(step.old.id, new_id))

    def _step_sidecar(self, plan, step, context):
        """A restartable init container: started in its place in the init order; the next one starts
        once it runs (the engine restarts it whenever it exits)."""
        self._ensure_image(plan, step)
        container_id = self._create_and_start(plan, step.container, 'init', step.attempt, context)
        for _attempt in range(50):
            if ((self.client.inspect_container(container_id) or {}).get('State') or {}).get('Running'):
                return
            self.sleep(0.1)

    def _step_init(self, plan, step, context):
        self._ensure_image(plan, step)
        self._run_init(plan, step.container, step.attempt, context, None)

    def _step_await_init(self, plan, step, context):
        self._run_init(plan, step.container, step.instance.attempt, context, step.instance.id)

    # ------------------------------------------------------------------ helpers
    def _ensure_image(self, plan, step):
        """The image manager's part: pull per imagePullPolicy, or refuse a missing image under Never."""
        image, pod_name, name = step.container['image'], plan.pod['metadata']['name'], step.container['name']
        if step.image == 'never-missing':
            raise PodStartError('pod "%s": container "%s": ErrImageNeverPull: Container image "%s" is not present '
                                'with pull policy of Never' % (pod_name, name, image))
        if step.image == 'pull':
            namespace = plan.pod['metadata']['namespace']
            secrets = [self.lookup('Secret', namespace, ref['name']) for ref in plan.pod['spec'].get('imagePullSecrets') or []]
            try:
                self.client.pull(image, objects.registry_auth(secrets, image))
            except HostpodsError as exc:
                raise PodStartError('pod "%s": container "%s": ErrImagePull: Failed to pull image "%s": %s'
                                    % (pod_name, name, image, exc.msg))

    def _check_security(self, plan, container, runtime):
        """What the kubelet checks before creating a container: runAsNonRoot against the image's
        user, and that a Localhost seccomp profile exists on the node (read into ``runtime``)."""
        pod_name, name = plan.pod['metadata']['name'], container['name']
        if security.effective(plan.pod, container, 'runAsNonRoot'):
            image = self.client.inspect_image(container['image']) or {}
            problem = security.non_root_error(dict(plan.pod, metadata=dict(plan.pod['metadata'], uid=plan.uid)),
                                              container, (image.get('Config') or {}).get('User', ''))
            if problem:
                raise PodStartError('pod "%s": container "%s": CreateContainerConfigError: %s' % (pod_name, name, problem))
        profile = security.effective(plan.pod, container, 'seccompProfile') or {}
        if profile.get('type') == 'Localhost':
            path = os.path.join(security.SECCOMP_ROOT, profile['localhostProfile'])
            try:
                with open(path, encoding='utf-8') as handle:
                    runtime.setdefault('seccompProfiles', {})[profile['localhostProfile']] = handle.read()
            except OSError as exc:
                raise PodStartError('pod "%s": container "%s": CreateContainerError: cannot load seccomp profile "%s": %s'
                                    % (pod_name, name, path, exc.strerror))

    def _create_and_start(self, plan, container, kind, attempt, context):
        pod = plan.pod
        meta = pod['metadata']
        self._check_security(plan, container, self._runtime(plan, context))
        name = naming.container_name(container['name'], meta['name'], meta['namespace'], plan.uid, attempt)
        runtime = self._runtime(plan, context)
        write_file(naming.termination_log_path(plan.uid, container['name'], attempt), '', mode=0o666)
        try:
            body = translate.container_body(pod, container, kind, attempt, context['sandbox_id'], self.sandbox_image,
                                            self._subpath_sources(pod, container), runtime)
        except objects.ConfigError as exc:
            raise PodStartError('pod "%s": container "%s": CreateContainerConfigError: %s' % (meta['name'], container['name'], exc))
        container_id = self.client.create_container(name, body)
        self.client.start(container_id)
        post_start = (container.get('lifecycle') or {}).get('postStart')
        if post_start:
            problem = hooks.run_handler(self.client, container_id, post_start, runtime['podIP'], container.get('ports'),
                                        max(1, self._remaining()))
            if problem:  # the kubelet kills the container (FailedPostStartHook); its restart policy decides
                self.client.stop(container_id, 0)
                raise PodStartError('pod "%s": container "%s": PostStartHookError: %s'
                                    % (meta['name'], container['name'], problem))
        return container_id

    def _stop(self, instance):
        """Stop a container as the kubelet kills it: its preStop hook first, within the grace
        period, then SIGTERM and, after what is left of the period (at least 2 s), SIGKILL."""
        grace, started = grace_seconds(instance), self.clock()
        pre_stop = instance.labels.get(naming.PRE_STOP)
        if pre_stop and instance.running:
            spec = json.loads(pre_stop)
            info = self.client.inspect_container(instance.labels.get(naming.SANDBOX_ID, '')) or {}
            hooks.run_handler(self.client, instance.id, spec['handler'],
                              (info.get('NetworkSettings') or {}).get('IPAddress', ''), spec['ports'], grace)
        self.client.stop(instance.id, max(MINIMUM_GRACE, int(grace - (self.clock() - started))))

    def _runtime(self, plan, context):
        """What containers get from the node once the sandbox runs: the pod's /etc/hosts (written
        here, with the pod IP) and the downward API's facts (pod IP, host IP, node name, allocatable)."""
        if context.get('runtime_for') != context['sandbox_id']:
            network = (self.client.inspect_container(context['sandbox_id']) or {}).get('NetworkSettings') or {}
            host_ip = self.node.get('address') or network.get('Gateway') or self.client.bridge_gateway()
            pod_ip = host_ip if plan.pod['spec'].get('hostNetwork') else network.get('IPAddress', '')
            hosts = naming.hosts_path(plan.uid)
            write_file(hosts, dns.hosts_file(plan.pod, pod_ip, read_text('/etc/hosts')))
            context['runtime'] = {'podIP': pod_ip, 'hostIP': host_ip,
                                  'nodeName': self.node.get('name') or socket.gethostname(),
                                  'allocatable': self.node.get('allocatable') or node_allocatable(),
                                  'hostsFile': hosts, 'lookup': self.lookup}
            context['runtime_for'] = context['sandbox_id']
        return context['runtime']

    def _subpath_sources(self, pod, container):
        """Create each subPath inside its volume (as a kubelet does) and return the host directories."""
        out = {}
        for volume_name, sub_path, kind, source in translate.subpath_mounts(pod, container):
            base = source
            if kind == 'volume':
                info = self.client.inspect_volume(source) or {}
                base = info.get('Mountpoint')
                if not base:
                    raise PodStartError('pod "%s": cannot find volume %s for subPath %s'
                                        % (pod['metadata']['name'], source, sub_path))
            path = os.path.join(base, sub_path)
            if not os.path.lexists(path):
                os.makedirs(path, 0o777 if kind == 'volume' else 0o755, exist_ok=True)
            out[(volume_name, sub_path)] = path
        return out

    def _prune(self, plan, container_name, keep):
        """Remove the container's other instances: the ones in ``keep`` are the newest and the one
        before it (for ``lastState`` and previous logs), as the kubelet keeps one dead instance."""
        for entry in self.client.pod_containers(uid=plan.uid):
            if (entry.get('Labels') or {}).get(naming.CONTAINER_NAME) == container_name and entry['Id'] not in keep:
                self.client.remove_container(entry['Id'])

    def _remaining(self):
        return self.deadline - self.clock()

    def _run_init(self, plan, container, attempt, context, existing_id):
        pod = plan.pod
        pod_name, policy = pod['metadata']['name'], pod['spec']['restartPolicy']
        tries = 0
        while True:
            container_id = existing_id or self._create_and_start(plan, container, 'init', attempt, context)
            existing_id = None
            code = self.client.wait(container_id, timeout=max(1, int(self._remaining())))
            if code is None:
                raise PodStartError('pod "%s": init container "%s" is still running after the time budget '
                                    '(wait_timeout); it keeps running and the next apply waits for it'
                                    % (pod_name, container['name']))
            self._prune(plan, container['name'], keep=(container_id,))
            if code == 0:
                return
            tail = self.client.logs(container_id, tail=LOG_TAIL_LINES).strip()
            log = ('; log tail: %s' % tail.replace('\n', ' | ')) if tail else '; no log output'
            if policy == 'Never':
                raise PodStartError('pod "%s" failed (Init:Error): init container "%s" exited with code %d '
                                    'and restartPolicy is Never%s' % (pod_name, container['name'], code, log),
                                    exit_code=code)
            delay = BACKOFF[min(tries, len(BACKOFF) - 1)]
            if delay >= self._remaining():
                raise PodStartError('pod "%s" is not initialized (Init:CrashLoopBackOff): init container "%s" exited '
                                    'with code %d after %d attempt(s); the next apply retries it%s'
                                    % (pod_name, container['name'], code, tries + 1, log), exit_code=code)
            self.sleep(delay)
            tries += 1
            attempt += 1


def set_group_ownership(root, group):
    """chgrp -R ``group``, group read-write, setgid on directories (SetVolumeOwnership)."""
    for directory, _dirs, files in os.walk(root):
        for path in [directory] + [os.path.join(directory, name) for name in files]:
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            os.chown(path, -1, group)
            extra = stat.S_IRGRP | stat.S_IWGRP | (stat.S_IXGRP | stat.S_ISGID if stat.S_ISDIR(mode) else 0)
            os.chmod(path, stat.S_IMODE(mode) | extra)


def write_atomic_dir(target, files):
    """The kubelet's AtomicWriter: the files go to a new timestamped directory, ``..data`` is switched
    to it atomically, each top-level name is a symlink through ``..data``, and older versions go."""
    parent = os.path.dirname(target)
    os.makedirs(parent, 0o700, exist_ok=True)  # only root reaches the volumes on the node
    os.chmod(parent, 0o700)
    os.makedirs(target, 0o755, exist_ok=True)
    now = time.time_ns()
    version = '..' + time.strftime('%Y_%m_%d_%H_%M_%S', time.gmtime(now // 10 ** 9)) + '.%09d' % (now % 10 ** 9)
    for relative, (data, mode) in files.items():
        path = os.path.join(target, version, relative)
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        with open(path, 'wb') as handle:
            handle.write(data)
        os.chmod(path, mode)
    os.makedirs(os.path.join(target, version), 0o755, exist_ok=True)
    os.symlink(version, os.path.join(target, '..data_tmp'))
    os.replace(os.path.join(target, '..data_tmp'), os.path.join(target, '..data'))
    tops = {relative.split('/', 1)[0] for relative in files}
    for name in os.listdir(target):
        path = os.path.join(target, name)
        if name.startswith('..'):
            if name not in ('..data', version) and os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
        elif name not in tops and os.path.islink(path):
            os.remove(path)
    for name in tops:
        if not os.path.lexists(os.path.join(target, name)):
            os.symlink(os.path.join('..data', name), os.path.join(target, name))


def write_file(path, text, mode=0o644, private=False):
    """Write a file of the node's state atomically (its directory 0755, or 0700 when ``private``)."""
    os.makedirs(os.path.dirname(path), 0o700 if private else 0o755, exist_ok=True)
    with open(path + '.tmp', 'w', encoding='utf-8') as handle:
        handle.write(text)
    os.chmod(path + '.tmp', mode)
    os.replace(path + '.tmp', path)


def read_text(path):
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except OSError:
        return ''


def host_resolv_conf():
    """The node's resolver settings (systemd-resolved's upstream file where there is one)."""
    for path in ('/run/systemd/resolve/resolv.conf', '/etc/resolv.conf'):
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                return dns.parse_resolv_conf(handle.read())
    return dns.parse_resolv_conf('')


def node_allocatable():
    """This node's cpu (millicores) and memory (bytes): what an unset limit means to the downward API."""
    memory = 0
    try:
        with open('/proc/meminfo', encoding='ascii') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {'cpu': (os.cpu_count() or 1) * 1000, 'memory': memory}


def host_path_kinds(paths):
    """``{path: 'directory'|'file'|'socket'|'char'|'block'|'other'|'missing'}`` (read-only)."""
    out = {}
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            out[path] = 'missing'
            continue
        for test, kind in ((stat.S_ISDIR, 'directory'), (stat.S_ISREG, 'file'), (stat.S_ISSOCK, 'socket'),
                           (stat.S_ISCHR, 'char'), (stat.S_ISBLK, 'block')):
            if test(mode):
                out[path] = kind
                break
        else:
            out[path] = 'other'
    return out
