"""The search bundle: Pagefind's index of the posts and the scripts that read it in the browser, made
with Pagefind's Python API and kept in SITE_DIR/.clinicpress-cache/search/.

A bundle is kept under the digest of everything it is made from (see index.py), so a build whose posts
did not change in what the index holds uses the last bundle as it is, without running Pagefind or the
analyzer. The analyses of Korean words are kept beside it (words.pickle), so a changed post only has
its new words analysed. Two builds of one site may run at once (a preview and a build): a bundle is made
in a folder of its own and renamed into place, and bundles another build may still be copying from are
kept until the next bundle is made."""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence
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


def _published(relative: str) -> bool:
    folder, _, name = relative.rpartition("/")
    if folder:
        return folder in INDEX_FOLDERS
    return name in RUNTIME or name.endswith(RUNTIME_SUFFIXES)


class SearchCache:
    def __init__(self, site_dir: Path, enabled: bool = True):
        self._temporary = None if enabled else Path(tempfile.mkdtemp(prefix="clinicpress-search-"))
        self.folder = self._temporary or site_dir / CACHE_DIR / "search"

    # bundles ------------------------------------------------------------------------------------
    def bundle(self, key: str) -> tuple[BundleFile, ...] | None:
        """The bundle made from key, if all of it is still there."""
        folder = self.folder / f"bundle-{key}"
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

    def make_bundle(self, key: str, documents: Sequence[tuple[str, str]]) -> tuple[BundleFile, ...]:
        """Run Pagefind over (url, page) documents and keep what the browser needs under key."""
        self.folder.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="making-", dir=self.folder))
        try:
            write_pagefind_bundle(documents, work / "files")
            canonical_bundle(work / "files")
            listed = {}
            for path in sorted((work / "files").rglob("*")):
                relative = path.relative_to(work / "files").as_posix()
                if path.is_file() and _published(relative):
                    listed[relative] = [_digest(path), path.stat().st_size]
                elif path.is_file():
                    path.unlink()
            (work / "manifest.json").write_text(json.dumps(listed, indent=0, sort_keys=True), "utf-8")
            target = self.folder / f"bundle-{key}"
            if target.exists() and self.bundle(key) is None:
                shutil.rmtree(target, ignore_errors=True)  # damaged
            try:
                work.rename(target)
            except OSError:  # another build made the same bundle meanwhile: theirs is as good
                pass
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self._forget_old_bundles(keep=f"bundle-{key}")
        found = self.bundle(key)
        if found is None:
            raise BuildError([error(f"{CACHE_DIR}/search", None, "the search index vanished from the cache "
                                                                "during the build", "build again")])
        return found

    def _forget_old_bundles(self, keep: str) -> None:
        """Keep this build's bundle and the one used last before it (another build may still be copying
        from it); older ones go."""
        def last_used(folder: Path) -> float:
            try:
                return (folder / "manifest.json").stat().st_mtime
            except OSError:
                return 0.0
        others = sorted((folder for folder in self.folder.glob("bundle-*") if folder.name != keep),
                        key=last_used, reverse=True)
        for folder in others[1:]:
            shutil.rmtree(folder, ignore_errors=True)

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

    def store_analyses(self, version: str, runs: Mapping[str, tuple], used: Iterable[str]) -> None:
        """Keep the analyses of the runs this build used (the others are forgotten)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        kept = {run: runs[run] for run in sorted(used)}
        temporary = self.folder / f".words.{os.getpid()}.tmp"
        with open(temporary, "wb") as stream:
            pickle.dump({"version": (code_identity(), version), "runs": kept}, stream, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.folder / "words.pickle")

    def close(self) -> None:
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)


def write_pagefind_bundle(documents: Sequence[tuple[str, str]], folder: Path) -> None:
    """Pagefind's index of (url, page) documents, with its scripts, written into folder. The pages are
    written where their addresses lead (beside folder) and indexed as one folder: Pagefind's service
    answers one request at a time, about ten a second, so a record per request would take minutes."""
    pages = folder.parent / "pages"
    for url, page in documents:
        target = pages / unquote(url).strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, "utf-8")
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
    finally:
        shutil.rmtree(pages, ignore_errors=True)


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
