"""The sentences the claims model reads in many posts' prose at once: what model_rule.SENTENCE finds,
stripped of the spaces around them and kept when model_rule would score them, found with numpy.

A site has a hundred thousand sentences a language, and a regular expression's match, strip and
filter for each cost a third of the model's time. The same cuts, made on arrays:
- a sentence is a stretch without a line break or a stop (. ! ? 。), with the run of stops that ends
  it when whitespace or the end of the text follows that run;
- a run of stops followed by anything else is left out and splits the text ("3.5" is "3" and "5");
- a run of stops that whitespace follows, with no stretch before it on its line, is a sentence of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_SPACE, _STOP, _BREAK, _BAR, _HASH, _ODD = 1, 2, 4, 8, 16, 32  # bits of a character's class
_PLAIN_SPACE = 64
_STEPS = 8  # characters of whitespace a sentence's end is moved over one at a time


@lru_cache(maxsize=1)
def character_classes() -> np.ndarray:
    """The class bits of every character of the Basic Multilingual Plane (a character beyond it, which
    U+FFFF stands for, is none of them): whitespace as str.isspace() reads it, which is what \\s and
    strip() read."""
    classes = np.zeros(1 << 16, dtype=np.uint8)
    spaces = [code for code in range(1 << 16) if chr(code).isspace()]
    classes[spaces] = _SPACE | _ODD
    classes[ord(" ")] = _SPACE | _PLAIN_SPACE
    classes[ord("\n")] |= _BREAK
    classes[[ord(stop) for stop in ".!?。"]] = _STOP
    classes[ord("|")], classes[ord("#")] = _BAR, _HASH
    return classes


@dataclass(frozen=True, slots=True)
class Sentences:
    """The sentences of the texts given, in order: their places in the texts joined by line breaks."""

    text: str  # the texts joined by line breaks
    text_starts: np.ndarray  # where each text starts in it
    post: np.ndarray  # each sentence's text (its place in the list given)
    start: np.ndarray  # each sentence as the regular expression matches it: its start and end in text,
    end: np.ndarray
    lead: np.ndarray  # and without the whitespace around it
    tail: np.ndarray
    uneven: np.ndarray  # whether it holds whitespace other than single spaces ("a\tb", "a  b")


def find_sentences(texts: list[str], shortest: int) -> Sentences:
    """The sentences of texts that are at least `shortest` characters long without the whitespace
    around them, do not start with '#' (a heading) and hold no '|' (a table's row). Stops and line
    breaks are a few characters in a hundred: only the arrays of all characters' classes are as long
    as the text; the sentences are cut from the places of the stops and line breaks."""
    text = "\n".join(texts)
    lengths = np.array([len(part) + 1 for part in texts], dtype=np.int64)
    text_starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(texts) else np.zeros(0, dtype=np.int64)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    size = len(codes)
    classes = character_classes()[np.minimum(codes, 0xFFFF)]
    is_space = (classes & _SPACE).astype(bool)
    cuts = np.flatnonzero(classes & (_STOP | _BREAK))  # where no stretch of a sentence goes on
    is_stop = (classes[cuts] & _STOP).astype(bool)
    stops = cuts[is_stop]
    # Runs of stops, and whether whitespace or the end of the text follows each (then it closes a sentence).
    new_run = np.concatenate(([True], np.diff(stops) != 1)) if len(stops) else np.zeros(0, dtype=bool)
    run_starts = stops[new_run]
    run_ends = stops[np.flatnonzero(np.concatenate((new_run[1:], [True])))] + 1 if len(stops) else stops
    closing = np.ones(len(run_ends), dtype=bool)
    inside = run_ends < size
    closing[inside] = is_space[run_ends[inside]]
    # Stretches: what lies between two cuts, or before the first, or after the last.
    bounds = np.concatenate(([-1], cuts, [size]))
    stretch_starts, stretch_ends = bounds[:-1] + 1, bounds[1:]
    filled = stretch_ends > stretch_starts
    stretch_starts, stretch_ends = stretch_starts[filled], stretch_ends[filled]
    # A stretch takes the run of stops right after it when that run closes a sentence.
    run_after = np.searchsorted(run_starts, stretch_ends)
    takes = run_after < len(run_starts)
    takes[takes] = run_starts[run_after[takes]] == stretch_ends[takes]
    takes[takes] = closing[run_after[takes]]
    stretch_ends[takes] = run_ends[run_after[takes]]
    # A closing run with no stretch right before it (at a line's start) stands alone.
    alone = closing & ((run_starts == 0) | (classes[np.maximum(run_starts - 1, 0)] & _BREAK).astype(bool))
    starts = np.concatenate((stretch_starts, run_starts[alone]))
    ends = np.concatenate((stretch_ends, run_ends[alone]))
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    lead, tail = _trimmed(is_space, starts, ends)
    kept = (tail - lead) >= shortest
    kept[kept] = (classes[lead[kept]] & _HASH) == 0
    bars = np.flatnonzero(classes & _BAR)
    kept[kept] = np.searchsorted(bars, lead[kept]) == np.searchsorted(bars, tail[kept])
    starts, ends, lead, tail = starts[kept], ends[kept], lead[kept], tail[kept]
    # Whitespace other than a single space between two words: " ".join(sentence.split()) would change it.
    plain = (classes & _PLAIN_SPACE).astype(bool)
    odd = np.flatnonzero(classes & _ODD)
    doubled = np.flatnonzero(plain[:-1] & plain[1:])
    uneven = np.zeros(len(lead), dtype=bool)
    for places in (odd, doubled):
        uneven |= np.searchsorted(places, lead) < np.searchsorted(places, tail)
    post = np.searchsorted(text_starts, lead, side="right") - 1
    return Sentences(text, text_starts, post, starts, ends, lead, tail, uneven)


def _trimmed(is_space: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each stretch without the whitespace at its ends (empty: lead == tail). Most sentences start
    after one space and end without one: those that need it move a character at a time, and the few
    still moving after a few steps (long indents) are found among the places of the other characters."""
    lead, tail = starts.copy(), ends.copy()
    last = len(is_space) - 1
    moving = np.flatnonzero((lead < tail) & is_space[np.minimum(lead, last)])
    for _ in range(_STEPS):
        lead[moving] += 1
        moving = moving[lead[moving] < tail[moving]]
        moving = moving[is_space[lead[moving]]]
    if len(moving):
        solid = np.flatnonzero(~is_space)  # the first character that is not whitespace, or none before tail
        at = np.searchsorted(solid, lead[moving])
        found = solid[np.minimum(at, len(solid) - 1)] if len(solid) else tail[moving]
        lead[moving] = np.minimum(np.where(at < len(solid), found, tail[moving]), tail[moving])
    moving = np.flatnonzero((lead < tail) & is_space[np.maximum(tail - 1, 0)])
    for _ in range(_STEPS):
        tail[moving] -= 1
        moving = moving[lead[moving] < tail[moving]]
        moving = moving[is_space[tail[moving] - 1]]
    if len(moving):
        solid = np.flatnonzero(~is_space)
        before = np.searchsorted(solid, tail[moving]) - 1  # the last character that is not whitespace
        tail[moving] = np.maximum(np.where(before >= 0, solid[np.maximum(before, 0)] + 1, lead[moving]), lead[moving])
    return lead, tail
