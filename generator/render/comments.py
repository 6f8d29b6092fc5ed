"""The comments of a post page: the provider template's context, and the check that the template exists.

Each provider is one template, templates/comments/<provider>.html, that receives the mapping built by
`comments_context`. The widget's markup sits in an inert <template> until the reader asks for it
(clinicpress.js), so no request leaves for the provider before then.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.config.comments import BUILTIN_PROVIDERS, CommentsConfig
from generator.content.models import Post
from generator.errors import Diagnostic, did_you_mean, error
from generator.config.loader import SiteConfig
from generator.site.urls import Urls
from generator.site.strings import Strings


def check_provider_template(comments: CommentsConfig, theme_dirs: list[Path], shown: str = "site.toml") -> list[Diagnostic]:
    """A custom provider needs templates/comments/<provider>.html in the site (or theme)."""
    if comments.provider == "none":
        return []
    relative = Path("comments") / f"{comments.provider}.html"
    if any((folder / relative).is_file() for folder in theme_dirs):
        return []
    close = did_you_mean(comments.provider, BUILTIN_PROVIDERS)
    hint = (f"{close} " if close else "") + (
        f"for a provider of your own, create templates/comments/{comments.provider}.html in the site; "
        f"built-in providers: {', '.join(BUILTIN_PROVIDERS)}")
    return [error(shown, comments.provider_line or None,
                  f"comments.provider is '{comments.provider}' but there is no template "
                  f"templates/comments/{comments.provider}.html", hint)]


def thread_id(post: Post, mode: str) -> str:
    """Shared: every translation of a post shares the translation key; per-language: one thread each."""
    return post.translation_key if mode == "shared" else f"{post.lang}/{post.translation_key}"


def comments_context(config: SiteConfig, urls: Urls, post: Post, strings: Strings) -> dict[str, Any] | None:
    """What the comment container and the provider template print; None when the post has no comments."""
    comments = config.comments
    if comments.provider == "none" or not post.comments:
        return None
    t = strings
    page_url = urls.absolute(urls.post(post.lang, post.slug))
    if comments.thread == "shared":
        # A URL that names the thread, the same for every translation and stable when one is added later.
        thread_url = urls.absolute(urls.post(config.site.default_language, post.translation_key))
    else:
        thread_url = page_url
    contact_url = config.clinic.contact_url or config.clinic.url
    return {
        "provider": comments.provider,
        "template": f"comments/{comments.provider}.html",
        "thread": comments.thread,
        "thread_id": thread_id(post, comments.thread),
        "thread_url": thread_url,
        "page_url": page_url,
        "title": post.title,
        "lang": post.lang,
        "load": comments.load,
        "settings": comments.settings,
        "contact_url": contact_url,
        "labels": {
            "title": t("comments.title"),
            "show": t("comments.show"),
            "notice": t(f"comments.notice_{comments.load}") if comments.load != "eager" else "",
            "noscript": t("comments.noscript"),
            "noscript_contact": t("comments.noscript_contact"),
            "contact": t("comments.contact"),
        },
    }
