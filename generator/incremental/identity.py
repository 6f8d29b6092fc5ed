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
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache
from importlib import metadata
from pathlib import Path, PurePath
from types import BuiltinFunctionType, FunctionType, MappingProxyType, MethodType
from typing import Any, Callable

# Distributions whose behaviour shows in what a build writes or in what the cache holds.
OUTPUT_LIBRARIES = ("markdown", "jinja2", "markupsafe", "babel", "feedgen", "nh3", "lxml", "PyYAML",
                    "python-frontmatter", "pillow", "pillow-heif", "kiwipiepy")
_PACKAGE = Path(__file__).resolve().parents[1]
STAT_GRACE_NS = 2_000_000_000


@cache
def code_identity() -> str:
    """A digest of the generator's .py and .toml files, the Python version and the versions of
    OUTPUT_LIBRARIES; computed once per process (about a hundred small files)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(sys.version.encode())
    for name in OUTPUT_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        h.update(f"\0{name}={version}".encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.suffix in (".py", ".toml") and p.is_file()):
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

    Values are serialised by the C pickler without its memo, so equal values give equal bytes however
    their parts are shared. Instances of the `remember` classes, values that many outputs share such
    as a listed post or a tag, are digested once per build and then stand in by their digest
    (remembered by identity, and kept alive while remembered). Sets are digested in their iteration
    order, which may differ from one process to the next: keep them out of what is digested (a digest
    that differs only costs a rebuild)."""

    def __init__(self, remember: tuple[type, ...] = ()) -> None:
        self._remember = frozenset(remember)
        self._memo: dict[int, tuple[Any, str]] = {}
        self._stream = io.BytesIO()
        self._pickler = self._new_pickler(self._stream)

    def __call__(self, *values: Any) -> str:
        stream, pickler = self._stream, self._pickler
        if pickler is None:  # a nested call, from inside a dataclass being digested
            stream = io.BytesIO()
            pickler = self._new_pickler(stream)
        self._pickler = None
        try:
            pickler.dump(values)
            return hashlib.blake2b(stream.getbuffer(), digest_size=16).hexdigest()
        finally:
            if stream is self._stream:
                stream.seek(0)
                stream.truncate()
                self._pickler = pickler

    def _new_pickler(self, stream: io.BytesIO) -> pickle.Pickler:
        pickler = _Pickler(stream, self)
        pickler.fast = True  # no memo: the bytes depend on the values only
        return pickler

    def reduce(self, value: Any) -> Any:
        """How the pickler writes a value that is not a str, int, float, bytes, tuple, list, dict or set."""
        if value is _digested:
            return NotImplemented
        kind = type(value)
        way = _WAYS.get(kind) or _classify(kind)
        if way is _DATACLASS:
            if kind not in self._remember:
                return kind, _FIELDS[kind](value)
            known = self._memo.get(id(value))
            if known is None or known[0] is not value:
                known = self._memo[id(value)] = (value, self(kind, _FIELDS[kind](value)))
            return _digested, (known[1],)
        if way is _DIGEST:
            return _digested, (f"{kind.__qualname__}:{value.__digest__()}",)
        if way is _MAPPING:
            return _mapping, (tuple(value.items()),)
        if way is _PLAIN:
            return NotImplemented
        raise TypeError(f"cannot fingerprint a {kind.__module__}.{kind.__qualname__}: "
                        "make it a dataclass or give it a __digest__() method")


class _Pickler(pickle.Pickler):
    def __init__(self, stream: io.BytesIO, owner: Fingerprinter):
        self.reducer_override = owner.reduce  # read once by the C pickler: no extra call per object
        super().__init__(stream, protocol=5)


def _digested(digest: str) -> str:  # named in the pickled form of a digested value; never called
    return digest


def _mapping(items: tuple) -> dict:  # likewise, for mappings that are not dicts
    return dict(items)


_DATACLASS, _DIGEST, _MAPPING, _PLAIN, _UNKNOWN = "dataclass", "digest", "mapping", "plain", "unknown"
# Plain: pickled by their own reduction (dates, times, zones), or by qualified name (classes and
# functions, which the code's digest stands for; a bound method's object is checked like any value).
_WAYS: dict[type, str] = {MappingProxyType: _MAPPING, datetime: _PLAIN, date: _PLAIN, time: _PLAIN,
                          timedelta: _PLAIN, type: _PLAIN, FunctionType: _PLAIN, BuiltinFunctionType: _PLAIN,
                          MethodType: _PLAIN}
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
    elif issubclass(kind, (str, bytes, int, float, PurePath, tzinfo, type)):  # subclasses pickle their class too
        way = _PLAIN
    else:
        way = _UNKNOWN
    _WAYS[kind] = way
    return way


def fingerprint(*values: Any) -> str:
    """A digest of values (see Fingerprinter), for cache keys."""
    return Fingerprinter()(*values)
