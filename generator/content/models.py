"""Plain frozen records passed from one build stage to the next."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A post file: its bytes, given directly or read from `file` when parsed (so a large site
    is never held in memory as raw bytes)."""

    path: str  # shown in messages, relative to the site folder
    lang: str
    name: str  # file name without .md
    data: bytes | None = None
    file: Path | None = None

    def read(self) -> bytes:
        return self.data if self.data is not None else self.file.read_bytes()


@dataclass(frozen=True, slots=True)
class FaqItem:
    question: str
    answer: str  # Markdown

    def __reduce__(self) -> tuple:  # a constructor call unpickles faster than dataclass state
        return FaqItem, (self.question, self.answer)


@dataclass(frozen=True, slots=True)
class Post:
    source: str
    lang: str
    title: str
    date: datetime
    updated: datetime | None
    description: str
    slug: str
    translation_key: str
    tags: tuple[str, ...]
    series: str | None
    series_part: int | None
    author: str | None
    reviewed_by: str | None
    last_reviewed: date | None
    image: str
    image_alt: str
    draft: bool
    comments: bool
    faq: tuple[FaqItem, ...]
    body_data: bytes  # the Markdown body as UTF-8: half the memory of text with emoji in it
    body_line: int  # file line where the Markdown body starts
    digest: str  # of the source file: what a page shows of this post changes only with it
    # Plain dicts (read-only by convention) so that parsed posts can be pickled into the build cache.
    extra: Mapping[str, Any] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # old site paths that redirect here ("en/old-name/")
    repeated_tags: tuple[tuple[str, str], ...] = ()  # (tag as written, the earlier tag it repeats): merged into it

    def __reduce__(self) -> tuple:
        # The build cache unpickles every post of a site on each rebuild: a constructor call is
        # faster than restoring dataclass state field by field.
        return Post, tuple(getattr(self, name) for name in _POST_FIELDS)

    def __digest__(self) -> str:
        """What the post is made from: its file, named by path and content digest. The configuration
        and the code, which also shape its fields, are part of every cache key that holds a post."""
        return f"{self.source}\x1f{self.digest}"

    @property
    def body(self) -> str:
        return self.body_data.decode("utf-8")

    @property
    def modified(self) -> datetime:
        return self.updated or self.date


_POST_FIELDS = tuple(f.name for f in fields(Post))


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the built site: a path relative to the output folder, and its bytes."""

    path: str
    data: bytes
