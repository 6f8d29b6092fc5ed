"""Digests that decide what a build reuses: faithful to the value, stable, and refused when they cannot be."""
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from generator.incremental.identity import Fingerprinter, code_identity, fingerprint


@dataclass(frozen=True)
class Tag:
    key: str
    name: str


@dataclass(frozen=True)
class Card:
    title: str
    tags: tuple[Tag, ...]
    when: datetime


class Opaque:
    """An object whose repr shows a memory address and whose content a digest could not see."""

    def __init__(self, value):
        self.value = value


SEOUL = ZoneInfo("Asia/Seoul")


def card(title="Lips", name="Lip care", when=datetime(2026, 7, 3, 9, 0, tzinfo=SEOUL)):
    return Card(title, (Tag("lip-care", name), Tag("skin", "Skin")), when)


@pytest.mark.parametrize("remember", [(), (Tag,)], ids=["inline", "remembered"])
def test_a_digest_follows_every_field_of_nested_records(remember):
    digest = Fingerprinter(remember=remember)
    assert digest(card()) == Fingerprinter(remember=remember)(card())
    assert len({digest(card()), digest(card(title="Lips!")), digest(card(name="Lip Care")),
                digest(card(when=datetime(2026, 7, 3, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))))}) == 4


def test_strings_are_framed_so_that_parts_cannot_run_together():
    assert fingerprint("ab", "c") != fingerprint("a", "bc")
    assert fingerprint(("a", ("b",))) != fingerprint((("a", "b"),))
    assert fingerprint(MappingProxyType({"a": 1})) == fingerprint(MappingProxyType({"a": 1}))
    assert fingerprint(MappingProxyType({"a": 1})) != fingerprint(MappingProxyType({"a": 2}))


def test_a_path_is_digested_as_the_place_it_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert fingerprint(Path("site")) == fingerprint(tmp_path / "site") != fingerprint(tmp_path / "other")


def test_an_object_without_a_faithful_digest_is_refused():
    with pytest.raises(TypeError, match="cannot fingerprint a .*Opaque"):
        fingerprint(card(), Opaque(1))


def test_a_remembered_record_is_digested_by_what_it_holds_not_by_where_it_is():
    digest = Fingerprinter(remember=(Tag,))
    first = digest(card())
    for _ in range(3):
        assert digest(card()) == first  # new, equal objects: the memory addresses do not matter


def test_threads_each_get_a_correct_digest():
    expected = {n: Fingerprinter()(("post", n, "x" * n)) for n in range(200)}
    found: dict[int, str] = {}

    def work(numbers):
        for n in numbers:
            found[n] = fingerprint(("post", n, "x" * n))
    threads = [threading.Thread(target=work, args=(range(k, 200, 4),)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == expected


def test_the_code_identity_is_computed_once_and_is_stable():
    assert code_identity() == code_identity() and len(code_identity()) == 32


def test_a_value_digests_alike_whether_its_equal_parts_are_one_object_or_copies():
    """A record made by a build shares its strings; the same record read back from the cache has
    separate, equal ones. Both must give one digest, or every page using it is made again."""
    path = "".join(["images/", "cover.png"])
    shared = Card(path, (Tag(path, path),), datetime(2026, 7, 3, tzinfo=SEOUL))
    copies = Card("".join(["images/", "cover.png"]), (Tag("".join(["images/", "cover.png"]), "".join(["images/", "cover.png"])),),
                  datetime(2026, 7, 3, tzinfo=SEOUL))
    assert shared.tags[0].key is shared.title and copies.tags[0].key is not copies.title
    for remember in [(), (Tag,)]:
        assert Fingerprinter(remember=remember)(shared) == Fingerprinter(remember=remember)(copies)
