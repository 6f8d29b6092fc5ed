"""The [security] table of site.toml: the hosts whose scripts and frames posts may embed.

Raw HTML in posts (`[markdown] unsafe_html = true`) may name scripts; the Content-Security-Policy lets
only these hosts' scripts run, so a pasted embed from anywhere else stays inert.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# An origin as a CSP source: https, a host (its first label may be '*'), an optional port, nothing after.
ORIGIN = re.compile(r"^https://(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$")


@dataclass(frozen=True, slots=True)
class SecurityConfig:
    script_hosts: tuple[str, ...] = field(default=(), metadata={
        "doc": "https origins whose scripts and frames raw HTML in posts may load, e.g. \"https://www.instagram.com\""})


def read_security(reader: Any, data: dict) -> SecurityConfig | None:
    """[security] read with the loader's section reader; every host must be an https origin."""
    security = reader.read(SecurityConfig, data.get("security", {}), ("security",))
    if security is None:
        return None
    hosts = []
    for host in security.script_hosts:
        origin = host.strip().rstrip("/").lower()
        if not ORIGIN.match(origin):
            reader.fail(("security", "script_hosts"), f"'security.script_hosts' has '{host}', which is not an https "
                        "origin", 'write the scheme and host alone, e.g. "https://www.instagram.com" or '
                        '"https://*.twitter.com"')
        hosts.append(origin)
    return SecurityConfig(script_hosts=tuple(hosts))
