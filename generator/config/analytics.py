"""The [analytics] table of site.toml: which visit counter the pages load, when, and what it needs.

Each provider's script, the attributes it reads and the hosts it talks to are written down here once:
the pages load exactly that script (render/analytics.py, clinicpress.js) and the Content-Security-Policy
allows exactly those hosts (outputs/headers.py). load = "consent" loads nothing until the reader agrees.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from generator.config.origins import origin_of
from generator.errors import did_you_mean

PROVIDERS = ("none", "plausible", "umami", "goatcounter", "ga4", "naver")
LOADS = ("always", "consent")
COOKIELESS = ("plausible", "umami", "goatcounter")  # store nothing on the reader's device
UMAMI_CLOUD = "https://cloud.umami.is"
UMAMI_CLOUD_COLLECTOR = "https://gateway.umami.is"  # where Umami Cloud's script sends what it counts

_HOSTNAME = r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
_FORMATS: Mapping[str, tuple[str, str]] = MappingProxyType({  # key -> (pattern, example)
    "domain": (rf"^{_HOSTNAME}$", '"blog.example-clinic.com"'),
    "script_url": (rf"^https://{_HOSTNAME}(:\d{{1,5}})?/[^\s\"'<>]*$", '"https://stats.example-clinic.com/js/script.js"'),
    "host_url": (rf"^https://{_HOSTNAME}(:\d{{1,5}})?/?$", '"https://stats.example-clinic.com"'),
    "website_id": (r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                   '"94db1cb1-74f4-4a40-ad6c-962362670409"'),
    "code": (r"^[a-z0-9][a-z0-9-]{0,62}$", '"balancelab"'),
    "measurement_id": (r"^G-[A-Z0-9]{4,16}$", '"G-ABC123DEF4"'),
    "site_id": (r"^[A-Za-z0-9_]{4,40}$", '"s_4b6f8a0e1c2d"'),
})
KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType({  # provider -> its keys, the one it requires first
    "plausible": ("domain", "script_url"),
    "umami": ("website_id", "script_url", "host_url"),
    "goatcounter": ("code",),
    "ga4": ("measurement_id",),
    "naver": ("site_id",),
})


@dataclass(frozen=True, slots=True)
class AnalyticsConfig:
    provider: str = field(default="none", metadata={"doc": "none, plausible, umami, goatcounter, ga4 or naver"})
    load: str = field(default="consent", metadata={
        "doc": "consent: nothing loads until the reader agrees (default); always: on every page view"})
    domain: str = field(default="", metadata={"doc": "plausible: the site's domain as added in Plausible"})
    script_url: str = field(default="", metadata={"doc": "plausible, umami: the script of a self-hosted server"})
    website_id: str = field(default="", metadata={"doc": "umami: the website's id"})
    host_url: str = field(default="", metadata={"doc": "umami: where the script sends (default: the script's server)"})
    code: str = field(default="", metadata={"doc": "goatcounter: the site code (CODE.goatcounter.com)"})
    measurement_id: str = field(default="", metadata={"doc": "ga4: the measurement id, G-..."})
    site_id: str = field(default="", metadata={"doc": "naver: the site id Naver Analytics gives (wcs_add[\"wa\"])"})
    preview: bool = field(default=False, metadata={"doc": "Set by `serve`: the preview never loads analytics"})


@dataclass(frozen=True, slots=True)
class Tracker:
    """The provider's script as the pages load it, and the hosts it needs, per policy directive."""

    provider: str
    src: str
    attributes: tuple[tuple[str, str], ...]  # besides src, on the <script> element
    sources: Mapping[str, tuple[str, ...]]
    site_id: str = ""  # ga4, naver: the id clinicpress.js configures the provider's script with

    @property
    def cookies(self) -> bool:
        return self.provider not in COOKIELESS


def tracker(analytics: AnalyticsConfig) -> Tracker | None:
    """What the pages load for the provider; None without one, and always in the preview."""
    provider = analytics.provider
    if provider == "none" or analytics.preview:
        return None
    if provider == "plausible":
        src = analytics.script_url or "https://plausible.io/js/script.js"
        origin = origin_of(src)
        return Tracker(provider, src, (("data-domain", analytics.domain), ("data-api", origin + "/api/event")),
                       {"script-src": (origin,), "connect-src": (origin,)})
    if provider == "umami":
        src = analytics.script_url or UMAMI_CLOUD + "/script.js"
        collector = analytics.host_url.rstrip("/") or (
            UMAMI_CLOUD_COLLECTOR if origin_of(src) == UMAMI_CLOUD else origin_of(src))
        # Umami's newer script keeps a visitor id in the browser's storage unless told not to.
        return Tracker(provider, src, (("data-website-id", analytics.website_id), ("data-host-url", collector),
                                       ("data-identity-stitching", "false")),
                       {"script-src": (origin_of(src),), "connect-src": (collector,)})
    if provider == "goatcounter":
        endpoint = f"https://{analytics.code}.goatcounter.com/count"  # sent with navigator.sendBeacon
        return Tracker(provider, "https://gc.zgo.at/count.js", (("data-goatcounter", endpoint),),
                       {"script-src": ("https://gc.zgo.at",), "connect-src": (origin_of(endpoint),)})
    if provider == "ga4":  # the hosts Google's guide to a Content-Security-Policy names for Google Analytics 4
        return Tracker(provider, f"https://www.googletagmanager.com/gtag/js?id={analytics.measurement_id}", (),
                       {"script-src": ("https://*.googletagmanager.com",),
                        "connect-src": ("https://*.google-analytics.com", "https://*.analytics.google.com",
                                        "https://*.googletagmanager.com")}, analytics.measurement_id)
    return Tracker(provider, "https://wcs.naver.net/wcslog.js", (),  # naver: page views are posted to wcs.naver.com
                   {"script-src": ("https://wcs.naver.net",), "connect-src": ("https://wcs.naver.com",)},
                   analytics.site_id)


def read_analytics(reader: Any, data: dict) -> AnalyticsConfig | None:
    """[analytics] read with the loader's section reader: a known provider, its own keys and only those."""
    table = data.get("analytics", {})
    analytics = reader.read(AnalyticsConfig, table, ("analytics",), preset={"preview": False})
    if analytics is None:
        return None
    provider = analytics.provider
    if provider not in PROVIDERS:
        reader.fail(("analytics", "provider"), f"'analytics.provider' '{provider}' is not a provider ClinicPress knows",
                    did_you_mean(provider, PROVIDERS, f"choose one of {', '.join(PROVIDERS)}"))
        return analytics
    if analytics.load not in LOADS:
        reader.fail(("analytics", "load"), f"'analytics.load' must be \"consent\" or \"always\", got '{analytics.load}'")
    own = KEYS.get(provider, ())
    for key in sorted({k for keys in KEYS.values() for k in keys} - set(own)):
        if key in table:
            owners = " or ".join(name for name, keys in KEYS.items() if key in keys)
            reader.fail(("analytics", key), f"'analytics.{key}' is a setting of {owners}, but analytics.provider is "
                        f"'{provider}'", f"remove {key}, or set provider to {owners}")
    for index, key in enumerate(own):
        value = getattr(analytics, key)
        pattern, example = _FORMATS[key]
        if not value and index == 0:
            reader.fail(("analytics",), f"missing required key 'analytics.{key}' for provider = \"{provider}\"",
                        f"add {key} = {example} under [analytics]")
        elif value and not re.match(pattern, value):
            reader.fail(("analytics", key), f"'analytics.{key}' '{value}' does not look like one", f"e.g. {key} = {example}")
    return analytics
