"""Unit tests of _runtime.kernel_log: the containers the kernel's log has an OOM kill of (a file stands for
/dev/kmsg, whose records are its lines)."""

import time

from ansible_collections.hostpods.core.plugins.module_utils._runtime import kernel_log

A, B, C = 'a' * 64, 'b' * 64, 'c' * 64


def test_the_victims_cgroup_names_the_container_under_either_cgroup_driver(tmp_path):
    log = tmp_path / 'kmsg'
    log.write_text(
        '6,1,1,-;docker0: port 1(veth1) entered forwarding state\n'
        '3,2,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=%s,mems_allowed=0,'
        'oom_memcg=/kubepods/pod1,task_memcg=/kubepods/pod1/%s,task=tail,pid=7,uid=0\n'
        '3,3,3,-;oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/kubepods.slice/kubepods-pod2.slice,'
        'task_memcg=/kubepods.slice/kubepods-pod2.slice/docker-%s.scope,task=java,pid=8,uid=0\n'
        '3,4,4,-;Memory cgroup out of memory: Killed process 9 (x) cpuset=%s\n' % (A, A, B, C))
    killed = kernel_log.oom_killed(str(log))
    assert set(killed) == {A, B}
    boot = time.time() - time.monotonic()
    assert abs(killed[A] - (boot + 0.000002)) < 0.01 and abs(killed[B] - (boot + 0.000003)) < 0.01


def test_the_last_kill_of_a_container_counts(tmp_path):
    log = tmp_path / 'kmsg'
    line = '3,%d,%d,-;oom-kill:constraint=CONSTRAINT_MEMCG,task_memcg=/kubepods/pod1/%s,task=tail,pid=7,uid=0\n'
    log.write_text(line % (1, 5000000, A) + line % (2, 9000000, A) + line % (3, 7000000, A))
    assert abs(kernel_log.oom_killed(str(log))[A] - (time.time() - time.monotonic() + 9)) < 0.01


def test_a_log_that_cannot_be_read_has_no_kills(tmp_path):
    assert kernel_log.oom_killed(str(tmp_path / 'missing')) == {}
