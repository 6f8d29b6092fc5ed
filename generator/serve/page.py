"""What the preview adds to the pages it serves: the live-reload script and, after a failed build, the
error overlay. The files that `build` writes never contain them."""
from __future__ import annotations

import html

from generator.errors import Diagnostic
from generator.outputs.headers import without_policy_meta
from generator.serve.live import State

EVENTS_PATH = "/__clinicpress/events"


def reload_snippet(state: State) -> str:
    """The script (and, after a failed build, the overlay) added before </body> of every HTML page."""
    script = ('<script data-clinicpress-reload>(function(){var s=new EventSource("%s?since=%s");'
              's.addEventListener("reload",function(){s.close();location.reload();});})();</script>'
              % (EVENTS_PATH, state.token))
    return (error_overlay(state.diagnostics) if state.diagnostics else "") + script


def error_overlay(diagnostics: tuple[Diagnostic, ...]) -> str:
    items = "".join(f'<pre style="white-space:pre-wrap;margin:0 0 12px;padding:12px;background:#2b1d1d;'
                    f'border-left:4px solid #ff6b5e;border-radius:4px">{html.escape(d.format())}</pre>'
                    for d in diagnostics)
    count = len(diagnostics)
    return (
        '<div id="clinicpress-error-overlay" role="alertdialog" aria-labelledby="clinicpress-error-title" '
        'style="position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(17,17,17,.92);'
        'color:#f5f5f5;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:32px 16px">'
        '<div style="max-width:960px;margin:0 auto">'
        '<h2 id="clinicpress-error-title" style="font:600 20px/1.3 system-ui,sans-serif;color:#ff8a80;'
        f'margin:0 0 8px">The site could not be rebuilt ({count} error{"" if count == 1 else "s"})</h2>'
        '<p style="font:15px/1.5 system-ui,sans-serif;margin:0 0 16px">Underneath is the last version that '
        'built. Fix the problem below and save the file; this page reloads by itself.</p>'
        f'{items}<button type="button" onclick="this.closest(\'#clinicpress-error-overlay\').remove()" '
        'style="font:15px system-ui,sans-serif;padding:6px 14px;cursor:pointer">Hide</button></div></div>'
    )


def inject(page: bytes, snippet: str) -> bytes:
    """Put the snippet just before the last </body>, or at the end when there is none. The page's
    Content-Security-Policy <meta> goes: it would block the snippet's inline script and styles."""
    page = without_policy_meta(page)
    data = snippet.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + data if at < 0 else page[:at] + data + page[at:]


PLACEHOLDER = (b"<!doctype html><html><head><meta charset=\"utf-8\"><title>ClinicPress</title></head>"
                b"<body><p>The site has not been built yet.</p></body></html>")
