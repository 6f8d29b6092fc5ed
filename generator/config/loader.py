"""Load and validate site.toml into frozen dataclasses, reporting every problem at once."""
from __future__ import annotations

import re
import tomllib
from urllib.parse import urlsplit
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from generator.config.comments import CommentsConfig, read_comments
from generator.config.tag_descriptions import TagDescription, read_tag_descriptions
from generator.errors import BuildError, Diagnostic, did_you_mean, error
from generator.config.textfiles import decode_text, invisible_character, invisible_in_values
from generator.config.tomlpos import TomlLocator, explain_toml_error, toml_error_position
from generator.config.deploy import DeployConfig, read_deploy
from generator.config.github import check_github_logins
from generator.config.security import SecurityConfig, read_security
from generator.config.admin import AdminConfig, read_admin
from generator.config.sharing import SharingConfig, read_sharing
from generator.config.analytics import AnalyticsConfig, read_analytics
from generator.config.privacy import PrivacyConfig, read_privacy
from generator.config.images import ImagesConfig, images_problems
from generator.config.search import SearchConfig, read_search
from generator.config.links import check_links
from generator.config.localized import LocalizedText
from generator.config.site_files import read_in_site

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
AUTHOR_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ID_RULE = "use lower-case letters, digits, '-' or '_'"


@dataclass(frozen=True, slots=True)
class SiteSection:
    base_url: str = field(metadata={"doc": "Absolute URL the site is served from"})
    default_language: str = field(metadata={"doc": "Language of / and x-default"})
    timezone: str = field(default="UTC", metadata={"doc": "IANA zone for naive post dates"})
    posts_per_page: int = field(default=10, metadata={"doc": "Posts on each home/list page"})


@dataclass(frozen=True, slots=True)
class Language:
    code: str = field(metadata={"doc": "Folder name under posts/ and in URLs"})
    name: str = field(metadata={"doc": "Shown in the language switcher"})
    locale: str = field(metadata={"doc": "Babel locale for dates, og:locale"})
    title: str = field(metadata={"doc": "Blog title in this language"})
    description: str = field(default="", metadata={"doc": "Blog description (home, feeds)"})
    words_per_minute: int = field(default=0, metadata={"doc": "Reading speed; 0 means the language default"})


@dataclass(frozen=True, slots=True)
class Clinic:
    name: LocalizedText = field(metadata={"doc": "Clinic name, the publisher"})
    url: str = field(default="", metadata={"doc": "Clinic's main website"})
    logo: str = field(default="", metadata={"doc": "Logo path or URL"})
    telephone: str = field(default="", metadata={"doc": "Phone number shown in the call to action"})
    contact_url: str = field(default="", metadata={"doc": "Contact or booking page"})
    address: LocalizedText | None = field(default=None, metadata={"doc": "Street address"})
    email: str = field(default="", metadata={"doc": "Contact e-mail"})
    kakao_channel: str = field(default="", metadata={"doc": "KakaoTalk channel link (https://pf.kakao.com/...)"})
    foreign_patient_registration: str = field(default="", metadata={"doc": "외국인환자 유치 의료기관 등록번호 (footer)"})


@dataclass(frozen=True, slots=True)
class Author:
    id: str = field(metadata={"doc": "Key under [authors]"})
    name: LocalizedText = field(metadata={"doc": "Display name"})
    job_title: LocalizedText | None = field(default=None, metadata={"doc": "Credentials line"})
    type: str = field(default="Person", metadata={"doc": "Physician or Person (schema.org)"})
    url: str = field(default="", metadata={"doc": "Profile page"})
    image: str = field(default="", metadata={"doc": "Portrait path or URL"})
    bio: LocalizedText | None = field(default=None, metadata={"doc": "Short biography"})
    medical_specialty: str = field(default="", metadata={"doc": "schema.org MedicalSpecialty, e.g. PlasticSurgery"})
    same_as: tuple[str, ...] = field(default=(), metadata={"doc": "Other profiles (license registry, LinkedIn)"})
    github: str = field(default="", metadata={"doc": "GitHub login: an approval there marks posts reviewed"})


@dataclass(frozen=True, slots=True)
class Series:
    id: str = field(metadata={"doc": "Key under [series], used by series: in posts"})
    title: LocalizedText = field(metadata={"doc": "Series name shown on its page and on each part"})
    description: LocalizedText | None = field(default=None, metadata={"doc": "Shown on the series page"})


@dataclass(frozen=True, slots=True)
class Verification:
    google: str = field(default="", metadata={"doc": "google-site-verification content"})
    naver: str = field(default="", metadata={"doc": "naver-site-verification content"})
    bing: str = field(default="", metadata={"doc": "msvalidate.01 content"})


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    limit: int = field(default=20, metadata={"doc": "Entries per feed"})
    full_content: bool = field(default=True, metadata={"doc": "Whole post in feeds, else the description"})


@dataclass(frozen=True, slots=True)
class MarkdownConfig:
    line_breaks: bool = field(default=False, metadata={"doc": "A single newline becomes <br>"})
    unsafe_html: bool = field(default=False, metadata={"doc": "Keep raw HTML unsanitized"})


@dataclass(frozen=True, slots=True)
class SiteConfig:
    site_dir: Path
    site: SiteSection
    languages: tuple[Language, ...]
    clinic: Clinic
    authors: tuple[Author, ...]
    series: tuple[Series, ...]
    comments: CommentsConfig
    verification: Verification
    feeds: FeedsConfig
    markdown: MarkdownConfig
    images: ImagesConfig = ImagesConfig()
    check_rules: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    check_settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    tags: tuple[TagDescription, ...] = ()
    deploy: DeployConfig = field(default_factory=DeployConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    sharing: SharingConfig = field(default_factory=SharingConfig)
    analytics: AnalyticsConfig = field(default_factory=AnalyticsConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    admin: AdminConfig = field(default_factory=AdminConfig)

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    def author(self, author_id: str) -> Author | None:
        return next((a for a in self.authors if a.id == author_id), None)

    def series_info(self, series_id: str) -> Series | None:
        return next((s for s in self.series if s.id == series_id), None)


class _SectionReader:
    """Reads TOML tables into dataclasses, collecting diagnostics with lines."""

    def __init__(self, path: str, locator: TomlLocator):
        self.path = path
        self.locator = locator
        self.diagnostics: list[Diagnostic] = []

    def fail(self, key_path: tuple[str, ...], message: str, hint: str | None = None) -> None:
        self.diagnostics.append(error(self.path, self.locator.line(*key_path), message, hint))

    def check_table(self, value: Any, key_path: tuple[str, ...]) -> dict | None:
        """The table, or None after saying why it is not one."""
        if isinstance(value, dict):
            return value
        where = ".".join(key_path)
        hint = None
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            hint = f"write [{where}] with single brackets; [[{where}]] makes a list of tables"
        self.fail(key_path, f"'{where}' must be a table like [{where}]", hint)
        return None

    def unknown_keys(self, table: dict, allowed: list[str], key_path: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                where = ".".join(key_path + (key,))
                hint = did_you_mean(key, allowed, f"valid keys: {', '.join(allowed)}")
                what = f"table [{where}]" if not key_path and isinstance(table[key], dict) else f"key '{where}'"
                self.fail(key_path + (key,), f"unknown {what}", hint)

    def read(self, cls: type, value: Any, key_path: tuple[str, ...], preset: dict | None = None,
             skip: tuple[str, ...] = ()) -> Any:
        table = self.check_table(value, key_path)
        if table is None:
            return None
        preset = dict(preset or {})
        known = [f.name for f in fields(cls) if f.name not in preset]
        self.unknown_keys({k: v for k, v in table.items() if k not in skip}, known, key_path)
        values: dict[str, Any] = dict(preset)
        ok = True
        for f in fields(cls):
            if f.name in preset:
                continue
            required = f.default is MISSING and f.default_factory is MISSING
            if f.name not in table:
                if required:
                    where = ".".join(key_path + (f.name,))
                    self.fail(key_path, f"missing required key '{where}'",
                              f"add {f.name} = ... under [{'.'.join(key_path)}] ({f.metadata.get('doc', '')})")
                    ok = False
                continue
            converted = self._convert(f.type, table[f.name], key_path + (f.name,))
            if converted is _INVALID:
                ok = False
            else:
                values[f.name] = converted
        return cls(**values) if ok else None

    def _convert(self, type_name: Any, value: Any, key_path: tuple[str, ...]) -> Any:
        where = ".".join(key_path)
        type_name = str(type_name)
        if type_name == "str":
            if isinstance(value, str):
                return value
            self.fail(key_path, f"'{where}' must be a string, got {_describe(value)}")
        elif type_name == "int":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            self.fail(key_path, f"'{where}' must be a whole number, got {_describe(value)}")
        elif type_name == "bool":
            if isinstance(value, bool):
                return value
            self.fail(key_path, f"'{where}' must be true or false, got {_describe(value)}")
        elif type_name.startswith("LocalizedText"):
            if isinstance(value, str):
                return LocalizedText((("*", value),))
            if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
                return LocalizedText(tuple(value.items()))
            self.fail(key_path, f"'{where}' must be a string or a table of strings per language "
                                f"like {{ ko = \"...\", en = \"...\" }}, got {_describe(value)}")
        elif type_name.startswith("tuple[int"):
            if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                return tuple(value)
            self.fail(key_path, f"'{where}' must be a list of whole numbers, got {_describe(value)}")
        elif type_name.startswith("tuple[str"):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return tuple(value)
            self.fail(key_path, f"'{where}' must be a list of strings, got {_describe(value)}")
        else:  # pragma: no cover - a field type this reader does not know is a programming error
            raise TypeError(type_name)
        return _INVALID


_INVALID = object()


def _describe(value: Any) -> str:
    names = {str: "a string", bool: "true/false", int: "a number", float: "a number",
             list: "a list", dict: "a table"}
    shown = repr(value) if not isinstance(value, (dict, list)) else ""
    kind = names.get(type(value), type(value).__name__)
    return f"{kind} {shown}".strip()


TOP_LEVEL = ("site", "languages", "clinic", "authors", "series", "tags", "comments", "verification", "feeds",
             "markdown", "images", "check", "deploy", "security", "sharing", "analytics", "privacy",
             "search", "admin")


def load_config(path: Path) -> SiteConfig:
    """Read site.toml; raise BuildError listing every problem."""
    shown = path.name
    try:
        raw = read_in_site(path.parent, path, shown)
    except FileNotFoundError:
        raise BuildError([error(shown, None, "site.toml not found",
                                "run 'clinicpress init DIR' to create a site, or pass the site folder")])
    except OSError as exc:
        raise BuildError([error(shown, None, f"site.toml could not be read ({exc.strerror or exc})")])
    text, problem = decode_text(raw, shown)
    if problem:
        raise BuildError([problem])
    return parse_config(text, path.parent, shown)


def parse_config(text: str, site_dir: Path, shown: str = "site.toml") -> SiteConfig:
    if not text.strip():
        raise BuildError([error(shown, 1, "site.toml is empty",
                                "run 'clinicpress init DIR' to see a complete site.toml, and copy it here")])
    invisible = invisible_character(text, shown)
    if invisible:
        raise BuildError([invisible])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message, hint = explain_toml_error(text, *toml_error_position(str(exc)))
        raise BuildError([error(shown, line, f"invalid TOML: {message}", hint)])
    reader = _SectionReader(shown, TomlLocator(text))
    reader.unknown_keys(data, list(TOP_LEVEL), ())
    _escaped_invisible(reader, data)

    site = reader.read(SiteSection, data.get("site", {}), ("site",))
    if "site" not in data:
        reader.fail((), "missing required table [site]", 'add [site] with base_url = "https://..."')
    languages = _read_languages(reader, data)
    clinic = reader.read(Clinic, data.get("clinic", {}), ("clinic",))
    authors = _read_authors(reader, data)
    series = _read_series(reader, data)
    tags = read_tag_descriptions(reader, data, tuple(lang.code for lang in languages))
    comments = read_comments(reader, data)
    verification = reader.read(Verification, data.get("verification", {}), ("verification",))
    feeds = reader.read(FeedsConfig, data.get("feeds", {}), ("feeds",))
    markdown = reader.read(MarkdownConfig, data.get("markdown", {}), ("markdown",))
    images = reader.read(ImagesConfig, data.get("images", {}), ("images",))
    check_rules, check_settings = _read_check(reader, data)
    deploy = read_deploy(reader, data)
    security = read_security(reader, data)
    sharing = read_sharing(reader, data)
    analytics = read_analytics(reader, data)
    privacy = read_privacy(reader, data)
    search = read_search(reader, data)
    admin = read_admin(reader, data)

    if site is not None:
        site = _validate_site(reader, site, languages)
    check_links(reader, clinic, authors)
    if feeds is not None and feeds.limit < 1:
        reader.fail(("feeds", "limit"), "'feeds.limit' must be at least 1")
    if images is not None:
        for key, message, hint in images_problems(images):
            reader.fail(("images", key), message, hint)
        images = replace(images, widths=tuple(sorted(images.widths)))
    if reader.diagnostics:
        raise BuildError(reader.diagnostics)
    return SiteConfig(site_dir=site_dir, site=site, languages=languages, clinic=clinic,
                      authors=authors, series=series, comments=comments, verification=verification, feeds=feeds,
                      markdown=markdown, check_rules=check_rules, check_settings=check_settings, tags=tags,
                      images=images, deploy=deploy, security=security, sharing=sharing,
                      analytics=analytics, privacy=privacy, search=search, admin=admin)


def _escaped_invisible(reader: _SectionReader, data: dict) -> None:
    for key_path, char in sorted(dict(invisible_in_values(data)).items()):
        reader.fail(key_path, f"'{'.'.join(key_path)}' contains the control character {char}",
                    "remove the \\ escape that writes it")


BASE_URL_HINT = 'write the whole address with its scheme: base_url = "https://blog.example-clinic.com/"'


def _validate_site(reader: _SectionReader, site: SiteSection, languages: tuple[Language, ...]) -> SiteSection:
    base_url = site.base_url
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not re.match(r"^https?://[^/\s]+", base_url):
        reader.fail(("site", "base_url"), f"'site.base_url' must be an absolute URL, got '{base_url}'", BASE_URL_HINT)
    elif re.search(r"[\s\"'<>\\^`{|}]", base_url) or parts.query or parts.fragment:
        reader.fail(("site", "base_url"), f"'site.base_url' '{base_url}' has spaces, quotes or a ?query or #fragment "
                                          "that no site address has", BASE_URL_HINT)
    elif not base_url.endswith("/"):
        base_url += "/"
    codes = [lang.code for lang in languages]
    if languages and site.default_language not in codes:
        reader.fail(("site", "default_language"),
                    f"'site.default_language' is '{site.default_language}', which is not one of the "
                    f"[languages.*] tables ({', '.join(codes)})")
    try:
        ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        reader.fail(("site", "timezone"), f"'site.timezone' '{site.timezone}' is not a known time zone",
                    'use an IANA name such as "Asia/Seoul" or "America/New_York"')
    if site.posts_per_page < 1:
        reader.fail(("site", "posts_per_page"), "'site.posts_per_page' must be at least 1")
    return SiteSection(base_url=base_url, default_language=site.default_language,
                       timezone=site.timezone, posts_per_page=site.posts_per_page)


def _keyed_tables(reader: _SectionReader, data: dict, kind: str, cls: type, pattern: re.Pattern,
                  noun: str, rule: str) -> list[tuple[str, Any]]:
    """[kind.<id>] tables with valid ids, read into `cls`. A dot in an id makes TOML nest tables
    ([series.lip.filler] is 'filler' inside 'lip'), which is named as such instead of as unknown keys."""
    table = reader.check_table(data.get(kind, {}), (kind,))
    known = {f.name for f in fields(cls)}
    found = []
    for item_id, section in (table or {}).items():
        key_path = (kind, item_id)
        if isinstance(section, dict) and section and not known & set(section) and all(
                isinstance(value, dict) for value in section.values()):
            for inner in section:
                reader.fail(key_path + (inner,), f"[{kind}.{item_id}.{inner}]: an id cannot contain a dot",
                            f"write [{kind}.{item_id}-{inner}] (and use {item_id}-{inner} wherever it is referred to)")
            continue
        if not pattern.match(item_id):
            reader.fail(key_path, f"{noun} '{item_id}' must {rule}")
            continue
        value = reader.read(cls, section, key_path, preset={"code" if cls is Language else "id": item_id})
        if value is not None:
            found.append((item_id, value))
    return found


def _read_languages(reader: _SectionReader, data: dict) -> tuple[Language, ...]:
    if data.get("languages", {}) == {}:  # a value that is not a table is reported by _keyed_tables
        reader.fail(("languages",), "at least one [languages.<code>] table is required",
                    'add [languages.ko] with name, locale and title')
    languages = []
    for code, language in _keyed_tables(reader, data, "languages", Language, LANGUAGE_CODE,
                                        "language code", "be lower-case like 'ko', 'en' or 'zh-hans'"):
        try:
            Locale.parse(language.locale)
        except (UnknownLocaleError, ValueError):
            reader.fail(("languages", code, "locale"), f"'languages.{code}.locale' '{language.locale}' is not a "
                        "known locale", "use a locale such as ko_KR or en_US")
            continue
        languages.append(language)
    return tuple(languages)


def _read_authors(reader: _SectionReader, data: dict) -> tuple[Author, ...]:
    authors = []
    for author_id, author in _keyed_tables(reader, data, "authors", Author, AUTHOR_ID,
                                           "author id", ID_RULE):
        if author.type not in ("Physician", "Person"):
            reader.fail(("authors", author_id, "type"),
                        f"'authors.{author_id}.type' must be \"Physician\" or \"Person\", got '{author.type}'")
        authors.append(author)
    check_github_logins(reader, authors)
    return tuple(authors)


def _read_series(reader: _SectionReader, data: dict) -> tuple[Series, ...]:
    return tuple(series for _, series in _keyed_tables(reader, data, "series", Series, AUTHOR_ID,
                                                       "series id", ID_RULE))


def _read_check(reader: _SectionReader, data: dict) -> tuple[Mapping[str, str], Mapping[str, Any]]:
    table = reader.check_table(data.get("check", {}), ("check",)) or {}
    rules = reader.check_table(table.get("rules", {}), ("check", "rules")) or {}
    for rule_id, severity in rules.items():
        if severity not in ("off", "info", "warning", "error"):
            reader.fail(("check", "rules", rule_id),
                        f"'check.rules.{rule_id}' must be \"off\", \"info\", \"warning\" or \"error\", got {severity!r}")
    settings = {k: v for k, v in table.items() if k != "rules"}
    return MappingProxyType(dict(rules)), MappingProxyType(settings)
