#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: pod
short_description: Apply Kubernetes v1 Pod manifests to a Docker engine, idempotently
version_added: 0.1.0
description:
  - Turns Kubernetes C(v1) Pod manifests into containers on the node's Docker engine, the way a kubelet with
    dockershim did, and keeps them converged. One call reconciles every pod it is given, pods in parallel.
  - For each pod it creates a sandbox container C(k8s_POD_<pod>_<namespace>_<uid>_<attempt>) from O(sandbox_image)
    that holds the pod's network, IPC and UTS namespaces and publishes the containers' C(hostPort)s; the pod's
    volumes; its init containers, one by one to completion; then its containers
    C(k8s_<container>_<pod>_<namespace>_<uid>_<attempt>) joined to the sandbox, so they talk over C(localhost).
  - Volumes. C(emptyDir) is a Docker volume owned by the pod and removed with it (C(medium=Memory) is one tmpfs shared
    by the pod's containers). C(hostPath) is a bind mount, with Kubernetes' C(type) checks and C(DirectoryOrCreate) and
    C(FileOrCreate) creation. C(persistentVolumeClaim) is the named Docker volume C(k8s_pvc_<claim>_<namespace>),
    created with its C(PersistentVolumeClaim) object (or when a pod first uses it), kept when the pod is deleted and
    removed only with the claim (not while a pod uses it). C(configMap), C(secret), C(downwardAPI) and C(projected)
    volumes are files the node writes the way a kubelet does (C(..data) switched atomically, so a changed ConfigMap or
    Secret updates them in place, except through C(subPath)), mounted read-only. The files of a C(secret) volume, and
    of a C(projected) one with a secret source, are on a tmpfs of its own that the node mounts on the pod's directory
    C(/var/lib/hostpods/pods/<uid>/volumes/<volume>), as the kubelet keeps them, never on the node's disk. A node
    restart empties it; the next apply (or the node agent) writes the files again from the stored Secret, making
    again the containers that the engine had started on what was left; files removed from a mounted tmpfs are
    written again in place. Deleting the pod unmounts it. An C(emptyDir) takes its C(mode). An C(ephemeral) volume is
    the claim C(<pod>-<volume>) made from its C(volumeClaimTemplate), owned by the pod and removed with it (a claim of
    that name that is not the pod's is not used, as on a kubelet). An C(image) volume is an image's file system,
    read-only, pulled per its C(pullPolicy) (the pod's events; C(ErrImageNeverPull) under C(Never) when it is
    missing), then mounted by the engine (C(Mount.Type=image), Docker 28 or later with API 1.48) or, on an older engine
    with the overlay2 storage driver, by the node (its layers, read-only, nosuid, nodev and noexec, on the pod's
    C(/var/lib/hostpods/pods/<uid>/volumes/<volume>), bound into the containers; a C(subPath) in it works; unmounted
    with the pod; a mount the node lost makes the containers again); another storage driver on an older engine is
    refused by path naming the engine. Volumes a Docker host cannot
    have are refused by path with the reason (cloud disks C(awsElasticBlockStore), C(azureDisk), C(azureFile),
    C(cinder), C(gcePersistentDisk), C(photonPersistentDisk), C(vsphereVolume); storage clusters C(portworxVolume),
    C(scaleIO), C(storageos), C(cephfs), C(glusterfs), C(quobyte), C(flocker); block devices C(rbd), C(iscsi), C(fc);
    C(csi), C(flexVolume), C(gitRepo), C(nfs), and C(medium=HugePages)).
  - C(subPath) is made safe as the kubelet makes it since CVE-2017-1002101. A missing subPath is created inside its
    volume one directory at a time, never following a symlink, with the mode of the volume's root. The subPath is then
    resolved, refused unless it stays inside its volume (a symlink inside the volume that points inside it is fine),
    opened again from the volume's root without following any symlink, and that open file is bind-mounted on the pod's
    node directory C(/var/lib/hostpods/pods/<uid>/volume-subpaths/<volume>/<container>/<index>), which the engine binds
    into the container; what the pod does in its volume later, or a restart by the engine, cannot change it. A subPath
    that would leave its volume (a symlink to the node's C(/etc) that an init container planted, say) leaves that
    container waiting with C(CreateContainerConfigError) and the kubelet's message (C(failed to prepare subPath for
    volumeMount "<volume>" of container "<container>") or C(failed to create subPath directory for volumeMount ...)),
    and fails the apply; the pod's other containers run. Deleting the pod unmounts these before its directory goes.
    C(subPathExpr) is expanded as the kubelet expands it, with the container's own environment (C(env) with the
    downward API, C(envFrom)), and then used exactly as a C(subPath); an expansion that names a variable the container
    lacks (C(missing value for X)), is absolute or steps out with C(..) leaves that container waiting with
    C(CreateContainerConfigError) and the kubelet's message.
  - C(ConfigMap) and C(Secret) objects given with the pods (any order) are kept on the node, readable by root only,
    and feed C(env) (C(configMapKeyRef), C(secretKeyRef)), C(envFrom) (with C(prefix)) and volumes; a missing
    reference that is not C(optional) leaves the container waiting with C(CreateContainerConfigError) and Kubernetes'
    message. Secret values (and their base64) never appear in the module's output, its errors, its diffs or Ansible's
    logs at any verbosity. The action plugin sends them alone in a C(no_log) option, so Ansible masks those values and
    nothing else of the manifests (namespaces, names and C(v1) read as they are); a container's log tail or
    termination message that the module reports shows the values of the Secrets its pod reads as V(<redacted>).
  - C(imagePullSecrets) naming C(kubernetes.io/dockerconfigjson) Secrets authenticate the pulls.
  - "Re-applying unchanged manifests changes nothing and makes no mutating Docker call. A changed container image
    replaces only that container (its attempt number + 1); a change of labels or annotations is applied in place, as on
    Kubernetes (nothing restarts; the node keeps them in C(/var/lib/hostpods/pods/<uid>/metadata.json) because Docker
    cannot relabel the sandbox); any other change to the pod recreates it (sandbox attempt + 1, same UID).
    Changing a regular init container's image after the pod initialized does nothing on the node, as on a kubelet.
    A sandbox or container removed or stopped behind Ansible's back is repaired on the next apply."
  - C(restartPolicy) maps to the engine's restart policy (V(Always) to C(always), V(OnFailure) to C(on-failure),
    V(Never) to C(no)), so a crashed container comes back without Ansible. A finished pod (Succeeded or Failed) is
    left as it is.
  - An init container that fails under C(restartPolicy=Never) fails the pod. Under the other policies it is retried
    with the kubelet's back-off (immediately, then 10s, 20s, 40s...) for as long as O(wait_timeout) allows; the next
    apply goes on from there. The error names the exit code and shows the end of the container's log.
  - "Every field of a manifest is checked before anything on the host is touched: a field the Kubernetes schema does not
    know, or one hostpods does not support yet, is refused with its path (for example
    C(spec.containers[0].volumeDevices: field not supported by hostpods yet)); so is whatever the API server refuses
    that the schema cannot express (label keys and values, annotations over 256 KiB in all, env names, envFrom
    prefixes, port names and numbers, quantities, hostAliases hostnames...), with the API server's message; and so is
    a valid manifest the node or the engine could not take, naming the field and saying it is a limit of hostpods on
    Docker, not of Kubernetes (an emptyDir's Docker volume C(k8s_emptydir_<pod>_<namespace>_<uid>_<volume>) may have
    at most 255 bytes, so the pod name, namespace and volume name together at most 203 characters; paths within
    Linux' limits; no C(:) in what the engine binds). A batch with one invalid manifest changes no pod."
  - "Fields only a control plane acts on are accepted, validated as the API server validates them, and the apply
    warns once about each, naming the pods: metadata C(ownerReferences) (the garbage collector's; hostpods never
    deletes a pod for them) and C(finalizers) (a delete does not wait for them), and spec C(overhead) set by hand (on a
    cluster the RuntimeClass admission plugin sets it, as it does here from the pod's C(runtimeClassName); as on a
    kubelet, it is added to the pod's requests and to the limits of its cgroup). Refused by path with the reason:
    metadata C(generateName) (cannot use generate name with apply, as kubectl apply says), C(resourceClaims) and a
    container's C(resources) C(claims) (dynamic resource allocation needs an API server and a DRA driver)."
  - "C(readinessGates) are accepted, validated as the API server does: the kubelet's C(Ready) condition needs every
    gate's condition True, which only an API client sets, so on a node without an API server the pod's C(Ready)
    condition stays V(False) with reason C(ReadinessGatesNotReady) and the kubelet's message (C(ContainersReady) is as
    the containers are), kubectl's READINESS GATES column reads C(0/1) and C(describe) lists the gates, the apply
    warns once naming the pods, and O(wait=true) fails at once naming the gates instead of waiting for what cannot
    come (a gate on a condition the node reports itself, such as C(ContainersReady), is read from it)."
  - "Reading is bounded: at most 8 MiB a file or text, nesting at most 100 levels, YAML aliases counted as they expand
    (an alias bomb is refused at once). A refusal lists at most 10 problems a manifest and 20 manifests, quotes values
    as short excerpts and never shows a Secret's values."
  - "Fields supported now: metadata C(name), C(namespace), C(labels), C(annotations); spec C(containers),
    C(initContainers), C(volumes), C(restartPolicy), C(terminationGracePeriodSeconds),
    C(activeDeadlineSeconds) (the node agent fails the pod past it), C(shareProcessNamespace),
    C(hostname), C(subdomain), C(setHostnameAsFQDN), C(hostAliases), C(dnsPolicy) (V(ClusterFirst) falls back to V(Default):
    there is no cluster DNS), C(dnsConfig), C(enableServiceLinks), C(schedulerName),
    C(serviceAccountName) (and the deprecated C(serviceAccount)) and C(automountServiceAccountToken) (accepted: the name
    feeds the downward API; no token is mounted, as there is no API server to issue one, and the apply warns once,
    naming the pods, unless C(automountServiceAccountToken=false); C(projected) C(serviceAccountToken),
    C(clusterTrustBundle) and C(podCertificate) sources are refused, because they need an API server),
    C(nodeName), C(nodeSelector),
    C(affinity) (C(nodeAffinity), C(podAffinity), C(podAntiAffinity)), C(tolerations), C(topologySpreadConstraints),
    C(priorityClassName), C(priority), C(preemptionPolicy) and C(schedulingGates) (see scheduling below);
    C(runtimeClassName), which names a C(RuntimeClass) object (C(node.k8s.io/v1)) of the same call, admitted as the
    RuntimeClass admission plugin does (a class that is not there refuses the pod before anything runs: C(pod rejected:
    RuntimeClass <name> not found)); its C(overhead.podFixed) becomes the pod's C(overhead), a pod that sets another
    one is refused; its C(scheduling.nodeSelector) is merged into the pod's, a conflict refuses it, and its
    C(scheduling.tolerations) are added); its C(handler) is the Docker engine's runtime (C(HostConfig.Runtime)) of the
    sandbox and every container (V(runc) works everywhere); a handler the engine does not list (the Runtimes of
    C(docker info)) fails the pod as a kubelet's C(FailedCreatePodSandBox), naming the handler and the engine's
    runtimes, before its sandbox or any container is made; a re-apply that changes the pod's handler makes a new sandbox. The
    node keeps no RuntimeClass, a pod keeps its handler. Every container gets the C(/etc/hosts) a kubelet writes;
    container C(name), C(image), C(imagePullPolicy), C(command) and C(args) (with Kubernetes variable expansion), C(env) values
    and the downward API (C(valueFrom.fieldRef), C(valueFrom.resourceFieldRef)),
    C(workingDir), C(ports), C(volumeMounts) (C(readOnly), C(subPath), C(mountPropagation), C(recursiveReadOnly) where the
    engine can: V(Enabled) needs Docker 25 or later), C(stdin), C(stdinOnce), C(tty),
    a container's own C(restartPolicy) and C(restartPolicyRules) (the first rule whose C(exitCodes) match decides a
    restart, else the container's policy; the rules need the node agent),
    C(resources) (cpu and memory requests and limits, set as a kubelet sets the cgroups, numbers included such as
    C(cpu: 0.5); C(status.qosClass); C(hugepages-<size>) and extended resources such as C(example.com/dongle), counted
    against the node's allocatable as the scheduler counts them), C(resizePolicy) (a re-apply that changes only the
    cpu or memory of running containers resizes them in place and reports C(updated): V(NotRequired) through the
    engine's container update, same container; V(RestartContainer) restarts that container alone), the pod-level
    C(spec.resources) (the pod's cgroup holds its sandbox and containers, the pod's limits on it, as under a kubelet:
    C(kubepods/<qos>/pod<uid>) with the engine's cgroupfs driver, the slice C(kubepods-<qos>-pod<uid>.slice) that
    systemd starts with the pod's limits under its systemd driver),
    C(securityContext) of the pod (C(runAsUser), C(runAsGroup), C(runAsNonRoot), C(supplementalGroups),
    C(fsGroup) (emptyDir and claim volumes become that group's, setgid; with
    C(fsGroupChangePolicy=OnRootMismatch) only a volume whose root is not the group's already), safe
    C(sysctls), C(seccompProfile), C(appArmorProfile), C(supplementalGroupsPolicy), C(seLinuxOptions),
    C(seLinuxChangePolicy), C(windowsOptions)) and of containers (the same user fields, C(privileged), C(capabilities),
    C(readOnlyRootFilesystem), C(allowPrivilegeEscalation), C(seccompProfile), C(appArmorProfile), C(procMount),
    C(seLinuxOptions), C(windowsOptions)); AppArmor profiles (and the deprecated
    C(container.apparmor.security.beta.kubernetes.io/<container>) annotations) become the engine's C(apparmor=) option,
    and a pod that asks for one on a node without AppArmor is rejected as a kubelet rejects it (C(reason=AppArmor),
    C(Cannot enforce AppArmor: AppArmor is not enabled on the host)); C(supplementalGroupsPolicy=Strict) and an C(os)
    other than V(linux) are rejected as by a kubelet (C(SupplementalGroupsPolicyNotSupported), C(PodOSNotSupported));
    C(procMount=Unmasked) needs C(hostUsers=false), which is refused (C(hostUsers) may only be V(true): the engine
    cannot give a pod its own user namespace); SELinux settings have no effect on a node without SELinux and are
    refused on one with it, Windows options have no effect (the apply warns once about each, naming the pods);
    C(hostNetwork) (the node's network and
    hostname; C(hostPort) defaults to C(containerPort); the pod IP is the node's address on the engine's bridge),
    C(hostPID), C(hostIPC); sidecars (init
    containers with C(restartPolicy=Always): started in init order, kept running beside the app containers, stopped
    after them); C(lifecycle) C(postStart) and C(preStop) hooks (C(exec), C(httpGet), C(sleep); C(tcpSocket) accepted
    and not run, as on a kubelet), C(terminationMessagePath) and C(terminationMessagePolicy) (the message lands in
    C(state.terminated.message)); C(livenessProbe), C(readinessProbe) and C(startupProbe) (validated and defaulted as
    the API server does; run by the node agent C(hostpods-agent) from the node: C(exec), C(httpGet), C(tcpSocket),
    C(grpc))."
  - "Scheduling on this node. Before touching anything the module checks each pod against this node (O(node_name)) with
    kube-scheduler's filters: C(spec.nodeName), C(nodeSelector) and required node affinity (C(nodeAffinity)
    C(requiredDuringSchedulingIgnoredDuringExecution), C(matchExpressions) and C(matchFields)) against the node's labels,
    C(NoSchedule) and C(NoExecute) taints against the pod's C(tolerations) (C(Equal), C(Exists), C(Lt), C(Gt)), a
    cordon, free host ports, the pod's cpu, memory, C(hugepages-<size>) and extended resource requests against the
    node's allocatable minus what the pods already on it request, C(topologySpreadConstraints), and C(podAffinity) and
    C(podAntiAffinity) against the pods of this node (the node is the whole cluster). Pods of higher C(spec.priority)
    are checked first; C(priorityClassName) is resolved as the Priority admission plugin does, from
    C(system-node-critical), C(system-cluster-critical) and the C(PriorityClass) objects (C(scheduling.k8s.io/v1)) of
    the same call (a C(globalDefault) one included); the node keeps no PriorityClass: a pod keeps its resolved
    C(spec.priority). The node's labels, taints and allocatable come from the node facts
    C(/etc/ansible/facts.d/hostpods.fact) (JSON: C(name), C(labels), C(taints), C(allocatable), C(podCIDR); written by
    the P(hostpods.core.node#role) role, whose C(node_allocatable) declares extended resources); without them the node
    has only the label C(kubernetes.io/hostname), no taints, and the host's cpu and memory. A pod already on this node
    stays as long as its node selection still holds (re-applying never fails for want of room). A pod that
    M(hostpods.core.pod_schedule) placed here (O(placement)) is admitted as a kubelet admits a bound pod: its pod
    affinity and spread were weighed against every node."
  - "A pod the node does not take is neither created nor changed (an older version of it on the node is left as it is),
    is reported with C(action=unschedulable) and C(status.phase=Pending), C(PodScheduled=False) reason
    C(Unschedulable) with kube-scheduler's message (C(0/1 nodes are available: 1 Insufficient cpu. preemption: ...)),
    and the task fails naming it, after the other pods of the call were applied. A pod whose C(spec.nodeName) is
    this node is admitted as a kubelet admits it: when it does not fit it is reported with C(action=rejected),
    C(status.phase=Failed) and the kubelet's reason and message (C(OutOfcpu), C(Pod was rejected: ...)). Every pod
    placed here reports this node in C(spec.nodeName); C(status.hostIP) is the node's address: the C(address) of the
    node facts (the node role records it), else the node's address on its pod network (the engine's bridge)."
  - "A pod with C(schedulingGates) is not created (C(action=pending), C(status.phase=Pending), C(PodScheduled=False)
    with reason C(SchedulingGated); kubectl's STATUS column says C(SchedulingGated)) until it is applied without them;
    a pod whose C(schedulerName) is not C(default-scheduler) is not created either (C(action=pending), Pending without
    a condition, as on a cluster where that scheduler does not run) unless C(spec.nodeName) binds it. Neither fails
    the task. hostpods never evicts a pod for one of higher priority (no preemption); where evicting lower-priority
    pods would make room, the message says so."
  - "To place pods across many nodes, use the C(hostpods.core.apply) playbook or M(hostpods.core.pod_schedule) with
    O(placement)."
author:
  - hostpods developers (@hostpods)
extends_documentation_fragment:
  - hostpods.core._docker
attributes:
  check_mode:
    description: Reports what would change (and, per pod, C(planned_steps)) and changes nothing on the host.
    support: full
  diff_mode:
    description: Shows, per pod, the manifest as last applied on the host and the one being applied.
    support: full
  idempotent:
    description: Re-applying the same manifests reports no change and makes no mutating Docker call.
    support: full
options:
  definition:
    description:
      - The manifests to apply or delete. A dict (one manifest), a list of dicts, or YAML or JSON text holding one or
        many documents. C(kind=List) documents are expanded.
      - Kinds C(Pod), C(ConfigMap), C(Secret) and C(PersistentVolumeClaim), in any order; objects are applied before
        the pods (and deleted after them).
      - Mutually exclusive with O(src) and O(template).
    type: raw
    version_added: 0.1.0
  src:
    description:
      - A manifest file, or a directory whose C(*.yaml), C(*.yml) and C(*.json) files are read in name order
        (sub-directories are not read, as with C(kubectl apply -f dir/)).
      - Read on the controller (relative paths are looked up like the M(ansible.builtin.copy) module's C(src)).
    type: path
    version_added: 0.1.0
  template:
    description:
      - A Jinja2 file on the controller rendered with the play's variables; the result is read as manifests.
    type: raw
    version_added: 0.1.0
  state:
    description:
      - V(present) creates or updates the pods; V(absent) deletes them.
      - "Deleting stops the containers with the pod's C(terminationGracePeriodSeconds) (SIGTERM, then SIGKILL), then
        removes them, the sandbox and the pod's C(emptyDir) volumes. C(persistentVolumeClaim) volumes are kept."
    type: str
    choices: [present, absent]
    default: present
    version_added: 0.1.0
  namespace:
    description: The namespace of manifests that name none.
    type: str
    default: default
    version_added: 0.1.0
  wait:
    description:
      - Wait until every pod is Ready, or has finished for pods with C(restartPolicy) V(Never) or V(OnFailure).
      - Never waits in check mode.
    type: bool
    default: false
    version_added: 0.1.0
  wait_timeout:
    description:
      - Seconds this call may spend on init containers, their retries and O(wait).
    type: int
    default: 120
    version_added: 0.1.0
  force:
    description: Recreate the pods even when they are unchanged.
    type: bool
    default: false
    version_added: 0.1.0
  grace_period:
    description:
      - With O(state=absent), the seconds each pod is given to stop (its preStop hooks, then SIGTERM, then SIGKILL)
        instead of its C(terminationGracePeriodSeconds), as C(kubectl delete --grace-period). The node gives at least
        2 seconds, as a kubelet does.
      - With O(prune=true), likewise for the pods pruned (as C(kubectl apply --prune --grace-period)).
    type: int
    version_added: 0.2.0
  sandbox_image:
    description:
      - The image of the sandbox (pause) containers, the kubelet's C(--pod-infra-container-image). Pulled when missing.
      - Defaults to the C(sandboxImage) of the node facts (C(/etc/ansible/facts.d/hostpods.fact)), the image the
        P(hostpods.core.node#role) role provided (its C(node_sandbox_image)), else C(registry.k8s.io/pause:3.10).
      - Changing it recreates the pods (a new sandbox), as the pod's hash includes it.
      - When it is not on the node and cannot be pulled, the pods that need a new sandbox fail before anything of
        them is made, with a message naming the image, what named it, and how to provide it.
    type: str
    version_added: 0.1.0
  secret_data:
    description:
      - Internal. The action plugin moves the values of the call's C(Secret) manifests here (their C(data), with
        C(stringData) merged in as base64), an option whose values Ansible never logs or returns; the rest of each
        Secret stays in O(definition), so its namespace and name read as they are. Give Secrets through
        O(definition), O(src) or O(template) like any manifest.
    type: list
    elements: dict
    version_added: 0.2.0
  node_name:
    description:
      - The name of this node, which a pod's C(spec.nodeName) and O(placement) name, and which the pods placed here
        report in C(spec.nodeName).
      - Defaults to the C(name) of the node facts (C(/etc/ansible/facts.d/hostpods.fact)), else the host name.
    type: str
    version_added: 0.1.0
  placement:
    description:
      - Where each pod goes across the nodes, as M(hostpods.core.pod_schedule) returns it (its C(placement)), that is
        C(namespace/name) to a node name, or to V(null) for a pod no node takes.
      - This call then applies only the pods placed on this node (O(node_name)); the pods placed on another node, or
        on none, are left out of it (neither applied nor reported here). A pod it does not name is checked against
        this node as without O(placement).
      - Ignored with O(state=absent).
    type: dict
    version_added: 0.1.0
  prune:
    description:
      - "Delete what an earlier apply of the same O(applyset) created and the manifests of this call no longer
        contain, as C(kubectl apply --prune --applyset=NAME) does: pods (as O(state=absent) deletes them),
        C(ConfigMap)s and C(Secret)s, and C(PersistentVolumeClaim)s when O(prune_claims=true)."
      - "Kubernetes' ApplySet labels and annotations (KEP-3659) say what belongs to the set. Every manifest of the call
        gets the label C(applyset.kubernetes.io/part-of: <id>) (a manifest that sets it itself is refused), where the
        id is C(applyset-<base64url(sha256(<name>.<namespace>.Secret.))>-v1), kubectl's. The set's parent is a
        C(Secret) named O(applyset) in O(namespace) that the node keeps (C(hostpods get secrets) shows it) with the label
        C(applyset.kubernetes.io/id: <id>) and the annotations C(applyset.kubernetes.io/tooling: hostpods/v0.2.0),
        C(applyset.kubernetes.io/contains-group-kinds) (for example C(ConfigMap,Pod)) and
        C(applyset.kubernetes.io/additional-namespaces). A parent that another tool manages, or that is not this
        set's, is refused."
      - "In kubectl's order: the parent is written first with the kinds and namespaces it listed and those of the
        manifests (an interrupted call leaks nothing); after the whole apply succeeded, the members the parent's
        kinds and namespaces hold that the manifests no longer contain are deleted, pods first, and the parent then
        lists what the set holds. Objects and pods outside the set (no label, or another set's) are never touched;
        a pod of the manifests placed on another node (O(placement)) is not pruned here."
      - "Check mode and diff mode show what would be pruned; pruned pods and objects are returned with
        C(action=pruned), the parent among RV(objects)."
      - Needs O(applyset); only with O(state=present) and without O(label_selectors).
    type: bool
    default: false
    version_added: 0.2.0
  applyset:
    description:
      - The ApplySet of O(prune), as C(kubectl apply --applyset=[RESOURCE/]NAME); C(NAME) or C(secrets/NAME) (the
        parent is a C(Secret)), or C(configmaps/NAME) (a C(ConfigMap)), in O(namespace).
      - Needs O(prune=true), as kubectl's C(--applyset) needs C(--prune).
    type: str
    version_added: 0.2.0
  prune_claims:
    description:
      - With O(prune=true), prune the set's C(PersistentVolumeClaim)s too (their Docker volumes, and so their data,
        go with them). Without it they are kept, and the parent goes on listing them.
    type: bool
    default: false
    version_added: 0.2.0
  label_selectors:
    description:
      - Kubernetes label selectors (C(app=web), C(tier!=db), C(env in (a,b)), C(env notin (a,b)), C(key), C(!key));
        a pod must match them all.
      - With manifests, only the pods they select are applied or deleted.
      - With O(state=absent) and no manifests, every pod of O(namespace) they select is deleted, like
        C(kubectl delete pods -l ...); an empty list selects every pod of the namespace.
    type: list
    elements: str
    version_added: 0.1.0
seealso:
  - name: Kubernetes Pod reference
    description: The fields of a Pod manifest.
    link: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/
'''

EXAMPLES = r'''
- name: Apply every manifest of a directory
  hostpods.core.pod:
    src: manifests/

- name: Apply one pod given inline, and wait until it is ready
  hostpods.core.pod:
    wait: true
    definition:
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        labels:
          app: web
      spec:
        containers:
          - name: httpd
            image: hostpods/busybox:1.35
            command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
            ports:
              - containerPort: 8080
                hostPort: 18080

- name: Render a Jinja2 template with the play's variables and apply it
  hostpods.core.pod:
    template: templates/pods.yaml.j2

- name: Apply a directory as the ApplySet "shop"; delete what an earlier apply of it made and the directory no longer has
  hostpods.core.pod:
    src: manifests/
    prune: true
    applyset: shop

- name: Delete the pods of a file
  hostpods.core.pod:
    src: manifests/web.yaml
    state: absent

- name: Delete every pod labelled app=web in namespace shop (kubectl delete pods -l app=web -n shop)
  hostpods.core.pod:
    state: absent
    namespace: shop
    label_selectors:
      - app=web
'''

RETURN = r'''
changed:
  description: Whether any pod was created, updated, recreated or deleted (or would be, in check mode).
  returned: always
  type: bool
  sample: true
pods:
  description:
    - One entry per pod, in the order given, as C(kubectl get pod -o yaml) shows it, plus C(action).
  returned: always
  type: list
  elements: dict
  contains:
    apiVersion:
      description: Always V(v1).
      type: str
      sample: v1
    kind:
      description: Always V(Pod).
      type: str
      sample: Pod
    metadata:
      description: C(name), C(namespace), C(uid), C(labels), C(annotations), C(creationTimestamp).
      type: dict
      sample: {name: web, namespace: default, uid: 0b7e7bd3-7a4b-4d64-8a53-8f9b1d3e1c2a}
    spec:
      description: The pod's spec with the API server's defaults applied.
      type: dict
      sample: {restartPolicy: Always, containers: [{name: httpd, image: "hostpods/busybox:1.35"}]}
    status:
      description:
        - C(phase), C(conditions), C(podIP), C(podIPs), C(hostIP), C(startTime), C(qosClass), C(containerStatuses)
          (sorted by name) and C(initContainerStatuses), each with C(state), C(lastState), C(ready), C(started),
          C(restartCount), C(image), C(imageID) and C(containerID).
        - For a pod this node does not take, C(phase) (V(Pending) or V(Failed)), the C(PodScheduled) condition and,
          when V(Failed), C(reason) and C(message).
      type: dict
      sample: {phase: Running, podIP: 172.17.0.2}
    action:
      description:
        - What this call did to the pod. V(unschedulable) and V(rejected) are pods this node does not take
          (nothing was done; the task fails). V(pending) is a pod that waits for its scheduling gates to be removed, or
          for another scheduler (nothing was done; the task does not fail). V(pruned) is a pod of O(applyset) that the
          manifests no longer hold, deleted by O(prune).
      type: str
      choices: [created, updated, recreated, unchanged, deleted, absent, unschedulable, rejected, pending, pruned]
      sample: created
    planned_steps:
      description: In check mode, the steps an apply would take.
      type: list
      elements: str
      returned: in check mode, for pods that would change
      sample: ["pull busybox:1.36", "sandbox attempt 0", "start httpd attempt 0"]
    error:
      description: Why this pod could not be brought up (the task fails).
      type: str
      returned: when the pod failed
      sample: 'pod "setup" failed (Init:Error): init container "prepare" exited with code 3 and restartPolicy is Never'
diff:
  description: In diff mode, per changed pod, the manifest last applied on the host and the new one.
  returned: in diff mode
  type: list
  elements: dict
  sample: [{before_header: "pod default/web (on the host)", after_header: "pod default/web (created)", before: {}, after: {}}]
objects:
  description:
    - The ConfigMaps, Secrets and PersistentVolumeClaims of the call, with C(action). A Secret's values are shown as
      V(<redacted>).
    - With O(prune), the ApplySet's parent first (C(action) V(created), V(updated) or V(unchanged)), and the objects
      pruned (C(action=pruned)) last.
  returned: always
  type: list
  elements: dict
  sample: [{apiVersion: v1, kind: ConfigMap, metadata: {name: web-config, namespace: default}, action: created}]
docker_calls:
  description: How many reading and mutating calls this run made to the Docker engine.
  returned: always
  type: dict
  sample: {read: 4, write: 0}
'''

from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._module import run
from ansible_collections.hostpods.core.plugins.module_utils._reconcile import apply_pods


def main():
    run(options.POD, lambda client, module: apply_pods(client, module.params, module.check_mode, module._diff),
        mutually_exclusive=[('definition', 'src', 'template')])


if __name__ == '__main__':
    main()
