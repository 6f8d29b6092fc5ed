"""The example values a new site starts with, kept in this one place: `clinicpress init` and `clinicpress new`
write them (generator/scaffold.py), and `check` reports each one still in site.toml or in a post (rule
example-value, generator/check/example_rules.py), so that no example is published as the clinic's own."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

EXAMPLE_DOMAIN = "example.com"  # reserved for examples (RFC 2606): nobody's site, nobody's mail
TELEPHONE = "+82-2-000-0000"
CLINIC_NAME = {"ko": "새봄 의원", "en": "Saebom Clinic"}
AUTHOR_NAME = {"ko": "홍길동", "en": "Gildong Hong"}  # the Korean "John Doe", and his English spelling

# What init writes into site.toml and its welcome posts: $name in scaffold.py's texts.
INIT_VALUES = {
    "base_url": f"https://blog.{EXAMPLE_DOMAIN}/",
    "clinic_url": f"https://www.{EXAMPLE_DOMAIN}/",
    "contact_url": f"https://www.{EXAMPLE_DOMAIN}/contact",
    "email": f"hello@{EXAMPLE_DOMAIN}",
    "author_url": f"https://www.{EXAMPLE_DOMAIN}/doctors/hong",
    "cname": f"blog.{EXAMPLE_DOMAIN}",
    "telephone": TELEPHONE,
    "clinic_ko": CLINIC_NAME["ko"],
    "clinic_en": CLINIC_NAME["en"],
    "author_ko": AUTHOR_NAME["ko"],
    "author_en": AUTHOR_NAME["en"],
}

# The body `clinicpress new` gives a post, to be replaced by the post itself.
NEW_POST_BODY = {
    "ko": "여기에 본문을 쓰세요. 제목은 이미 페이지의 큰 제목이니, 본문의 소제목은 ## 로 시작합니다.\n",
    "en": "Write the post here. The title above is already the page's main heading, "
          "so start section headings with ##.\n",
}


@dataclass(frozen=True, slots=True)
class Example:
    """One example value, found wherever it stands in a longer text."""

    kind: str  # "domain", "telephone", "clinic", "author" or "placeholder"
    pattern: str  # a regular expression
    anchor: str  # text every match holds: a post without it is not searched with the pattern
    what: str  # what it is, in messages
    instead: str  # what to write in its place
    note: str = ""  # why it cannot stay, when that is not plain
    in_config: bool = True
    in_posts: bool = True  # a person's name can be a fair example inside an article, so not every one is looked for


def _literal(text: str) -> str:
    """The text where a word starts; it may end inside one (a Korean particle may follow it: 새봄 의원에)."""
    return r"(?<!\w)" + re.escape(text)


def _first_sentence(text: str) -> str:
    return text.split(". ")[0] + "."


EXAMPLES = (
    Example("domain", r"(?<![\w.-])(?:[\w-]+\.)*" + re.escape(EXAMPLE_DOMAIN) + r"(?![\w-]|\.\w)",  # and subdomains
            EXAMPLE_DOMAIN, "the example address", "your own address", f"{EXAMPLE_DOMAIN} is kept for examples: it is nobody's site"),
    Example("telephone", re.escape(TELEPHONE), TELEPHONE, "init's example telephone number", "the clinic's telephone number"),
    *(Example("clinic", _literal(name), name, "init's example clinic name", "your clinic's name")
      for name in CLINIC_NAME.values()),
    *(Example("author", _literal(name), name, "init's example name", "the author's real name", in_posts=False)
      for name in AUTHOR_NAME.values()),
    *(Example("placeholder", re.escape(_first_sentence(body)), _first_sentence(body), "the placeholder text of `clinicpress new`",
              "the post itself", in_config=False) for body in NEW_POST_BODY.values()),
)
_FOUND = {where: re.compile("|".join(f"(?P<e{number}>{example.pattern})" for number, example in enumerate(EXAMPLES)
                                     if getattr(example, where)), re.IGNORECASE)
          for where in ("in_config", "in_posts")}
# The domain pattern tries every word of a text: looking for the anchors first is several times faster.
_ANCHORS = {where: tuple({example.anchor.casefold() for example in EXAMPLES if getattr(example, where)})
            for where in ("in_config", "in_posts")}


def find_examples(text: str, where: str) -> Iterator[tuple[Example, int, int]]:
    """Each example value in text, with its start and end; where is "in_config" or "in_posts"."""
    folded = text.casefold()
    if not any(anchor in folded for anchor in _ANCHORS[where]):
        return
    for match in _FOUND[where].finditer(text):
        yield EXAMPLES[int(match.lastgroup[1:])], match.start(), match.end()
