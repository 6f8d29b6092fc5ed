"""What a post's checks look up in the rest of the site, recorded so that remembered findings are
reused exactly as long as every answer is still the same.

Only links and images look outside the post: whether an address is a page, which post it shows and
whether that is published, whether a static file exists. Adding, renaming or removing one post then
re-checks the posts that link near it, not the whole site. A rule that looks at every page (to
suggest a near address) records a digest of them all."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Callable

from .cache import fingerprint
from .models import Post

Lookup = tuple  # (kind, argument, answer)


def _shown(post: Post | None) -> tuple | None:
    """What the link rules read of a linked post."""
    return None if post is None else (post.source, post.lang, post.slug, post.draft, post.date.isoformat())


class _RecordedPages(Mapping):
    def __init__(self, lookups: "SiteLookups", log: list[Lookup]):
        self._lookups, self._pages, self._log = lookups, lookups.pages, log

    def __contains__(self, path: object) -> bool:
        found = path in self._pages
        self._log.append(("page?", path, found))
        return found

    def __getitem__(self, path: str) -> Post | None:
        post = self._pages[path]
        self._log.append(("page", path, _shown(post)))
        return post

    def __iter__(self) -> Iterator[str]:
        self._log.append(("pages", "", self._lookups.pages_digest()))
        return iter(self._pages)

    def __len__(self) -> int:
        self._log.append(("pages", "", self._lookups.pages_digest()))
        return len(self._pages)


class _RecordedStatic:
    def __init__(self, lookups: "SiteLookups", log: list[Lookup]):
        self._lookups, self._static, self._log = lookups, lookups.static, log

    def __contains__(self, path: object) -> bool:
        found = path in self._static
        self._log.append(("static?", path, found))
        return found

    def __iter__(self) -> Iterator[str]:
        self._log.append(("statics", "", self._lookups.static_digest()))
        return iter(self._static)


class SiteLookups:
    """The site as the link and image rules see it, and the check of a recorded post's lookups."""

    def __init__(self, pages: Mapping[str, Post | None], static: frozenset[str],
                 published: Callable[[Post], bool], posts: tuple[Post, ...]):
        self.pages, self.static, self.published = pages, static, published
        self._posts = {post.source: post for post in posts}
        self._posts.update((post.source, post) for post in pages.values() if post is not None)
        self._digests: dict[str, str] = {}

    def pages_digest(self) -> str:
        if "pages" not in self._digests:
            self._digests["pages"] = fingerprint(sorted((path, _shown(post)) for path, post in self.pages.items()))
        return self._digests["pages"]

    def static_digest(self) -> str:
        if "static" not in self._digests:
            self._digests["static"] = fingerprint(sorted(self.static))
        return self._digests["static"]

    def recording(self, log: list[Lookup]) -> tuple[Mapping, Any, Callable[[Post], bool]]:
        """pages, static and published as the rules use them, noting each answer in log."""
        def published(post: Post) -> bool:
            answer = self.published(post)
            log.append(("published", post.source, answer))
            return answer
        return _RecordedPages(self, log), _RecordedStatic(self, log), published

    def still_true(self, lookups: list[Lookup]) -> bool:
        return all(self._answer(kind, argument) == answer for kind, argument, answer in lookups)

    def _answer(self, kind: str, argument: Any) -> Any:
        if kind == "page?":
            return argument in self.pages
        if kind == "page":
            return _shown(self.pages.get(argument)) if argument in self.pages else ("gone",)
        if kind == "static?":
            return argument in self.static
        if kind == "published":
            post = self._posts.get(argument)
            return None if post is None else self.published(post)
        if kind == "pages":
            return self.pages_digest()
        if kind == "statics":
            return self.static_digest()
        return ("unknown",)
