# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``hostpods completion bash``: a bash completion script made from the verbs and flags the
command has (so it cannot drift from them); pod names and namespaces are asked of ``hostpods get``."""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._cli import parser, verbs

TYPES = 'pods po configmaps cm secrets persistentvolumeclaims pvc'
EXPLAIN = ('pods pods.metadata pods.spec pods.spec.containers pods.spec.initContainers pods.spec.volumes pods.status '
           'configmaps secrets persistentvolumeclaims')
OUTPUTS = {'get': 'json yaml name wide', 'run': 'json yaml name'}

SCRIPT = r'''# bash completion for hostpods                              -*- shell-script -*-
# Load it with: source <(hostpods completion bash)

__hostpods_namespace_args() {
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        case "${COMP_WORDS[i]}" in
            -n|--namespace) printf -- '--namespace=%s ' "${COMP_WORDS[i+1]}" ;;
            --namespace=*|--docker-host=*) printf -- '%s ' "${COMP_WORDS[i]}" ;;
            --docker-host) printf -- '--docker-host=%s ' "${COMP_WORDS[i+1]}" ;;
        esac
    done
}

__hostpods_pods() {
    # shellcheck disable=SC2046
    hostpods get pods $(__hostpods_namespace_args) -o name 2>/dev/null | sed 's|^pod/||'
}

__hostpods_namespaces() {
    hostpods get pods -A --no-headers 2>/dev/null | awk '{print $1}' | sort -u
}

_hostpods() {
    local cur prev verb i positional=0
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --) return 0 ;;
            -n|--namespace|--docker-host|-c|--container|-o|--output|-l|--selector|-f|--filename) ((i++)) ;;
            -*) ;;
            *) if [[ -z "$verb" ]]; then verb="${COMP_WORDS[i]}"; else ((positional++)); fi ;;
        esac
    done
    if [[ -z "$verb" ]]; then
        mapfile -t COMPREPLY < <(compgen -W "@VERBS@ options" -- "$cur")
        return 0
    fi
    case "$prev" in
        -n|--namespace) mapfile -t COMPREPLY < <(compgen -W "$(__hostpods_namespaces)" -- "$cur"); return 0 ;;
        -o|--output)
            case "$verb" in
@OUTPUTS@
            esac
            return 0 ;;
        -f|--filename) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return 0 ;;
    esac
    if [[ "$cur" == -* ]]; then
        case "$verb" in
@FLAGS@
        esac
        return 0
    fi
    case "$verb" in
        get|describe|delete|top)
            if ((positional == 0)); then
                mapfile -t COMPREPLY < <(compgen -W "@TYPES@" -- "$cur")
            else
                mapfile -t COMPREPLY < <(compgen -W "$(__hostpods_pods)" -- "$cur")
            fi ;;
        logs|exec|port-forward)
            ((positional == 0)) && mapfile -t COMPREPLY < <(compgen -W "$(__hostpods_pods)" -- "$cur") ;;
        explain) mapfile -t COMPREPLY < <(compgen -W "@EXPLAIN@" -- "$cur") ;;
        completion) mapfile -t COMPREPLY < <(compgen -W "bash" -- "$cur") ;;
    esac
    return 0
}

complete -o default -F _hostpods hostpods
'''


def flags_of(verb):
    """Every flag of a verb (its own and the global ones), long and short, sorted."""
    command = parser.build(verb)
    return sorted({flag for action in command._actions for flag in action.option_strings})


def bash_script():
    line = '            %s) mapfile -t COMPREPLY < <(compgen -W "%s" -- "$cur") ;;'
    cases = '\n'.join(line % (verb, ' '.join(flags_of(verb)))
                      for verb in verbs.VERBS)
    script = SCRIPT
    outputs = '\n'.join('                %s) mapfile -t COMPREPLY < <(compgen -W "%s" -- "$cur") ;;' % (verb, formats)
                        for verb, formats in OUTPUTS.items())
    for key, value in (('VERBS', ' '.join(verbs.VERBS)), ('FLAGS', cases), ('OUTPUTS', outputs), ('TYPES', TYPES),
                       ('EXPLAIN', EXPLAIN)):
        script = script.replace('@%s@' % key, value)
    return script


def run(ctx, verb, args, extra):
    ctx.stdout.write(bash_script())
    ctx.stdout.flush()
    return 0
