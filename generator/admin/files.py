"""The files of /admin/: the page, its configuration, the preview script and the vendored Decap CMS.

Decap CMS comes from npm (package.json pins it, package-lock.json holds its integrity) and is copied
from node_modules as it is: the editor loads nothing from a CDN. A site without it (ClinicPress installed
with pip) gets it from npm's registry through fetch.py, which `serve --edit` and the publish workflow run.
"""
from __future__ import annotations

import html
import json
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from generator.admin.cms_config import CHECK_PATH, config_yaml, editor_text
from generator.config.loader import SiteConfig
from generator.config.origins import origin_of
from generator.content.models import OutputFile
from generator.outputs.catalog import AdminFiles
from generator.outputs.headers import policy_text
from generator.outputs.static import StaticFile, fingerprinted_assets
from generator.site.urls import Urls

FOLDER = Urls.admin().rstrip("/")
# As package.json pins it and package-lock.json records it (tests/test_admin.py keeps them equal): the
# publish workflow fetches this very file for sites that have no node_modules (deploy/ci.py).
CMS_VERSION = "3.16.3"
CMS_INTEGRITY = "sha512-hf+dPlCh7TJmWl8+6VRzHYOWhri5xgUknrZbDewaWe4s9B7xJ8PQugp2QHeSldMUKzav6+z0oIpwUYhUJDYtYw=="
CMS_TARBALL = f"https://registry.npmjs.org/decap-cms/-/decap-cms-{CMS_VERSION}.tgz"
CMS_PACKAGE = Path("node_modules") / "decap-cms" / "dist"
REPOSITORY = Path(__file__).resolve().parents[2]  # a checkout of ClinicPress, where `npm ci` installs
SERVE_EDIT = "clinicpress serve --edit"  # fetches the editor when it is missing (serve/server.py)
OWN_FILES = ("preview.js", "preview.css", "editor.css")  # the preview and its findings panel; phone layout
GITHUB_API = "https://api.github.com"
# What Decap CMS needs beyond the blog's policy: inline styles (it styles its React components at run
# time), eval (its configuration validator compiles schemas), blob: and data: images (unsaved uploads),
# GitHub's API for commits and photos from any https host in the preview.
ADMIN_POLICY = MappingProxyType({
    "default-src": ("'self'",),
    "script-src": ("'self'", "'unsafe-eval'", "'wasm-unsafe-eval'"),
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:", "blob:", "https:"),
    "media-src": ("'self'", "blob:", "https:"),
    "font-src": ("'self'", "data:"),
    "connect-src": ("'self'", "blob:", GITHUB_API),
    "frame-src": ("'self'", "blob:"),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
})


def admin_policy(config: SiteConfig) -> Mapping[str, tuple[str, ...]]:
    """The editor's Content-Security-Policy: ADMIN_POLICY with the GitHub server's API (GitHub.com's unless
    [admin] api_url names another), and the sign-in service when there is one."""
    policy = dict(ADMIN_POLICY)
    if config.admin.api_url:
        policy["connect-src"] = tuple(source for source in policy["connect-src"] if source != GITHUB_API)
        policy["connect-src"] += (origin_of(config.admin.api_url),)
    if config.admin.auth_url:
        policy["connect-src"] += (origin_of(config.admin.auth_url),)
    return MappingProxyType(policy)


def find_cms(site_dir: Path) -> Path | None:
    """Decap CMS's dist folder: the site's own node_modules, else ClinicPress's."""
    for root in (site_dir, REPOSITORY):
        folder = root / CMS_PACKAGE
        if (folder / "decap-cms.js").is_file():
            return folder
    return None


def plan_admin(config: SiteConfig, urls: Urls, static: tuple[StaticFile, ...]) -> AdminFiles:
    """admin/index.html, config.yml and the preview's files, and Decap's own; nothing when [admin] enabled =
    false. static: the site's static files, where the theme's stylesheet (shown in the preview) is."""
    if not config.admin.enabled:
        return AdminFiles()
    cms = find_cms(config.site_dir)
    vendored = _vendored(cms) if cms else ()
    policy = admin_policy(config)
    stylesheet = fingerprinted_assets(static).get("clinicpress_css")
    page = _page(config, urls, urls.href(stylesheet) if stylesheet else "", policy_text(policy, meta=True),
                 installed=bool(vendored))
    return AdminFiles((OutputFile(f"{FOLDER}/index.html", page.encode("utf-8")),
                       OutputFile(f"{FOLDER}/config.yml", config_yaml(config)),
                       *(OutputFile(f"{FOLDER}/{name}", (Path(__file__).parent / name).read_bytes())
                         for name in OWN_FILES)), vendored, policy)


def _vendored(cms: Path) -> tuple[tuple[str, Path], ...]:
    """The bundle, its lazily loaded chunks and WebAssembly, and its licence notice; no source maps."""
    names = sorted(p.name for p in cms.iterdir() if p.name in ("decap-cms.js", "decap-cms.js.LICENSE.txt")
                   or p.name.endswith((".decap-cms.js", ".wasm")))
    return tuple((f"{FOLDER}/{name}", cms / name) for name in names)


def _preview_text(config: SiteConfig) -> dict[str, str]:
    """What preview.js says, in the editor's language."""
    text = editor_text(config)
    return {key: text[key] for key in ("translation_key_missing", "findings", "no_findings", "findings_offline")}


def _page(config: SiteConfig, urls: Urls, stylesheet: str, policy_meta: str, installed: bool) -> str:
    lang = config.site.default_language
    title = html.escape(f"{config.language(lang).title} · {'글쓰기' if lang == 'ko' else 'Editor'}")
    if installed:
        body = (f'<script src="decap-cms.js"></script>\n'
                f'<script src="preview.js" data-stylesheet="{html.escape(stylesheet)}" '
                f'data-check="{html.escape(urls.href(CHECK_PATH.lstrip("/")))}" '
                f'data-text="{html.escape(json.dumps(_preview_text(config), ensure_ascii=False))}"></script>')
    else:  # a pip install, or a site that has not fetched it yet (fetch.py): say how instead of a blank page
        body = "<p>" + html.escape(editor_text(config)["not_installed"]).format(
            serve=f"<code>{SERVE_EDIT}</code>", init="<code>clinicpress init</code>") + "</p>"
    return (f'<!doctype html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="robots" content="noindex, nofollow">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy_meta, quote=False)}">\n'
            f'<title>{title}</title>\n'
            + ('<link rel="stylesheet" href="editor.css">\n' if installed else '') +
            f'</head>\n<body>\n{body}\n</body>\n</html>\n')
