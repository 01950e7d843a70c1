# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a pod's names and resolution, as the kubelet makes them. Pure.

Hostname and FQDN (``GeneratePodHostNameAndDomain``), the ``/etc/hosts`` file the kubelet writes
(``managedHostsFileContent``), and ``/etc/resolv.conf`` settings per ``dnsPolicy`` and
``dnsConfig`` (``GetPodDNS``). A Docker host has no cluster DNS, so ``ClusterFirst`` (and
``ClusterFirstWithHostNet``) fall back to ``Default`` as a kubelet without ``clusterDNS`` does.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

CLUSTER_DOMAIN = 'cluster.local'
MAX_NAMESERVERS, MAX_SEARCHES, MAX_SEARCH_CHARS = 3, 32, 2048
MAX_HOSTNAME = 64  # the kernel's hostname (utsname nodename)
DNS_POLICIES = ('ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None')
MISSING_CLUSTER_DNS = ('kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" '
                       'policy. Falling back to "Default" policy.')


def hostname(pod):
    """``spec.hostname`` or the pod name, cut to 63 characters without a trailing '-' or '.'."""
    name = pod['spec'].get('hostname') or pod['metadata']['name']
    return name[:63].rstrip('-.')


def domain(pod):
    """``<subdomain>.<namespace>.svc.cluster.local`` when ``spec.subdomain`` is set, else ''."""
    subdomain = pod['spec'].get('subdomain')
    return '%s.%s.svc.%s' % (subdomain, pod['metadata']['namespace'], CLUSTER_DOMAIN) if subdomain else ''


def kernel_hostname(pod):
    """The sandbox's hostname: the FQDN with ``setHostnameAsFQDN``, else the short name."""
    if pod['spec'].get('setHostnameAsFQDN') and domain(pod):
        return '%s.%s' % (hostname(pod), domain(pod))
    return hostname(pod)


def hosts_file(pod, pod_ip, node_hosts=''):
    """The ``/etc/hosts`` every container of the pod gets (a hostNetwork pod: the node's own file)."""
    if pod['spec'].get('hostNetwork'):
        lines = ['# Kubernetes-managed hosts file (host network).'] + node_hosts.rstrip('\n').splitlines()
    else:
        lines = ['# Kubernetes-managed hosts file.', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback',
                 'fe00::0\tip6-localnet', 'fe00::0\tip6-mcastprefix', 'fe00::1\tip6-allnodes', 'fe00::2\tip6-allrouters']
    if pod_ip and not pod['spec'].get('hostNetwork'):
        fqdn = domain(pod)
        lines.append('%s\t%s.%s\t%s' % (pod_ip, hostname(pod), fqdn, hostname(pod)) if fqdn
                     else '%s\t%s' % (pod_ip, hostname(pod)))
    aliases = pod['spec'].get('hostAliases') or []
    if aliases:
        lines.extend(['', '# Entries added by HostAliases.'])
        lines.extend('%s\t%s' % (alias['ip'], '\t'.join(alias.get('hostnames') or [])) for alias in aliases)
    return '\n'.join(lines) + '\n'


def parse_resolv_conf(text):
    """``{'nameservers', 'searches', 'options'}`` of a resolv.conf; loopback nameservers are
    dropped, as Docker drops them (they would point into the pod's own network namespace)."""
    out = {'nameservers': [], 'searches': [], 'options': []}
    for line in text.splitlines():
        words = line.split('#', 1)[0].split()
        if not words:
            continue
        if words[0] == 'nameserver' and len(words) > 1:
            try:
                if not ipaddress.ip_address(words[1].split('%')[0]).is_loopback:
                    out['nameservers'].append(words[1])
            except ValueError:
                continue
        elif words[0] in ('search', 'domain'):
            out['searches'] = words[1:]
        elif words[0] == 'options':
            out['options'].extend(words[1:])
    return out


def _merge_options(base, extra):
    """dnsConfig options merged by name over the base ones; the pod's value wins."""
    merged = {}
    for option in base:
        name, _sep, value = option.partition(':')
        merged[name] = option if value else name
    for option in extra:
        merged[option['name']] = '%s:%s' % (option['name'], option['value']) if option.get('value') else option['name']
    return list(merged.values())


def _unique(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def resolver_settings(pod, host_resolv):
    """The sandbox's ``Dns``/``DnsSearch``/``DnsOptions`` (empty: Docker's own copy of the host's
    resolv.conf, which is what ``Default`` means), and the event a kubelet would record."""
    spec = pod['spec']
    policy, config = spec.get('dnsPolicy', 'ClusterFirst'), spec.get('dnsConfig') or {}
    event = MISSING_CLUSTER_DNS if policy in ('ClusterFirst', 'ClusterFirstWithHostNet') else None
    if policy != 'None' and not config:
        return {}, event
    base = {'nameservers': [], 'searches': [], 'options': []} if policy == 'None' else host_resolv
    nameservers = _unique(base['nameservers'] + (config.get('nameservers') or []))[:MAX_NAMESERVERS]
    searches = _unique(base['searches'] + (config.get('searches') or []))[:MAX_SEARCHES]
    while len(' '.join(searches)) > MAX_SEARCH_CHARS:
        searches.pop()
    settings = {'Dns': nameservers, 'DnsSearch': searches,
                'DnsOptions': _merge_options(base['options'], config.get('options') or [])}
    return settings, event


def dns_errors(spec):
    """Kubernetes' validation of ``dnsPolicy``, ``dnsConfig``, ``subdomain`` and ``hostAliases``."""
    errors = []
    policy, config = spec.get('dnsPolicy', 'ClusterFirst'), spec.get('dnsConfig')
    if policy not in DNS_POLICIES:
        errors.append('spec.dnsPolicy: Unsupported value: %s: supported values: "%s"'
                      % (podspec.quoted(policy), '", "'.join(DNS_POLICIES)))
    if policy == 'None' and not (config or {}).get('nameservers'):
        errors.append('spec.dnsConfig: Required value: must provide at least one DNS nameserver when DNSPolicy is None'
                      if config is None else
                      'spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when DNSPolicy is None')
    for index, server in enumerate((config or {}).get('nameservers') or []):
        if not podspec.is_ip(server):
            errors += podspec.invalid('spec.dnsConfig.nameservers[%d]' % index, server, ['must be a valid IP address'])
    if len((config or {}).get('nameservers') or []) > MAX_NAMESERVERS:
        errors.append('spec.dnsConfig.nameservers: Invalid value: must not have more than %d nameservers' % MAX_NAMESERVERS)
    errors += _search_errors((config or {}).get('searches') or [])
    for index, option in enumerate((config or {}).get('options') or []):
        if not option.get('name'):
            errors.append('spec.dnsConfig.options[%d].name: Required value' % index)
    if spec.get('hostNetwork') and config:
        errors.append('spec.dnsConfig: Forbidden: not supported by hostpods with hostNetwork (%s): the engine cannot '
                      'set the resolver of a hostNetwork pod' % naming.NOT_KUBERNETES)
    if spec.get('subdomain') is not None:
        errors += podspec.name_errors(spec['subdomain'], 'spec.subdomain')
    return errors + _alias_errors(spec.get('hostAliases') or [])


def _search_errors(searches):
    """``dnsConfig.searches``: at most 32 domains of 2048 characters in all, each a DNS-1123 subdomain
    (a trailing '.' allowed), as every cluster version accepts them."""
    errors = []
    if len(searches) > MAX_SEARCHES:
        errors.append('spec.dnsConfig.searches: Invalid value: %s: must not have more than %d search paths'
                      % (podspec.excerpt(searches), MAX_SEARCHES))
    if len(' '.join(searches)) > MAX_SEARCH_CHARS:
        errors.append('spec.dnsConfig.searches: Invalid value: %s: must not have more than %d characters (including '
                      'spaces) in the search list' % (podspec.excerpt(searches), MAX_SEARCH_CHARS))
    for index, search in enumerate(searches):
        errors += podspec.name_errors(search[:-1] if search.endswith('.') else search,
                                      'spec.dnsConfig.searches[%d]' % index, subdomain=True)
    return errors


def _alias_errors(aliases):
    """``ValidateHostAliases``: an IP address and DNS-1123 subdomains, so nothing but names reaches /etc/hosts."""
    errors = []
    for index, alias in enumerate(aliases):
        if not podspec.is_ip(alias.get('ip') or ''):
            errors += podspec.invalid('spec.hostAliases[%d].ip' % index, alias.get('ip') or '',
                                      ['must be a valid IP address'])
        if not alias.get('hostnames'):
            errors.append('spec.hostAliases[%d].hostnames: Required value' % index)
        for position, hostname in enumerate(alias.get('hostnames') or []):
            where = 'spec.hostAliases[%d].hostnames[%d]' % (index, position)
            errors += podspec.name_errors(hostname, where, subdomain=True)
    return errors


def fqdn_errors(pod):
    """The kubelet's refusal of a ``setHostnameAsFQDN`` pod whose FQDN the kernel cannot hold (64 bytes);
    a kubelet reports it when it creates the sandbox, hostpods before anything is touched."""
    if not pod['spec'].get('setHostnameAsFQDN') or not domain(pod):
        return []
    fqdn = kernel_hostname(pod)
    if len(fqdn) <= MAX_HOSTNAME:
        return []
    return ['spec.setHostnameAsFQDN: Invalid value: true: failed to construct FQDN from pod hostname and cluster '
            'domain, FQDN %s is too long (%d characters is the max, %d characters requested)'
            % (podspec.excerpt(fqdn, 128), MAX_HOSTNAME, len(fqdn))]
