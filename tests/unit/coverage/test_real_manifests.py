"""Coverage (issue 12, item 7): real manifests run unchanged.

The corpus (``corpus/<source>/``, each file named with its exact origin in SOURCES.md) holds Pod manifests and
workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet, ReplicationController) of the Kubernetes
documentation and of well-known projects; each workload's pod template is the pod its controller would make. Every
pod is valid Kubernetes (the official schema says so), so hostpods may refuse one only for a reason of ``CANNOT``
(what a single Docker host truly cannot do) or, until the other items of issue 12 land, of ``PENDING`` (each entry
must still occur: remove it when its item makes those manifests work). Every problem of a manifest is reported in one
round, so a pod refused for one of those reasons may also be refused for an API server rule the schema does not carry:
``INVALID`` lists them (a cluster refuses those pods too; a pod refused for nothing else is no valid Kubernetes). The
README's table is this test's count.

``python tests/unit/coverage/test_real_manifests.py`` prints the table and every refusal.
"""

import os
import re
import sys

import pytest

import manifest_corpus as corpus

CANNOT = [  # (pattern of a refusal, reason): a single Docker host cannot do it, whatever hostpods does
    (r'^spec\.volumes\[\d+\]\.(awsElasticBlockStore|azureDisk|azureFile|gcePersistentDisk|cinder|vsphereVolume|'
     r'portworxVolume|photonPersistentDisk)[.:]', "needs a cloud provider's disk or file share"),
    (r'^spec\.volumes\[\d+\]\.(iscsi|fc|rbd|cephfs|glusterfs|flexVolume|csi|flocker|quobyte|scaleIO|storageos)[.:]',
     'needs a storage driver or volume plugin on the node (iSCSI, Fibre Channel, Ceph, Gluster, CSI...)'),
    (r'^spec\.volumes\[\d+\]\.projected\.sources\[\d+\]\.(serviceAccountToken|clusterTrustBundle|podCertificate)[.:]',
     'needs the TokenRequest or certificate APIs of an API server'),
    (r'\.volumeDevices[\[:]', 'needs raw block devices'),
    (r'^spec\.resourceClaims[.:]|\.resources\.claims[\[:]', 'needs dynamic resource allocation (an API server, a DRA driver)'),
    (r'\.recursiveReadOnly: Enabled needs an engine', 'recursive read-only mounts need a newer engine (Docker 25)'),
]
PENDING = [  # (pattern, the item of issue 12 that makes it work): a ratchet, each must still occur
]
INVALID = [  # (pattern, reason): the API server refuses it as well, though the schema takes it
    (r'\.ports\[\d+\]\.protocol: Unsupported value: "tcp": ', 'the API server refuses a lower-case protocol'),
]
README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                      'README.md')
HEADER = ('| source | files | pods | accepted | refused: a Docker host cannot | refused: pending (issue 12) |\n'
          '|---|---|---|---|---|---|')


def reason_of(error):
    """``('cannot' | 'pending' | 'invalid', reason)`` of one refusal, or None when no documented reason covers it."""
    for kind, table in (('cannot', CANNOT), ('pending', PENDING), ('invalid', INVALID)):
        for pattern, reason in table:
            if re.search(pattern, error):
                return kind, reason
    return None


def survey(source):
    """``{'files', 'pods', 'accepted', 'cannot', 'pending', 'unexplained': [...], 'invalid': [...], 'reasons'}``."""
    out = {'files': len(list(corpus.files(source))), 'pods': 0, 'accepted': 0, 'cannot': 0, 'pending': 0,
           'unexplained': [], 'invalid': [], 'reasons': set()}
    for relative, name, pod, classes in corpus.pods(source):
        out['pods'] += 1
        errors, schema = corpus.problems(pod, classes)
        if schema:
            out['invalid'].append('%s %s: %s' % (relative, name, schema))
        kinds = set()
        for error in errors:
            found = reason_of(error)
            if found is None:
                out['unexplained'].append('%s %s: %s' % (relative, name, error))
            else:
                kinds.add(found[0])
                out['reasons'].add(found[1])
        if not errors:
            out['accepted'] += 1
        elif 'cannot' in kinds:
            out['cannot'] += 1
        elif kinds == {'invalid'}:  # refused only for what a cluster refuses too
            out['invalid'].append('%s %s: %s' % (relative, name, '; '.join(errors)))
        else:
            out['pending'] += 1
    return out


SURVEYS = {source: survey(source) for source in corpus.sources()}


def table():
    keys = ('files', 'pods', 'accepted', 'cannot', 'pending')
    rows = ['| %s | %s |' % (source, ' | '.join(str(item[key]) for key in keys)) for source, item in SURVEYS.items()]
    total = [sum(item[key] for item in SURVEYS.values()) for key in keys]
    return '\n'.join([HEADER] + rows + ['| all | %d | %d | %d | %d | %d |' % tuple(total)])


@pytest.mark.parametrize('source', sorted(SURVEYS))
def test_the_corpus_is_valid_kubernetes(source):
    assert SURVEYS[source]['pods'] > 0 and SURVEYS[source]['invalid'] == []


@pytest.mark.parametrize('source', sorted(SURVEYS))
def test_every_refusal_has_a_documented_reason(source):
    item = SURVEYS[source]
    assert item['unexplained'] == [], '%s: %d of %d pods accepted; refused for no documented reason:\n%s' % (
        source, item['accepted'], item['pods'], '\n'.join(item['unexplained']))


def test_every_pending_reason_still_occurs():
    """A ratchet: once an item of issue 12 makes these manifests work, its entry goes (and the table changes)."""
    gone = [reason for dummy, reason in PENDING if not any(reason in item['reasons'] for item in SURVEYS.values())]
    assert gone == [], 'no manifest is refused for %s any more' % ', '.join(gone)


def test_the_sources_are_named_and_several():
    with open(os.path.join(corpus.HERE, 'SOURCES.md'), encoding='utf-8') as handle:
        listed = handle.read()
    assert 'kubernetes-website' in SURVEYS and len(SURVEYS) >= 4  # the documentation and at least three projects
    for source in SURVEYS:
        for relative, dummy in corpus.files(source):
            assert '`%s/%s`' % (source, relative) in listed, relative


def test_the_readme_shows_this_table():
    with open(README, encoding='utf-8') as handle:
        assert table() in handle.read(), 'README.md must show:\n' + table()


if __name__ == '__main__':
    print(table())
    for name, item in SURVEYS.items():
        for line in item['unexplained']:
            print('unexplained', name, line, file=sys.stderr)
