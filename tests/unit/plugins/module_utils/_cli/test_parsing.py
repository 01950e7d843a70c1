"""Unit tests of the hostpods command's pure parts: arguments, help and usage errors (no Docker)."""

import io

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._cli import main
from ansible_collections.hostpods.core.plugins.module_utils._cli import apply, common, completion, forward, parser, verbs
from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError
from ansible_collections.hostpods.core.plugins.module_utils._cli.get import parse_resources


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize('argv, expected', [
    (['get', 'pods'], ('get', ['pods'], None)),
    (['-n', 'kube-system', 'get', 'pods', '-o', 'wide'], ('get', ['pods', '-o', 'wide', '-n', 'kube-system'], None)),
    (['--docker-host', 'tcp://n1:2375', 'logs', 'web'], ('logs', ['web', '--docker-host', 'tcp://n1:2375'], None)),
    (['exec', '-it', 'web', '--', 'sh', '-c', 'echo -- x'], ('exec', ['-it', 'web'], ['sh', '-c', 'echo -- x'])),
    (['-h'], (None, ['-h'], None)),
    ([], (None, [], None)),
])
def test_split_argv(argv, expected):
    assert parser.split_argv(argv) == expected


@pytest.mark.parametrize('words, expected', [
    (['pods'], [('Pod', [])]),
    (['po', 'web', 'db'], [('Pod', ['web', 'db'])]),
    (['pod/web', 'cm/settings'], [('Pod', ['web']), ('ConfigMap', ['settings'])]),
    (['pods,configmaps,secrets,pvc'], [('Pod', []), ('ConfigMap', []), ('Secret', []), ('PersistentVolumeClaim', [])]),
    (['persistentvolumeclaim.v1', 'data'], [('PersistentVolumeClaim', ['data'])]),
])
def test_parse_resources(words, expected):
    assert parse_resources(words) == expected


@pytest.mark.parametrize('words, message', [
    (['deployments'], 'the server doesn\'t have a resource type "deployments"'),
    (['pod/web', 'db'], 'there is no need to specify a resource type as a separate argument'),
    (['pods,cm', 'web'], 'names cannot be given with several resource types'),
])
def test_parse_resources_refuses(words, message):
    with pytest.raises(CliError) as info:
        parse_resources(words)
    assert message in info.value.message


@pytest.mark.parametrize('text, seconds', [('0', 0), ('5s', 5), ('2m', 120), ('1h30m', 5400), ('250ms', 0.25),
                                           ('1.5h', 5400)])
def test_parse_duration(text, seconds):
    assert common.parse_duration(text) == seconds


def test_parse_duration_refuses_what_go_refuses():
    with pytest.raises(CliError) as info:
        common.parse_duration('5 minutes')
    assert 'time: invalid duration "5 minutes"' in info.value.message


@pytest.mark.parametrize('words, expected', [
    (['8080:80'], [(8080, '80')]),
    (['8080'], [(forward.SAME, '8080')]),
    ([':80'], [(None, '80')]),
    (['9000:http', 'metrics'], [(9000, 'http'), (forward.SAME, 'metrics')]),
])
def test_parse_ports(words, expected):
    assert forward.parse_ports(words) == expected


@pytest.mark.parametrize('word', ['x:80', '70000:80', '8080:'])
def test_parse_ports_refuses(word):
    with pytest.raises(CliError):
        forward.parse_ports([word])


def test_remote_ports_by_number_and_name():
    pod = {'spec': {'containers': [{'name': 'a', 'ports': [{'containerPort': 8080, 'name': 'http'}]}]}}
    assert forward.remote_port(pod, 'web', '80') == 80
    assert forward.remote_port(pod, 'web', 'http') == 8080
    with pytest.raises(CliError) as info:
        forward.remote_port(pod, 'web', 'grpc')
    assert info.value.message == "Pod 'web' does not have a named port 'grpc'"


def test_listen_addresses():
    assert forward.addresses(None) == ['127.0.0.1', '::1']
    assert forward.addresses(['0.0.0.0', 'localhost,10.0.0.1']) == ['0.0.0.0', '127.0.0.1', '::1', '10.0.0.1']


# ----------------------------------------------------------------------------- help and usage errors

def test_no_arguments_print_the_verbs():
    code, out, _err = run()
    assert code == 0
    for verb in verbs.VERBS:
        assert '\n  %s ' % verb in out
    assert 'Use "hostpods <command> --help"' in out


@pytest.mark.parametrize('verb', sorted(verbs.VERBS))
def test_each_verb_has_kubectl_help(verb):
    code, out, _err = run(verb, '--help')
    assert code == 0
    assert '\nExamples:\n  # ' in out and '\nOptions:\n' in out and '\nUsage:\n  hostpods %s ' % verb in out


def test_global_options():
    code, out, _err = run('options')
    assert code == 0 and '-n, --namespace' in out and '--docker-host' in out


@pytest.mark.parametrize('argv, message', [
    (['frobnicate'], 'error: unknown command "frobnicate" for "hostpods"\n'),
    (['get', 'pods', '--bogus'], "error: unknown flag: --bogus\nSee 'hostpods get --help' for usage.\n"),
    (['get'], 'error: You must specify the type of resource to get.'),
    (['get', 'pods', '-o', 'table'], 'error: unable to match a printer suitable for the output format "table"'),
    (['logs'], "error: the following arguments are required: POD\nSee 'hostpods logs --help' for usage.\n"),
    (['run', 'web'], 'error: required flag(s) "image" not set\n'),
    (['exec', 'web'], 'error: you must specify at least one command for the container'),
    (['exec', 'web', 'ls'], 'error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead'),
    (['apply'], 'error: must specify one of -f and -k'),
    (['delete'], 'error: You must provide one or more resources by argument or filename.'),
    (['apply', '-f', 'x.yaml', '--prune'], 'error: all resources selected for prune without explicitly passing --all.'),
    (['apply', '-f', 'x.yaml', '--applyset', 'shop'], 'error: --applyset requires --prune'),
    (['explain', 'deployments'], 'error: the server doesn\'t have a resource type "deployments"'),
    (['delete', 'pod', 'web', '-A'], 'error: a resource cannot be retrieved by name across all namespaces'),
    (['delete', '-f', 'x.yaml', '-A'], 'error: -A/--all-namespaces takes --all or -l here'),
    (['delete', 'pods', '-A'], 'error: resource(s) were provided, but no name was specified'),
])
def test_usage_errors_exit_1_with_kubectls_words(argv, message):
    code, out, err = run(*argv)
    assert (code, out) == (1, '')
    assert err.startswith(message)


def test_completion_knows_every_verb_and_flag():
    script = completion.bash_script()
    for verb in verbs.VERBS:
        assert ' %s) mapfile' % verb in script
    assert '--all-containers' in script and '--show-labels' in script and '--grace-period' in script
    assert script.rstrip().endswith('complete -o default -F _hostpods hostpods')


@pytest.mark.parametrize('argv, namespace, selectors', [
    (['delete', 'pods', '--all', '-A'], None, []),
    (['delete', 'pods', '--all-namespaces', '-l', 'app=web', '--now'], None, ['app=web']),
    (['delete', 'pods', '--all', '-n', 'a'], 'a', []),
])
def test_delete_all_namespaces_is_one_call_of_the_reconcile_over_every_namespace(monkeypatch, argv, namespace, selectors):
    """kubectl's ``delete pods --all -A`` / ``-A -l``: the reconcile's selector with no namespace, and kubectl's lines
    (by namespace, then name)."""
    calls = []

    def call(ctx, params, check_mode=False, diff_mode=False):
        calls.append(params)
        return {'pods': [{'metadata': {'namespace': ns, 'name': name}, 'action': 'deleted'}
                         for ns, name in [('b', 'db'), ('a', 'web')]]}, None
    monkeypatch.setattr(apply, 'call', call)
    code, out, err = run(*argv)
    assert (code, out, err) == (0, 'pod "web" deleted\npod "db" deleted\n', '')
    [params] = calls
    assert (params['state'], params['definition'], params['namespace'], params['label_selectors']) == (
        'absent', None, namespace, selectors)
