"""Whether a phrase the rule packs found is a claim: Korean morphemes, negation scoped to the clause."""
import re
import subprocess
import sys

import pytest

from generator.check import korean
from generator.check.claims import clause_bounds, english_negated, sentence_bounds
from generator.check.packs import load_packs

from compliance_report import evaluate
from conftest import MINIMAL_CONFIG, REPO, write_tree

PACKS, _ = load_packs([], ("ko", "en"))
ENABLED = frozenset(PACKS.rule_ids())
MATCHERS = {lang: PACKS.matcher(lang, None, ENABLED) for lang in ("ko", "en")}


def flagged(lang: str, sentence: str) -> set[str]:
    return {match.rule.id for match in MATCHERS[lang].matches(sentence, ENABLED)}


def span(sentence: str, word: str) -> tuple[int, int]:
    start = sentence.index(word)
    return start, start + len(word)


@pytest.mark.parametrize("sentence, word, expected", [
    ("결제는 무통장 입금으로 받습니다.", "무통", False),
    ("예약 보증금은 돌려 드립니다.", "보증", False),
    ("반영구 화장은 하지 않습니다.", "영구", False),
    ("오늘 최고기온은 33도입니다.", "최고", False),
    ("레이저가 병원마다 다릅니다.", "저가 병원", False),
    ("무통으로 진행됩니다.", "무통", True),
    ("효과를 보장합니다.", "보장", True),
    ("영구적인 효과가 있습니다.", "영구적", True),
    ("입술필러후기 모음입니다.", "후기", True),
    ("국내최고 의료진입니다.", "최고", True),
], ids=["bank-transfer", "deposit", "semi-permanent", "high-temperature", "laser-subject", "particle",
        "verb", "suffix", "compound-head", "noun-before"])
def test_korean_phrase_must_be_a_word(sentence, word, expected):
    assert korean.is_word(sentence, *span(sentence, word)) is expected


@pytest.mark.parametrize("sentence, word", [
    ("완전히 무통은 아닙니다.", "무통"),
    ("완전히 무통인 시술은 아닙니다.", "무통"),
    ("필러는 영구적이지 않으며 1년 정도 유지됩니다.", "영구적"),
    ("결과를 보장할 수 없습니다.", "보장"),
    ("부작용이 없는 시술은 없습니다.", "부작용이 없"),
    ("통증이 전혀 없다고는 말씀드릴 수 없습니다.", "통증이 전혀 없"),
    ("영구적인 효과를 기대하기는 어렵습니다.", "영구적"),
    ("실리프팅 효과가 영구적이라는 것은 오해입니다.", "영구적"),
    ("100% 타겟팅하는 것은 불가능하지만, 이동한 부위만 녹이는 것이 목표입니다.", "100%"),
    ("주사비는 완치보다 관리가 목표입니다.", "완치"),
    ("필러는 영구적인가요?", "영구적"),
])
def test_korean_negation_and_limits(sentence, word):
    assert korean.negated(sentence, *span(sentence, word))


@pytest.mark.parametrize("sentence, word", [
    ("무통 시술로 통증 걱정이 없습니다.", "무통"),  # 없다 negates the worry, not the claim
    ("효과를 보장할 수는 없지만 무통으로 진행됩니다.", "무통"),  # the negation belongs to the first clause
    ("경쟁 병원들은 따라 할 수 없는 기술입니다.", "경쟁 병원"),  # what the others cannot do
    ("다른 병원처럼 대충 하지 않습니다.", "다른 병원처럼"),  # a comparison stays one
    ("무통 시술을 찾으시나요?", "무통"),  # a question that advertises
])
def test_korean_claims_outside_the_negation(sentence, word):
    assert not korean.negated(sentence, *span(sentence, word))


@pytest.mark.parametrize("sentence, word", [
    ("We cannot guarantee results.", "guarantee"),
    ("Lip filler is not permanent.", "permanent"),
    ("No treatment is free of side effects.", "free of side effects"),
    ("There is no cure-all for ageing skin.", "cure"),
    ("This booster is not yet FDA approved.", "FDA approved"),
    ("While it is impossible to target it 100%, the goal is to dissolve only the migrated area.", "100%"),
    ("A 100% success rate is not realistic.", "100%"),
    ("Painless injections do not exist.", "Painless"),
    ("Is the treatment painless?", "painless"),
    ("Myth: filler results are permanent.", "results are permanent"),
])
def test_english_negation_and_limits(sentence, word):
    assert english_negated(sentence, *span(sentence, word))


@pytest.mark.parametrize("sentence, word", [
    ("Unlike other clinics, we never use diluted filler.", "Unlike other clinics"),
    ("We do not offer discounts, but the treatment is painless.", "painless"),
    ("No needles, no stress, guaranteed.", "guaranteed"),
    ("Don't miss our painless lip filler.", "painless"),
    ("Not only painless but fast.", "painless"),
])
def test_english_claims_outside_the_negation(sentence, word):
    assert not english_negated(sentence, *span(sentence, word))


@pytest.mark.parametrize("lang, text, rule", [
    # A reader's question quoted whole, with a claim inside it: the reader's words, not the clinic's.
    ("ko", '"블로그에 \'붓기 제로\'라고 적혀 있던데 정말 하나도 안 붓는 거예요?"', "ad-absolute-claim"),
    ("ko", '"리뷰 이벤트 같은 거 하세요? 하면 저도 참여해 볼게요."', "ad-review-incentive"),
    ("en", '"Your flyer says results are guaranteed - does that mean for everyone?"', "ad-guarantee"),
    # A phrase people ask about, quoted, then answered honestly.
    ("ko", "'국내 최고 레이저'가 뭐냐고들 물으시는데, 피부마다 달라서 하나를 꼽기 어렵습니다.", "ad-superlative"),
    # A claim asked about, then answered "not always".
    ("en", "Swelling-free? Not always: most people look a little puffy for two days.", "ad-absolute-claim"),
    ("en", "Painless? Not really, but the numbing cream helps a lot.", "ad-absolute-claim"),
    ("ko", "부작용 없는 시술이냐고요? 꼭 그렇지는 않아요. 작은 멍이 생길 수 있습니다.", "ad-absolute-claim"),
    # Another clinic's promise, reported and doubted.
    ("en", "My sister said her clinic guaranteed flawless skin. Is that even possible?", "ad-guarantee"),
    # Offers declined in a list, whose commas end the clause that reads the negation.
    ("en", "We don't hand out discounts, gifts or points in exchange for reviews.", "ad-review-incentive"),
    ("ko", "본원은 리뷰에 대해 적립금, 사은품, 할인 등 어떤 보상도 드리지 않습니다.", "ad-review-incentive"),
    # An offer named to call it a lure: the writer warns against it.
    ("en", "A free facial for every friend you refer is a sales hook, not a reason to choose a clinic.", "ad-inducement"),
    ("en", "Read a discount for a five-star rating as a red flag about the place that offers it.", "ad-review-incentive"),
    ("ko", "지인 소개하면 시술 1회 무료, 이런 건 상술일 뿐이에요.", "ad-inducement"),
    ("ko", "후기 쓰면 할인해 준다는 곳은 미끼라고 보시면 돼요.", "ad-review-incentive"),
    # Care given during a visit, not a gift.
    ("ko", "원하시면 시술 전에 마취 크림을 발라 드려요.", "ad-inducement"),
    # A rule the clinic keeps, not a result.
    ("en", "We patch-test everyone before a peel, without exception.", "ad-guarantee"),
])
def test_questions_and_reports_of_claims_are_not_the_clinics_claims(lang, text, rule):
    assert rule not in flagged(lang, text)


@pytest.mark.parametrize("lang, text, rule", [
    ("en", "Painless lips? Absolutely, our numbing cream takes care of that.", "ad-absolute-claim"),
    ("en", "Want flawless skin? We guarantee it.", "ad-guarantee"),
    ("en", "We guarantee flawless skin. Is there anything better?", "ad-guarantee"),
    ("en", "Everyone sees results, without exception.", "ad-guarantee"),
    ("en", "We don't usually give discounts, but leave a review this month and get 20% off.", "ad-review-incentive"),
    ("ko", "시술 받으신 분께 진정 크림을 드려요.", "ad-inducement"),
    ("ko", "물광주사 예약 오픈 #회복기간0일 #노붓기", "ad-absolute-claim"),
    ("en", "We don't do package deals, but we don't do downtime either.", "ad-absolute-claim"),
    ("en", "Refer a friend and you both get a free peel, and no, it's not a gimmick!", "ad-inducement"),
    ("ko", "친구 소개하면 두 분 모두 무료 시술! 상술 아니고 진짜예요 😉", "ad-inducement"),
    ("en", "Burns and pigment changes are simply not a concern with this laser.", "ad-absolute-claim"),
    ("ko", "통증이 걱정되세요? 저희 시술은 통증이 전혀 없습니다.", "ad-absolute-claim"),
    ("ko", "효과를 100% 보장합니다. 믿기 어려우신가요?", "ad-guarantee"),
    ("ko", '"여기가 국내 최고 병원 맞죠? 꼭 여기서 받고 싶어요!"', "ad-superlative"),  # asks to be agreed with
])
def test_claims_around_questions_stay_claims(lang, text, rule):
    assert rule in flagged(lang, text)


def test_negation_is_scoped_to_the_clause_in_both_languages():
    assert flagged("en", "We do not offer discounts, but the treatment is painless.") == {"ad-absolute-claim"}
    assert flagged("ko", "효과를 보장할 수는 없지만 무통으로 진행됩니다.") == {"ad-absolute-claim"}


def test_sentence_and_clause_bounds():
    text = "Swelling settles. Results are not guaranteed, but it is painless! Next line"
    start, end = span(text, "painless")
    begin, stop = sentence_bounds(text, start, end)
    assert text[begin:stop] == "Results are not guaranteed, but it is painless!"
    sentence = text[begin:stop]
    low, high = clause_bounds(sentence, *span(sentence, "painless"))
    assert sentence[low:high] == "but it is painless!"
    lines = "부작용 없는 시술입니다\n완전히 무통은 아닙니다"
    assert sentence_bounds(lines, *span(lines, "무통")) == (lines.index("완전히"), len(lines))


def test_allow_patterns_reach_across_the_sentence():
    assert flagged("en", "Botox is approved by the FDA for frown lines.") == set()
    assert flagged("en", "Our FDA-approved lifting treatment tightens skin.") == {"ad-unproven-claim"}
    assert flagged("en", "It was clinically tested in a trial of 40 adults (Park et al., 2022).") == set()


def test_shortcuts_agree_with_the_analyzer(monkeypatch):
    """The cheap checks that skip the analyzer decide the labelled Korean sentences exactly as it would."""
    quick = evaluate("ko")
    monkeypatch.setattr(korean, "_ENDINGS", frozenset())
    monkeypatch.setattr(korean, "_CUES", re.compile(""))
    slow = evaluate("ko")
    assert quick.missed == slow.missed
    assert quick.honest_errors == slow.honest_errors and quick.honest_warnings == slow.honest_warnings
    assert {k: (f.found, f.flagged) for k, f in quick.families.items()} == \
           {k: (f.found, f.flagged) for k, f in slow.families.items()}


def test_without_the_analyzer_the_patterns_alone_decide(monkeypatch):
    monkeypatch.setattr(korean, "_analyzer", None)
    monkeypatch.setattr(korean, "_unavailable", True)
    korean.tokens.cache_clear()
    try:
        assert flagged("ko", "완전히 무통은 아닙니다.") == {"ad-absolute-claim"}  # no analyzer: no negation
        assert flagged("ko", "무통장 입금도 됩니다.") == set()  # followed by more than an ending: not counted
        assert flagged("ko", "무통으로 진행됩니다.") == {"ad-absolute-claim"}
    finally:
        korean.tokens.cache_clear()


def test_analyzer_is_created_lazily_and_once():
    code = """
from generator.check.packs import load_packs
from generator.check import korean
packs, _ = load_packs([], ("ko", "en"))
on = frozenset(packs.rule_ids())
en, ko = packs.matcher("en", None, on), packs.matcher("ko", None, on)
list(en.matches("The treatment is painless.", on))
list(ko.matches("무통 시술입니다.", on))  # a plain word: no need to ask the analyzer
assert korean._analyzer is None, "loaded for nothing"
list(ko.matches("완전히 무통은 아닙니다.", on))
first = korean._analyzer
list(ko.matches("영구적이지 않으며 효과를 보장할 수 없습니다.", on))
assert first is not None and korean._analyzer is first
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_workers_share_one_analyzer_loaded_before_they_start(tmp_path):
    """On a site checked by worker processes, the analyzer is loaded once in the parent (when the first
    Korean posts need it), so forked workers share it instead of loading 250 MB each; a first check
    loads it while the posts are parsed."""
    code = """
import sys
from pathlib import Path
from generator.check import korean, runner
from generator.check.command import run_checks
lint_site, loaded = runner.lint_site, []
def lint_site_noting_the_analyzer(*args, **kwargs):
    loaded.append(korean.analyzer_loaded())
    return lint_site(*args, **kwargs)
runner.lint_site = lint_site_noting_the_analyzer
findings = run_checks(Path(sys.argv[1]), use_cache=False)
assert loaded == [True], "not loaded while the posts were parsed"
assert korean.analyzer_loaded(), "not loaded in the parent"
assert any(f.rule == "ad-absolute-claim" for f in findings)
assert not any(f.rule == "ad-absolute-claim" and "honest" in f.path for f in findings)
print("ok")
"""
    files = {"site.toml": MINIMAL_CONFIG}
    for number in range(70):
        body = "완전히 무통은 아닙니다.\n" if number % 2 else "무통으로 진행됩니다.\n"
        name = f"honest-{number}" if number % 2 else f"claim-{number}"
        files[f"posts/ko/{name}.md"] = (f'---\ntitle: "시술 후 관리 안내 {number}번째 글"\ndate: 2026-07-03\n'
                                        f"author: dr-kim\n---\n{body}")
    site = write_tree(tmp_path, files)
    result = subprocess.run([sys.executable, "-c", code, str(site)], cwd=REPO, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


# Reviews gated, suppressed or written by an agency (16 CFR 465.5 and 465.7; the taxonomy's 5.7): ways to
# shape reviews that name no reward.
@pytest.mark.parametrize("lang, text", [
    ("en", "Every new patient signs a form agreeing not to post anything negative about the clinic online."),
    ("en", "We will pursue legal action against anyone whose review damages our reputation."),
    ("en", "We only invite patients who are clearly happy with their results to rate us on Google."),
    ("en", "Unhappy patients are sent a private survey instead of the review link."),
    ("en", "A local agency writes fresh patient stories for our Naver and Google pages every week."),
    ("ko", "동의서에 시술 후 온라인에 부정적인 글을 올리지 않겠다는 항목이 포함되어 있습니다."),
    ("ko", "악의적인 후기를 남기시면 법적으로 대응하겠습니다."),
    ("ko", "만족하신 분들께만 리뷰 링크를 보내 드리고 있어요."),
    ("ko", "마케팅 대행사에서 매주 새로운 시술 후기를 블로그에 올려 주고 있어요."),
])
def test_reviews_gated_suppressed_or_written_by_others(lang, text):
    assert "ad-review-incentive" in flagged(lang, text)


@pytest.mark.parametrize("lang, text", [
    ("en", "We never ask patients to sign anything that limits what they post online."),
    ("en", "We will never take legal action over an honest review."),
    ("en", "Posting fake reviews can expose a business to legal action by regulators."),
    ("en", "We send the same review link to every patient, happy or not."),
    ("en", "Our marketing agency never writes reviews or patient stories for us."),
    ("ko", "불만족스러운 경험도 자유롭게 후기로 남겨 주세요, 삭제 요청은 하지 않습니다."),
    ("ko", "후기 내용 때문에 법적 조치를 하는 일은 없습니다."),
    ("ko", "리뷰 링크는 만족 여부와 상관없이 모든 분께 똑같이 보내 드려요."),
])
def test_honest_words_about_reviews_are_not_manipulation(lang, text):
    assert "ad-review-incentive" not in flagged(lang, text)


# Constructions the read blind batches showed the rules missing (compliance/PROTOCOL.md, run 20); the
# sentences here are new ones in the same spirit.
@pytest.mark.parametrize("lang, text, rule", [
    ("en", "Members with national health cover won't be charged the usual co-payment for skin checks here.", "ad-inducement"),
    ("en", "Unlike many cosmetic clinics, we book a full hour for every first visit.", "ad-comparison"),
    ("ko", "가격만 싼 곳에서 맞은 필러는 결국 다시 녹이러 오시더라고요.", "ad-comparison"),
    ("en", "Brow lamination from only $49, so why wait?", "ad-price-lure"),
    ("ko", "오늘 밤 12시가 지나면 원래 가격으로 돌아갑니다.", "ad-price-lure"),
    ("en", "2022 vs 2024 🫶 two years of gentle peels #glowup", "ad-before-after"),
    ("en", "Scroll down to the comparison shots from our own patients.", "ad-before-after"),
    ("en", "Meet the master of the natural nose, Dr. Yoon.", "ad-unofficial-title"),
    ("ko", "누가 받아도 효과는 확실히 보시는 시술이에요.", "ad-guarantee"),
])
def test_claims_the_read_batches_taught(lang, text, rule):
    assert rule in flagged(lang, text)


@pytest.mark.parametrize("lang, text, rule", [
    ("en", "Your insurer, not the clinic, sets the co-payment for covered visits.", "ad-inducement"),
    ("en", "Unlike most medicines, filler is regulated as a device.", "ad-comparison"),
    ("en", "Prices start at $49 for brow lamination.", "ad-price-lure"),
    ("ko", "가격은 1년 내내 같고, 정해진 마감 할인은 없습니다.", "ad-price-lure"),
    ("en", "Our website shows no comparison shots, because light and pose change too much.", "ad-before-after"),
    ("en", "Dr. Osei also holds a Master of Public Health degree.", "ad-unofficial-title"),
    ("en", "Our prices for 2024 vs 2025 are in the table below.", "ad-before-after"),
    ("ko", "누가 받아도 똑같은 결과가 나온다고 약속드릴 수는 없어요.", "ad-guarantee"),
])
def test_honest_sentences_near_those_claims(lang, text, rule):
    assert rule not in flagged(lang, text)


# A result put as a percentage with no study named (the taxonomy's 5.4): new sentences.
@pytest.mark.parametrize("lang, text, expected", [
    ("en", "Clients saw 40% fewer dark spots after three sessions.", True),
    ("en", "Up to 30% more hydration in a week 💧 #skinbooster", True),
    ("ko", "임상에서 주름 개선율 72%를 기록한 장비입니다.", True),
    ("en", "A 10% price increase takes effect in March.", False),
    ("en", "Our fees increase by 5% in March.", False),
    ("en", "About 10% of patients get a small bruise that fades within a week.", False),
    ("ko", "붓기는 보통 사흘째에 절반 정도 가라앉습니다.", False),
    ("ko", "시술비는 3월부터 5% 인상됩니다.", False),
    # A figure quoted to doubt it.
    ("ko", "'모공 90% 감소' 같은 문구를 보면 출처부터 확인해 보세요.", False),
])
def test_results_put_as_percentages(lang, text, expected):
    assert ("ad-unproven-claim" in flagged(lang, text)) == expected


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_anchors_never_keep_an_expression_from_a_match(lang):
    """An expression runs only near its anchor (only at it, when its matches start with it), and only
    when its other literals are in the text: on posts made of the labelled sentences, that finds exactly
    what running every expression over the whole text finds."""
    from generator.check.matching import _starts_mid_word

    packs, _ = load_packs([], ("ko", "en"))
    matcher = packs.matcher(lang, None, frozenset(packs.rule_ids()))
    assert len(matcher.starts_at_anchor) > len(matcher.sources) / 3  # the way most of them run
    # label <TAB> sentence (tests/fixtures) or label <TAB> register <TAB> sentence <TAB> why (compliance/corpus)
    lines = [(line.split("\t") + [""])[1 if "fixtures" in str(path) else 2].strip() for path in (REPO / "tests/fixtures/compliance" / f"{lang}.tsv",
                                                       REPO / "compliance/corpus" / f"{lang}.tsv")
             for line in path.read_text(encoding="utf-8").splitlines() if "\t" in line and not line.startswith("#")]
    assert len(lines) > 5000
    posts = ["\n".join(lines[at:at + 40]).lower() for at in range(0, len(lines), 40)]
    for text in posts:
        everywhere = {(m.start(), m.end(), rule.id) for rule, regex in map(matcher.expression, range(len(matcher.sources)))
                      for m in regex.finditer(text) if not _starts_mid_word(text, m.start())}
        near_anchors = {(start, end, rule.id) for start, end, rule in
                        matcher._expression_matches(text, matcher._candidates(text))}
        assert near_anchors == everywhere


@pytest.mark.parametrize("pattern, anchors, starts", [
    (r"guarantee[ds]?", {"guarantee"}, True),
    (r"\b(?:agree|agrees|sign)\b[^.!?\n]{0,40}?\bnot\b|\bnon-disparagement\b", {"agree", "sign", "non-disparagement"}, True),
    (r"most[\s-]*trusted\b", {"trusted"}, False),  # the anchor is the second word
    (r"(?<![\d.])1\s*등(?:인|이)", {"등인", "등이"}, False),
    (r"(?:국내|세계)\s*유일", {"국내", "세계"}, True),
    (r"(?:no|zero)?\s*pain", {"pain"}, False),  # the first word may be missing, or not
])
def test_an_expression_that_starts_with_its_anchor_is_tried_only_there(pattern, anchors, starts):
    from generator.check.matching import _starts_with_anchor, parsed

    assert _starts_with_anchor(parsed(pattern), frozenset(anchors)) is starts


# Advice about what some other clinic might promise ("If a clinic tells you ..., walk out"): the claim is
# put in an unnamed clinic's mouth, inside the condition, and is not this clinic's (new sentences).
@pytest.mark.parametrize("lang, text, rule", [
    ("en", "If a clinic tells you the result is guaranteed, get a second opinion.", "ad-guarantee"),
    ("en", "When any injector promises you a painless treatment, ask what the numbing plan is.", "ad-absolute-claim"),
    ("en", "If an ad says the filler lasts forever, keep scrolling.", "ad-absolute-claim"),
    ("en", "Whenever a salon claims it is the best in town, ask to see the practitioner's licence.", "ad-superlative"),
    ("ko", "어떤 병원이 효과를 100% 보장한다고 하면 다른 곳도 꼭 알아보세요.", "ad-guarantee"),
    ("ko", "다른 곳에서 통증이 전혀 없다고 광고하면 한 번쯤 의심해 보셔도 좋아요.", "ad-absolute-claim"),
])
def test_what_an_unnamed_clinic_might_promise_is_not_the_clinics_claim(lang, text, rule):
    assert rule not in flagged(lang, text)


@pytest.mark.parametrize("lang, text, rule", [
    ("en", "When other clinics say results vary, we guarantee them.", "ad-guarantee"),
    ("en", "If you are not happy, we guarantee a full refund.", "ad-guarantee"),
    ("en", "If a clinic tells you about side effects, good; ours is painless.", "ad-absolute-claim"),
    ("ko", "다른 병원이 뭐라고 하든 저희는 효과를 100% 보장합니다.", "ad-guarantee"),
])
def test_the_clinics_own_claim_beside_such_advice_stays_a_claim(lang, text, rule):
    assert rule in flagged(lang, text)


# A claim quoted as "the words" someone uses to rush a decision (는 말로, 는 말만): the writer warns
# against it (new sentences, written before the change).
@pytest.mark.parametrize("lang, text, rule", [
    ("ko", '"통증 제로"는 말로 예약을 서두르게 하는 병원이라면 다시 생각해 보세요.', "ad-absolute-claim"),
    ("ko", '"무조건 효과 있다"는 말만 듣고 결제하지는 마세요.', "ad-guarantee"),
])
def test_a_claim_quoted_as_someones_words_is_not_the_clinics(lang, text, rule):
    assert rule not in flagged(lang, text)


def test_a_claim_quoted_and_owned_stays_a_claim():
    assert "ad-absolute-claim" in flagged("ko", '"통증 제로"는 말 그대로 저희 병원의 약속입니다.')


def test_a_first_check_loads_the_models_while_posts_are_parsed_and_a_second_loads_none(tmp_path):
    """The claims models are loaded once, in the parent, while worker processes parse the posts of a first
    check; a check that finds every post's findings kept needs neither the models nor the workers."""
    code = """
import sys
from pathlib import Path
from generator.check import command, runner
from generator.check.model import load_model
lint_site, loaded = runner.lint_site, []
def lint_site_noting_the_models(*args, **kwargs):
    loaded.append(load_model.cache_info().currsize)  # when the posts have been parsed
    return lint_site(*args, **kwargs)
runner.lint_site = lint_site_noting_the_models
findings = command.run_checks(Path(sys.argv[1]))
print(loaded[0], load_model.cache_info().currsize, sum(f.rule == "ad-guarantee" for f in findings))
"""
    files = {"site.toml": MINIMAL_CONFIG}
    for number in range(70):
        files[f"posts/ko/post-{number}.md"] = (f'---\ntitle: "시술 후 관리 안내 {number}번째 글"\ndate: 2026-07-03\n'
                                               f"author: dr-kim\n---\n효과를 100% 보장합니다.\n")
    site = write_tree(tmp_path, files)
    runs = [subprocess.run([sys.executable, "-c", code, str(site)], cwd=REPO, capture_output=True, text=True)
            for _ in range(2)]
    assert [run.stdout.split() for run in runs] == [["1", "1", "70"], ["0", "0", "70"]], [run.stderr for run in runs]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_anchors_are_found_as_one_automaton_finds_them(lang):
    """AnchorFinder looks Hangul anchors up by their first two letters: on posts made of the labelled
    sentences (and emoji, letters beyond the BMP, an anchor at the very end), it finds every anchor
    where one Aho-Corasick automaton of all of them does."""
    import ahocorasick

    packs, _ = load_packs([], ("ko", "en"))
    matcher = packs.matcher(lang, None, frozenset(packs.rule_ids()))
    automaton = ahocorasick.Automaton()
    for anchor in matcher.by_anchor:
        automaton.add_word(anchor, anchor)
    automaton.make_automaton()
    lines = [line.split("\t")[2] for line in (REPO / "compliance/corpus" / f"{lang}.tsv").read_text(encoding="utf-8")
             .splitlines() if line.count("\t") >= 3 and not line.startswith("#")]
    posts = ["\n".join(lines[at:at + 40]).lower() for at in range(0, len(lines), 40)]
    posts += ["🙂𝐁" + anchor + "🙂" + anchor for anchor in matcher.by_anchor] + list(matcher.by_anchor) + ["", "가"]
    for text in posts:
        assert sorted((end, value[0]) for end, value in matcher.anchors.iter(text)) == sorted(automaton.iter(text))


def test_check_of_a_folder_without_a_site_creates_nothing_there(tmp_path):
    """Whether a first check can make the rules ready early is read from the cache without creating it:
    `clinicpress check` of a mistyped or empty folder leaves it as it was."""
    from generator.check.command import check_site

    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (empty, tmp_path / "missing"):
        report = check_site(folder)
        assert report.posts is None and any(f.severity == "error" for f in report.findings)
    assert list(empty.iterdir()) == [] and not (tmp_path / "missing").exists()


def test_a_second_check_run_inside_the_site_folder_reads_its_cache(tmp_path, monkeypatch):
    """`clinicpress check` with no folder checks the current one (a relative path): the second run finds
    the cache the first left and reads it as the first did."""
    from pathlib import Path

    from generator.check.command import check_site

    site = write_tree(tmp_path, {"site.toml": MINIMAL_CONFIG, "posts/en/hello.md":
                                 "---\ntitle: Hello there, a first post\ndate: 2026-07-03\n---\nA short first post.\n"})
    monkeypatch.chdir(site)
    first, second = check_site(Path(".")), check_site(Path("."))
    assert first.posts == second.posts == 1 and (site / ".clinicpress-cache").is_dir()
    assert [f.message for f in first.findings] == [f.message for f in second.findings]
