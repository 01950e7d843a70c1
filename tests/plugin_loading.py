"""Connection plugins with their documented options registered as the plugin loader registers them
(the options of their doc fragments merged in), without the collection loader."""

import importlib

import yaml

from ansible import constants as C
from ansible.playbook.play_context import PlayContext

FRAGMENTS = 'ansible_collections.hostpods.core.plugins.doc_fragments.'


def options(module):
    """The options of a plugin module's DOCUMENTATION, its hostpods.core fragments' included."""
    doc = yaml.safe_load(module.DOCUMENTATION)
    merged = {}
    for fragment in doc.get('extends_documentation_fragment') or []:
        name = fragment.split('.', 2)[2]
        merged.update(yaml.safe_load(importlib.import_module(FRAGMENTS + name).ModuleDocFragment.DOCUMENTATION)['options'])
    merged.update(doc.get('options') or {})
    return merged


def load(module, **direct):
    """An instance of the connection plugin ``module`` with ``direct`` options set."""
    name = 'hostpods.core.' + module.__name__.rsplit('.', 1)[1]
    C.config.initialize_plugin_configuration_definitions('connection', name, options(module))
    conn = module.Connection(PlayContext())
    conn._load_name = name
    conn.set_options(direct=direct)
    return conn
