"""The [sharing] table of site.toml: the share buttons under every post (render/sharing.py builds them).

None of them asks a third party for anything before a reader clicks: the Naver button is a plain link,
the others are buttons that clinicpress.js wakes up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.errors import did_you_mean

# kakaotalk: the phone's share sheet (KakaoTalk is in it), else the link copied for a chat;
# naver: Naver's share page; copy: the address to the clipboard; device: the browser's share sheet.
SERVICES = ("kakaotalk", "naver", "copy", "device")


@dataclass(frozen=True, slots=True)
class SharingConfig:
    enabled: bool = field(default=True, metadata={"doc": "Share buttons under every post"})
    services: tuple[str, ...] = field(default=SERVICES, metadata={
        "doc": "Which buttons, in this order: kakaotalk, naver, copy, device (the browser's own share sheet)"})


def read_sharing(reader: Any, data: dict) -> SharingConfig | None:
    """[sharing] read with the loader's section reader; every service must be one ClinicPress knows."""
    sharing = reader.read(SharingConfig, data.get("sharing", {}), ("sharing",))
    if sharing is None:
        return None
    for service in sharing.services:
        if service not in SERVICES:
            reader.fail(("sharing", "services"), f"'sharing.services' has '{service}', which is not a share button "
                        "ClinicPress makes", did_you_mean(service, SERVICES, f"choose from {', '.join(SERVICES)}"))
    if len(set(sharing.services)) != len(sharing.services):
        reader.fail(("sharing", "services"), "'sharing.services' names a button twice")
    return sharing
