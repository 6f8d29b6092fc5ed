"""Addresses written in site.toml land in every page's href or src: only schemes that open a page, a
mail or a call get through, so a `javascript:` or `data:` value cannot run when a reader clicks it."""
from __future__ import annotations

import re
from typing import Any

WEB = ("http", "https")
CONTACT = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers drop these before they read a scheme (" java\tscript:" runs as javascript:).
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")

# key -> (schemes allowed, whether a site-relative path such as /ko/contact/ makes sense)
CLINIC_LINKS = {"url": (WEB, True), "logo": (WEB, True), "contact_url": (CONTACT, True), "kakao_channel": (WEB, False)}
AUTHOR_LINKS = {"url": (WEB, True), "image": (WEB, True), "same_as": (WEB, False)}


def link_problem(value: str, schemes: tuple[str, ...], path_allowed: bool) -> str | None:
    """Why value cannot be a link here, or None when it can (an empty value means no link)."""
    if not value:
        return None
    if re.search(r"[\x00-\x1f\x7f]", value) or value != value.strip():
        return "has spaces or control characters around or inside it"
    scheme = _SCHEME.match(_IGNORED_BY_BROWSERS.sub("", value))
    if scheme:
        name = scheme.group(1).lower()
        if name not in schemes:
            return f"uses '{name}:', which is not allowed here (allowed: {', '.join(s + ':' for s in schemes)})"
        if name in WEB and not re.match(r"^https?://[^/\s]", value, re.IGNORECASE):
            return "is not a whole address (write https://host/...)"
        return None
    if value.startswith("//"):
        return None  # the page's own scheme, then a host
    if not path_allowed:
        return f"must be an absolute address ({', '.join(s + '://' for s in schemes)})"
    return None


def link_hint(schemes: tuple[str, ...], path_allowed: bool) -> str:
    examples = ['"https://www.example-clinic.com/"']
    if "tel" in schemes:
        examples += ['"tel:+82-2-555-0100"', '"mailto:desk@example-clinic.com"']
    if path_allowed:
        examples.append('a path on this site such as "/ko/contact/"')
    return "write " + ", ".join(examples)


def check_links(reader: Any, clinic: Any, authors: tuple[Any, ...]) -> None:
    """Every link of [clinic] and [authors.*], read with the loader's section reader."""
    tables = [(("clinic",), clinic, CLINIC_LINKS)] if clinic is not None else []
    tables += [(("authors", author.id), author, AUTHOR_LINKS) for author in authors]
    for key_path, table, keys in tables:
        for key, (schemes, path_allowed) in keys.items():
            value = getattr(table, key)
            for item in (value if isinstance(value, tuple) else (value,)):
                problem = link_problem(item, schemes, path_allowed)
                if problem:
                    name = ".".join((*key_path, key))
                    reader.fail((*key_path, key), f"'{name}' {problem}: '{item}'", link_hint(schemes, path_allowed))
