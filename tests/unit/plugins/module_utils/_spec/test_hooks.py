"""Unit tests of _hooks: lifecycle validation, named ports, termination messages."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import hooks

ABSOLUTE = 'must be an absolute Linux path on hostpods (a limit of hostpods on Docker, not of Kubernetes, ' \
           'which takes Windows paths too)'


@pytest.mark.parametrize('container, regular_init, expected', [
    ({'lifecycle': {'preStop': {'exec': {'command': ['true']}}}}, False, []),
    ({'lifecycle': {'preStop': {'exec': {'command': ['true']}}}}, True,
     ['c.lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always']),
    ({'lifecycle': {'postStart': {}}}, False, ['c.lifecycle.postStart: Required value: must specify a handler type']),
    ({'lifecycle': {'postStart': {'exec': {'command': ['a']}, 'sleep': {'seconds': 1}}}}, False,
     ['c.lifecycle.postStart: Forbidden: may not specify more than 1 handler type']),
    ({'lifecycle': {'preStop': {'httpGet': {'path': '/'}}}}, False, ['c.lifecycle.preStop.httpGet.port: Required value']),
    ({'terminationMessagePath': 'rel/path'}, False,
     ['c.terminationMessagePath: Invalid value: "rel/path": ' + ABSOLUTE]),
    ({'terminationMessagePolicy': 'Logs'}, False,
     ['c.terminationMessagePolicy: Unsupported value: "Logs": supported values: "File", "FallbackToLogsOnError"']),
])
def test_lifecycle_errors(container, regular_init, expected):
    assert hooks.lifecycle_errors(container, 'c', regular_init) == expected


def test_named_ports():
    ports = [{'name': 'http', 'containerPort': 8080}]
    assert hooks.resolve_port('http', ports) == 8080 and hooks.resolve_port(81, ports) == 81 and hooks.resolve_port('82', ports) == 82
    with pytest.raises(ValueError):
        hooks.resolve_port('admin', ports)


@pytest.mark.parametrize('policy, code, text, logs, expected', [
    ('File', 1, 'from file', 'log', 'from file'),
    ('File', 1, '', 'log', ''),
    ('FallbackToLogsOnError', 1, '', 'a\nb', 'a\nb'),
    ('FallbackToLogsOnError', 0, '', 'a\nb', ''),               # only on failure
    ('FallbackToLogsOnError', 1, 'file wins', 'log', 'file wins'),
    ('File', 0, 'x' * 5000, '', 'x' * 4096),                    # at most 4096 bytes
    ('FallbackToLogsOnError', 2, '', '\n'.join(str(i) for i in range(100)), '\n'.join(str(i) for i in range(20, 100))),
])
def test_termination_message(policy, code, text, logs, expected):
    assert hooks.termination_message(policy, code, text, logs) == expected
