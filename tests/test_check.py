"""`clinicpress check`: every rule fires on a failing example and stays quiet on a passing one."""
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

from generator.check.command import run_checks
from generator.check.runner import RULES, rule_catalog
from generator.check.core import Occurrences, excerpt_at
from generator.check.packs import load_packs
from generator.errors import Excerpt

from conftest import MINIMAL_CONFIG, REPO, copy_sample_site, post_text, run_cli, run_cli_apart, write_tree

FLAWED = Path(__file__).parent / "fixtures" / "check" / "flawed"
EN_DESCRIPTION = "What to expect in the first days after a treatment, from cold packs to sleep."
KO_DESCRIPTION = "시술 후 처음 며칠 동안 냉찜질부터 수면 자세까지 알아 두면 좋은 내용을 정리했습니다."


def post(title: str = "Aftercare for the first days", body: str = "## Cold packs\n\nUse a wrapped cold pack.\n",
         date: str = "2026-07-03", description: str | None = EN_DESCRIPTION, **front_matter: str) -> str:
    lines = [f'title: "{title}"', f"date: {date}", "author: dr-kim"]
    if description is not None:
        lines.append(f'description: "{description}"')
    lines += [f"{key}: {value}" for key, value in front_matter.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def ko_post(title: str = "시술 후 처음 며칠 동안의 관리", body: str = "## 냉찜질\n\n감싼 냉찜질 팩을 사용하세요.\n",
            description: str | None = KO_DESCRIPTION, **front_matter: str) -> str:
    return post(title, body, description=description, **front_matter)


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 140)).save(out, "PNG")
    return out.getvalue()


def pair(en: str | None = None, ko: str | None = None) -> dict[str, str]:
    """A post and its translation (same file name, so the same translation key)."""
    return {"posts/en/aftercare.md": en or post(), "posts/ko/aftercare.md": ko or ko_post()}


def rules_found(root: Path) -> set[str]:
    return {finding.rule for finding in run_checks(root)}


PROCEDURE = {"tags": "[lip filler]", "reviewed_by": "dr-lee"}
RISKS = "## Possible side effects\n\nSwelling and bruising are common for a few days.\n"
# rule id -> (files that break the rule, files that keep it); both on top of MINIMAL_CONFIG.
CASES = {
    "config": ({"site.toml": MINIMAL_CONFIG + "\n[check]\nstale_day = 3\n", **pair()},
               {"site.toml": MINIMAL_CONFIG + "\n[check]\nstale_days = 3\n", **pair()}),
    "front-matter": ({**pair(), "posts/en/other.md": "---\ntitel: x\ndate: 2026-07-03\n---\n"}, pair()),
    "check-comment": (pair(post(body="<!-- check: ignore seo-titel-length -->\nText.\n")),
                      pair(post(body="<!-- check: ignore seo-title-length -->\nText.\n"))),
    "translation-missing": ({"posts/en/aftercare.md": post()}, pair()),
    "translation-mismatch": (pair(ko=ko_post(date="2026-07-20")), pair()),
    "translation-stale": (pair(post(updated="2026-09-01")), pair(post(updated="2026-09-01"), ko_post(updated="2026-08-25"))),
    "series-undeclared": (pair(post(series="lip-care", series_part="1"), ko_post(series="lip-care", series_part="1")),
                          {"site.toml": MINIMAL_CONFIG + '[series.lip-care]\ntitle = { ko = "입술 관리", en = "Lip care" }\n',
                           **pair(post(series="lip-care", series_part="1"), ko_post(series="lip-care", series_part="1"))}),
    "seo-title-length": (pair(post(title="Lips")), pair()),
    "seo-description": (pair(post(description=None)), pair()),
    "seo-h1-in-body": (pair(post(body="# Cold packs\n\nText.\n")), pair(post(body="## Cold packs\n\nText.\n"))),
    "seo-heading-skip": (pair(post(body="## Days 1-2\n\n#### Cold packs\n")), pair(post(body="## Days 1-2\n\n### Cold packs\n"))),
    "seo-image-alt": ({**pair(post(body="![](/images/cold.png)\n")), "static/images/cold.png": b"png"},
                      {**pair(post(body="![A cold pack](/images/cold.png)\n")), "static/images/cold.png": b"png"}),
    "seo-duplicate-title": ({**pair(), "posts/en/other.md": post(description="Another description that is long enough for search engines.")},
                            {**pair(), "posts/en/other.md": post("Sleep after a treatment", description="Another "
                                                                 "description that is long enough for search engines.")}),
    "seo-duplicate-description": ({**pair(), "posts/en/other.md": post("Sleep after a treatment")},
                                  {**pair(), "posts/en/other.md": post("Sleep after a treatment", description="Another "
                                                                       "description that is long enough for search engines.")}),
    "seo-page-description": (
        {**pair(post(tags="[aftercare]")), "site.toml": MINIMAL_CONFIG + '\n[tags.en.aftercare]\ndescription = "Tips."\n'},
        {**pair(post(tags="[aftercare]")), "site.toml": MINIMAL_CONFIG + '\n[tags.en.aftercare]\ndescription = '
         '"Aftercare in the first days after a treatment: cold packs, sleep and the signs that need a call."\n'}),
    "tag-duplicate": (pair(post(tags="[Aftercare, aftercare]")), pair(post(tags="[Aftercare, lips]"))),
    "broken-link": (pair(post(body="See [the guide](/en/posts/aftercare-guide/).\n")),
                    pair(post(body="See [the Korean version](/ko/posts/aftercare/) and [home](../../).\n"))),
    "missing-image": (pair(post(body="![A cold pack](/images/cold.png)\n")),
                      {**pair(post(body="![A cold pack](/images/cold.png)\n")), "static/images/cold.png": b"png"}),
    "image-oversized": ({**pair(post(body="![The room](/images/room.png)\n")), "static/images/room.png": png(3100, 8)},
                        {**pair(post(body="![The room](/images/room.png)\n")), "static/images/room.png": png(2000, 8)}),
    "image-cover-small": ({**pair(post(image="/images/c.png", image_alt="A cover")), "static/images/c.png": png(600, 315)},
                          {**pair(post(image="/images/c.png", image_alt="A cover")), "static/images/c.png": png(1200, 630)}),
    "lang-stray-hangul": (pair(post(body="Apply a 냉찜질 pack for ten minutes.\n")),
                          pair(post(body="Our clinic is in Gangnam (강남), near the station.\n"))),
    "lang-long-english": (pair(ko=ko_post(body="Please remember that every treatment carries some risk for you.\n")),
                          pair(ko=ko_post(body="PDO 실은 흡수되는 봉합사 재료입니다.\n"))),
    "procedure-reviewer": (pair(post(body=RISKS, tags="[lip filler]")), pair(post(body=RISKS, **PROCEDURE))),
    "procedure-risks": (pair(post(**PROCEDURE)), pair(post(body=RISKS, **PROCEDURE))),
    "review-self": (pair(post(reviewed_by="dr-kim")), pair(post(reviewed_by="dr-lee"))),
    "example-value": ({"site.toml": MINIMAL_CONFIG.replace('"+82-2-515-0700"', '"+82-2-000-0000"'), **pair()}, pair()),
    "foreign-patients": ({"site.toml": MINIMAL_CONFIG.replace('foreign_patient_registration = "2026-0001"\n', ""),
                          **pair()}, pair()),
    "privacy-notice": ({"site.toml": MINIMAL_CONFIG + '\n[analytics]\nprovider = "goatcounter"\ncode = "clinic"\n', **pair()},
                       {"site.toml": MINIMAL_CONFIG + '\n[analytics]\nprovider = "goatcounter"\ncode = "clinic"\n\n'
                        '[privacy]\nofficer = "Privacy office"\neffective = "2026-09-01"\n', **pair()}),
}
# Advertising rules, in both languages: (English failing sentence, Korean failing sentence).
AD_CASES = {
    "ad-superlative": ("We are the best clinic in Seoul.", "국내 최고의 입술 필러 병원입니다."),
    "ad-guarantee": ("Results are guaranteed.", "효과를 100% 보장합니다."),
    "ad-absolute-claim": ("The treatment is painless.", "부작용 없는 시술입니다."),
    "ad-testimonial": ("Read our patient reviews.", "생생한 시술 후기를 확인하세요."),
    "ad-before-after": ("See our before and after gallery.", "전후 사진을 확인하세요."),
    "ad-price-lure": ("Book now for 30% off.", "이번 달 특가로 만나 보세요."),
    "ad-comparison": ("We are safer than other clinics.", "타 병원보다 꼼꼼하게 상담합니다."),
    "ad-unproven-claim": ("This serum is clinically proven.", "임상적으로 입증된 효과입니다."),
    "ad-endorsement": ("Award-winning injectors.", "연예인들이 찾는 피부과입니다."),
    "ad-review-incentive": ("Leave a review and get a free mask.", "후기를 남기면 할인해 드립니다."),
    "ad-inducement": ("Refer a friend to our clinic.", "첫 방문 시 보톡스 1회 무료!"),
    "ad-unofficial-title": ("Meet our master injector.", "입술 필러 전문의가 시술합니다."),
}


def test_every_rule_has_a_case():
    packs, problems = load_packs([], ("ko", "en"))
    assert problems == []
    assert {rule.id for rule in rule_catalog(packs)} == set(CASES) | set(AD_CASES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_on_failing_example_only(rule, tmp_path):
    failing, passing = CASES[rule]
    assert rule in rules_found(write_tree(tmp_path / "fail", {"site.toml": MINIMAL_CONFIG, **failing}))
    assert rule not in rules_found(write_tree(tmp_path / "pass", {"site.toml": MINIMAL_CONFIG, **passing}))


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("rule", sorted(AD_CASES))
def test_advertising_rule_fires_in_both_languages(rule, lang, tmp_path):
    sentence = AD_CASES[rule][lang == "ko"]
    make = post if lang == "en" else ko_post
    files = {**pair(), f"posts/{lang}/aftercare.md": make(body=f"## Section\n\n{sentence}\n")}
    assert rule in rules_found(write_tree(tmp_path / "fail", {"site.toml": MINIMAL_CONFIG, **files}))
    assert not {r for r in rules_found(write_tree(tmp_path / "pass", {"site.toml": MINIMAL_CONFIG, **pair()}))
                if r.startswith("ad-")}


def test_flawed_fixture_site_triggers_every_rule():
    packs, _ = load_packs([(FLAWED / "checks/our-phrases.toml", "checks/our-phrases.toml")], ("ko", "en"))
    assert rules_found(FLAWED) == {rule.id for rule in rule_catalog(packs)}


def test_sample_site_passes_strict_check():
    result = run_cli("check", str(REPO), "--strict")
    assert result.code == 0, result.out


def test_finding_names_file_line_column_rule_and_hint(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG,
                                 **pair(post(body="## Care\n\nThe filler is painless for most.\n"))})
    result = run_cli("check", str(site))
    assert result.code == 1  # ad-absolute-claim is an error
    # body line 3 is file line 9 (front-matter: 7 lines); 'painless' starts at column 15
    assert ("posts/en/aftercare.md:9:15: error: [ad-absolute-claim] 'painless': absolute safety or outcome claim"
            in result.out)
    assert "\n  hint: describe the usual discomfort" in result.out


def test_findings_carry_the_flagged_words_and_which_occurrence_they_are(tmp_path):
    body = "<!-- check: ignore ad-absolute-claim -->\nA painless start.\n\nStill PAINLESS here.\n"
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(title="A painless aftercare guide", body=body))})
    found = [f for f in run_checks(site) if f.rule == "ad-absolute-claim"]
    assert [f.excerpt for f in found] == [Excerpt("painless", "title", 0), Excerpt("PAINLESS", "body", 1)]
    assert found[1].reference.startswith("FTC Act") and found[1].format().endswith(f"(see {found[1].reference})")


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(pieces=st.lists(st.sampled_from(["a", "A", "b", " ", "  ", "\n\n", "ab", "보장", "İ", "\t "]), min_size=1, max_size=40),
       spans=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 6)), min_size=1, max_size=6))
def test_excerpts_of_long_bodies_are_counted_as_short_texts_are(pieces, spans):
    """A body's first excerpts are counted directly, its later ones incrementally over a text normalized
    once (from where the words start, past any spaces flagged with them): the two counts agree."""
    text = "".join(pieces)
    occurrences = Occurrences(text)
    for start, length in sorted((s % len(text), length) for s, length in spans):
        end = min(len(text), start + length)
        lead = len(text[start:end]) - len(text[start:end].lstrip())
        assert occurrences.excerpt(start, end, "body") == excerpt_at(text, start + lead, end, "body")
        if len(text.lower()) == len(text):  # a post's lower-cased prose, looked in for the words first
            assert excerpt_at(text, start + lead, end, "body", text.lower()) == excerpt_at(text, start + lead, end, "body")


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(pieces=st.lists(st.sampled_from(["a", "\n", "\n\n", "보장 ", "\r\n", "  "]), min_size=0, max_size=40),
       offsets=st.lists(st.integers(0, 60), min_size=1, max_size=20))
def test_a_findings_line_and_column_are_the_same_counted_or_looked_up(pieces, offsets):
    """A post's first findings count the line breaks before them; later ones look their line up in a
    list of the lines' starts: both give the file line and 1-based column."""
    from types import SimpleNamespace

    from generator.check.core import PostText

    body = "".join(pieces)
    text = PostText(SimpleNamespace(body=body, body_line=7))
    for offset in (offset % (len(body) + 1) for offset in offsets):
        assert text.location(offset) == (7 + body.count("\n", 0, offset), offset - body.rfind("\n", 0, offset))


def test_json_format_lists_the_same_fields(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(title="Lips"))})
    found = json.loads(run_cli("check", str(site), "--format", "json").out)
    assert {"path": "posts/en/aftercare.md", "line": 2, "column": 1, "severity": "warning",
            "rule": "seo-title-length"}.items() <= found[0].items()
    assert set(found[0]) == {"path", "line", "column", "severity", "rule", "message", "hint"}


@pytest.mark.parametrize("files, summary", [
    (pair(), "Checked 2 posts: no errors or warnings"),
    ({"posts/en/aftercare.md": post()}, "Checked 1 post: no errors or warnings (1 info)"),
    (pair(post(title="Lips", body="It is painless.\n")), "Checked 2 posts: 1 error, 1 warning"),
    ({"site.toml": MINIMAL_CONFIG + "\n[sitee]\n", **pair()}, "Could not check the posts: 1 error"),
], ids=["all-well", "info-only", "errors-and-warnings", "broken-config"])
def test_check_ends_with_a_one_line_summary_also_when_all_is_well(tmp_path, files, summary):
    result = run_cli("check", str(write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **files})))
    assert result.out.splitlines()[-1] == summary
    assert json.loads(run_cli("check", "--format", "json", str(tmp_path)).out) is not None  # JSON stays JSON


def test_warnings_fail_only_with_strict(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(title="Lips"))})
    assert run_cli("check", str(site)).code == 0
    assert run_cli("check", str(site), "--strict").code == 1


def test_info_findings_never_fail(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, "posts/en/aftercare.md": post()})
    result = run_cli("check", str(site), "--strict")
    assert result.code == 0 and "info: [translation-missing]" in result.out


def with_check(table: str) -> str:
    return MINIMAL_CONFIG + "\n[check]\n" + table


@pytest.mark.parametrize("setting, severity", [("off", None), ("info", "info"), ("error", "error")])
def test_site_changes_a_rules_severity(setting, severity, tmp_path):
    site = write_tree(tmp_path, {"site.toml": with_check(f'[check.rules]\nseo-title-length = "{setting}"\n'),
                                 **pair(post(title="Lips"))})
    found = [f.severity for f in run_checks(site) if f.rule == "seo-title-length"]
    assert found == ([severity] if severity else [])


@pytest.mark.parametrize("table, expected", [
    ('[check.rules]\nseo-titel-length = "off"\n', "site.toml:{rule_line}: unknown rule 'seo-titel-length' in [check.rules]"),
    ('[check.rules]\nfront-matter = "off"\n', "site.toml:{rule_line}: rule 'front-matter' cannot be changed"),
    ("stale_day = 3\n", "site.toml:{key_line}: unknown key 'check.stale_day'"),
    ('stale_days = "soon"\n', "site.toml:{key_line}: 'check.stale_days' must be a whole number of at least 1, got 'soon'"),
    ("proper_nouns = \"Balance Lab\"\n", "site.toml:{key_line}: 'check.proper_nouns' must be a list of non-empty strings"),
    ("title_length = { fr = [10, 60] }\n", "site.toml:{key_line}: 'check.title_length.fr': 'fr' is not a language of site.toml"),
    ("description_length = { ko = [80, 40] }\n", "site.toml:{key_line}: 'check.description_length.ko' must be [shortest, longest]"),
    ('packs = ["checks/missing.toml"]\n', "checks/missing.toml:None: rule pack not found"),
], ids=["unknown-rule", "fixed-rule", "unknown-key", "bad-number", "not-a-list", "unknown-language",
        "reversed-bounds", "missing-pack"])
def test_check_settings_are_validated_with_lines(table, expected, tmp_path):
    site = write_tree(tmp_path, {"site.toml": with_check(table), **pair()})
    key_line = MINIMAL_CONFIG.count("\n") + 3  # the line after [check]
    expected = expected.format(key_line=key_line, rule_line=key_line + 1)
    config_errors = [f"{f.path}:{f.line}: {f.message}" for f in run_checks(site) if f.rule == "config"]
    assert any(line.startswith(expected) for line in config_errors), config_errors


def test_unknown_rule_suggests_the_nearest(tmp_path):
    site = write_tree(tmp_path, {"site.toml": with_check('[check.rules]\nseo-titel-length = "off"\n'), **pair()})
    assert [f.hint for f in run_checks(site) if f.rule == "config"] == ["did you mean 'seo-title-length'?"]


def test_site_pack_adds_phrases_and_rules(tmp_path):
    pack = ('[[rule]]\nid = "ad-price-lure"\nphrases = ["VIP package"]\n\n'
            '[[rule]]\nid = "ad-house-style"\nseverity = "error"\nmessage = "not our style"\nphrases = ["기적"]\n')
    site = write_tree(tmp_path, {"site.toml": with_check('packs = ["checks/ours.toml"]\n'), "checks/ours.toml": pack,
                                 **pair(post(body="Ask about the VIP package.\n"), ko_post(body="기적 같은 변화.\n"))})
    found = {(f.rule, f.severity, f.path) for f in run_checks(site)}
    assert ("ad-price-lure", "warning", "posts/en/aftercare.md") in found
    assert ("ad-house-style", "error", "posts/ko/aftercare.md") in found


@pytest.mark.parametrize("pack, expected", [
    ('[[rule]]\nid = "ad-price-lure"\nseverity = "error"\nphrases = ["x"]\n', "rule 'ad-price-lure' is already defined"),
    ('[[rule]]\nid = "ours"\nseverity = "error"\nmessage = "m"\npatterns = ["(unclosed"]\n', "is not a valid regular expression"),
    ('[[rule]]\nid = "ours"\nmessage = "m"\nphrases = ["x"]\n', "rule 'ours' needs 'severity'"),
    ('[[rule]]\nid = "ours"\nseverity = "error"\nmessage = "m"\nphrase = ["x"]\n', "unknown key 'rule.phrase'"),
    ('lang = "fr"\n', "'lang' is 'fr', which is not a language of site.toml"),
], ids=["extend-with-severity", "bad-regex", "missing-severity", "typo", "unknown-language"])
def test_site_pack_problems_point_at_the_pack(pack, expected, tmp_path):
    site = write_tree(tmp_path, {"site.toml": with_check('packs = ["checks/ours.toml"]\n'), "checks/ours.toml": pack,
                                 **pair()})
    messages = [f"{f.path}: {f.message}" for f in run_checks(site) if f.rule == "config"]
    assert any(m.startswith("checks/ours.toml") and expected in m for m in messages), messages


def test_site_without_korean_skips_the_korean_pack(tmp_path):
    config = MINIMAL_CONFIG.replace('default_language = "ko"', 'default_language = "en"').replace(
        '[languages.ko]\nname = "한국어"\nlocale = "ko_KR"\ntitle = "테스트 블로그"\ndescription = "테스트용 블로그입니다. 시술 전후에 알아 두면 좋은 내용을 의료진이 설명합니다."\n', "")
    assert "[languages.ko]" not in config
    site = write_tree(tmp_path, {"site.toml": config, "posts/en/aftercare.md": post(body="It is painless.\n")})
    assert rules_found(site) == {"ad-absolute-claim"}


def test_ignore_comment_silences_the_next_line_only(tmp_path):
    body = ("<!-- check: ignore ad-absolute-claim -->\nA painless first step.\n\nStill painless here.\n")
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(body=body))})
    lines = [f.line for f in run_checks(site) if f.rule == "ad-absolute-claim"]
    assert lines == [10]


def test_ignore_file_comment_silences_front_matter_findings(tmp_path):
    body = "<!-- check: ignore-file seo-title-length, seo-description -->\n## Care\n"
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(title="Lips", description=None, body=body))})
    assert not rules_found(site) & {"seo-title-length", "seo-description", "check-comment"}


def test_negated_claims_are_not_advertising(tmp_path):
    en = post(body="No treatment is completely painless, and filler is never risk-free.\n\n"
                   "While it is impossible to target it 100%, the goal is to dissolve only the migrated area.\n")
    ko = ko_post(body="부작용이 없는 시술은 없습니다. 붓기는 이틀째에 최고조에 이릅니다.\n"
                      "100% 타겟팅하는 것은 불가능하지만, 이동한 부위만 녹이는 것이 목표입니다.\n"
                      "완전히 무통은 아닙니다. 결제는 무통장 입금도 됩니다.\n")
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(en, ko)})
    assert not {rule for rule in rules_found(site) if rule.startswith("ad-")}


@pytest.mark.parametrize("lang, body, mentioned", [
    ("ko", "부작용 없는 최고의 시술입니다.\n", False),
    ("ko", "부작용 걱정 없는 시술, 부작용 제로!\n", False),
    ("en", "Fuller lips, risk-free and with no side effects.\n", False),
    ("ko", "부작용 없는 시술은 없습니다. 드물게 멍이 들 수 있습니다.\n", True),
    ("ko", "부작용 없는 시술입니다.\n\n## 부작용\n\n드물게 멍이 들 수 있습니다.\n", True),
    ("en", "No treatment is free of side effects: bruising is common.\n", True),
], ids=["ko-claim", "ko-two-claims", "en-claims", "ko-negated-claim", "ko-claim-and-a-section", "en-negated-claim"])
def test_risk_words_inside_a_no_risk_claim_do_not_count_as_mentioning_risks(tmp_path, lang, body, mentioned):
    text = ko_post(body=body, **PROCEDURE) if lang == "ko" else post(body=body, **PROCEDURE)
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(**{lang: text})})
    risks = [f for f in run_checks(site) if f.rule == "procedure-risks"]
    assert [f.path for f in risks] == ([] if mentioned else [f"posts/{lang}/aftercare.md"])


def test_code_links_and_comments_are_not_prose(tmp_path):
    body = ("```\n# not a heading, 최고\n```\n\nRun `painless --fast` and see <https://example.org/best-clinic>.\n"
            "[Korean page](/ko/posts/aftercare/)\n<!-- 100% guaranteed -->\n")
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(body=body))})
    assert rules_found(site) == set()


def test_example_values_in_a_post_are_located_but_not_in_code_nor_a_name_used_as_an_example(tmp_path):
    body = ("Call us on +82-2-000-0000 or [write to us](https://www.example.com/contact).\n\n"
            "```\ncurl https://blog.example.com/feed.xml\n```\n\nA patient, say 홍길동 or Gildong Hong, asks.\n")
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(title="Aftercare at Saebom Clinic", body=body))})
    found = [f.format() for f in run_checks(site) if f.rule == "example-value"]
    assert found == [
        "posts/en/aftercare.md:2:1: error: [example-value] the title still has init's example clinic name "
        "'Saebom Clinic'\n  hint: write 'Test Clinic' (your clinic's name, as site.toml gives it) in its place",
        "posts/en/aftercare.md:7:12: error: [example-value] this line still has init's example telephone number "
        "'+82-2-000-0000'\n  hint: write '+82-2-515-0700' (the clinic's telephone number, as site.toml gives it) in its place",
        "posts/en/aftercare.md:7:52: error: [example-value] this line still has the example address 'www.example.com' "
        "(example.com is kept for examples: it is nobody's site)\n  hint: write your own address in its place"]


def test_hashtag_line_is_reported_as_a_heading_with_a_hint(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG,
                                 **pair(ko=ko_post(body="본문입니다.\n\n#입술필러 #냉찜질\n"))})
    found = [f for f in run_checks(site) if f.rule == "seo-h1-in-body"]
    assert found and "hashtags" in found[0].hint


def test_setext_heading_counts_as_a_level(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG,
                                 **pair(post(body="Intro line.\n\nBig title\n=========\n\nText.\n"))})
    assert "seo-h1-in-body" in rules_found(site)


def test_proper_nouns_are_not_language_mix_ups(tmp_path):
    config = with_check('proper_nouns = ["밸런스랩", "Balance Lab Clinic Seoul Gangnam Main Street Branch Office"]\n')
    site = write_tree(tmp_path, {"site.toml": config, **pair(
        post(body="Welcome to 밸런스랩.\n"),
        ko_post(body="Balance Lab Clinic Seoul Gangnam Main Street Branch Office 에 오신 것을 환영합니다.\n"))})
    assert not rules_found(site) & {"lang-stray-hangul", "lang-long-english"}


def test_link_to_a_draft_from_a_published_post_is_broken(tmp_path):
    files = {**pair(post(body="See [the next part](/en/posts/next/).\n")),
             "posts/en/next.md": post("The next part of the series", draft="true")}
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **files})
    found = [f.message for f in run_checks(site) if f.rule == "broken-link"]
    assert found == ["link to '/en/posts/next/', which is a draft and not published yet"]


def test_link_to_a_markdown_file_suggests_the_page(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(body="See [Korean](../ko/aftercare.md).\n"))})
    found = [f for f in run_checks(site) if f.rule == "broken-link"]
    assert found[0].hint == "link to the page: /ko/posts/aftercare/"


def test_korean_description_bounds_differ_from_english(tmp_path):
    files = pair(post(description="a" * 85), ko_post(description="가" * 85))  # 85: long in Korean, fine in English
    found = {f.path for f in run_checks(write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **files}))
             if f.rule == "seo-description"}
    assert found == {"posts/ko/aftercare.md"}


def test_empty_description_is_reported_on_its_own_line(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(description=""))})
    found, = [f for f in run_checks(site) if f.rule == "seo-description"]
    assert (found.path, found.line) == ("posts/en/aftercare.md", 5)  # title: is line 2, description: line 5
    assert found.hint == "write one or two sentences (50-160 characters) after description:"


def test_invalid_post_does_not_hide_the_other_findings(tmp_path):
    files = {**pair(post(title="Lips")), "posts/en/broken.md": "---\ntitle: x\ndate: 2026-13-01\n---\n"}
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **files})
    assert {"front-matter", "seo-title-length"} <= rules_found(site)


@pytest.mark.parametrize("english", [
    {"posts/en/aftercare.md": post(date="2026-13-01")},
    {"posts/en/aftercare.md": "---\ntitle: [unclosed\n---\nText.\n"},
    {"posts/en/after-treatment.md": post(date="2026-13-01", translation_key="aftercare")},
], ids=["bad-date", "broken-yaml", "other-file-name"])
def test_an_english_version_with_errors_is_reported_as_such_not_as_missing(tmp_path, english):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, "posts/ko/aftercare.md": ko_post(), **english})
    found = run_checks(site)
    assert [(f.path, f.rule) for f in found if f.severity == "error"] == [(next(iter(english)), "front-matter")]
    assert "translation-missing" not in {f.rule for f in found}


def test_findings_never_stop_a_build_and_check_is_the_gate(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(body="Results are guaranteed.\n"))})
    result = run_cli("build", str(site))
    assert result.code == 0, result.err
    assert result.out.endswith(" — 1 error found by check (-v lists it)\n") and result.err == ""
    assert "guaranteed" in (site / "output/en/posts/aftercare/index.html").read_text(encoding="utf-8")
    listed = run_cli("build", "-v", str(site))
    assert "posts/en/aftercare.md:7:13: error: [ad-guarantee] 'guaranteed'" in listed.err
    assert listed.out.endswith(" — 1 error found by check\n")
    checked = run_cli("check", str(site))
    assert checked.code == 1 and "posts/en/aftercare.md:7:13: error: [ad-guarantee] 'guaranteed'" in checked.out


def test_broken_internal_link_is_a_check_error_not_a_build_failure(tmp_path):
    files = {**pair(post(body="See [the guide](/en/posts/aftercare-guide/) and [the next part](/en/posts/next/).\n")),
             "posts/en/next.md": post("The next part of the series", draft="true")}
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **files})
    result = run_cli("build", "-v", str(site))
    assert result.code == 0 and " — 2 errors found by check\n" in result.out
    assert "posts/en/aftercare.md:7:5: error: [broken-link] link to '/en/posts/aftercare-guide/' points to no page" \
        in result.err
    assert "posts/en/aftercare.md:7:49: error: [broken-link] link to '/en/posts/next/'" in result.err
    assert (site / "output/en/posts/aftercare/index.html").is_file()
    checked = run_cli("check", str(site))
    assert checked.code == 1 and checked.out.count("[broken-link]") == 2
    assert "which is a draft and not published yet" in checked.out


def test_build_counts_the_description_warning_as_the_post_contract_says(tmp_path):
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **pair(post(description=None))})
    result = run_cli("build", "-v", str(site))
    assert result.code == 0 and result.out.endswith(" — 1 warning found by check\n")
    assert "posts/en/aftercare.md:2:1: warning: [seo-description] no 'description'" in result.err


def test_build_counts_findings_with_the_sites_severities(tmp_path):
    config = with_check('[check.rules]\nad-guarantee = "warning"\nseo-title-length = "off"\n')
    site = write_tree(tmp_path, {"site.toml": config, **pair(post(title="Lips", body="Results are guaranteed.\n"))})
    result = run_cli("build", str(site))
    assert result.code == 0 and result.out.endswith(" — 1 warning found by check (-v lists it)\n")
    assert run_cli("check", str(site)).code == 0 and run_cli("check", "--strict", str(site)).code == 1


def test_invalid_check_settings_still_stop_the_build_as_invalid_site_toml_does(tmp_path):
    site = write_tree(tmp_path, {"site.toml": with_check("stale_day = 3\n"), **pair()})
    result = run_cli("build", str(site))
    assert result.code == 1 and "site.toml:" in result.err and "unknown key 'check.stale_day'" in result.err
    assert not (site / "output").exists()


def test_rule_catalog_has_descriptions_and_known_severities():
    packs, _ = load_packs([], ("ko", "en"))
    for rule in rule_catalog(packs):
        assert rule.description and rule.severity in ("info", "warning", "error")
    assert len({rule.id for rule in RULES}) == len(RULES)


def test_builtin_packs_cite_a_legal_reference():
    packs, _ = load_packs([], ("ko", "en"))
    assert all(rule.reference and rule.message and rule.hint for rule in packs.rules)
    assert {rule.lang for rule in packs.rules} == {"ko", "en"}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_builtin_pattern_compiles(lang):
    """The built-in packs are not compiled when they load (a site's own packs are, to report a bad
    pattern at its line); each expression compiles when a post first needs it. Every one must."""
    import re

    packs, problems = load_packs([], ("ko", "en"))
    matcher = packs.matcher(lang, None, frozenset(packs.rule_ids()))
    assert not problems and len(matcher.sources) > 250
    for index in range(len(matcher.sources)):
        assert isinstance(matcher.expression(index)[1], re.Pattern)
    allowing = [rule.id for rule in matcher.rules if rule.allow]
    assert allowing and all(isinstance(matcher.allow(rule_id), re.Pattern) for rule_id in allowing)
    for rule in packs.rules:
        for pattern in rule.expressions + rule.allow:
            re.compile(f"(?P<x>{pattern})", re.I)  # as a site's own pack is validated


def test_recorded_page_lookups_notice_a_page_that_appears_later():
    from generator.check.lookups import SiteLookups
    before = SiteLookups({"en/": None}, frozenset(), lambda post: True, ())
    log: list = []
    pages, static, *_ = before.recording(log)
    assert pages.get("en/posts/new/") is None and "images/x.png" not in static
    assert before.still_true(log)
    after = SiteLookups({"en/": None, "en/posts/new/": None}, frozenset({"images/x.png"}), lambda post: True, ())
    page_lookups = [entry for entry in log if entry[0].startswith("page")]
    static_lookups = [entry for entry in log if entry[0].startswith("static")]
    assert page_lookups and not after.still_true(page_lookups)
    assert static_lookups and not after.still_true(static_lookups)


def test_every_address_a_build_writes_is_a_link_check_accepts(tmp_path):
    """check knows the site's addresses from the build's own plans: pages, feeds, sitemap, old addresses."""
    site = copy_sample_site(tmp_path / "site")
    old = "/en/posts/an-old-address/"
    (site / "posts/en/every-link.md").write_text(post_text("A page of links", body="See below.\n", aliases=f"[{old}]"),
                                                  encoding="utf-8")
    assert run_cli("build", str(site)).code == 0
    written = sorted("/" + path.relative_to(site / "output").as_posix().removesuffix("index.html")
                     for path in (site / "output").rglob("*") if path.suffix in {".html", ".xml"})
    assert {"/en/atom.xml", "/sitemap.xml", old} <= set(written) and len(written) > 40
    links = "\n".join(f"- [{n}]({path})" for n, path in enumerate(written + ["/robots.txt", "/en/posts/nowhere/"]))
    (site / "posts/en/every-link.md").write_text(
        post_text("A page of links", body=f"See below.\n\n{links}\n", aliases=f"[{old}]"), encoding="utf-8")
    broken = [f.message for f in run_checks(site) if f.rule == "broken-link"]
    assert broken == ["link to '/en/posts/nowhere/' points to no page of the site"]


def test_the_claims_model_warns_about_a_claim_no_rule_lists_and_says_what_it_reads_like(tmp_path):
    body = "## Results\n\nOur patients tell us the treatment changed their lives.\n"
    files = {**pair(post(body=body))}
    off = write_tree(tmp_path / "off", {"site.toml": MINIMAL_CONFIG + "\n[check]\nclaims_model = false\n", **files})
    assert "ad-testimonial" not in rules_found(off), "no rule lists these words"
    on = write_tree(tmp_path / "on", {"site.toml": MINIMAL_CONFIG, **files})  # the model reads by default
    found = [f for f in run_checks(on) if f.rule == "ad-testimonial"]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].line == 9
    assert "by the claims model" in found[0].message and "decisive words:" in found[0].message
    assert found[0].hint.startswith('reads like: "') and found[0].excerpt.text.startswith("Our patients tell us")


def _ad_findings(root: Path, body: str, model: bool = True) -> list[tuple[str, str]]:
    config = MINIMAL_CONFIG + ("" if model else "\n[check]\nclaims_model = false\n")
    site = write_tree(root, {"site.toml": config, **pair(post(body=body))})
    return sorted((f.rule, f.severity) for f in run_checks(site) if f.rule.startswith("ad-"))


def test_a_rule_match_the_model_reads_as_surely_honest_is_info(tmp_path):
    body = "A sign-language interpreter is guaranteed on request, with three days' notice.\n"
    assert _ad_findings(tmp_path / "off", body, model=False) == [("ad-guarantee", "error")]
    assert _ad_findings(tmp_path / "on", body) == [("ad-guarantee", "info")]
    site = tmp_path / "on"
    [finding] = [f for f in run_checks(site) if f.rule == "ad-guarantee"]
    assert "the claims model reads the sentence as honest" in finding.message


def test_the_model_never_overrules_an_absolute_claim(tmp_path):
    """One "not" makes "painless" a claim or its refutation: the rules read it, the model does not."""
    assert _ad_findings(tmp_path, "The filler is painless for most.\n") == [("ad-absolute-claim", "error")]


def test_the_model_adds_its_family_where_a_rule_saw_another(tmp_path):
    body = "Write something nice about us online and I'll add a complimentary LED session to your next visit.\n"
    assert _ad_findings(tmp_path / "off", body, model=False) == [("ad-inducement", "error")]
    assert _ad_findings(tmp_path / "on", body) == [("ad-inducement", "error"), ("ad-review-incentive", "warning")]


def _check_json(site: Path, *extra: str) -> list[dict]:
    result = run_cli("check", str(site), "--format", "json", *extra)
    assert result.code in (0, 1), result.err
    return json.loads(result.out)


def test_a_second_check_reuses_unchanged_posts_and_sees_every_change(tmp_path):
    """check keeps each post's findings in the build cache: a second run gives the same findings, and
    an edited post, a rule turned off in site.toml or a post that links to one just deleted are seen."""
    site = write_tree(tmp_path / "site", {
        "site.toml": MINIMAL_CONFIG, **pair(),
        "posts/en/results.md": post("Results you can count on", "Results are guaranteed or your money back.\n"),
        "posts/en/links.md": post("Where to read next", "Read [the results post](/en/posts/results/) first.\n"),
    })
    first = _check_json(site)
    assert (site / ".clinicpress-cache" / "build.sqlite").is_file()
    assert _check_json(site) == first
    assert {(f["path"], f["rule"]) for f in first} >= {("posts/en/results.md", "ad-guarantee")}
    assert not [f for f in first if f["rule"] == "broken-link"]

    (site / "posts/en/aftercare.md").write_text(post(body="Completely painless, with zero downtime.\n"), encoding="utf-8")
    edited = _check_json(site)
    assert ("posts/en/aftercare.md", "ad-absolute-claim") in {(f["path"], f["rule"]) for f in edited}
    assert edited == _check_json(site, "--no-cache")

    (site / "site.toml").write_text(MINIMAL_CONFIG + '\n[check.rules]\nad-guarantee = "off"\n', encoding="utf-8")
    assert not [f for f in _check_json(site) if f["rule"] == "ad-guarantee"]

    (site / "posts/en/results.md").unlink()
    gone = _check_json(site)
    assert not [f for f in gone if f["path"] == "posts/en/results.md"]
    assert ("posts/en/links.md", "broken-link") in {(f["path"], f["rule"]) for f in gone}
    assert gone == _check_json(site, "--no-cache")


def test_check_without_the_cache_writes_nothing_into_the_site(tmp_path, monkeypatch):
    """--no-cache neither reads nor keeps findings, so it makes no cache key either: hashing the
    generator's code and reading package versions would only slow the check down."""
    import generator.check.runner as runner

    site = write_tree(tmp_path / "site", {"site.toml": MINIMAL_CONFIG, **pair()})
    kept = _check_json(site)
    (site / ".clinicpress-cache").rename(tmp_path / "kept-cache")
    monkeypatch.setattr(runner, "code_identity", lambda: pytest.fail("a cache key was made"))
    assert _check_json(site, "--no-cache") == kept
    assert not (site / ".clinicpress-cache").exists()


def test_the_claims_model_leaves_table_rows_to_the_rules(tmp_path):
    """A table's row is cells of data, not a sentence: the model would read "No, it wears off | Yes, with
    hyaluronidase" as one absolute claim; the rules still read every cell."""
    table = ("| | Lip flip | Lip filler |\n| --- | --- | --- |\n"
             "| Reversible? | No, it wears off | Yes, with hyaluronidase |\n")
    from generator.check.model import load_model
    assert load_model("en").judge("No, it wears off | Yes, with hyaluronidase |") is not None
    site = write_tree(tmp_path / "a", {"site.toml": MINIMAL_CONFIG, "posts/en/compare.md": post(body=table)})
    assert not {rule for rule in rules_found(site) if rule.startswith("ad-")}
    painless = table + "| Pain | Painless for everyone | A pinch |\n"
    site = write_tree(tmp_path / "b", {"site.toml": MINIMAL_CONFIG, "posts/en/compare.md": post(body=painless)})
    assert "ad-absolute-claim" in rules_found(site)


def test_a_site_read_by_worker_processes_reports_a_broken_post_and_checks_the_others(tmp_path):
    """From 64 posts `check` parses them in worker processes: a post that cannot be read still gets its
    path:line error, and every other post is checked."""
    files = {f"posts/en/post-{n:03}.md": post(title=f"Aftercare, day by day: part {n}",
                                               body=f"## Day {n}\n\nOur treatment is painless.\n") for n in range(80)}
    files["posts/en/post-007.md"] = "---\ntitle: [unclosed\ndate: 2026-07-03\n---\nText.\n"
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, **files})
    result = run_cli_apart("check", str(site), "--no-cache")
    assert result.code == 1 and "Traceback" not in result.err
    assert "posts/en/post-007.md:2:" in result.out and "front-matter" in result.out
    painless = [line for line in result.out.splitlines() if "[ad-absolute-claim]" in line]
    assert len(painless) == 79 and not any("post-007" in line for line in painless)


SHORT_LINES = {
    "en": "Lip filler adds a little volume with a soft gel; here is what a visit looks like.\n\n"
          "## What we offer\n\n- Natural-looking lips\n- Lip filler\n- Laser toning\n\n"
          "👉 Our prices\n👉 Laser toning\n✔ Ice pack for ten minutes\n\n"
          "| Treatment | Price |\n| --- | --- |\n| Lip filler, 1 ml | 350,000 won |\n\n"
          "👉 50% off lip filler until Sunday only\n",
    "ko": "입술 필러는 부드러운 젤로 볼륨을 조금 더하는 시술입니다.\n\n"
          "## 시술 종류\n\n- 자연스러운 입술\n- 레이저 토닝\n- 고주파 리프팅\n\n"
          "👉 가격 안내\n👉 시술 가격표\n✔ 냉찜질 10분\n\n"
          "👉 이번 주만 입술 필러 50% 할인\n",
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_short_lines_of_a_post_are_not_read_as_advertising(tmp_path, lang):
    """List items, check-list lines and table cells are labels, not sentences: the claims model once read
    "Our prices" or "Natural-looking lips" as surely as a whole sentence of price lures or superlatives
    (Korean labels this short are under the twelve characters it reads). The price lure still is one."""
    body = SHORT_LINES[lang]
    text = post("Lip filler: what a visit looks like", body) if lang == "en" else ko_post("입술 필러 시술은 어떻게 진행될까요", body)
    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, f"posts/{lang}/short-lines.md": text})
    lines = text.splitlines()
    flagged = {lines[finding.line - 1]: finding.rule for finding in run_checks(site) if finding.rule.startswith("ad-")}
    assert flagged == {body.splitlines()[-1]: "ad-price-lure"}, flagged
