# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the verbs of ``hostpods``: summary, examples, usage, flags, and the module that runs each
(imported only when that verb runs)."""

from __future__ import annotations

import argparse

from ansible_collections.hostpods.core.plugins.module_utils._cli import parser as p

GET_FORMATS = ('json', 'yaml', 'name', 'wide')


def _get(parser):
    parser.add_argument('resources', nargs='*', metavar='TYPE [NAME...]')
    p.add_output(parser, GET_FORMATS)
    p.add_selector(parser, 'objects')
    p.add_all_namespaces(parser)
    parser.add_argument('-w', '--watch', action='store_true',
                        help='After listing/getting the requested object, watch for changes.')
    parser.add_argument('--show-labels', action='store_true', dest='show_labels',
                        help='When printing, show all labels as the last column (default hide labels column).')
    parser.add_argument('--no-headers', action='store_true', dest='no_headers',
                        help='When using the default or custom-column output format, don\'t print headers.')


def _describe(parser):
    parser.add_argument('resources', nargs='*', metavar='TYPE [NAME_PREFIX]')
    p.add_selector(parser)
    p.add_all_namespaces(parser)
    parser.add_argument('--show-events', default='true', choices=['true', 'false'], dest='show_events',
                        help='If true, display events related to the described object.')


def _logs(parser):
    parser.add_argument('pod', metavar='POD')
    parser.add_argument('positional_container', nargs='?', metavar='CONTAINER', help=argparse.SUPPRESS)
    p.add_container(parser, 'printed')
    parser.add_argument('-f', '--follow', action='store_true', help='Specify if the logs should be streamed.')
    parser.add_argument('-p', '--previous', action='store_true',
                        help='If true, print the logs for the previous instance of the container in a pod if it '
                             'exists.')
    parser.add_argument('--tail', type=int, default=-1,
                        help='Lines of recent log file to display. Defaults to -1, showing all log lines.')
    parser.add_argument('--since', default='0s',
                        help='Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all '
                             'logs.')
    parser.add_argument('--since-time', dest='since_time',
                        help='Only return logs after a specific date (RFC3339). Defaults to all logs.')
    parser.add_argument('--timestamps', action='store_true',
                        help='Include timestamps on each line in the log output')
    parser.add_argument('--all-containers', action='store_true', dest='all_containers',
                        help='Get all containers\' logs in the pod(s).')
    parser.add_argument('--prefix', action='store_true',
                        help='Prefix each log line with the log source (pod name and container name)')


def _exec(parser):
    parser.add_argument('pod', metavar='POD')
    p.add_container(parser, 'executed')
    parser.add_argument('-i', '--stdin', action='store_true', help='Pass stdin to the container')
    parser.add_argument('-t', '--tty', action='store_true', help='Stdin is a TTY')
    parser.add_argument('-q', '--quiet', action='store_true', help='Only print output from the remote session')


def _port_forward(parser):
    parser.add_argument('pod', metavar='POD')
    parser.add_argument('ports', nargs='+', metavar='[LOCAL_PORT:]REMOTE_PORT')
    parser.add_argument('--address', action='append', default=None,
                        help='Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a '
                             'value. When localhost is supplied, hostpods will try to bind on both 127.0.0.1 and ::1 '
                             'and will fail if neither of these addresses are available to bind.')


def _run(parser):
    parser.add_argument('name', metavar='NAME')
    parser.add_argument('--image', required=True, help='The image for the container to run.')
    parser.add_argument('--port', type=int, help='The port that this container exposes.')
    parser.add_argument('--env', action='append', default=None, help='Environment variables to set in the container.')
    parser.add_argument('-l', '--labels',
                        help='Comma separated labels to apply to the pod. Will override previous values.')
    parser.add_argument('--annotations', action='append', default=None, help='Annotations to apply to the pod.')
    parser.add_argument('--restart', default='Always', choices=['Always', 'OnFailure', 'Never'],
                        help='The restart policy for this Pod.')
    parser.add_argument('--image-pull-policy', dest='image_pull_policy', default='',
                        help='The image pull policy for the container.')
    parser.add_argument('--command', action='store_true',
                        help='If true and extra arguments are present, use them as the \'command\' field in the '
                             'container, rather than the \'args\' field which is the default.')
    p.add_dry_run(parser)
    p.add_output(parser, ('json', 'yaml', 'name'))
    _sandbox(parser)


def _sandbox(parser):
    parser.add_argument('--sandbox-image', dest='sandbox_image',
                        help='hostpods: the sandbox (pause) image of new pods; default: the node facts\' sandboxImage.')


def _apply(parser):
    p.add_files(parser, 'apply')
    p.add_selector(parser, 'objects')
    p.add_dry_run(parser)
    parser.add_argument('--prune', action='store_true',
                        help='Automatically delete what the files no longer contain: the objects of the --applyset, '
                             'or (kubectl\'s allowlist prune) the pods, ConfigMaps and Secrets of the files\' '
                             'namespaces that match -l, or all of them with --all. Claims are kept, as '
                             'hostpods.core.pod keeps them unless prune_claims is set.')
    parser.add_argument('--all', action='store_true', help='With --prune and no --applyset: every pod, ConfigMap and '
                                                           'Secret of the namespaces is a candidate.')
    parser.add_argument('--applyset', help='The name of the ApplySet of --prune: [secrets/|configmaps/]NAME in the '
                                           'namespace (its parent object, kept on the node).')
    parser.add_argument('--wait', action='store_true', help='hostpods: wait until the pods are ready (or finished).')
    parser.add_argument('--timeout', default='120s', help='hostpods: how long --wait waits (a duration: 90s, 5m).')
    _sandbox(parser)


def _delete(parser):
    parser.add_argument('resources', nargs='*', metavar='TYPE [NAME...]')
    p.add_files(parser, 'delete')
    p.add_selector(parser, 'objects')
    parser.add_argument('--all', action='store_true',
                        help='Delete all resources, in the namespace of the specified resource types.')
    p.add_all_namespaces(parser)
    parser.add_argument('--grace-period', type=int, default=-1, dest='grace_period',
                        help='Period of time in seconds given to the resource to terminate gracefully. Ignored if '
                             'negative. Set to 1 for immediate shutdown.')
    parser.add_argument('--now', action='store_true',
                        help='If true, resources are signaled for immediate shutdown (same as --grace-period=1).')
    parser.add_argument('--force', action='store_true', help='Same as --grace-period=1 on a node.')
    parser.add_argument('--ignore-not-found', action='store_true', dest='ignore_not_found',
                        help='Treat "resource not found" as a successful delete.')
    p.add_dry_run(parser)


def _diff(parser):
    p.add_files(parser, 'diff')
    p.add_selector(parser, 'objects')
    _sandbox(parser)


def _explain(parser):
    parser.add_argument('resource', metavar='TYPE.FIELDSPEC')
    parser.add_argument('--recursive', action='store_true', help='Print the fields of fields, all the way down.')


def _top(parser):
    parser.add_argument('resources', nargs='*', metavar='pod [NAME]')
    p.add_selector(parser)
    p.add_all_namespaces(parser)
    parser.add_argument('--containers', action='store_true', help='If present, print usage of containers within a pod.')
    parser.add_argument('--no-headers', action='store_true', dest='no_headers',
                        help='If present, print output without headers.')
    parser.add_argument('--sort-by', dest='sort_by', choices=['cpu', 'memory'],
                        help='If non-empty, sort pods list using specified field.')


def _completion(parser):
    parser.add_argument('shell', choices=['bash'], metavar='SHELL')


def _none(parser):
    return parser


VERBS = {
    'get': {'short': 'Display one or many resources',
            'summary': 'Display one or many resources.', 'module': 'get', 'flags': _get,
            'usage': 'get [(-o|--output=)json|yaml|name|wide] (TYPE [NAME | -l label] | TYPE/NAME ...) [flags] '
                     '[options]',
            'examples': '''
# List all pods in ps output format
hostpods get pods

# List all pods in ps output format with more information (such as node name)
hostpods get pods -o wide

# List the pods of every namespace with their labels
hostpods get pods -A --show-labels

# List a single pod in JSON output format
hostpods get -o json pod web

# List the pods labelled app=web and watch them change
hostpods get pods -l app=web --watch

# List ConfigMaps, Secrets (never their values) and claims
hostpods get configmaps,secrets,pvc
'''},
    'describe': {'short': 'Show details of a specific resource or group of resources',
                 'summary': 'Show details of a specific resource or group of resources.', 'module': 'describe',
                 'flags': _describe,
                 'usage': 'describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [options]',
                 'examples': '''
# Describe a pod
hostpods describe pods/web

# Describe all pods whose name starts with "web"
hostpods describe pods web

# Describe pods by label name=myLabel
hostpods describe pods -l name=myLabel
'''},
    'logs': {'short': 'Print the logs for a container in a pod',
             'summary': 'Print the logs for a container in a pod. If the pod has only one container, the container '
                        'name is optional.', 'module': 'logs', 'flags': _logs,
             'usage': 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]',
             'examples': '''
# Return snapshot logs from pod web with only one container
hostpods logs web

# Return snapshot logs from pod web with multi containers
hostpods logs web --all-containers=true

# Begin streaming the logs of the app container in pod web
hostpods logs -f -c app web

# Display only the most recent 20 lines of output in pod web
hostpods logs --tail=20 web

# Show all logs from pod web written in the last hour
hostpods logs --since=1h web

# Return snapshot of previous terminated app container logs from pod web
hostpods logs -p -c app web
'''},
    'exec': {'short': 'Execute a command in a container',
             'summary': 'Execute a command in a container.', 'module': 'attach', 'flags': _exec,
             'usage': 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...] [options]',
             'examples': '''
# Get output from running the 'date' command from pod web, using the first container by default
hostpods exec web -- date

# Get output from running the 'date' command in app container from pod web
hostpods exec web -c app -- date

# Switch to raw terminal mode; sends stdin to 'sh' in app container from pod web
# and sends stdout/stderr from 'sh' back to the client
hostpods exec web -c app -i -t -- sh -il

# List contents of /usr from the first container of pod web and sort by modification time
hostpods exec web -- ls -t /usr
'''},
    'port-forward': {'short': 'Forward one or more local ports to a pod',
                     'summary': 'Forward one or more local ports to a pod.', 'module': 'forward',
                     'flags': _port_forward,
                     'usage': 'port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT '
                              '[...[LOCAL_PORT_N:]REMOTE_PORT_N]',
                     'examples': '''
# Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
hostpods port-forward pod/web 5000 6000

# Listen on port 8888 locally, forwarding to 5000 in the pod
hostpods port-forward pod/web 8888:5000

# Listen on port 8888 on all addresses, forwarding to 5000 in the pod
hostpods port-forward --address 0.0.0.0 pod/web 8888:5000

# Listen on a random port locally, forwarding to the port named http in the pod
hostpods port-forward pod/web :http
'''},
    'run': {'short': 'Run a particular image in a pod on this node',
            'summary': 'Create and run a particular image in a pod.', 'module': 'run', 'flags': _run,
            'usage': 'run NAME --image=image [--env="key=value"] [--port=port] [--dry-run=server|client] '
                     '[--command] -- [COMMAND] [args...] [options]',
            'examples': '''
# Start a nginx pod
hostpods run nginx --image=nginx

# Start a hazelcast pod and let the container expose port 5701
hostpods run hazelcast --image=hazelcast/hazelcast --port=5701

# Start a hazelcast pod and set labels "app=hazelcast" and "env=prod" in the container
hostpods run hazelcast --image=hazelcast/hazelcast --labels="app=hazelcast,env=prod"

# Dry run; print the corresponding manifest without creating it
hostpods run web --image=busybox --dry-run=client -o yaml -- httpd -f -p 80

# Start a busybox pod running a command of your choice, never restarted
hostpods run once --image=busybox --restart=Never --command -- sh -c 'date; echo done'
'''},
    'apply': {'short': 'Apply a configuration to a resource by file name or stdin',
              'summary': 'Apply a configuration to a resource by file name or stdin (pods, ConfigMaps, Secrets and '
                         'claims), through the same reconcile as hostpods.core.pod.', 'module': 'apply',
              'flags': _apply,
              'usage': 'apply (-f FILENAME) [flags] [options]',
              'examples': '''
# Apply the configuration in web.yaml
hostpods apply -f web.yaml

# Apply the manifests of a directory, and of its sub-directories
hostpods apply -f manifests/ -R

# Apply the JSON passed into stdin
cat pod.json | hostpods apply -f -

# Show what would change, changing nothing
hostpods apply -f manifests/ --dry-run=server
'''},
    'delete': {'short': 'Delete resources by file names, stdin, resources and names, or by resources and label '
                        'selector',
               'summary': 'Delete resources by file names, stdin, resources and names, or by resources and label '
                          'selector.', 'module': 'apply', 'flags': _delete,
               'usage': 'delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)] [-A]) [options]',
               'examples': '''
# Delete the pods and objects of web.yaml
hostpods delete -f web.yaml

# Delete pods foo and bar
hostpods delete pod foo bar

# Delete the pods labelled name=myLabel
hostpods delete pods -l name=myLabel

# Delete every pod of the node, in all namespaces
hostpods delete pods --all -A

# Delete a pod with minimal delay
hostpods delete pod foo --now
'''},
    'diff': {'short': 'Diff the live version against a would-be applied version',
             'summary': 'Diff the live version against a would-be applied version (exit status 1 when they differ).',
             'module': 'apply', 'flags': _diff, 'usage': 'diff -f FILENAME [options]',
             'examples': '''
# Diff resources included in web.yaml
hostpods diff -f web.yaml

# Diff file read from stdin
cat web.yaml | hostpods diff -f -
'''},
    'explain': {'short': 'Get documentation for a resource',
                'summary': 'Describe fields and structure of pods, ConfigMaps, Secrets and claims: kubectl\'s text from '
                           'the official schema (Kubernetes 1.37, shipped with hostpods), and whether and how '
                           'hostpods supports each field.', 'module': 'explain',
                'flags': _explain, 'usage': 'explain TYPE[.FIELD]... [options]',
                'examples': '''
# Get the documentation of the resource and its fields
hostpods explain pods

# Get the documentation of a specific field of a resource
hostpods explain pods.spec.containers

# Get all the fields of the containers, one level deep
hostpods explain pod.spec.containers --recursive
'''},
    'top': {'short': 'Display resource (CPU/memory) usage',
            'summary': 'Display resource (CPU/memory) usage of pods, from the engine\'s statistics.', 'module': 'top',
            'flags': _top, 'usage': 'top pod [NAME | -l label] [options]',
            'examples': '''
# Show metrics for all pods in the default namespace
hostpods top pod

# Show metrics for all pods in the given namespace
hostpods top pod --namespace=NAMESPACE

# Show metrics for a given pod and its containers
hostpods top pod web --containers
'''},
    'completion': {'short': 'Output shell completion code for the specified shell (bash)',
                   'summary': 'Output shell completion code for the specified shell (bash).', 'module': 'completion',
                   'flags': _completion, 'usage': 'completion SHELL [options]',
                   'examples': '''
# Load the hostpods completion code for bash into the current shell
source <(hostpods completion bash)

# Or write it where bash-completion finds it
hostpods completion bash > /etc/bash_completion.d/hostpods
'''},
}

GROUPS = (
    ('Basic Commands', ('run', 'explain', 'get', 'delete')),
    ('Troubleshooting and Debugging Commands', ('describe', 'logs', 'exec', 'port-forward', 'top')),
    ('Advanced Commands', ('diff', 'apply')),
    ('Other Commands', ('completion',)),
)


def groups():
    return [(title, [(verb, VERBS[verb]['short']) for verb in verbs]) for title, verbs in GROUPS]
