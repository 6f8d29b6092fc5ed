"""The visit counter on every page ([analytics]): what templates/partials/analytics.html prints.

The provider's script is never written into the page: clinicpress.js inserts it from the attributes
given here, at once (load = "always") or once the reader agrees (load = "consent"), so the pages carry
no inline script and nothing is requested from the provider before then."""
from __future__ import annotations

import json
from typing import Any

from generator.config.analytics import tracker
from generator.config.loader import SiteConfig
from generator.site.strings import Strings


def analytics_context(config: SiteConfig, t: Strings) -> dict[str, Any] | None:
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
