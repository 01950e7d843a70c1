"""The floor of bench.py: the same pods made with the Docker SDK's low-level API alone, 4 threads, no grace.

Each pod is what hostpods makes of bench.py's manifest, without the bookkeeping: an emptyDir volume, a
sandbox from the pause image (shareable IPC, the pod's hostname), then the containers joined to its network
and IPC with the volume mounted, created and started. A re-apply is one listing by label checked against the
names it expects (no write); a delete removes every container with force (SIGKILL, no grace), then the
volumes. Its containers carry the label ``hostpods.bench/floor`` and none of hostpods' pod labels, so the
node agent never sees them.
"""

from concurrent.futures import ThreadPoolExecutor

import docker

LABEL = 'hostpods.bench/floor'
THREADS = 4


class Floor:
    def __init__(self, run_id, pause, image, command):
        self.api = docker.APIClient(version='auto', timeout=120)
        self.run_id, self.pause, self.image, self.command = run_id, pause, image, command
        self.labels = {LABEL: run_id}

    def _names(self, index, containers):
        pod = 'floor-%s-%03d' % (self.run_id, index)
        return pod, ['k8s_POD_%s' % pod] + ['k8s_c%d_%s' % (c, pod) for c in range(containers)]

    def _pod(self, index, containers):
        api = self.api
        pod, names = self._names(index, containers)
        volume = 'floor_%s_scratch' % pod
        api.create_volume(name=volume, driver='local', labels=self.labels)
        sandbox = api.create_container(self.pause, name=names[0], hostname=pod, labels=self.labels,
                                       host_config=api.create_host_config(ipc_mode='shareable'))['Id']
        api.start(sandbox)
        for name in names[1:]:
            config = api.create_host_config(network_mode='container:' + sandbox, ipc_mode='container:' + sandbox,
                                            binds={volume: {'bind': '/scratch', 'mode': 'rw'}})
            api.start(api.create_container(self.image, command=self.command, name=name, labels=self.labels,
                                           host_config=config)['Id'])

    def apply(self, pods, containers):
        """Create and start ``pods`` pods; returns the count of pods it had to make (0 on a re-apply)."""
        listed = self.api.containers(all=True, filters={'label': '%s=%s' % (LABEL, self.run_id)})
        running = {name.lstrip('/') for item in listed if item['State'] == 'running' for name in item['Names']}
        missing = [index for index in range(pods) if not set(self._names(index, containers)[1]) <= running]
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda index: self._pod(index, containers), missing))
        return len(missing)

    def delete(self):
        filters = {'label': '%s=%s' % (LABEL, self.run_id)}
        listed = self.api.containers(all=True, filters=filters)
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda item: self.api.remove_container(item['Id'], force=True), listed))
            volumes = self.api.volumes(filters=filters).get('Volumes') or []
            list(pool.map(lambda item: self.api.remove_volume(item['Name'], force=True), volumes))
        return len(listed)
