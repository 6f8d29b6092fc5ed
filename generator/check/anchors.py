"""Finding the rules' anchors in a text (matching.py): one Aho-Corasick pass, with Hangul anchors
looked up by their first two letters."""
from __future__ import annotations

from typing import Iterator

import ahocorasick
import numpy as np


class AnchorFinder:
    """Where each anchor ends in a text, with its value, as ahocorasick.Automaton.iter() finds them (in
    order of their ends). The automaton slows down with the number of letters that may start an anchor:
    with the two hundred syllables that start the Korean anchors it read a Korean post six times slower a
    letter than an English one. Anchors that start with a letter of the Basic Multilingual Plane beyond
    ASCII are found instead by their first two letters, looked up with numpy, then compared whole."""

    def __init__(self, values: dict[str, object]):
        self.automaton = ahocorasick.Automaton()
        # Every anchor in one automaton, for short texts (a sentence, a title), where numpy's cost a call
        # is more than the automaton's a letter.
        self.whole = ahocorasick.Automaton()
        paired: list[tuple[str, object]] = []
        for anchor, value in values.items():
            self.whole.add_word(anchor, value)
            if len(anchor) >= 2 and 128 <= ord(anchor[0]) < _PLANE and ord(anchor[1]) < _PLANE:
                paired.append((anchor, value))
            else:
                self.automaton.add_word(anchor, value)
        self.latin = len(self.automaton) > 0
        if self.latin:
            self.automaton.make_automaton()
        if len(self.whole):
            self.whole.make_automaton()
        # Each first and second letter numbered from 1 (0: none), and which pairs of numbers start an anchor.
        self.first, self.second = np.zeros(_PLANE, dtype=np.int32), np.zeros(_PLANE, dtype=np.int32)
        for table, letters in ((self.first, {a[0] for a, _ in paired}), (self.second, {a[1] for a, _ in paired})):
            table[[ord(letter) for letter in sorted(letters)]] = np.arange(1, len(letters) + 1)
        self.width = int(self.second.max()) + 1
        self.starts = np.zeros((int(self.first.max()) + 1) * self.width, dtype=bool)
        self.by_pair: dict[int, list[tuple[str, object]]] = {}
        for anchor, value in paired:
            pair = int(self.first[ord(anchor[0])]) * self.width + int(self.second[ord(anchor[1])])
            self.starts[pair] = True
            self.by_pair.setdefault(pair, []).append((anchor, value))

    def iter(self, text: str) -> Iterator[tuple[int, object]]:
        if not self.by_pair or len(text) < 2:
            return self.automaton.iter(text) if self.latin else iter(())
        if len(text) < _SHORT:
            return self.whole.iter(text)
        found = list(self.automaton.iter(text)) if self.latin else []
        codes = np.minimum(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32), _PLANE - 1)
        pairs = self.first[codes[:-1]] * self.width + self.second[codes[1:]]
        places = np.flatnonzero(self.starts[pairs])
        for place, pair in zip(places.tolist(), pairs[places].tolist()):
            found += [(place + len(anchor) - 1, value) for anchor, value in self.by_pair[pair]
                      if text.startswith(anchor, place)]
        found.sort(key=lambda hit: hit[0])
        return iter(found)


_PLANE = 1 << 16  # the Basic Multilingual Plane
_SHORT = 200  # letters: below this many, one automaton of every anchor reads a text faster than numpy
