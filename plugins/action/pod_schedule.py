# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of hostpods.core.pod_schedule: runs on the controller only. Reads the manifests as
hostpods.core.pod does, takes the nodes and their pods as hostpods.core.pod_info reported them, and
places each pod on one node with the scheduler of module_utils (see ``_placement.place``)."""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

from ansible_collections.hostpods.core.plugins.action.pod import ActionModule as PodActionModule
from ansible_collections.hostpods.core.plugins.module_utils._plan import placement
from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError, ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._runtime import schema_memo
from ansible_collections.hostpods.core.plugins.module_utils._spec.manifest import load_manifests


def _name(key):
    return '%s/%s' % key


class ActionModule(PodActionModule):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(options.POD_SCHEDULE)
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = ActionBase.run(self, tmp, task_vars)
        result['changed'] = False
        args = dict(self._task.args)
        given = [key for key in ('definition', 'src', 'template') if args.get(key) is not None]
        if len(given) != 1:
            return dict(result, failed=True, msg='exactly one of definition, src or template is required')
        try:
            documents = self._documents(args, task_vars)
            pods = load_manifests(documents, args.get('namespace') or 'default', check_schema=schema_memo.schema_check())[0]
        except ManifestError as exc:
            return dict(result, failed=True, msg=exc.msg, errors=exc.details.get('errors', []))
        except AnsibleError as exc:
            return dict(result, failed=True, msg=to_text(exc))
        nodes = args.get('nodes')
        if not isinstance(nodes, dict):
            return dict(result, failed=True, msg='nodes must be a dict: inventory host -> what hostpods.core.pod_info '
                                                 'returned there (its node and pods)')
        views, skipped = [], []
        for host, seen in nodes.items():
            if isinstance(seen, dict) and isinstance(seen.get('node'), dict) and not seen.get('failed'):
                views.append({'host': host, 'node': seen['node'], 'pods': seen.get('pods') or []})
            else:
                skipped.append(host)
        if skipped:
            result['warnings'] = ['no node reported by hostpods.core.pod_info on %s: not scheduled on'
                                  % ', '.join(sorted(skipped))]
        try:
            decisions, hosts = placement.place(pods, views)
        except (HostpodsError, ValueError) as exc:
            return dict(result, failed=True, msg=getattr(exc, 'msg', None) or to_text(exc))
        result.update(self._report(pods, decisions, hosts))
        return result

    @staticmethod
    def _report(pods, decisions, hosts):
        """The task's return values (see the module's RETURN)."""
        entries, unscheduled, words, refused, waiting = [], [], [], [], []
        for pod in pods:
            key = (pod['metadata']['namespace'], pod['metadata']['name'])
            outcome = decisions[key]
            entries.append({'namespace': key[0], 'name': key[1], 'node': outcome['node'], 'host': outcome['host'],
                            'previous': outcome['previous'], 'sticky': outcome['sticky'], 'phase': outcome['phase'],
                            'reason': outcome['reason'], 'message': outcome['message'], 'nodes': outcome['nodes'],
                            'scores': outcome['scores'], 'waiting': outcome['waiting']})
            if outcome['node']:
                words.append('%s on %s%s' % (_name(key), outcome['node'], ' (stays)' if outcome['sticky'] else ''))
            else:
                unscheduled.append(placement.not_placed_object(pod, outcome))
                (waiting if outcome['waiting'] else refused).append((key, outcome))
        host_plans = {host: {'node_name': plan['node_name'], 'apply': [_name(key) for key in plan['apply']],
                             'delete': [{'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'namespace': key[0], 'name': key[1]}}
                                        for key in plan['delete']]}
                      for host, plan in hosts.items()}
        msg = 'placed %d pod(s)%s' % (len(words), ': ' + ', '.join(words) if words else '')
        if refused:
            msg += '; %d pod(s) not placed: %s' % (len(refused), placement.refusal_message(refused))
        if waiting:
            msg += '; %d pod(s) pending: %s' % (len(waiting), '; '.join('%s: %s' % (_name(key), outcome['message'])
                                                                        for key, outcome in waiting))
        return {'placement': {_name((entry['namespace'], entry['name'])): entry['node'] for entry in entries},
                'hosts': host_plans, 'decisions': entries, 'unscheduled': unscheduled,
                'not_placed': placement.refusal_lines(refused), 'msg': msg}
