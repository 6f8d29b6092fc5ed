"""What a post's checks look up in the rest of the site, recorded so that remembered findings are
reused exactly as long as every answer is still the same.

Only links and images look outside the post: whether an address is a page, which post it shows and
whether that is published, whether a static file exists. Adding, renaming or removing one post then
re-checks the posts that link near it, not the whole site. A rule that looks at every page (to
suggest a near address) records a digest of them all. While the site's pages, static files and
published posts are all as they were (its environment), nothing needs checking at all."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Callable

from generator.incremental.identity import fingerprint
from generator.content.models import Post

Lookup = tuple  # (kind, argument, answer)


def _shown(post: Post | None) -> str:
    """What the link rules read of a linked post (its language is in its source path)."""
    return "" if post is None else f"{post.source}\x1f{post.slug}\x1f{post.draft}\x1f{post.date.isoformat()}"


class _RecordedSet:
    """A set of names (static files), noting each question asked of it."""

    def __init__(self, names: Any, kind: str, digest: Callable[[], str], log: list[Lookup]):
        self._names, self._kind, self._digest, self._log = names, kind, digest, log

    def __contains__(self, name: object) -> bool:
        found = name in self._names
        self._log.append((self._kind + "?", name, found))
        return found

    def __iter__(self) -> Iterator[str]:
        self._log.append((self._kind + "s", "", self._digest()))  # every name read: depends on them all
        return iter(self._names)


class _RecordedPages(_RecordedSet, Mapping):
    """Site addresses and the post each shows."""

    def __getitem__(self, path: str) -> Post | None:
        post = self._names[path]
        self._log.append(("page", path, _shown(post)))
        return post

    def __len__(self) -> int:
        self._log.append(("pages", "", self._digest()))
        return len(self._names)

    def get(self, path: str, default: Any = None) -> Any:  # Mapping's get would not note a missing page
        return self[path] if path in self else default


class SiteLookups:
    """The site as the link and image rules see it, and the check of a recorded post's lookups."""

    def __init__(self, pages: Mapping[str, Post | None], static: frozenset[str],
                 published: Callable[[Post], bool], posts: tuple[Post, ...], image_facts: Any = None):
        self.pages, self.static, self.published = pages, static, published
        self.image_facts = image_facts  # an images.facts.ImageFacts, when image rules run
        self._posts = {post.source: post for post in posts}
        self._posts.update((post.source, post) for post in pages.values() if post is not None)
        self._digests: dict[str, str] = {}

    def pages_digest(self) -> str:
        """Of every address and what it shows, in the site's own (fixed) order: a large site has many."""
        if "pages" not in self._digests:
            self._digests["pages"] = fingerprint("\x1e".join(f"{path}\x1f{_shown(post)}" for path, post in self.pages.items()))
        return self._digests["pages"]

    def static_digest(self) -> str:
        if "static" not in self._digests:
            self._digests["static"] = fingerprint(sorted(self.static))
        return self._digests["static"]

    def environment(self) -> str:
        """A digest of every answer a lookup could get: while it is the same, recorded lookups need no check."""
        published = sorted(source for source, post in self._posts.items() if self.published(post))
        images = self.image_facts.digest() if self.image_facts is not None else ""
        return fingerprint(self.pages_digest(), self.static_digest(), published, images)

    def recording(self, log: list[Lookup]) -> tuple[Mapping, Any, Callable[[Post], bool], Callable]:
        """pages, static, published and image_facts as the rules use them, noting each answer in log."""
        def published(post: Post) -> bool:
            answer = self.published(post)
            log.append(("published", post.source, answer))
            return answer

        def image_facts(path: str) -> tuple[int, int, int] | None:
            answer = self._answer("image", path)
            log.append(("image", path, answer))
            return answer
        return (_RecordedPages(self.pages, "page", self.pages_digest, log),
                _RecordedSet(self.static, "static", self.static_digest, log), published, image_facts)

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
        if kind == "image":
            return self.image_facts(argument) if self.image_facts is not None else None
        return ("unknown",)
