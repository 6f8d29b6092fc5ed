"""The share buttons under a post: what templates/partials/share.html prints.

Naver's share page takes the address and title in its own URL, so its button is a plain link that works
without JavaScript. KakaoTalk has no such page without an app of its own: its button opens the phone's
share sheet (where KakaoTalk is) or copies the link for a chat. Copy link and the browser's share sheet
need JavaScript, so their buttons stay hidden until clinicpress.js shows them. Nothing here is fetched
from a third party before a reader clicks.

With [sharing] kakao_app_key, a click on the KakaoTalk button loads Kakao's SDK (pinned, with its
integrity hash), which posts the address to KakaoTalk's picker: the policy then allows that script's
host and that form's target, and nothing more.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from generator.config.loader import SiteConfig
from generator.content.models import Post
from generator.site.strings import Strings
from generator.site.urls import Urls

NAVER_SHARE = "https://share.naver.com/web/shareView"
KAKAO_SDK = "https://t1.kakaocdn.net/kakao_js_sdk/2.7.4/kakao.min.js"
KAKAO_SDK_INTEGRITY = "sha384-DKYJZ8NLiK8MN4/C5P2dtSmLQ4KwPaoqAfyA/DfmEc1VDxu4yyC7wy6K1Hs90nka"
KAKAO_PICKER = "https://sharer.kakao.com"  # the SDK posts a form there (Kakao.Share.sendScrap)


def naver_share_href(url: str, title: str) -> str:
    """Naver's share page for an address and a title (Naver Blog, Cafe, Band and mail pick it up)."""
    return f"{NAVER_SHARE}?{urlencode({'url': url, 'title': title}, quote_via=quote)}"


def sharing_sources(config: SiteConfig) -> dict[str, tuple[str, ...]]:
    """What the share buttons add to the Content-Security-Policy: only Kakao's SDK and picker, with an app key."""
    sharing = config.sharing
    if not (sharing.enabled and sharing.kakao_app_key and "kakaotalk" in sharing.services):
        return {}
    return {"script-src": (KAKAO_SDK.split("/kakao_js_sdk/")[0],), "form-action": (KAKAO_PICKER,)}


def share_context(config: SiteConfig, urls: Urls, post: Post, t: Strings) -> dict[str, Any] | None:
    """What the share section prints; None when [sharing] is off or names no button."""
    sharing = config.sharing
    if not sharing.enabled or not sharing.services:
        return None
    url = urls.absolute(urls.post(post.lang, post.slug))
    return {
        "url": url,
        "title": post.title,
        "services": sharing.services,
        "naver_href": naver_share_href(url, post.title),
        "needs_script": "naver" not in sharing.services,  # no button works without JavaScript
        "kakao": {"key": sharing.kakao_app_key, "sdk": KAKAO_SDK,
                  "integrity": KAKAO_SDK_INTEGRITY} if sharing.kakao_app_key else None,
        "labels": {
            "title": t("share.title"),
            "kakaotalk": t("share.kakaotalk"),
            "naver": t("share.naver"),
            "copy": t("share.copy"),
            "device": t("share.device"),
            "new_window": t("share.new_window"),
            "copied": t("share.copied"),
            "copied_for_kakaotalk": t("share.copied_for_kakaotalk"),
            "copy_yourself": t("share.copy_yourself"),
            "address": t("share.address"),
        },
    }
