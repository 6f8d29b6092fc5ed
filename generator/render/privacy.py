"""The privacy notice, /<lang>/privacy/ (templates/privacy.html): written from what the site uses.

Each service that receives something from readers (the comment provider, the visit counter) is
described from its own strings in the theme (privacy.<provider>.*: what it collects, who processes it
and where, how long it is kept), with how to refuse or withdraw as the site's settings make it; the
clinic adds who is responsible, how to reach them, the date and its own words in [privacy]. A site that
collects nothing says so. `check` names what a notice lacks (check/site_rules.py).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from generator.config.comments import BUILTIN_PROVIDERS
from generator.config.loader import SiteConfig
from generator.site.strings import Strings, localized_date
from generator.site.urls import telephone_href

SELF_HOSTED = ("isso", "remark42")  # comment servers the clinic runs itself


def collected_by(config: SiteConfig) -> list[tuple[str, str]]:
    """(kind, provider) of every service the site hands readers' data to: comments, then visit counting."""
    found = []
    if config.comments.provider != "none":
        found.append(("comments", config.comments.provider))
    if config.analytics.provider != "none":
        found.append(("analytics", config.analytics.provider))
    return found


def missing_notice_fields(config: SiteConfig) -> list[str]:
    """What the notice of a site that collects data lacks: the [privacy] keys (or [clinic] contact) to fill in."""
    privacy, clinic = config.privacy, config.clinic
    missing = []
    if privacy.officer is None or not any(text.strip() for _, text in privacy.officer.values):
        missing.append("officer")
    if not (privacy.email or privacy.telephone or clinic.email or clinic.telephone):
        missing.append("email")
    if privacy.effective_date is None:
        missing.append("effective")
    return missing


def _own_host(config: SiteConfig, kind: str, provider: str) -> str:
    """The host of a server the clinic runs itself for the service, or ''."""
    if kind == "comments" and provider in SELF_HOSTED:
        return urlsplit(config.comments.settings.get("url") or config.comments.settings.get("host", "")).netloc
    if kind == "analytics" and provider in ("plausible", "umami") and config.analytics.script_url:
        return urlsplit(config.analytics.script_url).netloc
    return ""


def _service(config: SiteConfig, kind: str, provider: str, t: Strings) -> dict[str, Any]:
    facts = provider if provider in BUILTIN_PROVIDERS or kind == "analytics" else "custom"
    name = provider if facts == "custom" else t(f"service.{provider}")
    host = _own_host(config, kind, provider)
    if kind == "comments":
        withdraw = ([t("privacy.comments_on_request")] if config.comments.load != "eager" else [])
        withdraw.append(t("privacy.withdraw_comments"))
    elif config.analytics.load == "consent":
        withdraw = [t("privacy.withdraw_consent")]
    else:
        withdraw = [t("privacy.withdraw_always")]
    if provider == "ga4":
        withdraw.append(t("privacy.ga4_opt_out"))
    return {
        "name": name,
        "purpose": t(f"privacy.purpose_{kind}"),
        "collects": t(f"privacy.{facts}.items", service=name),
        "where": t("privacy.self_hosted", service=name, host=host) if host else t(f"privacy.{facts}.where", service=name),
        "retention": t(f"privacy.{facts}.retention", service=name),
        "withdraw": " ".join(withdraw),
        "settings": kind == "analytics" and config.analytics.load == "consent",
    }


def privacy_context(config: SiteConfig, lang: str, t: Strings) -> dict[str, Any]:
    """What the notice prints in one language."""
    privacy, clinic, fallback = config.privacy, config.clinic, config.site.default_language
    services = [_service(config, kind, provider, t) for kind, provider in collected_by(config)]
    storage = [t("privacy.storage_none")]
    if config.comments.provider != "none":
        storage.append(t("privacy.storage_comments", service=services[0]["name"]))
    if config.analytics.provider != "none":
        name = services[-1]["name"]
        if config.analytics.provider in ("ga4", "naver"):
            storage.append(t("privacy.storage_cookies_consent" if config.analytics.load == "consent"
                             else "privacy.storage_cookies", service=name))
        if config.analytics.load == "consent":
            storage.append(t("privacy.storage_choice"))
    email, telephone = privacy.email or clinic.email, privacy.telephone or clinic.telephone
    text = privacy.text.get(lang, fallback) if privacy.text else ""
    return {
        "intro": t("privacy.intro", clinic=clinic.name.get(lang, fallback), site=config.language(lang).title),
        "services": services,
        "storage": storage,
        "officer": privacy.officer.get(lang, fallback) if privacy.officer else "",
        "email": email,
        "telephone": telephone,
        "telephone_href": telephone_href(telephone),
        "clinic": clinic.name.get(lang, fallback),
        "address": clinic.address.get(lang, fallback) if clinic.address else "",
        "effective": localized_date(privacy.effective_date, config.language(lang).locale) if privacy.effective_date
        else "",
        "clinic_text": [" ".join(part.split()) for part in text.split("\n\n") if part.strip()],
    }
