"""The privacy notice (/<lang>/privacy/) as built from the site's settings, the [privacy] table, and the
`check` rule that asks a site collecting data for the notice's required fields."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import MINIMAL_CONFIG, run_cli
from test_analytics import POSTS, analytics_config, build
from test_comments import PROVIDER_SETTINGS, page
from test_sharing import messages

PRIVACY = ('\n[privacy]\nofficer = { ko = "김민지 실장", en = "Minji Kim, office manager" }\n'
           'effective = "2026-09-01"\nemail = "privacy@example-clinic.com"\n')


def comments_table(provider: str, settings: str | None = None) -> str:
    settings = PROVIDER_SETTINGS.get(provider, "") if settings is None else settings
    return f'\n[comments]\nprovider = "{provider}"\n' + (f"\n[comments.{provider}]\n{settings}\n" if settings else "")


def facts(tree) -> list[dict[str, str]]:
    """Each service the notice names: its name and the facts under it."""
    found = []
    for section in tree.cssselect("article.privacy section"):
        terms = [dt.text_content() for dt in section.cssselect("dt")]
        found.append({"name": section.cssselect("h3")[0].text_content(),
                      **dict(zip(terms, [dd.text_content() for dd in section.cssselect("dd")]))})
    return found


def test_the_sample_site_has_a_notice_in_both_languages_linked_from_every_footer(sample_site):
    for lang, title in (("ko", "개인정보 처리방침"), ("en", "Privacy notice")):
        tree = page(sample_site, f"{lang}/privacy/index.html")
        assert tree.findtext(".//h1") == title and tree.get("lang") == lang
        alternates = dict(zip(tree.xpath("//link[@rel='alternate'][@hreflang]/@hreflang"),
                              tree.xpath("//link[@rel='alternate'][@hreflang]/@href")))
        assert alternates["ko"].endswith("/ko/privacy/") and alternates["en"].endswith("/en/privacy/")
    english = page(sample_site, "en/privacy/index.html").text_content()
    assert "it uses no comment service and counts no visits" in english
    assert "Haeun Lee, RN (privacy officer)" in english and "September 1, 2026" in english
    assert "Appointments and medical records are covered by the clinic's own privacy notice" in english
    korean = page(sample_site, "ko/privacy/index.html").text_content()
    assert "이하은 간호사 (개인정보 보호책임자)" in korean and "2026년 9월 1일부터 적용" in korean
    assert "개인정보분쟁조정위원회(1833-6972" in korean
    pages = [p for p in sample_site.rglob("index.html") if p.parent.name != "admin"]
    footers = 0
    for path in pages:
        tree = page(sample_site, str(path.relative_to(sample_site)))
        for footer in tree.cssselect("footer.site-footer"):
            lang = tree.get("lang")
            assert footer.cssselect(f"a.privacy-link[href='/{lang}/privacy/']"), path
            footers += 1
    assert footers > 20
    sitemap = (sample_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/ko/privacy/</loc>" in sitemap and "/en/privacy/</loc>" in sitemap


def test_each_service_the_site_uses_is_described_with_where_and_how_long(site_factory):
    output = build(site_factory, analytics_config("ga4") + comments_table("giscus") + PRIVACY)
    english = facts(page(output, "en/privacy/index.html"))
    assert [service["name"] for service in english] == ["giscus", "Google Analytics"]
    giscus, google = english
    assert "GitHub, Inc. (USA)" in giscus["Who processes it, and where"]
    assert giscus["How to refuse or withdraw"].startswith("Nothing is loaded from the comment service until you ask")
    assert google["Who processes it, and where"] == "Google LLC (USA), outside Korea."
    assert "_ga" in google["What is collected"] and "fourteen" in google["How long it is kept"]
    assert "Nothing is sent unless you agree." in google["How to refuse or withdraw"]
    assert "opts out of Google Analytics" in google["How to refuse or withdraw"]
    tree = page(output, "en/privacy/index.html")
    (settings,) = tree.cssselect("article.privacy button[data-analytics-settings]")
    assert settings.text_content() == "Visit counting"
    storage = [li.text_content() for li in tree.xpath("//h2[.='Cookies and storage in your browser']"
                                                      "/following-sibling::ul[1]/li")]
    assert storage[1] == "giscus may store cookies of its own once the comments are shown."
    assert storage[2].startswith("Google Analytics stores cookies in your browser") and "only after you agree" in storage[2]
    assert "local storage" in storage[3]
    korean = facts(page(output, "ko/privacy/index.html"))
    assert [service["name"] for service in korean] == ["giscus", "구글 애널리틱스"]
    assert korean[1]["처리하는 곳"] == "Google LLC(미국), 국외에서 처리됩니다."


@pytest.mark.parametrize("config, name, where", [
    (comments_table("isso"), "Isso", "The clinic's own Isso server (comments.example-clinic.com), run by the clinic."),
    (analytics_config("plausible", settings='domain = "blog.example-clinic.com"\n'
                                            'script_url = "https://stats.example-clinic.com/js/script.js"'),
     "Plausible Analytics",
     "The clinic's own Plausible Analytics server (stats.example-clinic.com), run by the clinic."),
    (comments_table("commento", ""), "commento", "commento, the service behind the comments."),
], ids=["isso", "self-hosted-plausible", "custom-comments"])
def test_a_service_the_clinic_runs_itself_is_named_as_such(site_factory, config, name, where):
    files = {"templates/comments/commento.html": "<div id='commento'></div>"} if "commento" in config else {}
    site = site_factory({**POSTS, **files}, config=(config if config.startswith("[site]") else MINIMAL_CONFIG + config)
                        + PRIVACY)
    assert run_cli("build", str(site), "-j", "1").code == 0
    (service,) = facts(page(site / "output", "en/privacy/index.html"))
    assert (service["name"], service["Who processes it, and where"]) == (name, where)


def test_load_always_says_how_to_stop_it_without_a_question(site_factory):
    output = build(site_factory, analytics_config("goatcounter", load="always") + PRIVACY)
    tree = page(output, "en/privacy/index.html")
    (counter,) = facts(tree)
    assert counter["How to refuse or withdraw"] == "The privacy settings of your browser, or a content blocker, can stop it."
    assert not tree.cssselect("article.privacy [data-analytics-settings]")


def test_the_notices_own_contact_links_are_not_counted_as_conversions(site_factory):
    tree = page(build(site_factory, analytics_config("plausible") + PRIVACY), "en/privacy/index.html")
    links = tree.xpath("//article//a[starts-with(@href, 'mailto:') or starts-with(@href, 'tel:')]")
    assert [a.get("href") for a in links] == ["mailto:privacy@example-clinic.com", "tel:+82-2-515-0700"]
    assert all(a.get("data-conversion") == "" for a in links)


def check(site: Path):
    return run_cli("check", str(site), "--format", "text")


def privacy_findings(output: str) -> list[str]:
    return [line for line in output.splitlines() if "[privacy-notice]" in line]


def no_privacy_findings(site: Path) -> bool:
    """check read site.toml and the posts (a broken site.toml stops it before the notice is looked at)
    and found nothing about the notice."""
    result = check(site)
    assert "[config]" not in result.out and "\nChecked " in "\n" + result.out, result.out
    return privacy_findings(result.out) == []


def test_check_reports_a_site_that_collects_data_without_the_notices_fields(site_factory):
    config = analytics_config("plausible") + comments_table("giscus")
    site = site_factory(POSTS, config=config)
    result = check(site)
    line = config.splitlines().index('provider = "giscus"') + 1
    (finding,) = privacy_findings(result.out)
    assert finding == (f"site.toml:{line}: error: [privacy-notice] the site collects personal information (comments "
                       "with giscus, visit counting with plausible), but its privacy notice (/ko/privacy/) lacks the "
                       "person or department responsible (officer), the date it takes effect (effective)")
    assert result.code == 1
    hint = result.out.split(finding, 1)[1].splitlines()[1].strip()
    assert hint.startswith('hint: add under [privacy]: officer = { ko = "개인정보 보호 담당 부서", en = "Privacy office" }; '
                           'effective = "')

    # Following the hint: its lines under [privacy] make the notice complete.
    lines = hint.removeprefix("hint: add under [privacy]: ").split(" (see ")[0].split("; ")
    (site / "site.toml").write_text(config + "\n[privacy]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert no_privacy_findings(site)


def test_check_asks_for_a_contact_when_the_clinic_gives_none(site_factory):
    config = re.sub(r'telephone = ".*"\n', "", analytics_config("umami")) + (
        '\n[privacy]\nofficer = "Privacy office"\neffective = "2026-09-01"\n')
    site = site_factory(POSTS, config=config)
    result = check(site)
    (finding,) = privacy_findings(result.out)
    line = config.splitlines().index("[privacy]") + 1
    assert finding.startswith(f"site.toml:{line}: error: [privacy-notice]")
    assert finding.endswith("lacks a contact for privacy requests (email or telephone)")
    assert 'email = "privacy@example-clinic.com" ([clinic] email or telephone also serve' in result.out


def test_check_is_quiet_for_a_site_that_collects_nothing_or_has_a_complete_notice(site_factory):
    assert no_privacy_findings(site_factory(POSTS, config=MINIMAL_CONFIG))
    site = site_factory(POSTS, config=analytics_config("naver") + comments_table("disqus") + PRIVACY)
    assert no_privacy_findings(site)


@pytest.mark.parametrize("table, expected", [
    ('effective = "1 September 2026"', "'privacy.effective' must be a date written YYYY-MM-DD, got '1 September 2026'"),
    ('email = "privacy at clinic"', "'privacy.email' 'privacy at clinic' is not an e-mail address"),
    ('officer = 3', "'privacy.officer' must be a string or a table of strings per language"),
    ('responsible = "Privacy office"', "unknown key 'privacy.responsible'"),
], ids=["date", "email", "officer", "unknown"])
def test_privacy_table_mistakes_are_named(table, expected):
    (found,) = messages(MINIMAL_CONFIG + f"\n[privacy]\n{table}\n")
    assert found.split(": ", 1)[1].startswith(expected), found


def test_the_notice_has_a_meta_description_that_fits_a_search_result(sample_site):
    for lang in ("ko", "en"):
        tree = page(sample_site, f"{lang}/privacy/index.html")
        (description,) = tree.xpath("//meta[@name='description']/@content")
        units = sum(2 if "\uac00" <= ch <= "\ud7a3" else 1 for ch in description)
        assert 50 <= units <= 160, (lang, units, description)
