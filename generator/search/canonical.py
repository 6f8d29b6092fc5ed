"""Pagefind's bundle made byte for byte the same from the same posts.

Pagefind writes the values of a filter (the tags) and the list of filters in the order of a hash table
seeded afresh by each run, so two builds of one site gave different filter files, and so different
names for them, for the language's metadata file that names them and for the entry file that names that.
Here each filter file's values and each metadata file's filters are sorted, and the files they changed
are named again after their content, as Pagefind names them (the browser only follows the names).

The files are CBOR behind Pagefind's signature, gzipped; only the few CBOR forms Pagefind writes are
read. A file this module cannot read back byte for byte as it was written is left as it is."""
from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


class _Unreadable(Exception):
    pass


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size, form in ((24, 1, ">B"), (25, 2, ">H"), (26, 4, ">I"), (27, 8, ">Q")):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + struct.pack(form, value)
    raise _Unreadable("integer too large")


def encode(value) -> bytes:
    if isinstance(value, bool) or value is None:
        return bytes([0xf5 if value is True else 0xf4 if value is False else 0xf6])
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(item) for item in value)
    raise _Unreadable(f"cannot write {type(value).__name__}")


def decode(data: bytes):
    value, end = _decode(data, 0)
    if end != len(data):
        raise _Unreadable("trailing bytes")
    return value


def _decode(data: bytes, at: int):
    if at >= len(data):
        raise _Unreadable("truncated")
    first = data[at]
    major, extra, at = first >> 5, first & 31, at + 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if extra not in simple:
            raise _Unreadable("unknown simple value")
        return simple[extra], at
    if extra < 24:
        value = extra
    elif extra <= 27:
        size = 1 << (extra - 24)
        value = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise _Unreadable("indefinite length")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        chunk = data[at:at + value]
        return (chunk if major == 2 else chunk.decode("utf-8")), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise _Unreadable("unknown major type")


def _read(path: Path):
    raw = path.read_bytes()
    data = raw if raw.startswith(SIGNATURE) else gzip.decompress(raw)
    if not data.startswith(SIGNATURE):
        raise _Unreadable("no signature")
    value = decode(data[len(SIGNATURE):])
    if encode(value) != data[len(SIGNATURE):]:
        raise _Unreadable("not written the way this module writes")
    return value


def _named(lang: str, digits: int, value) -> tuple[str, bytes]:
    """Value as Pagefind writes it, and its hash ("ko_1a2b3c4") named after its content."""
    data = SIGNATURE + encode(value)
    return f"{lang}_{hashlib.sha256(data).hexdigest()[:digits]}", gzip.compress(data, compresslevel=9, mtime=0)


def canonical_bundle(folder: Path) -> None:
    """Sort the filters of the Pagefind bundle in folder and rename the files that changed. Everything is
    read and checked before anything is written, so a bundle this module cannot read stays whole."""
    entry_path = folder / "pagefind-entry.json"
    writes: dict[Path, bytes] = {}
    try:
        entry = json.loads(entry_path.read_text("utf-8"))
        for lang, language in sorted(entry["languages"].items()):
            meta = _read(folder / f"pagefind.{language['hash']}.pf_meta")
            filters = []
            for name, old_hash in meta[3]:
                key, values = _read(folder / "filter" / f"{old_hash}.pf_filter")
                new_hash, data = _named(lang, 7, [key, sorted(values)])
                writes[folder / "filter" / f"{new_hash}.pf_filter"] = data
                filters.append([name, new_hash])
            meta[3] = sorted(filters)
            language["hash"], data = _named(lang, 10, meta)
            writes[folder / f"pagefind.{language['hash']}.pf_meta"] = data
        entry["languages"] = dict(sorted(entry["languages"].items()))
    except (_Unreadable, OSError, ValueError, KeyError, TypeError, IndexError, EOFError, gzip.BadGzipFile):
        return  # another Pagefind's layout: the bundle works as it is, only not byte for byte the same
    for path in [*folder.glob("filter/*.pf_filter"), *folder.glob("*.pf_meta")]:
        if path not in writes:
            path.unlink()
    for path, data in writes.items():
        path.write_bytes(data)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
