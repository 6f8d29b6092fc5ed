"""Security and cache headers: the Content-Security-Policy and the _headers file (Netlify / Cloudflare Pages).

The policy allows what the default theme loads (its own stylesheet and script, the inline SVG icon,
images of posts, the YouTube and Vimeo embeds the sanitizer keeps), what the configured comment provider
and visit counter ([analytics]) load, and nothing else: no inline script anywhere, and 'unsafe-inline' for styles only for
the providers that insert style elements or attributes of their own. Pages carry the same policy as
<meta http-equiv> for hosts that ignore _headers (GitHub Pages, GitLab Pages).

Hosts that read _headers apply every rule whose pattern matches a path and join the values of a
header given twice (Cloudflare Pages does), so Cache-Control is set by rules that never overlap.
"""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from generator.config.analytics import tracker
from generator.config.comments import CommentsConfig
from generator.config.loader import SiteConfig
from generator.config.origins import origin_of
from generator.content.models import OutputFile
from generator.outputs.static import StaticFile
from generator.render.sharing import sharing_sources
from generator.site.urls import Urls

Policy = Mapping[str, tuple[str, ...]]

EMBED_ORIGINS = ("https://www.youtube.com", "https://youtube.com", "https://www.youtube-nocookie.com",
                 "https://youtube-nocookie.com", "https://player.vimeo.com")  # markup/markdown.py EMBED_HOSTS
THEME_POLICY: Policy = MappingProxyType({
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:", "https:"),  # the SVG site icon; post images may come from any https host
    "media-src": ("'self'", "https:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "frame-src": EMBED_ORIGINS,
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
})
HEADER_ONLY = ("frame-ancestors",)  # browsers ignore (and complain about) it in <meta>
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    ("Strict-Transport-Security", "max-age=31536000"),
)
ADMIN_TOP = (Urls.admin().rstrip("/"), "_headers", "_redirects")  # not given the blog's policy
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_SHORT = "public, max-age=0, must-revalidate"
_URL_LITERAL = re.compile(r"""https?://[^\s"'<>{}()]+""")


def provider_sources(comments: CommentsConfig, template_text: str = "") -> dict[str, tuple[str, ...]]:
    """What the comment widget loads, per directive, beyond the theme's policy."""
    settings, provider = comments.settings, comments.provider
    if provider == "none":
        return {}
    if provider == "isso":
        origin = origin_of(settings["url"])
        sources = {"script-src": (origin,), "connect-src": (origin,), "img-src": (origin,)}
        if settings["css"]:
            sources["style-src"] = (origin,)  # Isso links its own stylesheet from the server
        if settings["avatar"]:
            sources["style-src-attr"] = ("'unsafe-inline'",)  # identicons are coloured with style attributes
        return sources
    if provider == "giscus":
        origin = "https://giscus.app"  # client.js links default.css and frames the widget
        return {"script-src": (origin,), "style-src": (origin,), "frame-src": (origin,)}
    if provider == "utterances":
        origin = "https://utteranc.es"  # client.js inserts a <style> element of its own
        return {"script-src": (origin,), "frame-src": (origin,), "style-src": ("'unsafe-inline'",)}
    if provider == "disqus":
        return {"script-src": (f"https://{settings['shortname']}.disqus.com", "https://*.disqus.com",
                               "https://*.disquscdn.com"),
                "style-src": ("'unsafe-inline'", "https://*.disquscdn.com"),  # Disqus styles its own elements
                "connect-src": ("https://*.disqus.com",),
                "frame-src": ("https://disqus.com", "https://*.disqus.com")}
    if provider == "remark42":
        origin = origin_of(settings["host"])
        return {key: (origin,) for key in ("script-src", "style-src", "connect-src", "img-src", "frame-src")}
    # A provider of your own: the origins its template names, and those in [comments.<name>].
    origins = sorted({origin_of(url) for url in _URL_LITERAL.findall(template_text)}
                     | {origin_of(value) for value in settings.values()
                        if isinstance(value, str) and re.match(r"^https?://[^/\s]+", value)})
    return {key: tuple(origins) for key in ("script-src", "style-src", "connect-src", "img-src", "frame-src")
            } if origins else {}


def content_security_policy(config: SiteConfig, provider_template: str = "") -> Policy:
    """The site's policy: the theme's, widened by the comment provider, the share buttons, the visit counter
    (exactly the hosts its script needs) and raw HTML in posts."""
    policy = {key: list(values) for key, values in THEME_POLICY.items()}
    counter = tracker(config.analytics)
    widenings = [provider_sources(config.comments, provider_template), sharing_sources(config),
                 dict(counter.sources) if counter else {}]
    if config.markdown.unsafe_html:  # raw HTML may embed scripts and frames, from the hosts the site names only
        hosts = config.security.script_hosts
        widenings.append({"script-src": hosts, "frame-src": hosts})
    if config.search.enabled:  # Pagefind's search runs as WebAssembly, which the browser compiles
        widenings.insert(0, {"script-src": ("'wasm-unsafe-eval'",)})
    for extra in widenings:
        for key, values in extra.items():
            target = policy.setdefault(key, ["'self'"] if key != "style-src-attr" else [])
            target.extend(value for value in values if value not in target)
    return MappingProxyType({key: tuple(values) for key, values in policy.items()})


def policy_text(policy: Policy, meta: bool = False) -> str:
    """The header value; with meta, without the directives that <meta http-equiv> cannot carry."""
    return "; ".join(f"{key} {' '.join(values)}" for key, values in policy.items()
                     if not (meta and key in HEADER_ONLY))


def _block(patterns: Iterable[str], headers: Iterable[tuple[str, str]]) -> list[str]:
    lines = []
    headers = list(headers)
    for pattern in patterns:
        lines.append(pattern)
        lines.extend(f"  {name}: {value}" for name, value in headers)
    return lines


def split_own_rules(static: Sequence[StaticFile]) -> tuple[list[StaticFile], dict[str, bytes]]:
    """A site's own static/_headers and static/_redirects are added to the generated files, not copied over them."""
    own = {f.path: f.source.read_bytes() for f in static if f.path in ("_headers", "_redirects")}
    return [f for f in static if f.path not in own], own


def _search_rules(urls: Urls, bundle: Sequence[str]) -> tuple[list[str], list[str]]:
    """(long, short) caching for the search bundle: Pagefind names the files of its index folders by their
    content; its scripts, the entry file and the WebAssembly keep their names from one build to the next.
    Each language's metadata file (pagefind.<language>_<hash>.pf_meta) is left to the host's default:
    naming it here would change _headers with every edit of a post."""
    if not bundle:
        return [], []
    folder = Urls.search_bundle()
    long = [urls.href(f"{folder}{name}/") + "*" for name in ("index", "fragment", "filter")]
    short = [urls.href(path) for path in bundle if "/" not in path[len(folder):] and not path.endswith(".pf_meta")]
    return long, short


def build_headers(urls: Urls, languages: tuple[str, ...], policy: Policy, immutable: Iterable[str],
                  own: bytes = b"", search: Sequence[str] = (), admin: Policy | None = None,
                  top_level: Iterable[str] = ()) -> OutputFile:
    """_headers: security headers everywhere; long caching for fingerprinted files, short for pages and
    feeds. immutable: site paths of files whose address changes whenever their content does. own: the
    site's static/_headers, added at the end. search: the paths of the search bundle's files. admin: the
    editor's policy, for admin/ (then the blog's policy is given path by path around it: hosts join two
    policies that match, and the stricter wins); top_level: the names at the top of the output, for those
    paths."""
    root = urls.href("")
    search_long, search_short = _search_rules(urls, search)
    short = [root, urls.href("index.html"), urls.href(Urls.not_found()), urls.href(Urls.sitemap()),
             urls.href(Urls.robots())] + [urls.href(f"{lang}/") + "*" for lang in languages] + search_short
    blog_policy = [("Content-Security-Policy", policy_text(policy))]
    lines = ["# Response headers for Netlify and Cloudflare Pages, written by ClinicPress on every build.",
             "# Every response: security headers. Pages also carry the Content-Security-Policy in a <meta>.",
             *(["# 'wasm-unsafe-eval': the site search (Pagefind) runs as WebAssembly, which the browser must be "
                "allowed to compile; it allows no script from elsewhere."] if "'wasm-unsafe-eval'" in
               policy.get("script-src", ()) else [])]
    if admin is None:
        lines += _block([root + "*"], [*blog_policy, *SECURITY_HEADERS])
    else:
        outside = sorted({root, *(urls.href(name.partition("/")[0]) + ("/*" if "/" in name else "")
                                  for name in top_level if name.partition("/")[0] not in ADMIN_TOP)})
        lines += [*_block([root + "*"], SECURITY_HEADERS),
                  "", "# The blog: its Content-Security-Policy everywhere but the editor.",
                  *_block(outside, blog_policy),
                  "", "# The editor (/admin/): the policy it needs, kept out of search engines and never cached.",
                  *_block([urls.href(Urls.admin()) + "*"], [("Content-Security-Policy", policy_text(admin)),
                                                        ("X-Robots-Tag", "noindex, nofollow"),
                                                        ("Cache-Control", CACHE_SHORT)])]
    lines += ["", "# Pages and feeds: always checked for a newer version.",
             *_block(short, [("Cache-Control", CACHE_SHORT)]),
             "", "# Files whose address changes with their content: kept for a year.",
             *_block(sorted({urls.href(path) for path in immutable}) + search_long, [("Cache-Control", CACHE_IMMUTABLE)])]
    if own:
        lines += ["", "# From static/_headers", own.decode("utf-8", "replace").rstrip("\n")]
    return OutputFile("_headers", ("\n".join(lines) + "\n").encode("utf-8"))


_POLICY_META = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="[^"]*">\n?')


def without_policy_meta(page: bytes) -> bytes:
    """The page without its policy <meta>: the preview sends the policy as a header, with the nonce of the
    script and style elements it adds."""
    return _POLICY_META.sub(b"", page, count=1)


def policy_in_headers(headers: bytes, pattern_end: str | None = None) -> str | None:
    """The Content-Security-Policy that build_headers wrote into a _headers file (the first one given:
    a site's own rules come after it); with pattern_end, the first one of a rule whose path ends so."""
    pattern = ""
    for line in headers.decode("utf-8", "replace").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            pattern = line.strip()
        name, _, value = line.strip().partition(":")
        if name == "Content-Security-Policy" and (pattern_end is None or pattern.endswith(pattern_end)):
            return value.strip()
    return None
