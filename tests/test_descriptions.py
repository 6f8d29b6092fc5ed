"""What search engines show for each page: a meta description that says what the page holds, sized by
display width (a Hangul syllable counts as two Latin letters), different on every page. Pages are read
with lxml, as a crawler reads their head; counted UI strings follow the language's plural rules."""
from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator.check.command import run_checks
from generator.render.descriptions import clip, compose, display_width

import re

from conftest import MINIMAL_CONFIG, fill_in_init_site, post_text, run_cli, write_tree

LOW, HIGH = 50, 160


def heads(output: Path) -> dict[str, dict[str, str]]:
    """Every page's site path -> the description-like values of its head."""
    found = {}
    for path in sorted(output.rglob("*.html")):
        if path.relative_to(output).parts[0] == "admin":
            continue  # the browser editor: Decap's page, kept out of search engines
        tree = lxml_html.fromstring(path.read_bytes())
        if tree.xpath("//head/meta[@http-equiv='refresh']"):
            continue  # an old address (aliases:) that sends readers and crawlers on; no page of its own
        meta = {(m.get("property") or m.get("name")): m.get("content") for m in tree.xpath("//head/meta")}
        found["/" + str(path.relative_to(output)).removesuffix("index.html")] = {
            "description": meta.get("description"), "og": meta.get("og:description"),
            "twitter": meta.get("twitter:description"), "lang": tree.get("lang"),
            "tree": tree}
    return found


def assert_fit_and_differ(output: Path) -> dict[str, dict[str, str]]:
    pages = heads(output)
    assert pages
    by_text: dict[str, str] = {}
    for path, head in pages.items():
        description = head["description"]
        assert description and description == head["og"] == head["twitter"], path
        assert LOW <= display_width(description) <= HIGH, (path, display_width(description), description)
        assert by_text.setdefault(description.casefold(), path) == path, (path, by_text[description.casefold()])
    return pages


# display width and fitting -------------------------------------------------------------------

@pytest.mark.parametrize("text, width", [("lip filler", 10), ("입술 필러", 9), ("💉 filler", 9), ("ＡＢ", 4),
                                         ("e\u0301", 1), ("", 0)], ids=["latin", "hangul", "emoji", "fullwidth",
                                                                       "combining", "empty"])
def test_display_width_counts_wide_characters_twice(text, width):
    assert display_width(text) == width


def test_clip_cuts_at_a_word_within_the_width():
    assert clip("short", 10) == "short"
    cut = clip("Lip filler aftercare in the first two weeks", 20)
    assert cut == "Lip filler…" and display_width(cut) <= 20
    korean = clip("입술 필러 시술 후 첫 두 주 동안의 관리", 20)
    assert korean == "입술 필러 시술 후…" and display_width(korean) <= 20


def test_compose_adds_whole_items_while_they_fit_and_fills_a_short_lead():
    assert compose("Lead.", ["one", "two", "three"], " · ", limit=20, least=5) == "Lead. one · two"
    assert compose("Lead.", ["a very long title that cannot fit"], limit=20, least=15) == "Lead. a very long…"


# whole sites ------------------------------------------------------------------------------------

def test_sample_site_pages_describe_themselves_within_bounds(sample_site):
    pages = assert_fit_and_differ(sample_site)
    assert {"/", "/ko/", "/en/tags/", "/ko/tags/", "/en/series/lip-filler/", "/ko/authors/dr-han/"} <= set(pages)
    root = pages["/"]["description"]
    assert "밸런스랩 블로그" in root and "Balance Lab Journal" in root
    assert root != pages["/ko/"]["description"]
    # The clinic's own words for a topic, from site.toml [tags]
    assert pages["/en/tags/lip-filler/"]["description"].startswith("How lip fillers work")
    assert pages["/en/tags/aftercare/"]["description"].startswith(
        "1 article on “aftercare” from Balance Lab Journal. Lip Filler Part 3")
    assert pages["/en/tags/migration/"]["description"].startswith("2 articles on “migration”")
    assert pages["/ko/tags/필러-이동/"]["description"].startswith("밸런스랩 블로그에서 ‘필러 이동’ 태그가 붙은 글 2편")
    assert pages["/en/series/lip-filler/"]["description"].startswith("Three parts on why filled lips")
    author = pages["/en/authors/dr-park/"]["description"]
    assert author.startswith("Dr. Jihoon Park, Board-certified dermatologist. A dermatologist focused")
    intro = pages["/en/tags/lip-filler/"]["tree"].xpath('string(//p[@class="intro"])')
    assert intro.startswith("How lip fillers work")


def test_a_fresh_init_site_describes_every_page_and_passes_strict_check(tmp_path):
    site = tmp_path / "blog"
    assert run_cli("init", str(site)).code == 0
    fill_in_init_site(site)  # what init cannot know (test_scaffold.py shows check asks for each)
    assert run_cli("build", str(site)).code == 0
    assert_fit_and_differ(site / "output")
    result = run_cli("check", str(site), "--strict")
    assert result.code == 0, result.out


TOPICS = [("filler", "필러"), ("botox", "보톡스"), ("lifting", "리프팅"), ("acne", "여드름"), ("scars", "흉터"),
          ("pigment", "색소"), ("laser", "레이저"), ("peels", "필링"), ("threads", "실 리프팅"), ("pores", "모공"),
          ("redness", "홍조"), ("wrinkles", "주름"), ("sunscreen", "자외선 차단"), ("skin booster", "스킨부스터"),
          ("under-eye", "눈밑"), ("jawline", "턱선"), ("lips", "입술"), ("nose", "코"), ("hair removal", "제모"),
          ("melasma", "기미"), ("rosacea", "주사"), ("moisture", "보습"), ("collagen", "콜라겐"), ("dark circles", "다크서클"),
          ("sleep", "수면"), ("swelling", "붓기"), ("bruising", "멍"), ("consultation", "상담"), ("costs", "비용"),
          ("recovery", "회복")]


def generated_site() -> dict[str, str]:
    """30 posts a language, 30 topics plus one every post has (many pages), three posts a page."""
    files = {"site.toml": MINIMAL_CONFIG.replace('timezone = "Asia/Seoul"', 'timezone = "Asia/Seoul"\nposts_per_page = 3')}
    for n in range(30):
        en, ko = TOPICS[n], TOPICS[(n * 7) % 30]
        tags_en = sorted({en[0], ko[0], "care"} if n % 4 else {en[0], "care"})
        tags_ko = sorted({en[1], ko[1], "관리"} if n % 4 else {en[1], "관리"})
        files[f"posts/en/post-{n}.md"] = post_text(
            f"{en[0].capitalize()} questions answered, part {n}", date=f"2026-06-{n % 28 + 1:02d}",
            tags="[" + ", ".join(tags_en) + "]", author="dr-kim").replace(
            "A description of fifty characters or more, for the tests here.",
            f"What to know about {en[0]} before and after a treatment, part {n} of our series of answers.")
        files[f"posts/ko/post-{n}.md"] = post_text(
            f"{en[1]} 궁금증 풀이 {n}편", date=f"2026-06-{n % 28 + 1:02d}",
            tags="[" + ", ".join(tags_ko) + "]", author="dr-lee").replace(
            "A description of fifty characters or more, for the tests here.",
            f"{en[1]} 시술 전후에 알아 두면 좋은 내용을 의료진이 설명하는 {n}번째 글입니다.")
    return files


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    site = write_tree(tmp_path_factory.mktemp("many-tags") / "site", generated_site())
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    return site


def test_dozens_of_tags_and_pages_all_describe_themselves_differently(generated):
    pages = assert_fit_and_differ(generated / "output")
    tag_pages = [p for p in pages if "/tags/" in p and not p.endswith("/tags/")]
    assert len(tag_pages) >= 60
    assert pages["/en/tags/care/page/2/"]["description"].startswith("Page 2 of ")
    assert pages["/ko/tags/관리/page/3/"]["description"].startswith(
        "10페이지 중 3페이지: 테스트 블로그에서 ‘관리’ 태그가 붙은 글 30편을 모았습니다. ")
    assert pages["/en/authors/dr-kim/page/4/"]["description"].startswith(
        "Page 4 of 10: Dr. Kim, Board-certified plastic surgeon. 30 articles written or medically reviewed")
    assert pages["/en/tags/"]["description"].startswith("All 31 topics on Test Blog")
    assert pages["/ko/tags/"]["description"].startswith("테스트 블로그의 주제 31개")
    findings = [f for f in run_checks(generated) if f.rule == "seo-page-description"]
    assert findings == []


def test_counted_texts_use_the_plural_form_of_the_number(generated):
    tags = lxml_html.fromstring((generated / "output/en/tags/index.html").read_bytes())
    counts = {a.text.strip().lstrip("#"): a.findtext('span[@class="count"]') for a in tags.xpath('//ul[@class="tag-cloud"]/li/a')}
    singles = [tag for tag, count in counts.items() if count == "1 article"]
    assert singles and counts["care"] == "30 articles"
    assert all(count == "1 article" or count.endswith(" articles") for count in counts.values())
    pages = heads(generated / "output")
    one = singles[0].replace(" ", "-")
    assert pages[f"/en/tags/{one}/"]["description"].startswith(f"1 article on “{singles[0]}” from Test Blog.")
    korean = lxml_html.fromstring((generated / "output/ko/tags/index.html").read_bytes())
    assert {span.text for span in korean.xpath('//span[@class="count"]')} >= {"1편", "30편"}


def test_a_list_page_repeating_a_description_is_reported(site_factory):
    description = "Aftercare in the first days after a treatment: cold packs, sleep and the signs that need a call."
    config = MINIMAL_CONFIG.replace(
        "A blog for tests, where the clinic's doctors explain treatments in plain words.", description) + \
        f'\n[tags.en.aftercare]\ndescription = "{description}"\n\n[tags.en.sleep]\ndescription = "Too short."\n' + \
        '\n[tags.en.unused]\ndescription = "A topic no post has, described at length for the search engines."\n'
    site = site_factory({"posts/en/a.md": post_text("Sleeping after a treatment", tags="[aftercare, sleep]")}, config)
    messages = sorted(f.format() for f in run_checks(site) if f.rule == "seo-page-description")
    assert any("/en/tags/aftercare/ has the same meta description as /en/" in m for m in messages), messages
    line = config.splitlines().index('description = "Too short."') + 1
    assert any(m.startswith(f"site.toml:{line}: warning: [seo-page-description] /en/tags/sleep/: the meta "
                            "description is 10 units wide") for m in messages), messages
    assert any("[tags.en.\"unused\"] describes a tag that no en post has" in m for m in messages), messages
    assert run_cli("check", str(site), "--strict").code == 1


def test_tag_feed_carries_the_clinics_own_description(site_factory):
    import feedparser

    config = MINIMAL_CONFIG + '\n[tags.ko."입술 필러"]\ndescription = "입술 필러의 원리, 유지 기간, 녹이는 방법과 시술 후 관리를 한곳에 모았습니다."\n'
    site = site_factory({"posts/ko/a.md": post_text("입술 필러 시술 전에 알아 둘 것", tags="[입술 필러]")}, config)
    assert run_cli("build", str(site)).code == 0
    feed = feedparser.parse((site / "output/ko/tags/입술-필러/feed.xml").read_bytes())
    assert feed.feed.subtitle == "입술 필러의 원리, 유지 기간, 녹이는 방법과 시술 후 관리를 한곳에 모았습니다."
    page = heads(site / "output")["/ko/tags/입술-필러/"]
    assert page["description"] == feed.feed.subtitle


RUSSIAN = """
[languages.ru]
name = "Русский"
locale = "ru_RU"
title = "Блог клиники"
description = "Врачи клиники простыми словами рассказывают о процедурах и уходе после них."
"""
ENGLISH_STRINGS = (Path(__file__).resolve().parent.parent / "templates/i18n/en.toml").read_text(encoding="utf-8")
TAGS_COUNT = '"tags.count" = { one = "{count} article", other = "{count} articles" }'


def test_a_string_file_without_a_needed_plural_form_names_the_key(site_factory):
    russian = ENGLISH_STRINGS.replace(TAGS_COUNT, '"tags.count" = { one = "{count} статья", other = "{count} статьи" }')
    site = site_factory({"posts/ru/a.md": post_text("Статья"), "templates/i18n/ru.toml": russian},
                        MINIMAL_CONFIG + RUSSIAN)
    result = run_cli("build", str(site))
    assert result.code == 1 and "Traceback" not in result.err
    line = russian.splitlines().index('"tags.count" = { one = "{count} статья", other = "{count} статьи" }') + 1
    assert (f"templates/i18n/ru.toml:{line}: error: UI string 'tags.count' counts something, and 'ru' needs the "
            "plural forms few, many") in result.err
    assert 'hint: write "tags.count" = { one = "...", few = "...", many = "...", other = "..." }' in result.err


def test_russian_counts_choose_among_their_forms(site_factory):
    """One, few and many: 1 статья, 3 статьи, 7 статей."""
    every_form = re.sub(r'other = ("[^"]*") }', r"few = \1, many = \1, other = \1 }", ENGLISH_STRINGS)
    russian = every_form.replace(TAGS_COUNT.replace("other =", "few = \"{count} articles\", many = \"{count} articles\", other ="),
                                 '"tags.count" = { one = "{count} статья", few = "{count} статьи", '
                                 'many = "{count} статей", other = "{count} статьи" }')
    assert "статей" in russian
    tags = ["[уход, кожа]"] * 3 + ["[уход, лицо]"] + ["[уход]"] * 3
    posts = {f"posts/ru/a{n}.md": post_text(f"Статья {n}", tags=tag) for n, tag in enumerate(tags)}
    site = site_factory({**posts, "templates/i18n/ru.toml": russian}, MINIMAL_CONFIG + RUSSIAN)
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    tree = lxml_html.fromstring((site / "output/ru/tags/index.html").read_bytes())
    assert sorted(span.text for span in tree.xpath('//span[@class="count"]')) == ["1 статья", "3 статьи", "7 статей"]
