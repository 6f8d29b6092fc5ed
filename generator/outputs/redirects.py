"""Old addresses of posts (`aliases:` in front-matter): a small redirect page at each one, and the
_redirects file (Netlify / Cloudflare Pages format) that answers them with a 301 where the host reads it."""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable, Mapping

from generator.content.models import OutputFile, Post
from generator.errors import BuildError, Diagnostic, error
from generator.site.model import Site
from generator.site.pages import Page
from generator.site.urls import Urls


@dataclass(frozen=True, slots=True)
class Alias:
    path: str  # site path of the old address, e.g. "en/old-address/"
    post: Post  # where it leads


def plan_aliases(site: Site, taken: Mapping[str, str]) -> tuple[Alias, ...]:
    """Every published post's aliases. taken: output path -> what already lives there (a file name or a
    description); an alias on a taken path, or two aliases on one path, are errors naming both files."""
    aliases: list[Alias] = []
    seen: dict[str, Post] = {}
    problems: list[Diagnostic] = []
    for post in sorted(site.all_posts(), key=lambda p: p.source):
        for path in post.aliases:
            output = Urls.output_path(path)
            line = post.key_lines.get("aliases", 1)
            shown = "/" + path
            parents = ["/".join(output.split("/")[:n]) for n in range(1, output.count("/") + 1)]
            clash = next((p for p in [output, *parents] if p in taken), None)  # a file where a folder must go
            if clash is not None:
                problems.append(error(post.source, line, f"alias {shown} is the address of {taken[clash]}",
                                      "remove the alias, or move the page it would replace"))
            elif output in seen:
                problems.append(error(post.source, line, f"alias {shown} is also an alias of {seen[output].source}",
                                      "an old address can lead to one post only: remove it from one of the two"))
            else:
                seen[output] = post
                aliases.append(Alias(path, post))
    if problems:
        raise BuildError(problems)
    return tuple(aliases)


def build_alias_page(urls: Urls, alias: Alias, csp: str) -> OutputFile:
    """A page that sends readers and crawlers on at once: refresh, canonical, noindex and a visible link."""
    post = alias.post
    target = html.escape(urls.absolute(urls.post(post.lang, post.slug)))
    title = html.escape(post.title)
    policy = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}">\n' if csp else ""
    page = (f'<!doctype html>\n<html lang="{html.escape(post.lang)}">\n<head>\n<meta charset="utf-8">\n{policy}'
            f"<title>{title}</title>\n"
            f'<meta name="robots" content="noindex">\n<link rel="canonical" href="{target}">\n'
            f'<meta http-equiv="refresh" content="0; url={target}">\n</head>\n<body>\n'
            f'<p><a href="{target}">{title}</a></p>\n</body>\n</html>\n')
    return OutputFile(Urls.output_path(alias.path), page.encode("utf-8"))


def build_redirects(urls: Urls, aliases: Iterable[Alias], own: bytes = b"") -> OutputFile:
    """_redirects: one '301' line per old address, root-relative and percent-encoded as hosts expect;
    then the site's own static/_redirects, if it has one."""
    lines = ["# Old addresses of posts (aliases: in front-matter), written by ClinicPress on every build."]
    lines += [f"{urls.href(alias.path)} {urls.href(urls.post(alias.post.lang, alias.post.slug))} 301"
              for alias in sorted(aliases, key=lambda a: a.path)]
    if own:
        lines += ["", "# From static/_redirects", own.decode("utf-8", "replace").rstrip("\n")]
    return OutputFile("_redirects", ("\n".join(lines) + "\n").encode("utf-8"))


def taken_paths(pages: Iterable[Page], feeds: Iterable, static: Iterable) -> dict[str, str]:
    """Output path -> what is published there, for messages about aliases that would replace it."""
    taken = {path: f"the generated file /{path}" for path in ("sitemap.xml", "robots.txt", "_headers", "_redirects")}
    taken.update({f.path: f"the feed /{f.path}" for f in feeds})
    taken.update({f.path: f"static/{f.path}" for f in static})
    for page in pages:
        taken[Urls.output_path(page.path)] = page.post.source if page.post else f"the page /{page.path}"
    return taken
