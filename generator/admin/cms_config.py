"""The editor's configuration (admin/config.yml), derived from site.toml on every build.

One collection over posts/<lang>/ with the site's languages as locales (Decap's multiple_folders): a
post and its translations share a file name, which is also the translation_key the build links them by.
Every field is a front-matter key of the contract, so whatever the editor saves builds.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

from generator.check.settings import description_bounds
from generator.config.loader import SiteConfig
from generator.config.origins import origin_of

API_PATH = "/admin/api/v1"  # serve --edit answers Decap's local-repository protocol here
CHECK_PATH = "/admin/api/check"  # and the findings of `check` for the post being edited
LOCAL_HOSTS = ("localhost", "127.0.0.1")  # where Decap looks for a local server at all
MEDIA_FOLDER = "static/images"  # where posts' photos already live; the image pipeline processes them
PUBLIC_FOLDER = "/images"
KEY_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
# Fields each language writes in its own words; the others are the same in every language's file.
TRANSLATED = ("title", "description", "tags", "image_alt", "faq", "body")
UI_LANGUAGES = ("ko", "en", "ja", "zh_Hans")  # Decap's own interface languages among a site's likely ones

# Field labels and hints in the editor's language (the site's default language, else English).
LABELS = {
    "ko": {
        "collection": "블로그 글", "new": "새 글", "title": "제목", "translation_key": "주소 이름",
        "translation_key_hint": "영문 소문자, 숫자, '-'만 (예: lip-filler-aftercare). 모든 언어의 글이 같은 이름을 씁니다.",
        "translation_key_error": "영문 소문자, 숫자와 '-'로 써 주세요 (예: lip-filler-aftercare)",
        "translation_key_missing": "새 글에는 주소 이름이 필요합니다 (예: lip-filler-aftercare)",
        "findings": "clinicpress check: 확인할 점 {count}개", "no_findings": "clinicpress check: 확인할 점이 없습니다",
        "findings_offline": "확인 결과는 clinicpress serve --edit로 글을 쓸 때 여기에 나옵니다. GitHub에서는 "
                            "게시할 때 게시 작업이 글을 확인하고, 오류가 있으면 게시하지 않습니다.",
        "date": "게시일", "date_hint": "{zone} 기준", "description": "요약 (검색 결과·피드)",
        "description_hint": "권장 길이: {bounds}", "tags": "태그", "tags_hint": "쉼표로 구분",
        "series": "시리즈", "series_part": "시리즈 순서", "author": "글쓴이", "reviewed_by": "의학 감수",
        "reviewed_by_hint": "의사만 선택할 수 있습니다", "last_reviewed": "마지막 감수일",
        "image": "대표 사진", "image_alt": "대표 사진 설명 (대체 텍스트)", "faq": "자주 묻는 질문",
        "q": "질문", "a": "답변", "draft": "임시 저장 (게시하지 않음)", "body": "본문",
        "not_installed": "글쓰기 화면의 코드(Decap CMS)가 아직 없습니다. 이 컴퓨터에서 쓰려면 인터넷에 연결된 "
                         "상태로 사이트 폴더에서 {serve}를 한 번 실행하세요. 코드를 내려받아 확인하고 글쓰기 "
                         "주소(/admin/)를 알려 줍니다. {init}이 만든 게시 작업(GitHub·GitLab)은 게시할 때마다 "
                         "코드를 내려받으므로, 게시된 블로그의 /admin/에는 글쓰기 화면이 있습니다.",
    },
    "en": {
        "collection": "Blog posts", "new": "New post", "title": "Title", "translation_key": "Address name",
        "translation_key_hint": "Lower-case letters, digits and '-' (e.g. lip-filler-aftercare); every language's "
                                "version uses the same name.",
        "translation_key_error": "Use lower-case letters, digits and '-' (e.g. lip-filler-aftercare)",
        "translation_key_missing": "A new post needs an address name (e.g. lip-filler-aftercare)",
        "findings": "clinicpress check: {count} to look at", "no_findings": "clinicpress check: nothing to look at",
        "findings_offline": "What clinicpress check finds shows here while you write with clinicpress serve --edit. "
                            "On GitHub, the publish workflow checks the post and does not publish it with errors.",
        "date": "Publication date", "date_hint": "in {zone}", "description": "Summary (search results and feeds)",
        "description_hint": "Recommended length: {bounds}", "tags": "Tags", "tags_hint": "separated by commas",
        "series": "Series", "series_part": "Part", "author": "Author", "reviewed_by": "Medical reviewer",
        "reviewed_by_hint": "physicians only", "last_reviewed": "Last reviewed",
        "image": "Cover photo", "image_alt": "Cover photo description (alt text)", "faq": "FAQ",
        "q": "Question", "a": "Answer", "draft": "Draft (not published)", "body": "Text",
        "not_installed": "The editor's code (Decap CMS) is not here yet. To write on this computer, run {serve} "
                         "once in the site's folder while connected to the internet: it downloads the code, "
                         "checks it and prints the editor's address (/admin/). The publish workflow that {init} "
                         "wrote (GitHub or GitLab) downloads it on every publication, so the published "
                         "blog's /admin/ has the editor.",
    },
}


def editor_text(config: SiteConfig) -> dict[str, str]:
    """The editor's labels and hints in the site's default language, else English."""
    return LABELS.get(config.site.default_language, LABELS["en"])


def cms_config(config: SiteConfig) -> dict[str, Any]:
    """Decap CMS's configuration for this site, as a plain dict."""
    lang = config.site.default_language
    text = editor_text(config)
    locales = list(config.language_codes)
    result: dict[str, Any] = {"backend": _backend(config)}
    if config.admin.repository and urlsplit(config.site.base_url).hostname in LOCAL_HOSTS:
        # `serve --edit` builds for its own address: there it takes over from GitHub. Decap needs the
        # whole URL; a published build has none, so that a copy viewed on a laptop asks nothing of its host.
        result["local_backend"] = {"url": origin_of(config.site.base_url) + API_PATH}
    if config.admin.review:
        result["publish_mode"] = "editorial_workflow"
    result.update({
        "locale": lang if lang in UI_LANGUAGES else "en",
        "site_url": config.site.base_url,
        "media_folder": MEDIA_FOLDER,
        "public_folder": PUBLIC_FOLDER,
        "i18n": {"structure": "multiple_folders", "locales": locales, "default_locale": lang},
        "collections": [{
            "name": "posts", "label": text["collection"], "label_singular": text["new"],
            "folder": "posts", "extension": "md", "format": "frontmatter", "create": True, "i18n": True,
            "slug": "{{fields.translation_key}}", "identifier_field": "title",
            "summary": "{{title}} ({{date}})", "sortable_fields": ["date", "title"],
            "fields": post_fields(config, text),
        }],
    })
    return result


def _backend(config: SiteConfig) -> dict[str, Any]:
    admin = config.admin
    if not admin.repository:
        return {"name": "proxy", "proxy_url": API_PATH, "branch": admin.branch}
    backend = {"name": "github", "repo": admin.repository, "branch": admin.branch}
    if admin.auth_url:
        backend["base_url"] = admin.auth_url
    if admin.api_url:
        backend["api_root"] = admin.api_url.rstrip("/")
    return backend


def post_fields(config: SiteConfig, text: dict[str, str]) -> list[dict[str, Any]]:
    """The front-matter contract as editor fields; i18n: true is translated, 'duplicate' is the same in all."""
    zone = config.site.timezone
    bounds = ", ".join(f"{code} {low}-{high}" for code in config.language_codes
                       for low, high in [description_bounds(config, code)])
    date = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False}
    fields: list[dict[str, Any]] = [
        {"name": "title", "label": text["title"], "widget": "string", "i18n": True},
        # Optional so that posts written before the editor (whose key is their file name) can be saved as they
        # are; a new post needs it for its file name (preview.js says so before saving).
        {"name": "translation_key", "label": text["translation_key"], "widget": "string", "i18n": "duplicate",
         "required": False, "hint": text["translation_key_hint"],
         "pattern": [KEY_PATTERN, text["translation_key_error"]]},
        {"name": "date", "label": text["date"], "hint": text["date_hint"].format(zone=zone), "i18n": "duplicate",
         "default": "{{now}}", **date},
        {"name": "description", "label": text["description"], "widget": "text", "required": False, "i18n": True,
         "hint": text["description_hint"].format(bounds=bounds)},
        {"name": "tags", "label": text["tags"], "widget": "list", "required": False, "i18n": True,
         "hint": text["tags_hint"]},
    ]
    if config.series:
        fields += [
            {"name": "series", "label": text["series"], "widget": "select", "required": False, "i18n": "duplicate",
             "options": [{"label": s.title.get(config.site.default_language), "value": s.id} for s in config.series]},
            {"name": "series_part", "label": text["series_part"], "widget": "number", "value_type": "int",
             "min": 1, "required": False, "i18n": "duplicate"},
        ]
    people = [(a, a.name.get(config.site.default_language)) for a in config.authors]
    if people:
        fields.append({"name": "author", "label": text["author"], "widget": "select", "required": False,
                       "i18n": "duplicate", "options": [_choice(a.id, name) for a, name in people]})
    physicians = [(a, name) for a, name in people if a.type == "Physician"]
    if physicians:
        fields.append({"name": "reviewed_by", "label": text["reviewed_by"], "widget": "select", "required": False,
                       "i18n": "duplicate", "hint": text["reviewed_by_hint"],
                       "options": [_choice(a.id, name) for a, name in physicians]})
        fields.append({"name": "last_reviewed", "label": text["last_reviewed"], "required": False,
                       "i18n": "duplicate", **date})
    fields += [
        {"name": "image", "label": text["image"], "widget": "image", "required": False, "i18n": "duplicate"},
        {"name": "image_alt", "label": text["image_alt"], "widget": "string", "required": False, "i18n": True},
        {"name": "faq", "label": text["faq"], "widget": "list", "required": False, "i18n": True,
         "fields": [{"name": "q", "label": text["q"], "widget": "string"},
                    {"name": "a", "label": text["a"], "widget": "text"}]},
        {"name": "draft", "label": text["draft"], "widget": "boolean", "default": False, "required": False,
         "i18n": "duplicate"},
        {"name": "body", "label": text["body"], "widget": "markdown", "i18n": True},
    ]
    return fields


def _choice(value: str, name: str) -> dict[str, str]:
    return {"label": f"{name} ({value})", "value": value}


def config_yaml(config: SiteConfig) -> bytes:
    """admin/config.yml: the same configuration every build, keys in the order written."""
    text = yaml.safe_dump(cms_config(config), allow_unicode=True, sort_keys=False, width=1000)
    return ("# Written by ClinicPress from site.toml on every build: edit site.toml, not this file.\n"
            + text).encode("utf-8")
