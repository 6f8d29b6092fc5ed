"""The visit counter on every page ([analytics]): what templates/partials/analytics.html prints.

The provider's script is never written into the page: clinicpress.js inserts it from the attributes
given here, at once (load = "always") or once the reader agrees (load = "consent"), so the pages carry
no inline script and nothing is requested from the provider before then.

Conversions: once the counter runs, clinicpress.js counts a click on a link to the clinic as an event:
phone_call (tel:), email (mailto:), contact ([clinic] contact_url) and kakao_channel ([clinic]
kakao_channel, and any page of the channel), or the name in a link's data-conversion attribute (an
empty one: never counted, as the privacy notice's own contact links)."""
from __future__ import annotations

import json
from typing import Any

from generator.config.analytics import tracker
from generator.config.loader import SiteConfig
from generator.site.strings import Strings
from generator.site.urls import Urls


def analytics_context(config: SiteConfig, urls: Urls, t: Strings) -> dict[str, Any] | None:
    """What the counter's element and the consent question print in one language; None without a counter."""
    counter = tracker(config.analytics)
    if counter is None:
        return None
    service = t(f"service.{counter.provider}")
    return {
        "provider": counter.provider,
        "load": config.analytics.load,
        "id": counter.site_id,
        "script": json.dumps({"src": counter.src, **dict(counter.attributes)}, ensure_ascii=False),
        "contact": urls.absolute(config.clinic.contact_url) if config.clinic.contact_url else "",
        "kakao_channel": config.clinic.kakao_channel,
        "labels": {
            "title": t("analytics.consent_title"),
            "text": t("analytics.consent_cookies" if counter.cookies else "analytics.consent_cookieless",
                      service=service),
            "change": t("analytics.consent_change"),
            "allow": t("analytics.allow"),
            "decline": t("analytics.decline"),
            "settings": t("analytics.settings"),
        },
    }
