"""Unit tests of _expansion: Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion)."""

import pytest

from ansible_collections.hostpods.core.plugins.module_utils._spec.expansion import (
    container_environment, expand, expand_all)

VARS = {'A': 'alpha', 'B': 'beta', 'EMPTY': '', 'X Y': 'spaced'}


@pytest.mark.parametrize('text, expected', [
    ('', ''),
    ('plain', 'plain'),
    ('$(A)', 'alpha'),
    ('x$(A)y$(B)z', 'xalphaybetaz'),
    ('$(A)$(A)', 'alphaalpha'),
    ('$(EMPTY)', ''),
    ('$(X Y)', 'spaced'),                 # the name is whatever lies between the parentheses
    ('$(UNKNOWN)', '$(UNKNOWN)'),         # unknown variables are left as they are
    ('a$(UNKNOWN)b$(A)', 'a$(UNKNOWN)balpha'),
    ('$()', '$()'),
    ('$$(A)', '$(A)'),                    # escaped: a literal $(A)
    ('$$$(A)', '$alpha'),
    ('$$$$(A)', '$$(A)'),
    ('$$', '$'),
    ('a$$b', 'a$b'),
    ('$', '$'),                           # a lone operator at the end stays
    ('a$', 'a$'),
    ('$A', '$A'),                         # shell syntax is not expanded
    ('${A}', '${A}'),
    ('$(A', '$(A'),                       # an unclosed reference is kept
    ('$(A)$', 'alpha$'),
    ('$((A))', '$((A))'),                 # name "(A" is unknown, then ")" is literal
])
def test_expand(text, expected):
    assert expand(text, VARS) == expected


def test_unclosed_reference_keeps_scanning_for_escapes():
    # Kubernetes' Expand only consumes "$(" of an unclosed reference and goes on scanning the rest
    # of the string, so a later "$$" is still an escaped "$".
    assert expand('$(A $$', VARS) == '$(A $'


def test_expansion_is_not_recursive():
    assert expand('$(A)', {'A': '$(B)', 'B': 'beta'}) == '$(B)'


def test_env_values_see_only_earlier_variables():
    env = [
        {'name': 'FIRST', 'value': 'one'},
        {'name': 'SECOND', 'value': '$(FIRST)-two-$(THIRD)'},   # THIRD is defined later: left alone
        {'name': 'THIRD', 'value': 'three'},
        {'name': 'ESCAPED', 'value': '$$(FIRST)'},
        {'name': 'NOVALUE'},
    ]
    assert container_environment(env) == {
        'FIRST': 'one',
        'SECOND': 'one-two-$(THIRD)',
        'THIRD': 'three',
        'ESCAPED': '$(FIRST)',
        'NOVALUE': '',
    }


def test_env_keeps_order_and_a_redefinition_wins():
    env = [{'name': 'A', 'value': '1'}, {'name': 'B', 'value': '$(A)'}, {'name': 'A', 'value': '$(A)2'}]
    out = container_environment(env)
    assert list(out) == ['A', 'B']
    assert out == {'A': '12', 'B': '1'}


@pytest.mark.parametrize('env', [None, []])
def test_no_env(env):
    assert container_environment(env) == {}


def test_command_and_args_use_the_complete_environment():
    environment = container_environment([{'name': 'GREETING', 'value': 'hello'},
                                         {'name': 'TARGET', 'value': 'world'}])
    words = ['echo', '$(GREETING) $(TARGET)', '$$(GREETING)', '$(MISSING)']
    assert expand_all(words, environment) == ['echo', 'hello world', '$(GREETING)', '$(MISSING)']


@pytest.mark.parametrize('words', [None, []])
def test_expand_all_of_nothing_is_none(words):
    assert expand_all(words, {'A': 'b'}) is None
