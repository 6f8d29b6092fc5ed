"""The pages Pagefind indexes, one per published post, kept between builds so that an edit makes only
the records it changed.

A post's record depends on the post (its cache key) and on the nouns known anywhere in the posts: a
compound is split into nouns known elsewhere (words.py), so a post that brings a new noun can change
the records of others. Each post's own nouns are kept with its record; when the nouns of the whole site
change, the records that contain one of the nouns that came or went are made again (a word is only
split into nouns it contains), and the rest stay as they are. Records are kept as files in
records/<lang>/, where Pagefind reads them, with a manifest of what each was made from."""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence
from urllib.parse import unquote

from generator.search.words import decomposed

# Past this many nouns come or gone, every record is made again rather than each searched for them.
MANY_NOUNS = 200


@dataclass(frozen=True, slots=True)
class Record:
    """What a kept record was made from."""

    lang: str
    key: str  # the post's part of it: its body, fields, address, the weights and the code
    nouns: frozenset[str]  # the nouns its words give to the site's vocabulary
    digest: str = ""  # of the page made


@dataclass(frozen=True, slots=True)
class Wanted:
    """A post the index must hold, and how to make its record if it must be made."""

    url: str
    lang: str
    key: str
    nouns: Callable[[], frozenset[str]]  # its nouns, analysing its words when needed
    make: Callable[[frozenset[str]], str]  # its page for Pagefind, given every known noun


class RecordStore:
    def __init__(self, folder: Path, version: tuple):
        self.folder, self.version = folder, version
        self.records: dict[str, Record] = {}
        self.known: frozenset[str] = frozenset()
        try:
            with open(folder / "manifest.pickle", "rb") as stream:
                stored = pickle.load(stream)
            if stored["version"] == version:
                self.records, self.known = stored["records"], stored["known"]
        except Exception:  # noqa: BLE001 - missing, damaged or from other code: every record is made again
            pass
        if not self.records:
            shutil.rmtree(folder, ignore_errors=True)

    def pages(self, lang: str) -> Path:
        """The folder of a language's pages, as Pagefind indexes them."""
        return self.folder / lang

    def page(self, url: str, lang: str) -> Path:
        return self.pages(lang) / unquote(url).strip("/") / "index.html"

    def update(self, wanted: Sequence[Wanted]) -> set[str]:
        """Make the records that changed and forget those of posts no longer indexed; the languages
        whose records changed."""
        by_url = {item.url: item for item in wanted}
        changed = [item for item in wanted if (kept := self.records.get(item.url)) is None
                   or (kept.key, kept.lang) != (item.key, item.lang) or not self.page(item.url, item.lang).exists()]
        gone = [url for url in self.records if url not in by_url]
        if not changed and not gone:
            return set()
        records = {url: record for url, record in self.records.items() if url in by_url}
        records.update({item.url: Record(item.lang, item.key, item.nouns()) for item in changed})
        known = frozenset().union(*(record.nouns for record in records.values()))
        stale = {item.url for item in changed} | self._split_by(known ^ self.known, records.keys() - {i.url for i in changed})
        touched = {self.records[url].lang for url in gone} | {by_url[url].lang for url in stale}
        for url in gone:
            self._remove(self.page(url, self.records[url].lang))
        for item in changed:  # a post that moved to another language leaves its old page
            if (kept := self.records.get(item.url)) is not None and kept.lang != item.lang:
                self._remove(self.page(item.url, kept.lang))
                touched.add(kept.lang)
        for url in sorted(stale):
            item = by_url[url]
            target = self.page(url, item.lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            page = item.make(known)
            target.write_text(page, "utf-8")
            records[url] = replace(records[url], digest=hashlib.blake2b(page.encode(), digest_size=16).hexdigest())
        self.records, self.known = records, known
        self._save()
        return touched

    def digest(self, lang: str) -> str:
        """Stands for every page of a language: the index made from them is kept under it."""
        h = hashlib.blake2b(digest_size=16)
        for url in sorted(url for url, record in self.records.items() if record.lang == lang):
            h.update(f"{url}\0{self.records[url].digest}\0".encode())
        return h.hexdigest()

    def _split_by(self, nouns: frozenset[str], urls: Iterable[str]) -> set[str]:
        """The kept records that contain one of the nouns (as the index spells them)."""
        if not nouns:
            return set()
        urls = list(urls)
        if len(nouns) > MANY_NOUNS:
            return set(urls)
        spelled = [decomposed(noun) for noun in nouns]
        found = set()
        for url in urls:
            try:
                text = self.page(url, self.records[url].lang).read_text("utf-8")
            except OSError:
                found.add(url)
                continue
            if any(noun in text for noun in spelled):
                found.add(url)
        return found

    def _remove(self, page: Path) -> None:
        page.unlink(missing_ok=True)
        folder = page.parent
        while folder != self.folder and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

    def _save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".manifest.{os.getpid()}.tmp"
        with open(temporary, "wb") as stream:
            pickle.dump({"version": self.version, "records": self.records, "known": self.known}, stream,
                        pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.folder / "manifest.pickle")
