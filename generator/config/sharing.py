"""The [sharing] table of site.toml: the share buttons under every post (render/sharing.py builds them).

None of them asks a third party for anything before a reader clicks: the Naver button is a plain link,
the others are buttons that clinicpress.js wakes up. With a Kakao app's JavaScript key, the KakaoTalk
button loads Kakao's SDK when it is clicked, and shares through KakaoTalk's own picker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.errors import did_you_mean

# kakaotalk: the phone's share sheet (KakaoTalk is in it), else the link copied for a chat;
# naver: Naver's share page; copy: the address to the clipboard; device: the browser's share sheet.
SERVICES = ("kakaotalk", "naver", "copy", "device")
KAKAO_KEY = re.compile(r"^[0-9a-f]{32}$")  # a Kakao app's JavaScript key


@dataclass(frozen=True, slots=True)
class SharingConfig:
    enabled: bool = field(default=True, metadata={"doc": "Share buttons under every post"})
    services: tuple[str, ...] = field(default=SERVICES, metadata={
        "doc": "Which buttons, in this order: kakaotalk, naver, copy, device (the browser's own share sheet)"})
    kakao_app_key: str = field(default="", metadata={
        "doc": "JavaScript key of a Kakao app: KakaoTalk's own picker, through Kakao's SDK loaded on a click"})


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
    if sharing.kakao_app_key and not KAKAO_KEY.match(sharing.kakao_app_key):
        reader.fail(("sharing", "kakao_app_key"), f"'sharing.kakao_app_key' '{sharing.kakao_app_key}' is not a Kakao "
                    "JavaScript key", "copy the JavaScript key (32 letters and digits) from your app's page on "
                    "developers.kakao.com, under App keys")
    elif sharing.kakao_app_key and "kakaotalk" not in sharing.services:
        reader.fail(("sharing", "kakao_app_key"), "'sharing.kakao_app_key' is set but 'sharing.services' has no "
                    "kakaotalk button to use it", 'add "kakaotalk" to services, or remove kakao_app_key')
    return sharing
