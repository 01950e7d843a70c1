# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods``, kubectl's verbs on a node (``get``, ``describe``, ``logs``, ``exec``,
``port-forward``, ``run``, ``apply``, ``delete``, ``diff``, ``explain``, ``top``, ``completion``).

A thin shell over the library calls the modules make (``_kubectl``, ``_reconcile``, ``_views``):
never a second implementation. Needs Python 3, the docker SDK, and PyYAML only to read or print
YAML; no Ansible. ``main(argv)`` returns the exit code; the launcher (``roles/node/files/hostpods``)
puts the installed collection root on ``sys.path`` and calls it.
"""

from __future__ import annotations

import importlib
import sys


def main(argv=None, stdout=None, stderr=None):
    """Run one command line; its exit code (kubectl's: 0, 1 for errors, the remote command's for exec)."""
    from ansible_collections.hostpods.core.plugins.module_utils._cli import common
    from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
    argv = sys.argv[1:] if argv is None else argv
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        return _run(argv, stdout, stderr) or 0
    except common.Exit as exc:
        return exc.code
    except common.CliError as exc:
        stderr.write(exc.text() + '\n')
        return exc.code
    except HostpodsError as exc:
        stderr.write(common.library_error(exc).text() + '\n')
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (| head): end quietly, as kubectl does
        common.quiet_stdout()
        return 0


def _run(argv, stdout, stderr):
    from ansible_collections.hostpods.core.plugins.module_utils._cli import common, node_shell, parser, verbs
    verb, rest, extra = parser.split_argv(argv)
    if verb is None or verb == 'help':
        if rest and rest[0] not in ('-h', '--help'):
            raise common.CliError('unknown flag: %s' % rest[0])
        stdout.write(parser.top_help(verbs.groups()))
        return 0
    if verb == 'options':
        stdout.write(parser.options_help())
        return 0
    command = parser.build(verb)
    if '-h' in rest or '--help' in rest:
        stdout.write(command.format_help())
        return 0
    args = command.parse_args(rest)
    module = importlib.import_module(__name__ + '.' + verbs.VERBS[verb]['module'])
    ctx = common.Context(args, stdout, stderr)
    node = node_shell.elsewhere(ctx) if verb in node_shell.VERBS else ''
    if node:  # another machine's engine: its node's command
        return node_shell.run_verb(ctx, verb, args, extra, node)
    return module.run(ctx, verb, args, extra)
