"""Unit tests of the API server's rules that the schema cannot express, beyond metadata and containers:
ConfigMap/Secret keys, PersistentVolumeClaim specs, DNS (searches, hostAliases, FQDN), user and group IDs,
lifecycle handlers, 64-bit integers and activeDeadlineSeconds; with the API server's messages."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

from hostpods_fakes import container, doc

KEY_RULE = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
            "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
             "start and end with an alphanumeric character")


def semantic_pod(document):
    return manifest.semantic_errors(manifest.apply_defaults(document, 'default'))


# ----------------------------------------------------------------------------- ConfigMap and Secret keys

@pytest.mark.parametrize('key, expected', [
    ('app.properties', []),
    ('a/b', ['data[a/b]: Invalid value: "a/b": ' + KEY_RULE]),
    ('..', ["data[..]: Invalid value: \"..\": must not be '..'"]),
    ('..x', ["data[..x]: Invalid value: \"..x\": must not start with '..'"]),
    ('k' * 254, ['data[%s...(254 characters)]: Invalid value: "%s...(254 characters)": must be no more than 253 '
                 'characters' % ('k' * 64, 'k' * 64)]),
])
def test_config_map_keys(key, expected):
    obj = configs.normalise({'kind': 'ConfigMap', 'metadata': {'name': 'cm'}, 'data': {key: 'v'}}, 'default')
    assert configs.object_errors(obj) == expected


def test_a_secret_key_error_never_shows_the_value():
    obj = configs.normalise({'kind': 'Secret', 'metadata': {'name': 's'}, 'data': {'a/b': 'c2VjcmV0LXZhbHVl'}},
                            'default')
    errors = configs.object_errors(obj)
    assert errors == ['data[a/b]: Invalid value: "a/b": ' + KEY_RULE]
    assert not any('c2VjcmV0' in error for error in errors)


# ----------------------------------------------------------------------------- PersistentVolumeClaim

def claim(**spec):
    return configs.normalise({'kind': 'PersistentVolumeClaim', 'metadata': {'name': 'data'}, 'spec': spec}, 'default')


@pytest.mark.parametrize('spec, expected', [
    ({'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}}, []),
    ({'accessModes': ['ReadWriteOncePod'], 'resources': {'requests': {'storage': 1}}, 'storageClassName': 'local'}, []),
    ({'resources': {'requests': {'storage': '1Gi'}}}, ['spec.accessModes: Required value: at least 1 access mode is required']),
    ({'accessModes': ['ReadWriteSometimes'], 'resources': {'requests': {'storage': '1Gi'}}},
     ['spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", '
      '"ReadWriteOnce", "ReadWriteOncePod"']),
    ({'accessModes': ['ReadWriteOncePod', 'ReadOnlyMany'], 'resources': {'requests': {'storage': '1Gi'}}},
     ['spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes']),
    ({'accessModes': ['ReadWriteOnce']}, ['spec.resources[storage]: Required value']),
    ({'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '0'}}},
     ['spec.resources[storage]: Invalid value: "0": must be greater than zero']),
    ({'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': 'lots'}}},
     ['spec.resources[storage]: Invalid value: invalid quantity "lots": quantities must match the regular expression '
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]),
    ({'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}, 'storageClassName': 'Fast_SSD'},
     ['spec.storageClassName: Invalid value: "Fast_SSD": ' + SUBDOMAIN]),
    ({'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': '1Gi'}}, 'volumeMode': 'Raw'},
     ['spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"']),
])
def test_claim_specs(spec, expected):
    assert configs.object_errors(claim(**spec)) == expected


# ----------------------------------------------------------------------------- DNS

@pytest.mark.parametrize('aliases, expected', [
    ([{'ip': '10.1.2.3', 'hostnames': ['db', 'db.local']}], []),
    ([{'ip': '10.1.2.3', 'hostnames': ['db\n10.6.6.6 evil']}],
     ['spec.hostAliases[0].hostnames[0]: Invalid value: "db\n10.6.6.6 evil": ' + SUBDOMAIN]),
    ([{'ip': '10.1.2.3', 'hostnames': ['ok', 'Bad_Host']}],
     ['spec.hostAliases[0].hostnames[1]: Invalid value: "Bad_Host": ' + SUBDOMAIN]),
    ([{'ip': '10.1.2', 'hostnames': ['db']}], ['spec.hostAliases[0].ip: Invalid value: "10.1.2": must be a valid IP address']),
])
def test_host_aliases_reach_etc_hosts_only_as_names(aliases, expected):
    assert semantic_pod(doc('web', hostAliases=aliases)) == expected


LONG_SEARCHES = ['%s.example' % ('a' * 60)] * 32


@pytest.mark.parametrize('searches, expected', [
    (['svc.example', 'example.com.'], []),
    (['bad domain'], ['spec.dnsConfig.searches[0]: Invalid value: "bad domain": ' + SUBDOMAIN]),
    (['x%d.example' % index for index in range(33)],
     ["spec.dnsConfig.searches: Invalid value: ['x0.example', 'x1.example', 'x2.example', 'x3.example', ...]: must not "
      "have more than 32 search paths"]),
    (LONG_SEARCHES, ['spec.dnsConfig.searches: Invalid value: %s: must not have more than 2048 characters (including '
                     'spaces) in the search list' % podspec.excerpt(LONG_SEARCHES)]),
])
def test_dns_config_searches(searches, expected):
    assert semantic_pod(doc('web', dnsConfig={'searches': searches})) == expected


def test_fqdn_longer_than_the_kernel_takes_is_refused_as_the_kubelet_refuses_it():
    ok = doc('a' * 20, subdomain='s' * 10, setHostnameAsFQDN=True)       # 20 + 1 + 10 + .default.svc.cluster.local
    assert semantic_pod(ok) == []
    long_one = doc('a' * 40, subdomain='s' * 20, setHostnameAsFQDN=True)
    assert semantic_pod(long_one) == [
        'spec.setHostnameAsFQDN: Invalid value: true: failed to construct FQDN from pod hostname and cluster domain, '
        'FQDN %s.%s.default.svc.cluster.local is too long (64 characters is the max, 87 characters requested)'
        % ('a' * 40, 's' * 20)]
    # without setHostnameAsFQDN the hostname is the short name, whatever the FQDN
    assert semantic_pod(doc('a' * 40, subdomain='s' * 20)) == []


# ----------------------------------------------------------------------------- IDs, handlers, integers

@pytest.mark.parametrize('context, expected', [
    ({'runAsUser': 2147483647, 'runAsGroup': 0, 'fsGroup': 2000, 'supplementalGroups': [1, 2]}, []),
    ({'runAsUser': 2147483648},
     ['spec.securityContext.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive']),
    ({'fsGroup': -1}, ['spec.securityContext.fsGroup: Invalid value: -1: must be between 0 and 2147483647, inclusive']),
    ({'supplementalGroups': [5, 4294967296]},
     ['spec.securityContext.supplementalGroups[1]: Invalid value: 4294967296: must be between 0 and 2147483647, '
      'inclusive']),
])
def test_user_and_group_ids(context, expected):
    assert semantic_pod(doc('web', securityContext=context)) == expected


H = 'spec.containers[0].lifecycle.preStop'


@pytest.mark.parametrize('handler, expected', [
    ({'httpGet': {'port': 8080, 'path': '/quit'}}, []),
    ({'httpGet': {'port': 'http', 'scheme': 'HTTPS', 'httpHeaders': [{'name': 'X-Token', 'value': 'v'}]}}, []),
    ({'httpGet': {'port': 0}}, [H + '.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive']),
    ({'httpGet': {'port': 'Web_Port'}},
     [H + '.httpGet.port: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and '
          'hyphens (-)']),
    ({'httpGet': {'port': 80, 'scheme': 'FTP'}},
     [H + '.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"']),
    ({'httpGet': {'port': 80, 'httpHeaders': [{'name': 'X-A\r\nX-Injected: 1', 'value': 'v'}]}},
     [H + ".httpGet.httpHeaders: Invalid value: \"X-A\r\nX-Injected: 1\": a valid HTTP header must consist of "
          "alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"]),
    ({'tcpSocket': {'port': 70000}}, [H + '.tcpSocket.port: Invalid value: 70000: must be between 1 and 65535, inclusive']),
])
def test_network_handlers(handler, expected):
    assert semantic_pod(doc('web', containers=[container('c', lifecycle={'preStop': handler})])) == expected


def test_integers_must_fit_in_64_bits():
    document = doc('web', terminationGracePeriodSeconds=2 ** 63)
    with pytest.raises(ManifestError) as info:
        manifest.load_pods([(document, 'm')])
    assert 'spec.terminationGracePeriodSeconds: Invalid value: 9223372036854775808: must be between ' \
        '-9223372036854775808 and 9223372036854775807, inclusive (a 64-bit integer)' in info.value.msg
    assert manifest.load_pods([(doc('web', terminationGracePeriodSeconds=2 ** 63 - 1), 'm')])


@pytest.mark.parametrize('deadline, ok', [(1, True), (2 ** 31 - 1, True), (0, False), (2 ** 31, False)])
def test_active_deadline_seconds_range(deadline, ok):
    # the field is checked as the API server checks it, whenever hostpods accepts it
    pod = manifest.apply_defaults(doc('web'), 'default')
    pod['spec']['activeDeadlineSeconds'] = deadline
    assert manifest.semantic_errors(pod) == ([] if ok else [
        'spec.activeDeadlineSeconds: Invalid value: %d: must be between 1 and 2147483647, inclusive' % deadline])
