"""The search bundle: Pagefind's index of the posts and the scripts that read it in the browser, made
with Pagefind's Python API and kept in SITE_DIR/.clinicpress-cache/search/.

Each language's index is kept under the digest of its records (see records.py), so a build whose posts
did not change what a language's index holds uses the last one as it is, without running Pagefind; the
site's bundle is the languages' bundles side by side. The analyses of Korean words are kept beside them
(words.pickle), so a changed post only has its new words analysed. Two builds of one site may run at
once (a preview and a build): they take turns (locked()), and bundles another build may still be
copying from are kept until the next bundle is made."""
from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import unquote

from generator.errors import BuildError, error
from generator.search.canonical import canonical_bundle
from generator.incremental.cache import CACHE_DIR
from generator.incremental.identity import code_identity
from generator.site.urls import Urls

# What the browser needs of Pagefind's output; its ready-made interfaces are left out (the theme has its own).
RUNTIME = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
RUNTIME_SUFFIXES = (".pagefind", ".pf_meta")  # wasm.<language>.pagefind, pagefind.<language>_<hash>.pf_meta
INDEX_FOLDERS = ("index", "fragment", "filter")
PAGEFIND_HINT = "install Pagefind with pip install 'pagefind[bin]' (make site does), or turn search off with " \
                "enabled = false under [search] in site.toml"


@dataclass(frozen=True, slots=True)
class BundleFile:
    path: str  # in the output, e.g. "pagefind/pagefind.js"
    file: Path  # the copy in the cache
    digest: str  # of its content


def _digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def _whole(folder: Path) -> bool:
    """Every file of the bundle Pagefind compresses starts as gzip does, and none is empty."""
    for path in folder.rglob("*"):
        if path.is_file() and _published(path.relative_to(folder).as_posix()):
            with open(path, "rb") as stream:
                head = stream.read(2)
            if not head or (path.suffix.startswith((".pf_", ".pagefind")) and head != b"\x1f\x8b"):
                return False
    return True


def _holds(path: Path, content: bytes) -> bool:
    try:
        return path.read_bytes() == content
    except OSError:
        return False


def _published(relative: str) -> bool:
    folder, _, name = relative.rpartition("/")
    if folder:
        return folder in INDEX_FOLDERS
    return name in RUNTIME or name.endswith(RUNTIME_SUFFIXES)


class SearchCache:
    def __init__(self, site_dir: Path, enabled: bool = True):
        self._temporary = None if enabled else Path(tempfile.mkdtemp(prefix="clinicpress-search-"))
        self.folder = self._temporary or site_dir / CACHE_DIR / "search"

    @contextmanager
    def locked(self):
        """One build at a time reads and writes the kept records (a preview and a build may run at once)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # bundles ------------------------------------------------------------------------------------
    def bundle(self, name: str) -> tuple[BundleFile, ...] | None:
        """The bundle kept under name, if all of it is still there."""
        folder = self.folder / name
        try:
            listed = json.loads((folder / "manifest.json").read_text("utf-8"))
            files = tuple(BundleFile(Urls.search_bundle() + relative, folder / "files" / relative, digest)
                          for relative, (digest, size) in sorted(listed.items()))
            if all(item.file.stat().st_size == listed[item.path.partition("/")[2]][1] for item in files):
                os.utime(folder / "manifest.json")  # in use: the last one used is kept
                return files
        except (OSError, ValueError, AttributeError, TypeError, KeyError):
            pass
        return None

    def language_bundle(self, lang: str, key: str, pages: Path) -> tuple[BundleFile, ...]:
        """Pagefind's index of one language's pages, made only when no bundle is kept under key."""
        name = f"bundle-{lang}-{key}"
        found = self.bundle(name)
        if found is not None:
            return found
        self.folder.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="making-", dir=self.folder))
        try:
            for attempt in range(2):
                write_pagefind_bundle(pages, work / "files")
                if _whole(work / "files"):
                    break
                shutil.rmtree(work / "files", ignore_errors=True)  # a file cut short: Pagefind runs again
            else:
                raise BuildError([error(f"{CACHE_DIR}/search", None, "Pagefind wrote an incomplete search index "
                                                                    "twice", "build again")])
            canonical_bundle(work / "files")
            listed = {}
            for path in sorted((work / "files").rglob("*")):
                relative = path.relative_to(work / "files").as_posix()
                if path.is_file() and _published(relative):
                    listed[relative] = [_digest(path), path.stat().st_size]
                elif path.is_file():
                    path.unlink()
            (work / "manifest.json").write_text(json.dumps(listed, indent=0, sort_keys=True), "utf-8")
            target = self.folder / name
            if target.exists():
                shutil.rmtree(target, ignore_errors=True)  # damaged
            work.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self._forget_old_bundles(f"bundle-{lang}-", keep=name)
        found = self.bundle(name)
        if found is None:
            raise BuildError([error(f"{CACHE_DIR}/search", None, "the search index vanished from the cache "
                                                                "during the build", "build again")])
        return found

    def site_bundle(self, languages: Sequence[tuple[BundleFile, ...]]) -> tuple[BundleFile, ...]:
        """The languages' bundles as one: their files side by side (Pagefind names each language's own),
        the scripts once, and an entry file that names every language."""
        files: dict[str, BundleFile] = {}
        entry: dict = {}
        for bundle in languages:
            for item in bundle:
                if item.path.endswith("/pagefind-entry.json"):
                    found = json.loads(item.file.read_text("utf-8"))
                    entry = {**found, "languages": {**entry.get("languages", {}), **found["languages"]}}
                else:
                    files.setdefault(item.path, item)
        if not entry:
            return ()
        entry["languages"] = dict(sorted(entry["languages"].items()))
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
        digest = hashlib.blake2b(text, digest_size=16).hexdigest()
        merged = self.folder / "entries" / f"{digest}.json"
        if not _holds(merged, text):  # missing or damaged (it is small: read, not trusted)
            merged.parent.mkdir(parents=True, exist_ok=True)
            temporary = merged.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(text)
            os.replace(temporary, merged)
        path = Urls.search_bundle() + "pagefind-entry.json"
        files[path] = BundleFile(path, merged, digest)
        return tuple(files[path] for path in sorted(files))

    def _forget_old_bundles(self, prefix: str, keep: str) -> None:
        """Keep this build's bundle and the one used last before it (another build may still be copying
        from it); older ones go."""
        def last_used(folder: Path) -> float:
            try:
                return (folder / "manifest.json").stat().st_mtime
            except OSError:
                return 0.0
        others = sorted((folder for folder in self.folder.glob(prefix + "*") if folder.name != keep),
                        key=last_used, reverse=True)
        for folder in others[1:]:
            shutil.rmtree(folder, ignore_errors=True)
        entries = sorted((self.folder / "entries").glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[8:]:
            old.unlink(missing_ok=True)

    # analyses of Korean words -------------------------------------------------------------------
    def analyses(self, version: str) -> dict[str, tuple]:
        """Kiwi's morphemes of each run of Hangul analysed before by this code and analyzer."""
        try:
            with open(self.folder / "words.pickle", "rb") as stream:
                stored = pickle.load(stream)
            if stored["version"] == (code_identity(), version):
                return dict(stored["runs"])
        except Exception:  # noqa: BLE001 - missing, damaged or from other code: analyse again
            pass
        return {}

    def store_analyses(self, version: str, runs: Mapping[str, tuple]) -> None:
        """Keep the analyses for the next build."""
        self.folder.mkdir(parents=True, exist_ok=True)
        kept = dict(runs)
        temporary = self.folder / f".words.{os.getpid()}.tmp"
        with open(temporary, "wb") as stream:
            pickle.dump({"version": (code_identity(), version), "runs": kept}, stream, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.folder / "words.pickle")

    def close(self) -> None:
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)


def write_pages(documents: Sequence[tuple[str, str]], pages: Path) -> None:
    """(url, page) documents written where their addresses lead, for write_pagefind_bundle."""
    for url, page in documents:
        target = pages / unquote(url).strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, "utf-8")


def write_pagefind_bundle(pages: Path, folder: Path) -> None:
    """Pagefind's index of the pages in a folder, with its scripts, written into folder. The pages are
    indexed as one folder: Pagefind's service answers one request at a time, about ten a second, so a
    record per request would take minutes."""
    try:
        _run_apart(_index(pages, folder))
    except FileNotFoundError as exc:
        raise BuildError([error("site.toml", None, f"the search index cannot be made: Pagefind's program was not "
                                                   f"found ({exc})", PAGEFIND_HINT)]) from None
    except ImportError:
        raise BuildError([error("site.toml", None, "the search index cannot be made: the Python package "
                                                   "pagefind is not installed", PAGEFIND_HINT)]) from None
    except Exception as exc:  # noqa: BLE001 - Pagefind's service reports its failures as plain exceptions
        raise BuildError([error("site.toml", None, f"Pagefind could not make the search index: {exc}",
                                "build again; if it fails again, turn search off with enabled = false under "
                                "[search] and report the message")]) from None


def _run_apart(work) -> None:
    """Run a coroutine to its end, in a thread of its own when the caller's thread runs an event loop
    (asyncio.run refuses to start a second one there)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _index(pages: Path, folder: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex  # only a build with search on needs it

    async with PagefindIndex(config=IndexConfig(output_path=str(folder.resolve()))) as index:
        await index.add_directory(str(pages.resolve()))
