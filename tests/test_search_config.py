"""[search] in site.toml: on by default, `enabled = false` turns it off, weights from 0 to 10."""
from pathlib import Path

import pytest

from generator.config.loader import parse_config
from generator.config.search import SearchWeights
from generator.errors import BuildError

from conftest import MINIMAL_CONFIG


def messages(text: str) -> list[str]:
    with pytest.raises(BuildError) as caught:
        parse_config(text, Path("."))
    return [f"{d.path}:{d.line}: {d.message}" for d in caught.value.diagnostics]


def test_search_is_on_by_default_with_the_default_weights():
    search = parse_config(MINIMAL_CONFIG, Path(".")).search
    assert search.enabled is True
    assert search.weights == SearchWeights()
    assert search.weights.title > search.weights.headings > search.weights.body


def test_search_can_be_turned_off_and_weights_set():
    config = parse_config(MINIMAL_CONFIG + "\n[search]\nenabled = false\n\n[search.weights]\ntitle = 9\nbody = 0.5\n",
                          Path("."))
    assert config.search.enabled is False
    assert config.search.weights.title == 9.0 and config.search.weights.body == 0.5
    assert config.search.weights.headings == SearchWeights().headings


@pytest.mark.parametrize("table, expected", [
    ("[search]\nenabled = \"no\"\n", "'search.enabled' must be true or false, got a string 'no'"),
    ("[search]\nenable = false\n", "unknown key 'search.enable'"),
    ("[search.weights]\ntitle = 11\n", "'search.weights.title' must be a number from 0 to 10, got 11"),
    ("[search.weights]\nbody = \"high\"\n", "'search.weights.body' must be a number from 0 to 10, got 'high'"),
    ("[search.weights]\ntitel = 3\n", "unknown key 'search.weights.titel'"),
    ("[search]\nweights = 3\n", "'search.weights' must be a table like [search.weights]"),
], ids=["enabled-not-bool", "unknown-key", "weight-too-high", "weight-not-number", "unknown-weight", "weights-not-table"])
def test_bad_search_settings_are_errors_at_their_line(table, expected):
    text = MINIMAL_CONFIG + "\n" + table
    found = messages(text)
    line = len(MINIMAL_CONFIG.splitlines()) + 1 + len(table.splitlines())
    assert any(message.endswith(expected) for message in found), found
    assert any(message.startswith(f"site.toml:{line}:") for message in found), found
