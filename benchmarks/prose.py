"""Seeded prose for the benchmark corpus: English from a word bank, Korean from Hangul syllables.

The words mean nothing together; what matters for a benchmark is that posts
have the length, the Markdown constructs and the scripts of real clinic posts.
"""
from __future__ import annotations

import random

ENGLISH_WORDS = """
filler lips skin swelling bruising clinic doctor patient treatment session result week month day
injection needle cannula product gel volume shape border contour cheek chin jaw forehead eye nose
collagen elastin barrier moisture sunscreen laser energy heat lifting thread booster hyaluronic acid
enzyme dose consultation plan option cost price risk sign symptom pain pressure cold pack ice balm
recovery aftercare routine habit sleep exercise alcohol sauna makeup cleanser serum cream redness
natural balance gentle careful slow gradual visible subtle lasting temporary common rare normal
usually often sometimes rarely mostly early later first second final next several many few most
check ask explain plan book visit return settle fade soften improve protect avoid apply wait
choose notice expect measure compare review repeat adjust reduce support describe prepare
""".split()
ENGLISH_GLUE = "the the the a a and and of of to to in in is is your your for with on it this that can may we you".split()
KOREAN_WORDS = """
시술 피부 필러 상담 회복 효과 주사 병원 원장 관리 붓기 통증 결과 기간 입술 보습 자외선 레이저 장벽 탄력
""".split()
PARTICLES = ("은", "는", "이", "가", "을", "를", "에", "의", "에서", "으로", "와", "도", "만", "까지")
ENDINGS = ("합니다.", "입니다.", "있어요.", "됩니다.", "해요.", "좋습니다.", "드려요.", "않아요.")
# Common initials, vowels and finals of Hangul syllables (Unicode index order).
INITIALS = (0, 0, 2, 3, 5, 6, 7, 9, 9, 11, 11, 12, 14, 18)
MEDIALS = (0, 0, 1, 4, 4, 6, 8, 8, 13, 13, 18, 20, 20, 11, 5)
FINALS = (0, 0, 0, 0, 0, 4, 4, 8, 8, 16, 21, 21, 1, 17)


class Prose:
    """The shape of a post body, shared by every language; subclasses supply words."""

    joiner = " "
    table_header = ("", "", "")
    description_bounds = (70, 150)  # characters; search results show about 50-160 in English
    risks_heading = ""  # a clinic post about a procedure always says what can go wrong
    checks = ("✔", "✔", "✔", "👉")
    numbers = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣")

    def word(self, rng: random.Random) -> str:
        raise NotImplementedError

    def sentence(self, rng: random.Random, low: int = 8, high: int = 18) -> str:
        raise NotImplementedError

    def phrase(self, rng: random.Random, low: int = 3, high: int = 7) -> str:
        return " ".join(self.word(rng) for _ in range(rng.randint(low, high)))

    def paragraph(self, rng: random.Random) -> str:
        return self.joiner.join(self.sentence(rng) for _ in range(rng.randint(3, 5)))

    def heading(self, rng: random.Random) -> str:
        return self.phrase(rng, 2, 5).capitalize()

    def link_text(self, rng: random.Random) -> str:
        return self.phrase(rng, 2, 4)

    def alt_text(self, rng: random.Random) -> str:
        return self.phrase(rng, 5, 9).capitalize()

    def description_start(self, topic: str) -> str:
        return ""

    def description(self, rng: random.Random, topic: str) -> str:
        """Within description_bounds, so that neither the build nor `check` warns about its length."""
        low, high = self.description_bounds
        text = self.description_start(topic)
        while len(text) < low:
            text = f"{text} {self.sentence(rng, 10, 16)}".strip()
        while len(text) >= high:
            text = text.rsplit(" ", 1)[0]
        return text.rstrip(".") + "."

    def question(self, rng: random.Random, topic: str) -> str:
        raise NotImplementedError

    def linked(self, rng: random.Random, link: tuple[str, str]) -> str:
        raise NotImplementedError

    def body(self, rng: random.Random, tags: list[str], links: list[tuple[str, str]], figures: int) -> str:
        """About 900 words: an intro, four ## sections with ### parts, every block a clinic post uses."""
        target = rng.randint(860, 940)
        blocks = [
            lambda: "\n".join(f"- {self.phrase(rng)}" for _ in range(rng.randint(4, 6))),
            lambda: "\n".join(f"{mark} {self.phrase(rng, 4, 8)}" for mark in self.checks),
            lambda: "\n".join(f"{n} {self.phrase(rng, 3, 7)}" for n in self.numbers[: rng.randint(3, 5)]),
            lambda: self.table(rng),
            lambda: f"![{self.alt_text(rng)}](/images/figure-{rng.randint(1, figures):02d}.png)",
            lambda: "\n".join(f"{n}. {self.phrase(rng, 4, 9)}" for n in range(1, rng.randint(4, 6))),
        ]
        rng.shuffle(blocks)
        intro = [f"{self.paragraph(rng)}{self.joiner}{self.linked(rng, links[0])}"]
        sections: list[list[str]] = []
        for number in range(4):
            heading = self.risks_heading if number == 2 else self.heading(rng)
            section = [f"## {heading}", self.paragraph(rng), blocks[number]()]
            if number < 2:
                section += [f"### {self.heading(rng)}", self.paragraph(rng), blocks[4 + number]()]
            sections.append(section)
        for link, section in zip(links[1:], sections[1:]):
            section.insert(2, f"{self.paragraph(rng)}{self.joiner}{self.linked(rng, link)}")
        count = sum(len(block.split()) for block in intro + [b for s in sections for b in s])
        while count < target:
            extra = self.paragraph(rng)
            sections[rng.randrange(len(sections))].append(extra)
            count += len(extra.split())
        return "\n\n".join(intro + [block for section in sections for block in section]) + "\n"

    def table(self, rng: random.Random) -> str:
        rows = [f"| {' | '.join(self.table_header)} |", "| --- | --- | --- |"]
        for _ in range(rng.randint(3, 5)):
            low = rng.randint(1, 12)
            rows.append(f"| {self.phrase(rng, 1, 3)} | {low}–{low + rng.randint(1, 12)} | {self.phrase(rng, 2, 5)} |")
        return "\n".join(rows)


class EnglishProse(Prose):
    table_header = ("Option", "Typical weeks", "Notes")
    risks_heading = "Possible side effects and risks"

    def word(self, rng: random.Random) -> str:
        return rng.choice(ENGLISH_GLUE) if rng.random() < 0.35 else rng.choice(ENGLISH_WORDS)

    def sentence(self, rng: random.Random, low: int = 8, high: int = 18) -> str:
        words = [self.word(rng) for _ in range(rng.randint(low, high))]
        if rng.random() < 0.08:
            words[rng.randrange(len(words))] = f"**{rng.choice(ENGLISH_WORDS)}**"
        return " ".join(words).capitalize() + rng.choice("..........?!")

    def description_start(self, topic: str) -> str:
        return f"About {topic}:"

    def question(self, rng: random.Random, topic: str) -> str:
        return f"How {self.phrase(rng, 3, 6)} after {topic}?"

    def linked(self, rng: random.Random, link: tuple[str, str]) -> str:
        return f"We explain {self.phrase(rng, 2, 4)} in [{link[0]}]({link[1]})."


class KoreanProse(Prose):
    """Korean prose, one sentence per line as pasted from a Korean blog editor."""

    joiner = "\n"
    table_header = ("항목", "기간(주)", "참고")
    description_bounds = (52, 78)  # Korean search results show about 40-80 characters
    risks_heading = "부작용과 주의사항"

    def __init__(self, rng: random.Random, size: int = 2500):
        stems = {self._stem(rng) for _ in range(size)}
        self.stems = sorted(stems)
        rng.shuffle(self.stems)  # a stable order, then frequent words first (Zipf-like choice below)

    @staticmethod
    def _stem(rng: random.Random) -> str:
        syllables = []
        for _ in range(rng.choice((1, 2, 2, 2, 3, 3))):
            code = (rng.choice(INITIALS) * 21 + rng.choice(MEDIALS)) * 28 + rng.choice(FINALS)
            syllables.append(chr(0xAC00 + code))
        return "".join(syllables)

    def _pick(self, rng: random.Random) -> str:
        if rng.random() < 0.12:
            return rng.choice(KOREAN_WORDS)
        return self.stems[int(len(self.stems) * rng.random() ** 2.5)]

    def word(self, rng: random.Random) -> str:
        stem = self._pick(rng)
        return stem + rng.choice(PARTICLES) if rng.random() < 0.55 else stem

    def sentence(self, rng: random.Random, low: int = 5, high: int = 12) -> str:
        words = [self.word(rng) for _ in range(rng.randint(low, high) - 1)]
        return " ".join(words + [self._pick(rng) + rng.choice(ENDINGS)])

    def heading(self, rng: random.Random) -> str:
        return " ".join(self._pick(rng) for _ in range(rng.randint(2, 4)))

    def description_start(self, topic: str) -> str:
        return f"{topic}에 대해"

    def question(self, rng: random.Random, topic: str) -> str:
        return f"{topic} 후에 {self.phrase(rng, 2, 5)} 괜찮을까요?"

    def linked(self, rng: random.Random, link: tuple[str, str]) -> str:
        return f"[{link[0]}]({link[1]})에서 {self.phrase(rng, 2, 4)} 자세히 설명했어요."
