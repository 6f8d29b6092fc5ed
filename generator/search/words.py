"""The words of the search index: Korean split into morphemes at build time, so that a reader's
`보톡스` finds `보톡스는` and `리프팅` finds `실리프팅`.

Pagefind splits Korean on spaces only. Each word of a post is therefore given to it as written,
followed by the words inside it that a reader may search for, each marked with MARK (an invisible
separator that Pagefind drops from the words of a Korean page it indexes, and that search.js leaves
out of the excerpts it shows):

    보톡스는 ⁣보톡스   실리프팅은 ⁣실리프팅 ⁣실 ⁣리프팅   HA필러 ⁣HA ⁣필러   붓기는 ⁣붓기

The words inside a word are its nouns, roots and stems of two syllables or more as the Kiwi analyzer
finds them (particles and endings are left out), a verb made a noun (붓 + 기), its Latin and Hangul
parts when it mixes scripts, and the parts of a compound noun that are nouns of their own elsewhere in
the posts (Kiwi keeps many compounds whole). Words without Hangul get none: Pagefind splits and stems
them itself. Kiwi analyses each run of Hangul on its own: a run is analysed once and remembered
(`memo`, kept between builds by the search cache), so a rebuild only analyses the runs it has not
seen, and the words a run gives never depend on the post it is in.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable, Iterable, Mapping

from generator.config.textfiles import HANGUL_CHARS

MARK = "\u2063"  # INVISIBLE SEPARATOR, before every word added to the index
Morphemes = tuple[tuple[str, str], ...]  # (form, part-of-speech tag) of one run of Hangul

NOUNS = frozenset({"NNG", "NNP", "NR", "XR"})
STEMS = frozenset({"VV", "VA"})  # verb and adjective stems: kept from two syllables on
_SEGMENT = re.compile(rf"[{HANGUL_CHARS}]+|[^\W_{HANGUL_CHARS}]+")  # runs of Hangul, runs of other letters/digits
_HANGUL_RUN = re.compile(rf"^[{HANGUL_CHARS}]+$")
_SYLLABLES = re.compile("[\uac00-\ud7a3]+")
# Runs that are particles after a word in another script ("PDO라는", "HA로"): Kiwi alone takes their
# first syllable for a noun.
PARTICLES = frozenset("라는 이라는 으로 로 으로는 로는 은 는 이 가 을 를 의 에 에서 와 과 도 만 이나 나 란 이란".split())


def segments(word: str) -> list[str]:
    """A word's runs of Hangul and of other letters or digits, in order: "PDO(폴리디옥사논)는" ->
    PDO, 폴리디옥사논, 는."""
    return _SEGMENT.findall(word)


def hangul_runs(texts: Iterable[str]) -> set[str]:
    """Every run of Hangul in texts: what the analyzer is asked about."""
    return {segment for text in texts for word in text.split() for segment in segments(word)
            if _HANGUL_RUN.match(segment)}


def analyse(runs: Iterable[str], analyzer) -> dict[str, Morphemes]:
    """Kiwi's morphemes of each run, analysed on its own."""
    found = {}
    for run in runs:
        found[run] = tuple((token.form, token.tag.split("-")[0]) for token in analyzer.tokenize(run))
    return found


def vocabulary(memo: Mapping[str, Morphemes], runs: Iterable[str]) -> frozenset[str]:
    """The nouns a compound may be split into: nouns of two syllables or more that Kiwi found in the
    runs, and nouns of one syllable (턱, 실, 코) found with nothing but particles after them ("실을",
    "턱이"): Kiwi also finds one-syllable nouns in pieces of words it does not know."""
    return frozenset().union(*(run_nouns(run, memo[run]) for run in runs))


def run_nouns(run: str, morphemes: Morphemes) -> frozenset[str]:
    """What one run gives to vocabulary()."""
    found = {form for form, tag in morphemes if tag in ("NNG", "NNP") and len(form) > 1 and _HANGUL_RUN.match(form)}
    (form, tag), rest = (morphemes or (("", ""),))[0], morphemes[1:]
    if (tag in ("NNG", "NNP") and len(form) == 1 and rest and all(t.startswith("J") for _, t in rest)
            and run == form + "".join(f for f, _ in rest) and run not in PARTICLES):
        found.add(form)
    return frozenset(found)


def compound_parts(noun: str, known: frozenset[str], strict: bool = False) -> tuple[str, ...]:
    """A compound of three syllables or more split into known nouns ("입술필러후기" -> 입술, 필러, 후기);
    unless strict, a stretch of two syllables or more that is no known noun may stay between them. ()
    when no split covers the noun with at least one known noun, or when it is not a compound."""
    size = len(noun)
    if size < 3 or not _HANGUL_RUN.match(noun):
        return ()
    # best[i]: the best split of noun[:i] as (cost, parts, the parts); a syllable outside the known nouns
    # costs 1, and so does a known noun of one syllable: 후기 is one part, not 후 + 기.
    best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (size + 1)
    best[0] = (0, 0, ())
    for end in range(1, size + 1):
        for start in range(end):
            before = best[start]
            if before is None or (start == 0 and end == size):
                continue
            piece = noun[start:end]
            unknown = 0 if piece in known else len(piece)
            if unknown == 1 or (unknown and strict):
                continue
            candidate = (before[0] + (unknown or len(piece) == 1), before[1] + 1, before[2] + (piece,))
            if best[end] is None or candidate[:2] < best[end][:2]:
                best[end] = candidate
    found = best[size]
    if found is None or not any(part in known for part in found[2]):
        return ()
    return found[2]


class WordSplitter:
    """Turns text into the index's words (see the module's docstring) from the analyses of its runs."""

    def __init__(self, memo: Mapping[str, Morphemes], known: frozenset[str]):
        self.memo, self.known = memo, known
        self._inside: dict[str, tuple[str, ...]] = {}

    def inside(self, word: str) -> tuple[str, ...]:
        """The words a reader may search for inside one word as written, without the word itself."""
        found = self._inside.get(word)
        if found is None:
            found = self._inside[word] = self._words_inside(word)
        return found

    def _words_inside(self, word: str) -> tuple[str, ...]:
        parts = segments(word)
        if not any(_HANGUL_RUN.match(part) for part in parts):
            return ()  # Pagefind splits and stems other scripts itself ("non-surgical", "fillers")
        whole = "".join(parts).casefold()
        words: list[str] = [part for part in parts if len(parts) > 1 and not _HANGUL_RUN.match(part)]
        for part in parts:
            if not _HANGUL_RUN.match(part):
                continue
            if len(parts) > 1 and (len(part) > 1 or part in self.known) and part not in PARTICLES:
                words.append(part)
            morphemes = self.memo.get(part, ())
            for form, tag in morphemes:
                if (tag in NOUNS and (len(form) > 1 or form in self.known)) or (tag in STEMS and len(form) > 1):
                    words.append(form)
                    words.extend(compound_parts(form, self.known) if tag in ("NNG", "NNP") else ())
            bare, inner = _without_particles(part, morphemes)
            # A verb made a noun ("붓기는": 붓 + 기, "뭉침이나": 뭉치 + ㅁ) is looked for as the noun.
            if len(inner) > 1 and inner[0][1] in STEMS and inner[-1][1] == "ETN" and len(bare) > 1:
                words.append(bare)
            # A compound Kiwi did not see as one noun ("히알루론산필러"): only when known nouns make all of it.
            words.extend(compound_parts(bare, self.known, strict=True))
        unique = dict.fromkeys(w for w in words if w.casefold() != whole and w)
        return tuple(unique)

    def split(self, text: str) -> str:
        """Text as the index takes it: each word followed by the marked words inside it."""
        out = []
        for word in text.replace(MARK, "").split():
            out.append(word)
            out.extend(MARK + inner for inner in self.inside(word))
        return " ".join(out)


def decomposed(text: str) -> str:
    """Hangul syllables written as conjoining jamo (NFD; 필 -> ᄑ ᅵ ᆯ), as the index holds Korean: Pagefind
    splits an index of jamo into chunks of some 50 KB, one of syllables never (a reader's first search
    would download the whole Korean index). The browser looks words up in the same form."""
    return _SYLLABLES.sub(lambda found: unicodedata.normalize("NFD", found.group()), text)


def _without_particles(run: str, morphemes: Morphemes) -> tuple[str, Morphemes]:
    """The run and its morphemes without the particles Kiwi found at its end ("히알루론산필러를" -> 히알루론산필러)."""
    while morphemes and morphemes[-1][1].startswith("J") and run.endswith(morphemes[-1][0]):
        run, morphemes = run[:-len(morphemes[-1][0])], morphemes[:-1]
    return run, morphemes


Splitter = Callable[[str], str]
