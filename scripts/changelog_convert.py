"""Move the statements of a hand-written CHANGELOG.md into antsibull-changelog's ``changelogs/``.

The first run writes ``changelogs/changelog.yaml`` from the hand-written file: one release a ``## <version>``
heading, its ``###`` sections mapped to antsibull-changelog's (Added, Changed and Node role ->
minor_changes, Fixed -> bugfixes, Security -> security_fixes, a section-less list -> minor_changes) and a
release_summary. Later runs (a branch that still wrote lines in the hand-written 0.2.0 section, merged after
the conversion) write only the statements that ``changelogs/`` does not hold yet, as one fragment. Run it with
PyYAML (``.venv-changelog/bin/python``), then ``scripts/changelog.sh`` regenerates CHANGELOG.md:

    git show <branch>:CHANGELOG.md > /tmp/hand.md
    .venv-changelog/bin/python scripts/changelog_convert.py /tmp/hand.md && bash scripts/changelog.sh

Markdown's inline code becomes RST's literal (antsibull-changelog's entries are RST, and it writes them back
as Markdown). ``--verify GENERATED.md`` checks that every statement of the hand-written file is in the
generated one.
"""

import argparse
import glob
import html
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHANGES = os.path.join(ROOT, 'changelogs', 'changelog.yaml')
FRAGMENTS = os.path.join(ROOT, 'changelogs', 'fragments')
SECTIONS = {'added': 'minor_changes', 'changed': 'minor_changes', 'node role': 'minor_changes',
            'fixed': 'bugfixes', 'security': 'security_fixes', '': 'minor_changes'}
PREFIX = {'node role': 'Node role: '}
SUMMARY = {
    '0.1.0': 'The first release: Kubernetes v1 Pod manifests applied to plain Docker hosts, idempotently, '
             'the way a kubelet with dockershim did.',
    '0.2.0': 'Unreleased (in development). The node agent ``hostpods-agent``, probes and events, the '
             '``hostpods`` command on each node, scheduling between pods, prune by ApplySet, pods as Ansible '
             'hosts, ``kubectl debug`` and ``kubectl run``, and the core reshaped in layers.',
}
DATES = {'0.1.0': '2026-11-22', '0.2.0': '2026-11-28'}


def parse(text):
    """``{version: {section: [statement, ...]}}`` of a hand-written changelog, in its order."""
    releases, version, section, item = {}, None, '', None
    for line in text.splitlines():
        heading = re.match(r'^(#{2,3}) (.*)$', line)
        if heading and heading.group(1) == '##':
            version, section, item = heading.group(2).split()[0], '', None
            releases[version] = {}
        elif heading:
            section, item = heading.group(2).strip().lower(), None
        elif version and line.startswith('- '):
            item = [line[2:].strip()]
            releases[version].setdefault(section, []).append(item)
        elif version and item is not None and line.startswith('  ') and line.strip():
            item.append(line.strip())
        elif not line.strip():
            item = None
    return {version: {section: [' '.join(words) for words in items] for section, items in sections.items()}
            for version, sections in releases.items()}


def rst(statement):
    """Markdown's `code` as RST's ``code``."""
    return re.sub(r'(?<!`)`([^`]+)`(?!`)', r'``\1``', statement)


def changes_of(sections):
    changes = {}
    for section, statements in sections.items():
        if section not in SECTIONS:
            sys.exit('unknown section %r: map it in SECTIONS' % section)
        key = SECTIONS[section]
        prefix = PREFIX.get(section, '')
        changes.setdefault(key, []).extend(prefix + rst(text[:1].lower() + text[1:] if prefix else text)
                                           for text in statements)
    return changes


def normal(text):
    """A statement as words, whether RST, Markdown or antsibull-changelog's escaped Markdown."""
    text = html.unescape(re.sub(r'</?code>', '`', text)).replace('\\', '').replace('``', '`')
    return ' '.join(text.split()).lower()


def held():
    """Every statement ``changelogs/`` holds already (normalised)."""
    found = set()
    sources = [CHANGES] + sorted(glob.glob(os.path.join(FRAGMENTS, '*.yml')))
    for path in sources:
        if not os.path.exists(path):
            continue
        with open(path) as stream:
            data = yaml.safe_load(stream) or {}
        groups = [release.get('changes', {}) for release in data.get('releases', {}).values()] or [data]
        for changes in groups:
            for entries in changes.values():
                found.update(normal(entry) for entry in (entries if isinstance(entries, list) else [entries]))
    return found


def first_run(releases):
    data = {'ancestor': None, 'releases': {}}
    for version in sorted(releases, key=lambda v: [int(part) for part in v.split('.')]):
        changes = changes_of(releases[version])
        changes['release_summary'] = SUMMARY[version]
        data['releases'][version] = {'changes': changes, 'release_date': DATES[version]}
    with open(CHANGES, 'w') as stream:
        yaml.safe_dump(data, stream, sort_keys=True, width=110, allow_unicode=True)
    print('wrote %s: %s' % (CHANGES, ', '.join(data['releases'])))


def later_run(releases, name):
    have = held()
    fragment = {}
    for sections in releases.values():
        for key, entries in changes_of(sections).items():
            fragment.setdefault(key, []).extend(entry for entry in entries if normal(entry) not in have)
    fragment = {key: entries for key, entries in fragment.items() if entries}
    if not fragment:
        print('changelogs/ holds every statement already')
        return
    path = os.path.join(FRAGMENTS, name + '.yml')
    with open(path, 'w') as stream:
        yaml.safe_dump(fragment, stream, sort_keys=True, width=110, allow_unicode=True)
    print('wrote %s: %d statements' % (path, sum(len(entries) for entries in fragment.values())))


def verify(releases, generated):
    text = normal(generated)
    lost = [statement for sections in releases.values() for statements in sections.values()
            for statement in statements if normal(statement) not in text]
    for statement in lost:
        print('not in the generated changelog: %s' % statement)
    return 1 if lost else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('handwritten', help='a hand-written CHANGELOG.md')
    parser.add_argument('--fragment', default='from-handwritten-changelog', help="a later run's fragment name")
    parser.add_argument('--verify', metavar='GENERATED', help='check the generated CHANGELOG.md instead')
    args = parser.parse_args()
    with open(args.handwritten) as stream:
        releases = parse(stream.read())
    if args.verify:
        with open(args.verify) as stream:
            return verify(releases, stream.read())
    existing = os.path.exists(CHANGES) and (yaml.safe_load(open(CHANGES)) or {}).get('releases')
    if existing:
        later_run(releases, args.fragment)
    else:
        first_run(releases)
    return 0


if __name__ == '__main__':
    sys.exit(main())
