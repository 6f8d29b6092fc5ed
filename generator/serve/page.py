"""What the preview adds to the pages it serves: the live-reload script and, after a failed build, the
error overlay; and the Content-Security-Policy it serves them with. The files that `build` writes
never contain any of it.

The preview keeps the site's policy, so that a page behaves as it will when published (a post's own
inline script, inline event handler or javascript: link is blocked). The page's policy <meta> is
replaced by a header that adds one thing: a nonce, new with every response, which the script and
style elements the preview adds carry. A post cannot know it, so nothing a post writes is let in.
"""
from __future__ import annotations

import html
import secrets
from functools import lru_cache
from pathlib import Path

from generator.errors import Diagnostic
from generator.outputs.headers import THEME_POLICY, policy_in_headers, policy_text, without_policy_meta

EVENTS_PATH = "/__clinicpress/events"
ASSETS = Path(__file__).parent / "preview"
PLACEHOLDER = (b"<!doctype html><html><head><meta charset=\"utf-8\"><title>ClinicPress</title></head>"
               b"<body><p>The site has not been built yet.</p></body></html>")


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def built_policy(root: Path, pattern_end: str | None = None) -> str:
    """The policy of the site built into root, as its _headers gives it to hosts (with pattern_end, that
    of the rule whose path ends so, e.g. the editor's "/admin/*"); the theme's without one."""
    try:
        found = policy_in_headers((root / "_headers").read_bytes(), pattern_end)
    except OSError:
        found = None
    return found or policy_text(THEME_POLICY)


def preview_policy(site_policy: str, nonce: str) -> str:
    """The site's policy with the nonce added for scripts and styles, and the event stream allowed."""
    directives: dict[str, list[str]] = {}
    for part in site_policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    fallback = directives.get("default-src", [])
    for name in ("script-src", "style-src"):
        sources = directives.setdefault(name, list(fallback))
        if "'unsafe-inline'" not in sources:  # a nonce would switch off the 'unsafe-inline' some comment widgets need
            sources[:] = [source for source in sources if source != "'none'"] + [f"'nonce-{nonce}'"]
    connect = directives.setdefault("connect-src", list(fallback))
    if "'self'" not in connect:
        connect[:] = [source for source in connect if source != "'none'"] + ["'self'"]
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def reload_snippet(token: str, diagnostics: tuple[Diagnostic, ...], nonce: str) -> str:
    """The script (and, after a failed build, the overlay) added before </body> of every HTML page."""
    script = (f'<script nonce="{nonce}" data-clinicpress-reload>(function(){{var s=new EventSource('
              f'"{EVENTS_PATH}?since={token}");s.addEventListener("reload",function(){{s.close();'
              'location.reload();});})();</script>')
    return (error_overlay(diagnostics, nonce) if diagnostics else "") + script


def error_overlay(diagnostics: tuple[Diagnostic, ...], nonce: str) -> str:
    items = "".join(f"<pre>{html.escape(d.format())}</pre>" for d in diagnostics)
    count = len(diagnostics)
    return (
        f'<style nonce="{nonce}">{_overlay_css()}</style>'
        '<div id="clinicpress-error-overlay" role="alertdialog" aria-labelledby="clinicpress-error-title">'
        '<div class="clinicpress-error-box">'
        f'<h2 id="clinicpress-error-title">The site could not be rebuilt ({count} error{"" if count == 1 else "s"})</h2>'
        '<p>Underneath is the last version that built. Fix the problem below and save the file; this page '
        f'reloads by itself.</p>{items}<button type="button">Hide</button>'
        f'<script nonce="{nonce}">(function(button){{button.addEventListener("click",function(){{'
        'button.parentNode.parentNode.remove();});})(document.currentScript.previousElementSibling);</script>'
        '</div></div>'
    )


@lru_cache(maxsize=1)
def _overlay_css() -> str:
    return (ASSETS / "overlay.css").read_text(encoding="utf-8")


def inject(page: bytes, snippet: str) -> bytes:
    """Put the snippet just before the last </body>, or at the end when there is none. The page's
    Content-Security-Policy <meta> goes: the header that replaces it lets the snippet in."""
    page = without_policy_meta(page)
    data = snippet.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + data if at < 0 else page[:at] + data + page[at:]
