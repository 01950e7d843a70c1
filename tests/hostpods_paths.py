"""Make ``ansible_collections.hostpods.core`` importable from the repository root."""

import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collection_root():
    parts = ROOT.split(os.sep)
    if len(parts) >= 3 and parts[-3:-1] == ['ansible_collections', 'hostpods']:
        return os.sep.join(parts[:-3])
    # As scripts/env.sh: HOSTPODS_COLLECTIONS, else a directory of the temporary directory (TMPDIR).
    base = os.environ.get('HOSTPODS_COLLECTIONS') or os.path.join(tempfile.gettempdir(),
                                                                  'hostpods-collections-%d' % os.getuid())
    link_dir = os.path.join(base, 'ansible_collections', 'hostpods')
    os.makedirs(link_dir, exist_ok=True)
    link = os.path.join(link_dir, 'core')
    if os.path.realpath(link) != ROOT:
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(ROOT, link)
    return base


COLLECTIONS_ROOT = _collection_root()
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)
