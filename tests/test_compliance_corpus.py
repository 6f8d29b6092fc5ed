"""The advertising rules measured on labelled sentences (tests/fixtures/compliance/<lang>.tsv).

`pytest -s tests/test_compliance_corpus.py` or `python -m tests.compliance_report` prints the
precision and recall per language and rule family.
"""
import pytest

from conftest import REPO
from compliance_report import LANGUAGES, evaluate, format_misses, format_table, model_and_rules, read_corpus


@pytest.fixture(scope="module")
def reports():
    found = {lang: evaluate(lang) for lang in LANGUAGES}
    print("\n" + format_table(list(found.values())))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_corpus_has_a_hundred_honest_and_a_hundred_violating_sentences(lang):
    labels = [label for label, _ in read_corpus(lang)]
    assert labels.count("honest") >= 100
    assert len(labels) - labels.count("honest") >= 100
    assert len(set(sentence for _, sentence in read_corpus(lang))) == len(labels), "a sentence is listed twice"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_rule_family_has_violating_sentences(lang, reports):
    assert all(family.labelled >= 8 for family in reports[lang].families.values()), format_table([reports[lang]])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_honest_sentence_gets_an_error(lang, reports):
    assert reports[lang].honest_errors == [], format_misses([reports[lang]])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_violating_sentences_are_flagged_with_their_rule_family(lang, reports):
    report = reports[lang]
    assert report.recall >= 0.95, format_misses([report])
    # No family may fall far behind the others.
    assert all(family.recall >= 0.8 for family in report.families.values()), format_misses([report])


# Blind batches (compliance/PROTOCOL.md): the figures of run 14's model and run 23's rules; they may
# only rise. b16, b13 and f1 (short lines of posts: 60 violating, 120 honest) were scored, never read;
# b9 to b12, b14 and b15 were scored and read; b1 to b8 were trained on and guard against falling back.
BLIND_FLOOR = {("blind/b1", "ko"): 0.35, ("blind/b1", "en"): 0.38, ("blind/b2", "ko"): 0.89, ("blind/b2", "en"): 0.80,
               ("blind/b3", "ko"): 0.47, ("blind/b3", "en"): 0.44, ("blind/b4", "ko"): 0.28, ("blind/b4", "en"): 0.27,
               ("blind/b5", "ko"): 0.33, ("blind/b5", "en"): 0.25, ("blind/b6", "ko"): 0.25, ("blind/b6", "en"): 0.21,
               ("blind/b7", "ko"): 0.33, ("blind/b7", "en"): 0.34, ("blind/b8", "ko"): 0.23, ("blind/b8", "en"): 0.27,
               ("blind/b9", "ko"): 0.21, ("blind/b9", "en"): 0.22, ("blind/b10", "ko"): 0.22,
               ("blind/b10", "en"): 0.22, ("blind/b11", "ko"): 0.20, ("blind/b11", "en"): 0.22,
               ("blind/b12", "ko"): 0.20, ("blind/b12", "en"): 0.26, ("blind/b13", "ko"): 0.22,
               ("blind/b13", "en"): 0.21, ("blind/b14", "ko"): 0.30, ("blind/b14", "en"): 0.23,
               ("blind/b15", "ko"): 0.23, ("blind/b15", "en"): 0.28, ("blind/b16", "ko"): 0.24,
               ("blind/b16", "en"): 0.20}
# The rules and the claims model together, as `check` reads a post.
BLIND_FLOOR_WITH_MODEL = {("blind/b1", "ko"): 0.90, ("blind/b1", "en"): 0.93, ("blind/b2", "ko"): 0.98,
                          ("blind/b2", "en"): 0.97, ("blind/b3", "ko"): 0.96, ("blind/b3", "en"): 0.94,
                          ("blind/b4", "ko"): 0.99, ("blind/b4", "en"): 0.99, ("blind/b5", "ko"): 0.99,
                          ("blind/b5", "en"): 0.99, ("blind/b6", "ko"): 0.97, ("blind/b6", "en"): 0.99,
                          ("blind/b7", "ko"): 0.99, ("blind/b7", "en"): 0.99, ("blind/b8", "ko"): 0.99,
                          ("blind/b8", "en"): 0.99, ("blind/b9", "ko"): 0.95, ("blind/b9", "en"): 0.92,
                          ("blind/b10", "ko"): 0.93, ("blind/b10", "en"): 0.95, ("blind/b11", "ko"): 0.96,
                          ("blind/b11", "en"): 0.94, ("blind/b12", "ko"): 0.96, ("blind/b12", "en"): 0.97,
                          ("blind/b13", "ko"): 0.93, ("blind/b13", "en"): 0.91, ("blind/b14", "ko"): 0.95,
                          ("blind/b14", "en"): 0.91, ("blind/b15", "ko"): 0.92, ("blind/b15", "en"): 0.95,
                          ("blind/b16", "ko"): 0.95, ("blind/b16", "en"): 0.91,
                          ("blind/f1", "ko"): 0.98, ("blind/f1", "en"): 0.91}
# Honest sentences given an error, as `check` reads them: the goal is none; they may only fall.
HONEST_ERRORS = {("blind/b4", "ko"): 0, ("blind/b4", "en"): 0, ("blind/b5", "ko"): 0, ("blind/b5", "en"): 0,
                 ("blind/b6", "ko"): 0, ("blind/b6", "en"): 0, ("blind/b7", "ko"): 0, ("blind/b7", "en"): 0,
                 ("blind/b8", "ko"): 0, ("blind/b8", "en"): 0, ("blind/b9", "ko"): 2, ("blind/b9", "en"): 0,
                 ("blind/b10", "ko"): 0, ("blind/b10", "en"): 0, ("blind/b11", "ko"): 0, ("blind/b11", "en"): 0,
                 ("blind/b12", "ko"): 0, ("blind/b12", "en"): 0, ("blind/b13", "ko"): 0, ("blind/b13", "en"): 0,
                 ("blind/b14", "ko"): 0, ("blind/b14", "en"): 0, ("blind/b15", "ko"): 0, ("blind/b15", "en"): 0,
                 ("blind/b16", "ko"): 0, ("blind/b16", "en"): 0, ("blind/f1", "ko"): 0, ("blind/f1", "en"): 0}
# Honest sentences with a warning where a batch is over the goal of 3%: they may only fall.
WARNINGS_OVER_GOAL = {("blind/b11", "en"): 5, ("blind/b12", "en"): 5, ("blind/b14", "en"): 5, ("blind/f1", "ko"): 8}


@pytest.mark.parametrize("name, lang", sorted(BLIND_FLOOR))
def test_blind_batches_keep_their_floor(name, lang):
    report = evaluate(lang, name)
    assert report.violating >= 100 and report.honest >= 100
    assert report.recall >= BLIND_FLOOR[(name, lang)], format_table([report])


@pytest.mark.parametrize("name, lang", sorted(BLIND_FLOOR_WITH_MODEL))
def test_blind_batches_with_the_model_keep_their_floor(name, lang):
    found, violating, _, _, _ = model_and_rules(lang, name)
    assert found / violating >= BLIND_FLOOR_WITH_MODEL[(name, lang)]


@pytest.mark.parametrize("name, lang", sorted(HONEST_ERRORS))
def test_few_honest_sentences_of_the_newest_batches_get_an_error_and_at_most_3_percent_a_warning(name, lang):
    _, _, errors, warnings, honest = model_and_rules(lang, name)
    assert errors <= HONEST_ERRORS[(name, lang)]
    assert warnings <= max(0.03 * honest, WARNINGS_OVER_GOAL.get((name, lang), 0))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_short_lines_of_posts_get_few_warnings(lang):
    """compliance/fragments/: list items, table cells, captions and labels, as `check` reads them (the
    model reads none under twelve characters, and weighs an English line as at least a short sentence)."""
    found, violating, errors, warnings, honest = model_and_rules(lang, "fragments")
    assert honest >= 100 and errors == 0 and warnings <= 0.03 * honest
    assert found / violating >= 0.85


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plain_clinic_prose_gets_no_warning(lang):
    """compliance/prose/: whole posts of ordinary clinic writing, as `check` reads them."""
    _, _, errors, warnings, honest = model_and_rules(lang, "prose")
    assert honest >= 400 and errors == 0 and warnings <= 0.01 * honest


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_model_reads_a_claim_no_rule_lists_and_explains_itself(lang):
    from generator.check.model import load_model

    model = load_model(lang)
    assert model is not None, "run make model"
    sentence = {"en": "Our patients tell us the treatment changed their lives.",
                "ko": "효과가 없으면 시술비 전액을 돌려드립니다."}[lang]
    verdict = model.judge(sentence)
    assert verdict is not None and verdict.family.startswith("ad-")
    assert verdict.decisive and all(word in sentence.lower() for word in verdict.decisive)
    assert verdict.reads_like and verdict.reads_like != sentence
    assert model.judge({"en": "The clinic is open from 10 a.m. to 7 p.m. on weekdays.",
                        "ko": "평일에는 오전 10시부터 오후 7시까지 진료합니다."}[lang]) is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_check_scores_sentences_as_the_model_was_trained(lang):
    """check hashes a post's words all at once and adds up each word's weights once per run
    (model_batch.py); training lists each sentence's features by name (model_features.py). Both must
    give every sentence the same scores, however the sentences are grouped."""
    import numpy as np
    from generator.check.model import load_model
    from generator.check.model_features import sentence_features

    model = load_model(lang)
    sentences = [sentence for name in ("corpus", "tuning") for _, sentence in read_corpus(lang, name)][::7]
    sentences += ["", "!!!", "a_b c and a b_c, the best_clinic", "100% 보장 부작용_없음", "Line one\nline two",
                  # words as \\w reads them beyond the Basic Multilingual Plane, and letters lower() lengthens
                  "İstanbul's ＢＥＳＴ 𝐁𝐞𝐬𝐭 results🙂guaranteed #1 +50% off’s", "피부🙂관리 ✔️ 1️⃣ 후기 #입술필러 𝒜𝒷"]

    def by_name(sentence):
        rows = [(model.index.get(name), value) for name, value in sentence_features(sentence, lang).items()]
        scores = model.intercept.astype(np.float64) + sum(
            (value * model.weights[row].astype(np.float64) for row, value in rows if row is not None),
            np.zeros(len(model.classes)))
        return np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()

    together = model.verdicts(sentences)
    for sentence, verdict in zip(sentences, together):
        expected = by_name(sentence)
        if "_" not in sentence:  # a pair's name is ambiguous when a word holds "_": such pairs are left out
            got = model.probabilities(sentence)
            assert max(abs(got[c] - p) for c, p in zip(model.classes, expected)) < 1e-4, sentence
        alone = model.judge(sentence)
        assert (alone is None) == (verdict is None), sentence
        if alone is not None:
            assert (alone.family, alone.decisive, alone.reads_like) == (verdict.family, verdict.decisive, verdict.reads_like)
            assert abs(alone.probability - verdict.probability) < 1e-9


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sentences_read_where_they_are_get_the_verdicts_they_get_cut_out(lang):
    """check scores a post's sentences in its prose (verdicts_in), without cutting them out of it: the
    text between them (headings, table rows, short lines, stops inside numbers) is left out as it is
    when each sentence is scored alone, including where lower() changes a text's length or reads a
    capital sigma by the letters after it."""
    from generator.check.model import load_model
    from generator.check.sentences import find_sentences

    model = load_model(lang)
    sentences = [sentence for name in ("corpus", "tuning") for _, sentence in read_corpus(lang, name)][::5]
    prose = "\n".join(f"{sentence}{tail}" for sentence, tail in zip(
        sentences, ["", " 3.5ml.", "\n## Heading words here\n", "\n| cell | 100% guaranteed |\n", "  \t", "🙂."] * 999))
    for text in (prose, prose + "\nİstanbul's best clinic, guaranteed results for everyone.",
                 prose + "\nΑΣ.Β the best clinic in town, guaranteed."):
        found = find_sentences([text], 12)
        cut = [text[lead:tail] for lead, tail in zip(found.lead.tolist(), found.tail.tolist())]
        expected = [(index, verdict) for index, verdict in enumerate(model.verdicts(cut)) if verdict is not None]
        got = model.verdicts_in(found.text, found.lead, found.tail)
        assert [index for index, _ in got] == [index for index, _ in expected] and len(got) > 5
        for (_, mine), (_, theirs) in zip(got, expected):
            assert (mine.family, mine.decisive, mine.reads_like) == (theirs.family, theirs.decisive, theirs.reads_like)
            assert abs(mine.probability - theirs.probability) < 1e-9


def test_check_reads_the_sentences_the_model_was_trained_on():
    """check cuts many posts' prose into sentences at once with numpy (sentences.py); training reads
    them with the SENTENCE expression. Both find the same sentences, at the same places, stripped and
    chosen alike (12 characters at least, no heading, no table row), in any grouping of posts."""
    import random

    from generator.check.model_rule import SENTENCE
    from generator.check.sentences import find_sentences

    def expected(prose):
        found = []
        for match in SENTENCE.finditer(prose):
            sentence = match.group().strip()
            if len(sentence) >= 12 and sentence[0] != "#" and "|" not in sentence:
                lead = match.start() + len(match.group()) - len(match.group().lstrip())
                found.append((match.span(), lead, lead + len(sentence), " ".join(sentence.split()) != sentence))
        return found

    pieces = list("ab 가나 .!?。\n\t#|3,5🙂𝐁\u00a0\u3000\x1c") + ["  ", "...", ". ", "word ", "시술 ", " " * 20]
    rng = random.Random(7)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 90))) for _ in range(3000)]
    texts += ["", ".", "a" * 12, "." * 12 + " ", "#" + "a" * 20, " " * 30 + "b" * 12 + "\t" * 30 + "!",
              *(path.read_text(encoding="utf-8") for path in sorted((REPO / "posts").glob("*/*.md"))[:6])]
    at = 0
    while at < len(texts):
        group = texts[at:at + rng.randint(1, 60)]
        found = find_sentences(group, 12)
        got: list[list] = [[] for _ in group]
        for post, start, end, lead, tail, uneven in zip(*(a.tolist() for a in (
                found.post, found.start, found.end, found.lead, found.tail, found.uneven))):
            offset = int(found.text_starts[post])
            got[post].append(((start - offset, end - offset), lead - offset, tail - offset, uneven))
        assert got == [expected(text) for text in group]
        at += len(group)


@pytest.mark.parametrize("lang, sentence, kept", [
    ("en", "Our lip filler never fails, not once in ten years.", True),  # the negation is the promise
    ("en", "You'll be back at work the same day without a single bruise.", True),  # a risk denied
    ("ko", '지난달 오신 30대 고객님이 "기미가 싹 사라져서 이제 화장을 안 해요"라고 하셨어요.', True),  # quoting is the claim
    ("en", "Nothing about this is risk-free, and we will never promise a result.", False),  # the rules read it refuted
])
def test_the_model_is_overruled_only_where_a_rule_reads_its_words_refuted(lang, sentence, kept):
    from generator.check.model import load_model
    from generator.check.model_rule import model_verdict
    from compliance_report import _matcher

    model = load_model(lang)
    assert model.judge(sentence) is not None, "the model alone flags it"
    assert (model_verdict(model, _matcher(lang), sentence) is not None) == kept


@pytest.mark.parametrize("sentence, decisive, kept", [
    # However sure the model, the rules' negation decides an absolute claim: word counts read
    # "No treatment is completely painless" as surely as "completely painless".
    ("No treatment is completely painless, and filler is never risk-free.", ("completely", "never", "painless"), False),
    # A hashtag stands alone: the negation before it does not refute "#painfree".
    ("Needles? You won't even feel them 😌 #painfree #lipfiller", ("#painfree", "#lipfiller", "feel"), True),
])
def test_a_sure_verdict_of_an_absolute_claim_still_meets_the_rules_negation(sentence, decisive, kept):
    from generator.check.model import Verdict, load_model
    from generator.check.model_rule import SURE, model_verdict
    from compliance_report import _matcher

    sure = Verdict("ad-absolute-claim", (1 + SURE) / 2, decisive, "")
    assert (model_verdict(load_model("en"), _matcher("en"), sentence, sure) is not None) == kept
