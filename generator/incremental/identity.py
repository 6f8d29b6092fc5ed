"""Stable digests for cache keys: of plain values (by their structure, never by repr, which may show
memory addresses), and of the generator itself (its code and the libraries that shape the output).

Every cache key starts from code_identity(), so a cache written by other code or other library
versions is never trusted, and nothing needs a version number bumped by hand."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import operator
import os
import pickle
import sys
import threading
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache
from pathlib import Path, PurePath
from types import BuiltinFunctionType, FunctionType, MappingProxyType, MethodType
from typing import Any, Callable

# Distributions whose behaviour shows in what a build writes or in what the cache holds.
OUTPUT_LIBRARIES = ("markdown", "jinja2", "markupsafe", "babel", "feedgen", "nh3", "lxml", "PyYAML",
                    "python-frontmatter", "pillow", "pillow-heif", "kiwipiepy", "pagefind", "pagefind-bin",
                    "pagefind-bin-extended")
_PACKAGE = Path(__file__).resolve().parents[1]
STAT_GRACE_NS = 2_000_000_000


@cache
def code_identity() -> str:
    """A digest of the generator's .py and .toml files, the claims model's weights (.npz), the Python
    version and the versions of OUTPUT_LIBRARIES; computed once per process (about a hundred files)."""
    from importlib import metadata  # loaded here: `check` hashes while its workers parse, not before they start

    h = hashlib.blake2b(digest_size=16)
    h.update(sys.version.encode())
    for name in OUTPUT_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"\0{name}={version}".encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.suffix in (".py", ".toml", ".npz") and p.is_file()):
        h.update(b"\0" + path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def file_identity(path: Path, now_ns: int) -> str:
    """A file as the file system knows it (size, modification and change times, inode, device), so an
    unchanged file need not be read to be known; "" when it must be read: it is missing, or it changed
    within STAT_GRACE_NS of now_ns, as a second edit inside the clock's resolution would leave these
    figures as they were."""
    try:
        info = os.stat(path)
    except OSError:
        return ""
    if now_ns - info.st_mtime_ns < STAT_GRACE_NS or now_ns - info.st_ctime_ns < STAT_GRACE_NS:
        return ""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}:{info.st_dev}"


class Fingerprinter:
    """Digests of values made of str, bytes, numbers, None, tuples, lists, dicts and other mappings,
    dates and times, paths, dataclasses, and objects that define __digest__() (a string that stands for
    everything the object holds). Anything else is a TypeError: an object without a faithful, stable
    digest (say, one whose repr shows a memory address) must never decide what is reused.

    Values are serialised by the C pickler with its memo off (fast mode): a part met twice is written
    twice, so the bytes depend only on what a value holds, not on which of its parts are one object.
    (With the memo, an image record made in this build and the same record read back from the cache
    gave different digests, and the first rebuild after a cold one made every page again.) Instances of the `remember` classes, values that many outputs share such as a listed
    post or a tag, are digested once per build and then stand in by their digest (remembered by
    identity, and kept alive while remembered). Sets are digested in their iteration order, which may
    differ from one process to the next: keep them out of what is digested (a digest that differs
    only costs a rebuild)."""

    def __init__(self, remember: tuple[type, ...] = ()) -> None:
        self._remember = frozenset(remember)
        self._memo: dict[int, tuple[Any, str]] = {}
        self._reductions = _Reductions(self)
        self._idle: list[tuple[io.BytesIO, pickle.Pickler]] = []  # one more for each level of nesting

    def __call__(self, *values: Any) -> str:
        stream, pickler = self._idle.pop() if self._idle else self._new_pickler()
        try:
            pickler.dump(values)
            return hashlib.blake2b(stream.getbuffer(), digest_size=16).hexdigest()
        finally:
            if stream.tell() < 65536:  # a stream that grew large is let go rather than kept
                stream.seek(0)
                stream.truncate()
                self._idle.append((stream, pickler))

    def _new_pickler(self) -> tuple[io.BytesIO, pickle.Pickler]:
        stream = io.BytesIO()
        pickler = pickle.Pickler(stream, protocol=5)
        pickler.fast = True  # no memo: shared and merely equal parts are written alike
        pickler.dispatch_table = self._reductions  # consulted for every value of a type pickle has no opcode for
        return stream, pickler

    def reduce_dataclass(self, value: Any) -> tuple:
        """How the pickler writes a dataclass: by its fields, or by its digest when it is remembered."""
        kind = type(value)
        if kind not in self._remember:
            return kind, _FIELDS[kind](value)
        known = self._memo.get(id(value))
        if known is None or known[0] is not value:
            known = self._memo[id(value)] = (value, self(kind, _FIELDS[kind](value)))
        return _digested, (known[1],)


class _Reductions(dict):
    """The picklers' dispatch table, filled in as types turn up: how to write a dataclass, an object
    with __digest__ or a mapping; other types pickle in their own way (dates, times, zones, paths,
    classes and functions by name, which the code's digest stands for) if they are known to be plain,
    and anything else is refused."""

    def __init__(self, owner: Fingerprinter):
        super().__init__()
        self.owner = owner

    def __missing__(self, kind: type) -> Callable[[Any], tuple]:
        way = _WAYS.get(kind) or _classify(kind)
        if way is _DATACLASS:
            reduction = self[kind] = self.owner.reduce_dataclass
        elif way is _DIGEST:
            reduction = self[kind] = _reduce_digest
        elif way is _MAPPING:
            reduction = self[kind] = _reduce_mapping
        elif way is _LOCATION:
            reduction = self[kind] = _reduce_location
        elif way is _PLAIN:
            raise KeyError(kind)  # pickled by its own reduction
        else:
            raise TypeError(f"cannot fingerprint a {kind.__module__}.{kind.__qualname__}: "
                            "make it a dataclass or give it a __digest__() method")
        return reduction


def _reduce_digest(value: Any) -> tuple:
    return _digested, (f"{type(value).__qualname__}:{value.__digest__()}",)


def _reduce_mapping(value: Any) -> tuple:
    return _mapping, (tuple(value.items()),)


def _reduce_location(value: Path) -> tuple:
    """A path names a place: site/ and /home/me/site are one folder, whatever the current folder."""
    return _location, (value.resolve().as_posix(),)


def _location(path: str) -> Path:  # named in the pickled form of a path; never called
    return Path(path)


def _digested(digest: str) -> str:  # named in the pickled form of a digested value; never called
    return digest


def _mapping(items: tuple) -> dict:  # likewise, for mappings that are not dicts
    return dict(items)


_DATACLASS, _DIGEST, _MAPPING, _LOCATION, _PLAIN, _UNKNOWN = (
    "dataclass", "digest", "mapping", "location", "plain", "unknown")
_WAYS: dict[type, str] = {MappingProxyType: _MAPPING, datetime: _PLAIN, date: _PLAIN, time: _PLAIN,
                          timedelta: _PLAIN}
_FIELDS: dict[type, Callable[[Any], tuple]] = {}  # a dataclass's field values, in order


def _classify(kind: type) -> str:
    """How values of a type are digested, decided once per type."""
    if hasattr(kind, "__digest__"):
        way = _DIGEST
    elif dataclasses.is_dataclass(kind):
        way = _DATACLASS
        names = [field.name for field in dataclasses.fields(kind)]
        get = operator.attrgetter(*names) if names else (lambda value: ())
        _FIELDS[kind] = get if len(names) != 1 else (lambda value: (get(value),))
    elif issubclass(kind, Path):
        way = _LOCATION
    elif issubclass(kind, (str, bytes, int, float, PurePath, tzinfo, type, FunctionType, BuiltinFunctionType,
                           MethodType)):
        way = _PLAIN  # subclasses of str and the like pickle their class too
    else:
        way = _UNKNOWN
    _WAYS[kind] = way
    return way


def fingerprint(*values: Any) -> str:
    """A digest of values (see Fingerprinter), for cache keys; strings alone take a shorter way."""
    if all(type(value) is str for value in values):
        text = "".join(f"{len(value)}:{value}" for value in values)
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    fingerprinter = getattr(_local, "fingerprinter", None)
    if fingerprinter is None:  # one per thread: it keeps its picklers between calls
        fingerprinter = _local.fingerprinter = Fingerprinter()
    return fingerprinter(*values)


_local = threading.local()
