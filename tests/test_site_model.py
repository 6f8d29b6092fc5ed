"""The site model and the page plan: the order of posts, the pages planned for them."""
from __future__ import annotations

from conftest import MINIMAL_CONFIG, post_text
from generator.loading import BuildOptions, load_site
from generator.site.pages import plan_pages, plan_post_page


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


def part(title: str, number: int) -> str:
    return post_text(title, date=f"2026-0{number}-10", tags="[aftercare, lips]", author="dr-kim",
                     reviewed_by="dr-lee", series="care", series_part=str(number))


def test_one_post_page_is_planned_as_the_whole_plan_plans_it(site_factory):
    site_dir = site_factory({
        "posts/en/care-1.md": part("Care One", 1),
        "posts/en/care-2.md": part("Care Two", 2),
        "posts/ko/care-2.md": part("관리 둘", 2),
        "posts/en/other.md": post_text("Other", date="2026-05-01", tags="[botox]"),
        "posts/en/draft.md": post_text("Draft", date="2026-05-02", draft="true"),
        "posts/ko/care-1.md": post_text("관리 하나", date="2026-05-02", draft="true"),  # a draft translation
    }, MINIMAL_CONFIG + '\n[series.care]\ntitle = { ko = "관리", en = "Care" }\n')
    _, model, _ = load_site(BuildOptions(site_dir=site_dir, future=True, drafts=True))
    shown = {"posts/en/care-2.md": ("a processed image",)}
    pages, _ = plan_pages(model, shown)
    planned = {page.path: page for page in pages if page.kind == "post"}
    assert len(planned) == 6 and planned["en/posts/care-2/"].series and planned["en/posts/care-2/"].alternates
    # A draft is a preview: noindex, and the published version does not name it as its translation.
    assert not planned["ko/posts/care-1/"].indexable and planned["en/posts/care-1/"].indexable
    assert planned["en/posts/care-1/"].alternates == (("en", "en/posts/care-1/"),)
    assert planned["ko/posts/care-1/"].alternates == (("ko", "ko/posts/care-1/"), ("en", "en/posts/care-1/"))
    assert {page.path: page for page in (plan_post_page(model, post, shown.get(post.source, ()))
                                         for post in model.all_posts())} == planned
