# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the command line of ``hostpods``: its verbs, their flags, and help laid out as kubectl's
(description, Examples, Options, Usage). Only the verb asked for is built. Usage errors are
kubectl's: ``error: unknown flag: --x`` and ``See 'hostpods get --help' for usage.``, exit code 1.
"""

from __future__ import annotations

import argparse
import textwrap

from ansible_collections.hostpods.core.plugins.module_utils._cli.common import CliError

PROG = 'hostpods'
GLOBAL_VALUE_FLAGS = ('-n', '--namespace', '--docker-host')


class Parser(argparse.ArgumentParser):
    """An argparse parser that fails and helps as kubectl does."""

    def __init__(self, verb, summary, examples, usage, **kwargs):
        super().__init__(prog='%s %s' % (PROG, verb), add_help=False, allow_abbrev=False, **kwargs)
        self.verb, self.summary, self.examples, self.usage_line = verb, summary, examples, usage
        self.add_argument('-h', '--help', action='store_true', help='help for %s' % verb)

    def error(self, message):
        if message.startswith('unrecognized arguments: '):
            words = message.split(': ', 1)[1].split()
            flags = [word for word in words if word.startswith('-')]
            message = 'unknown flag: %s' % flags[0] if flags else 'unexpected argument "%s"' % words[0]
            if self.verb == 'exec' and not flags:
                message = 'exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead'
        elif message.startswith('the following arguments are required: ') and '--' in message:
            words = [word.strip() for word in message.split(': ', 1)[1].split(',')]
            flags = [word.lstrip('-') for word in words if word.startswith('--')]
            message = 'required flag(s) %s not set' % ', '.join('"%s"' % flag for flag in flags)
        elif message.startswith('argument '):
            message = message.replace('argument ', 'flag ', 1)
        raise CliError("%s\nSee '%s %s --help' for usage." % (message, PROG, self.verb))

    def format_help(self):
        text = self.summary + '\n\n'
        if self.examples:
            text += 'Examples:\n' + textwrap.indent(self.examples.strip('\n'), '  ') + '\n\n'
        text += 'Options:\n'
        shown = [action for action in self._actions
                 if action.option_strings and action.dest not in ('help', 'namespace', 'docker_host')]
        for action in sorted(shown, key=lambda a: a.option_strings[-1].lstrip('-')):
            text += _option_help(action)
        text += 'Usage:\n  %s %s\n\n' % (PROG, self.usage_line)
        text += 'Use "%s options" for a list of global command-line options (applies to all commands).\n' % PROG
        return text


def _option_help(action):
    names = ', '.join(action.option_strings)
    if isinstance(action, argparse._StoreTrueAction):
        default = 'false'
    elif isinstance(action, argparse._AppendAction):
        default = '[]'
    elif action.default is None:
        default = "''"
    else:
        default = action.default if isinstance(action.default, int) else "'%s'" % action.default
    text = textwrap.fill(action.help or '', 110, initial_indent='\t', subsequent_indent='\t')
    return '    %s=%s:\n%s\n\n' % (names, default, text)


def add_globals(parser):
    """The options every verb takes (``hostpods options`` lists them)."""
    parser.add_argument('-n', '--namespace', help='If present, the namespace scope for this CLI request')
    parser.add_argument('--docker-host', dest='docker_host',
                        help='The Docker engine of the node (as the modules\' docker_host), e.g. '
                             'unix:///var/run/docker.sock '
                             'or tcp://node1:2375; default: $DOCKER_HOST, else the local engine. Another machine\'s '
                             'engine: apply, delete, diff and run run that node\'s own hostpods there (a helper '
                             'container of hostpods/busybox:1.35), port-forward relays through a helper in the pod '
                             'there')


def add_selector(parser, what='pods'):
    parser.add_argument('-l', '--selector', action='append', default=None,
                        help='Selector (label query) to filter on, supports \'=\', \'==\', \'!=\', \'in\', \'notin\' '
                             '(e.g. -l key1=value1,key2=value2). Matching %s must satisfy all of the specified label '
                             'constraints.' % what)


def add_all_namespaces(parser):
    parser.add_argument('-A', '--all-namespaces', action='store_true', dest='all_namespaces',
                        help='If present, list the requested object(s) across all namespaces. Namespace in current '
                             'context is ignored even if specified with --namespace.')


def add_files(parser, verb):
    parser.add_argument('-f', '--filename', action='append', default=None,
                        help='Filename, directory, or URL to files that contains the configuration to %s '
                             '(- for standard input)' % verb)
    parser.add_argument('-R', '--recursive', action='store_true',
                        help='Process the directory used in -f, --filename recursively.')


def add_output(parser, choices):
    parser.add_argument('-o', '--output', help='Output format. One of: (%s).' % ', '.join(choices))


def add_container(parser, verb):
    parser.add_argument('-c', '--container',
                        help='Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation '
                             'for selecting the container to be %s, or the first container in the pod will be chosen'
                             % verb)


def add_dry_run(parser):
    parser.add_argument('--dry-run', nargs='?', const='client', default='none', choices=['none', 'client', 'server'],
                        help='Must be "none", "server", or "client". If client strategy, only print the object that '
                             'would be sent, without sending it. If server strategy, submit the plan in check mode.')


def build(verb):
    """The parser of ``verb`` (a CliError when there is no such verb)."""
    from ansible_collections.hostpods.core.plugins.module_utils._cli import verbs
    spec = verbs.VERBS.get(verb)
    if spec is None:
        raise CliError('unknown command "%s" for "%s"\n\nRun \'%s --help\' for usage.' % (verb, PROG, PROG))
    parser = Parser(verb, spec['summary'], spec.get('examples', ''), spec['usage'])
    add_globals(parser)
    spec['flags'](parser)
    return parser


def split_argv(argv):
    """``(verb, its arguments, the words after --)``; global flags may come before the verb."""
    argv = list(argv)
    extra = None
    if '--' in argv:
        index = argv.index('--')
        argv, extra = argv[:index], argv[index + 1:]
    before, index = [], 0
    while index < len(argv) and argv[index].startswith('-') and argv[index] != '-':
        before.append(argv[index])
        if argv[index] in GLOBAL_VALUE_FLAGS and index + 1 < len(argv):
            before.append(argv[index + 1])
            index += 1
        index += 1
    if index >= len(argv):
        return None, before, extra
    return argv[index], argv[index + 1:] + before, extra


def top_help(groups):
    text = 'hostpods controls the pods of this node in kubectl\'s words (a node of hostpods.core: no API server).\n\n'
    width = max(len(name) for _title, verbs in groups for name, _summary in verbs) + 2
    for title, verbs in groups:
        text += '%s:\n' % title
        text += ''.join('  %s%s\n' % (name.ljust(width), summary) for name, summary in verbs) + '\n'
    text += 'Usage:\n  %s [flags] [options]\n\n' % PROG
    text += 'Use "%s <command> --help" for more information about a given command.\n' % PROG
    text += 'Use "%s options" for a list of global command-line options (applies to all commands).\n' % PROG
    return text


def options_help():
    parser = Parser('options', '', '', '')
    add_globals(parser)
    text = 'The following options can be passed to any command:\n\n'
    for action in parser._actions:
        if action.dest in ('namespace', 'docker_host'):
            text += _option_help(action)
    return text + 'Usage:\n  %s options\n' % PROG
