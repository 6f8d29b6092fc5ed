"""Processed images kept between builds in SITE_DIR/.clinicpress-cache/images/: the files, named by a key
of the source's content and the settings, and index.json saying what each key made. An unchanged photo
is never encoded twice; a source file whose size, times and inode are unchanged is not even read.

Anything unreadable or from another version is thrown away, never trusted. Two builds of one site may
run at once (say a preview and a build): the index is merged under a lock, and files another build may
still be using are kept for a day."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from generator.images.process import ImageRecord, Variant
from generator.incremental.cache import CACHE_DIR
from generator.incremental.identity import code_identity, file_identity

KEEP_UNUSED_SECONDS = 24 * 3600


def file_digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def _record_from(data: dict) -> ImageRecord:
    variants = tuple(Variant(**variant) for variant in data["variants"])
    return ImageRecord(**{**data, "variants": variants})


class ImageCache:
    def __init__(self, site_dir: Path, enabled: bool = True):
        self._temporary = None if enabled else Path(tempfile.mkdtemp(prefix="clinicpress-images-"))
        self.folder = self._temporary or site_dir / CACHE_DIR / "images"
        self.started = time.time()
        self._sources: dict[str, list] = {}  # absolute source path -> [stat key, digest]
        self._records: dict[str, list] = {}  # key -> [last used (seconds), record as a dict]
        self._references: dict[str, list] = {}  # post key -> [last used, [site paths]]
        self._used: set[str] = set()
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads((self.folder / "index.json").read_text("utf-8"))
            if data.get("version") != code_identity():  # written by other code: its keys mean other things
                return
            self._sources, self._records, self._references = data["sources"], data["records"], data["references"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._sources, self._records, self._references = {}, {}, {}

    # sources ------------------------------------------------------------------------------------
    def source_digest(self, file: Path) -> str:
        """The digest of a source file's content, read only when its size, times or inode changed."""
        stat_key = file_identity(file, time.time_ns())
        known = self._sources.get(str(file))
        if stat_key and known and known[0] == stat_key:
            return known[1]
        found = file_digest(file)
        self._sources[str(file)] = [stat_key, found]
        return found

    # processed images ---------------------------------------------------------------------------
    def file(self, variant: Variant) -> Path:
        return self.folder / variant.file

    def record(self, key: str) -> ImageRecord | None:
        """What key made, if every file of it is still there."""
        entry = self._records.get(key)
        if entry is None:
            return None
        try:
            record = _record_from(entry[1])
        except (TypeError, KeyError, ValueError):
            return None
        if not all(self.file(variant).is_file() for variant in record.variants):
            return None
        self._used.add(key)
        return record

    def store(self, record: ImageRecord) -> None:
        self._records[record.key] = [self.started, asdict(record)]
        self._used.add(record.key)

    # which images each post refers to (see markup.referenced_paths) -------------------------------
    def references(self, post_key: str) -> list[str] | None:
        entry = self._references.get(post_key)
        if entry is None:
            return None
        entry[0] = self.started
        return entry[1]

    def store_references(self, post_key: str, paths: list[str]) -> None:
        self._references[post_key] = [self.started, paths]

    # keeping it -----------------------------------------------------------------------------------
    def save(self) -> None:
        """Merge this build's index with the one on disk (another build may have saved meanwhile),
        forget what no build used for a day, and delete those files."""
        if self._temporary is not None:
            return
        for key in self._used:
            self._records[key][0] = self.started
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.folder / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                mine = (self._sources, self._records, self._references)
                self._load()
                on_disk = (self._sources, self._records, self._references)
                self._sources, self._records, self._references = (
                    {**theirs, **ours} for theirs, ours in zip(on_disk, mine))
                for key, entry in list(self._records.items()):
                    if key in on_disk[1] and key in mine[1]:
                        entry[0] = max(entry[0], on_disk[1][key][0])
                self._forget_unused()
                data = {"version": code_identity(), "sources": self._sources,
                        "records": self._records, "references": self._references}
                temporary = self.folder / f".index.json.{os.getpid()}.tmp"
                temporary.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
                os.replace(temporary, self.folder / "index.json")
        except OSError:
            pass  # a cache that cannot be written is only a slower next build

    def _forget_unused(self) -> None:
        cutoff = self.started - KEEP_UNUSED_SECONDS
        self._records = {key: entry for key, entry in self._records.items() if entry[0] >= cutoff}
        self._references = {key: entry for key, entry in self._references.items() if entry[0] >= cutoff}
        self._sources = {path: entry for path, entry in self._sources.items() if os.path.exists(path)}
        kept = set(self._records)
        for folder in self.folder.iterdir():
            if not folder.is_dir():
                continue
            for file in folder.iterdir():
                key = file.name.lstrip(".").split(".", 1)[0]
                if (key not in kept or file.name.endswith(".tmp")) and _older_than(file, cutoff):  # .tmp: a killed build's
                    file.unlink(missing_ok=True)

    def close(self) -> None:
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)


def _older_than(file: Path, cutoff: float) -> bool:
    try:
        return file.stat().st_mtime < cutoff
    except OSError:
        return False
