"""The site model: the order of posts in lists, feeds and pages of ten."""
from __future__ import annotations

from conftest import post_text
from generator.loading import BuildOptions, load_site


def test_posts_are_newest_first_and_by_address_when_published_at_the_same_moment(site_factory):
    site_dir = site_factory({
        "posts/en/b-same-day.md": post_text("B", date="2026-07-03"),
        "posts/en/a-same-day.md": post_text("A", date="2026-07-03"),
        "posts/en/morning-seoul.md": post_text("Seoul", date="2026-07-03T10:00:00+09:00"),
        "posts/en/early-utc.md": post_text("UTC", date="2026-07-03T02:00:00Z"),  # 11:00 in Seoul: newer
        "posts/en/older.md": post_text("Older", date="2026-07-01"),
    })
    _, site, _ = load_site(BuildOptions(site_dir=site_dir, future=True))
    assert [post.slug for post in site.posts["en"]] == [
        "early-utc", "morning-seoul", "a-same-day", "b-same-day", "older"]
