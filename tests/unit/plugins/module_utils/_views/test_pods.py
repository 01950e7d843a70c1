"""Unit tests of _views.pods: what the kernel's log adds to the engine's word on an exited container."""

from ansible_collections.hostpods.core.plugins.module_utils._views import pods

A, B, C = 'a' * 64, 'b' * 64, 'c' * 64


def test_a_kill_counts_for_the_run_of_the_container_it_ended_only(monkeypatch):
    """The engine may have started the container again since an OOM kill: a later SIGKILL of it is no OOM kill."""
    started = 1795877600.0  # 2026-11-28T14:53:20Z
    monkeypatch.setattr(pods.kernel_log, 'oom_killed', lambda: {A: started + 5, B: started - 1})

    def info(container_id, code=137, oom=False):
        return {'Id': container_id, 'State': {'Running': False, 'ExitCode': code, 'OOMKilled': oom,
                                              'StartedAt': '2026-11-28T14:53:20.000000000Z'}}
    this_run, earlier_run, other_exit, never = info(A), info(B), info(A, code=1), info(C)
    pods._note_oom_kills([this_run, earlier_run, other_exit, never, None])
    assert [item['State']['OOMKilled'] for item in (this_run, earlier_run, other_exit, never)] == [
        True, False, False, False]
