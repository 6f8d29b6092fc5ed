"""Precision and recall of the advertising rules on labelled sentences, one table per set.

    python -m tests.compliance_report                  # every set, per language and rule family
    python -m tests.compliance_report --set blind/b1   # one set (tuning, corpus or blind/<batch>)
    python -m tests.compliance_report --misses         # also every missed or wrongly flagged sentence
    python -m tests.compliance_report --model          # the rules alone, the model alone and both
    python -m tests.compliance_report --model --misses # also what both together still miss or flag wrongly

The sets (compliance/PROTOCOL.md says how they are made and used):
- tuning: tests/fixtures/compliance/, the sentences the rules were tuned on;
- corpus: compliance/corpus/, the large labelled corpus (tuning and the model's training);
- prose: compliance/prose/, whole posts of plain clinic prose, every sentence honest;
- blind/<batch>: compliance/blind/<batch>/, written from compliance/taxonomy.md alone, frozen.

A line is `label<TAB>sentence` or `label<TAB>register<TAB>sentence<TAB>why`: "honest" or the rule
family (rule id) the sentence breaks. Recall of a family: the share of its sentences flagged with it.
Precision of a family: of the sentences it flags, the share that break some rule (a violating
sentence flagged by a second family as well is not a false alarm; an honest sentence is).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from generator.check.packs import load_packs

ROOT = Path(__file__).parent.parent
TUNING = Path(__file__).parent / "fixtures" / "compliance"
LANGUAGES = ("ko", "en")


def set_folder(name: str) -> Path:
    return TUNING if name == "tuning" else ROOT / "compliance" / name


def set_names() -> list[str]:
    """tuning, corpus, prose, fragments, then the blind batches in order."""
    blind = sorted(p.name for p in (ROOT / "compliance" / "blind").iterdir() if p.is_dir()) \
        if (ROOT / "compliance" / "blind").is_dir() else []
    return ["tuning", "corpus", "prose", "fragments", *(f"blind/{name}" for name in blind)]


@dataclass
class Family:
    labelled: int = 0  # sentences labelled with this family
    found: int = 0  # of those, flagged with it
    flagged: int = 0  # sentences flagged with it
    false_alarms: int = 0  # of those, honest ones

    @property
    def recall(self) -> float | None:
        return self.found / self.labelled if self.labelled else None

    @property
    def precision(self) -> float | None:
        return (self.flagged - self.false_alarms) / self.flagged if self.flagged else None


@dataclass
class Report:
    lang: str
    name: str = "tuning"
    families: dict[str, Family] = field(default_factory=dict)
    honest: int = 0
    honest_errors: list[tuple[str, list[str]]] = field(default_factory=list)  # (sentence, rules) at error level
    honest_warnings: list[tuple[str, list[str]]] = field(default_factory=list)
    missed: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (label, sentence, rules found)

    @property
    def violating(self) -> int:
        return sum(f.labelled for f in self.families.values())

    @property
    def recall(self) -> float:
        return sum(f.found for f in self.families.values()) / self.violating if self.violating else 0.0


def read_corpus(lang: str, name: str = "tuning") -> list[tuple[str, str]]:
    """(label, sentence) of a set's file for lang; [] when the set has none."""
    path = set_folder(name) / f"{lang}.tsv"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            columns = line.split("\t")
            label, sentence = (columns[0], columns[1]) if len(columns) == 2 else (columns[0], columns[2])
            rows.append((label.strip(), sentence.strip()))
    return rows


def evaluate(lang: str, name: str = "tuning") -> Report:
    packs, problems = load_packs([], LANGUAGES)
    assert not problems, problems
    enabled = frozenset(packs.rule_ids())
    matcher = packs.matcher(lang, None, enabled)
    severity = {rule_id: packs.declared(rule_id).severity for rule_id in enabled}
    report = Report(lang, name, {rule_id: Family() for rule_id in packs.rule_ids()})
    for label, sentence in read_corpus(lang, name):
        rules = sorted({match.rule.id for match in matcher.matches(sentence, enabled)})
        for rule_id in rules:
            report.families[rule_id].flagged += 1
            report.families[rule_id].false_alarms += label == "honest"
        if label == "honest":
            report.honest += 1
            if any(severity[r] == "error" for r in rules):
                report.honest_errors.append((sentence, rules))
            elif rules:
                report.honest_warnings.append((sentence, rules))
            continue
        family = report.families[label]
        family.labelled += 1
        if label in rules:
            family.found += 1
        else:
            report.missed.append((label, sentence, rules))
    return report


def _percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.0f}%" if value in (0, 1) else f"{value * 100:.1f}%"


def format_table(reports: list[Report]) -> str:
    lines = []
    for report in reports:
        if not report.violating and not report.honest:
            continue
        if not lines or report.name != current:
            current = report.name
            lines += ["" if lines else None, f"### {report.name}", "",
                      "| language | rule family | violating | flagged (recall) | flags | false alarms | precision |",
                      "|---|---|---:|---:|---:|---:|---:|"]
            lines = [line for line in lines if line is not None]
        for rule_id, family in sorted(report.families.items()):
            lines.append(f"| {report.lang} | `{rule_id}` | {family.labelled} | {family.found} ({_percent(family.recall)}) "
                         f"| {family.flagged} | {family.false_alarms} | {_percent(family.precision)} |")
        flagged = sum(f.flagged for f in report.families.values())
        alarms = sum(f.false_alarms for f in report.families.values())
        lines.append(f"| {report.lang} | **all** ({report.honest} honest sentences: {len(report.honest_errors)} with an "
                     f"error, {len(report.honest_warnings)} with a warning) | {report.violating} | "
                     f"{sum(f.found for f in report.families.values())} ({_percent(report.recall)}) | {flagged} | {alarms} "
                     f"| {_percent((flagged - alarms) / flagged if flagged else None)} |")
    return "\n".join(lines)


def format_misses(reports: list[Report]) -> str:
    lines = []
    for report in reports:
        lines += [f"{report.name} {report.lang} missed [{label}]: {sentence}  (found: {', '.join(rules) or 'nothing'})"
                  for label, sentence, rules in report.missed]
        lines += [f"{report.name} {report.lang} honest, error: {sentence}  ({', '.join(rules)})" for sentence, rules in report.honest_errors]
        lines += [f"{report.name} {report.lang} honest, warning: {sentence}  ({', '.join(rules)})"
                  for sentence, rules in report.honest_warnings]
    return "\n".join(lines)


def compare_with_model(lang: str, name: str) -> str | None:
    """One table row each for the rules alone, the model alone and both, on a set of lang."""
    tallies = _tallies(lang, name)
    if tallies is None:
        return None
    rows = read_corpus(lang, name)
    violating = sum(1 for label, _ in rows if label != "honest")
    honest = len(rows) - violating
    return "\n".join(f"| {name} | {lang} | {kind} | {found}/{violating} ({_percent(found / violating if violating else None)}) | "
                     f"{errors}/{honest} | {warnings}/{honest} ({_percent(warnings / honest)}) |"
                     for kind, (found, errors, warnings) in tallies.items())


def model_and_rules(lang: str, name: str) -> tuple[int, int, int, int, int]:
    """(violating found, violating, honest with an error, honest with a warning, honest) as `check` reads them."""
    tallies = _tallies(lang, name)
    assert tallies is not None, f"no model or no sentences for {lang} in {name}"
    rows = read_corpus(lang, name)
    violating = sum(1 for label, _ in rows if label != "honest")
    found, errors, warnings = tallies["both"]
    return found, violating, errors, warnings, len(rows) - violating


def _tallies(lang: str, name: str) -> dict[str, list[int]] | None:
    scored = _scored(lang, name)
    return scored[0] if scored else None


@lru_cache(maxsize=None)
def _scored(lang: str, name: str) -> tuple[dict[str, list[int]], dict[str, list[int]], list[str]] | None:
    """[violating found, honest with an error, honest with a warning] for the rules alone, the model alone
    and both as `check` combines them: a rule's match in a sentence the model reads as surely honest is
    only info (model_rule.overruled); the model's finding is added where it reads another family. With
    them, per family: [violating, found by both], and what both miss or wrongly flag, one line each. Kept
    once per set: the report prints all three."""
    from generator.check.model import load_model
    from generator.check.model_rule import model_verdict, overruled

    model = load_model(lang)
    rows = read_corpus(lang, name)
    if model is None or not rows:
        return None
    rules = {(label, sentence): rules for label, sentence, rules in _rule_verdicts(lang, rows)}
    packs, _ = load_packs([], LANGUAGES)
    severity = {rule_id: packs.declared(rule_id).severity for rule_id in packs.rule_ids()}
    matcher = _matcher(lang)
    tallies = {kind: [0, 0, 0] for kind in ("rules", "model", "both")}
    by_family: dict[str, list[int]] = {}  # family -> [violating, found by both]
    misses: list[str] = []
    for label, sentence in rows:
        by_rules = {rule: severity[rule] for rule in rules[(label, sentence)]}
        verdict = model_verdict(model, matcher, sentence) if _read_by_the_model(sentence) else None
        by_model = {verdict.family: "warning"} if verdict else {}
        both = (by_model if not by_rules else {} if overruled(model, sentence, by_rules) is not None
                else {**by_model, **by_rules})
        if label != "honest":
            counts = by_family.setdefault(label, [0, 0])
            counts[0] += 1
            counts[1] += label in both
            if label not in both:
                misses.append(f"{name} {lang} missed by both [{label}]: {sentence}  (found: {', '.join(sorted(both)) or 'nothing'})")
        elif any(level in ("error", "warning") for level in both.values()):
            level = "error" if "error" in both.values() else "warning"
            misses.append(f"{name} {lang} honest, {level} from both: {sentence}  ({', '.join(sorted(both))})")
        for kind, found in (("rules", by_rules), ("model", by_model), ("both", both)):
            if label != "honest":
                tallies[kind][0] += label in found
            elif "error" in found.values():
                tallies[kind][1] += 1
            elif found:
                tallies[kind][2] += 1
    return tallies, by_family, misses


def _read_by_the_model(line: str) -> bool:
    """Whether `check` gives the model some sentence of this line: not a heading, a table's row or a
    label shorter than model_rule._MIN_CHARACTERS (the rules read every line)."""
    from generator.check.model_rule import _MIN_CHARACTERS
    from generator.check.sentences import find_sentences

    return len(find_sentences([line], _MIN_CHARACTERS).lead) > 0


def families_with_model(lang: str, name: str) -> str | None:
    """A table row per rule family: violating sentences found with their own family, as `check` reads them."""
    scored = _scored(lang, name)
    if scored is None:
        return None
    return "\n".join(f"| {name} | {lang} | `{family}` | {found}/{count} ({_percent(found / count)}) |"
                     for family, (count, found) in sorted(scored[1].items()))


def _matcher(lang: str):
    packs, _ = load_packs([], LANGUAGES)
    return packs.matcher(lang, None, frozenset(packs.rule_ids()))


def _rule_verdicts(lang: str, rows: list[tuple[str, str]]):
    packs, _ = load_packs([], LANGUAGES)
    enabled = frozenset(packs.rule_ids())
    matcher = packs.matcher(lang, None, enabled)
    for label, sentence in rows:
        yield label, sentence, sorted({match.rule.id for match in matcher.matches(sentence, enabled)})


def main(argv: list[str]) -> int:
    names = [argv[argv.index("--set") + 1]] if "--set" in argv else set_names()
    reports = [evaluate(lang, name) for name in names for lang in LANGUAGES]
    print(format_table(reports))
    if "--model" in argv:
        print("\n| set | language | judged by | violating found | honest with an error | honest with a warning |\n"
              "|---|---|---|---:|---:|---:|")
        for name in names:
            for lang in LANGUAGES:
                row = compare_with_model(lang, name)
                if row:
                    print(row)
        print("\n| set | language | rule family | found by both (as `check` reads a post) |\n|---|---|---|---:|")
        for name in names:
            for lang in LANGUAGES:
                rows = families_with_model(lang, name)
                if rows:
                    print(rows)
    if "--misses" in argv:
        print()
        print(format_misses(reports))
        if "--model" in argv:  # what a writer would still see wrongly, as `check` reads a post
            print("\n".join(line for name in names for lang in LANGUAGES for line in (_scored(lang, name) or ((), (), []))[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
