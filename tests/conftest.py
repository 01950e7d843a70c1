"""Make ``ansible_collections.hostpods.core`` importable (see hostpods_paths)."""

import hostpods_paths

COLLECTIONS_ROOT = hostpods_paths.COLLECTIONS_ROOT
