from datetime import datetime, timedelta
from pathlib import Path

import pytest

from generator.config.loader import parse_config
from generator.content import front_matter
from generator.content.posts import parse_post
from generator.content.models import SourceFile

from conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG + '\n[series.lip-filler]\ntitle = { ko = "입술 필러", en = "Lip filler" }\n',
                      Path("."))
GOOD = """---
title: "Lip Filler Part 1: Why Do My Lips Look Smaller?"
date: 2026-07-03
updated: 2026-08-01T10:30:00+09:00
description: "Why filled lips can look smaller over time, and what filler migration means."
tags: [lip filler, hyaluronidase]
series: lip-filler
series_part: 1
author: dr-kim
reviewed_by: dr-lee
image: /images/lips.jpg
image_alt: "Close-up of lips"
faq:
  - q: "Does it hurt?"
    a: "A numbing cream is used."
extra:
  hero_colour: teal
---
Body starts here.
"""


def parse(text: str | bytes, name: str = "lip-filler-migration", lang: str = "en"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_post(SourceFile(f"posts/{lang}/{name}.md", lang, name, data), CONFIG)


def error_lines(text: str | bytes, **kwargs) -> list[str]:
    post, diagnostics = parse(text, **kwargs)
    assert post is None
    return [f"{d.path}:{d.line}: {d.message}" for d in diagnostics]


def test_parse_post_reads_every_field():
    post, diagnostics = parse(GOOD)
    assert diagnostics == []
    assert post.title == "Lip Filler Part 1: Why Do My Lips Look Smaller?"
    assert post.date.isoformat() == "2026-07-03T00:00:00+09:00"  # naive dates take the site time zone
    assert post.updated.utcoffset() == timedelta(hours=9)
    assert post.slug == post.translation_key == "lip-filler-migration"
    assert post.tags == ("lip filler", "hyaluronidase")
    assert (post.series, post.series_part) == ("lip-filler", 1)
    assert (post.author, post.reviewed_by) == ("dr-kim", "dr-lee")
    assert post.faq[0].question == "Does it hurt?"
    assert post.extra["hero_colour"] == "teal"
    assert post.body == "Body starts here.\n" and post.body_line == 19


def test_parse_post_accepts_bom_and_crlf():
    post, diagnostics = parse(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert post is not None and not [d for d in diagnostics if d.severity == "error"]
    assert post.body == "Body starts here.\n"


@pytest.mark.parametrize("old, new, expected", [
    ("date: 2026-07-03", "date: 2026-13-01",
     "posts/en/lip-filler-migration.md:3: 'date' must be a real date, got '2026-13-01' (there is no month 13)"),
    ("date: 2026-07-03", "date: 2026-02-30",
     "posts/en/lip-filler-migration.md:3: 'date' must be a real date, got '2026-02-30' (February 2026 has 28 days)"),
    ('title: "Lip Filler Part 1: Why Do My Lips Look Smaller?"\n', "",
     "posts/en/lip-filler-migration.md:2: missing required key 'title'"),
    ("series_part: 1", "titel: x",
     "posts/en/lip-filler-migration.md:8: unknown front-matter key 'titel'"),
    ('image_alt: "Close-up of lips"\n', "",
     "posts/en/lip-filler-migration.md:11: 'image' needs 'image_alt', a short description of the picture for screen readers"),
    ("author: dr-kim", "author: dr-kin",
     "posts/en/lip-filler-migration.md:9: unknown author 'dr-kin' (authors in site.toml: dr-kim, dr-lee)"),
    ("series_part: 1", "series_part: first",
     "posts/en/lip-filler-migration.md:8: 'series_part' must be a whole number from 1, got 'first'"),
    ("tags: [lip filler, hyaluronidase]", "tags: lip filler",
     "posts/en/lip-filler-migration.md:6: 'tags' must be a list"),
    ("date: 2026-07-03", "date: 2026-07-03\nslug: ../../etc",
     "posts/en/lip-filler-migration.md:4: 'slug' '../../etc' must be a single URL segment: letters, digits and '-' only"),
    ("updated: 2026-08-01T10:30:00+09:00", "updated: 2026-06-01",
     "posts/en/lip-filler-migration.md:4: 'updated' (2026-06-01) is before 'date' (2026-07-03)"),
    ("---\nBody", "draft: maybe\n---\nBody",
     "posts/en/lip-filler-migration.md:18: 'draft' must be true or false, got 'maybe'"),
    ('    a: "A numbing cream is used."\n', "",
     "posts/en/lip-filler-migration.md:13: 'faq' item 1 must have a text 'q' and a text 'a'"),
], ids=["impossible-month", "impossible-day", "missing-title", "unknown-key", "image-without-alt",
        "unknown-author", "series-part-not-number", "tags-not-list", "slug-escapes",
        "updated-before-date", "draft-not-bool", "faq-without-answer"])
def test_parse_post_rejects_bad_front_matter_with_line(old, new, expected):
    assert old in GOOD
    assert expected in error_lines(GOOD.replace(old, new, 1))


@pytest.mark.parametrize("tags, kept, repeated", [
    ('["#보톡스 💉", "## lips"]', ("보톡스 💉", "lips"), ()),
    ("[Aftercare, lips, aftercare, AFTERCARE]", ("Aftercare", "lips"), (("aftercare", "Aftercare"), ("AFTERCARE", "Aftercare"))),
    ('[aftercare, "#Aftercare", aftercare]', ("aftercare",), (("#Aftercare", "aftercare"), ("aftercare", "aftercare"))),
    ("[a, a]", ("a",), (("a", "a"),)),
], ids=["hash-dropped", "letter-case-merged", "hash-and-case", "exact-repeat"])
def test_parse_post_cleans_tags_first_spelling_wins(tags, kept, repeated):
    post, diagnostics = parse(GOOD.replace("tags: [lip filler, hyaluronidase]", f"tags: {tags}"))
    assert diagnostics == []
    assert post.tags == kept and post.repeated_tags == repeated


def test_unknown_key_hint_suggests_nearest():
    _, diagnostics = parse(GOOD.replace("series_part: 1", "titel: x"))
    assert diagnostics[0].hint == "did you mean 'title'?"


def test_parse_post_reports_all_problems_of_a_file():
    text = GOOD.replace("date: 2026-07-03", "date: soon").replace("author: dr-kim", "author: nobody")
    assert len(error_lines(text)) == 2


@pytest.mark.parametrize("text, expected", [
    ("Just text, no front-matter\n", "posts/en/lip-filler-migration.md:1: the post has no front-matter"),
    ("---\ntitle: x\ndate: 2026-07-03\nNo closing fence\n", "posts/en/lip-filler-migration.md:1: the front-matter is not closed"),
    ("", "posts/en/lip-filler-migration.md:1: the file is empty"),
    ('---\ntitle: "unclosed\ndate: 2026-07-03\n---\n', "posts/en/lip-filler-migration.md:2: invalid front-matter: the quote (\") opened on this line is not closed"),
    ("---\ntitle: a\ndate: 2026-07-03\ntitle: b\n---\n", "posts/en/lip-filler-migration.md:4: 'title' is given twice (first on line 2)"),
    ("---\n- title: a\n- date: 2026-07-03\n---\n", "posts/en/lip-filler-migration.md:2: the front-matter must be 'key: value' lines, not a list"),
    ("---\ntitle: !!python/object/apply:os.system ['ls']\ndate: 2026-07-03\n---\n",
     "posts/en/lip-filler-migration.md:2: the YAML tag '!!python/object/apply:os.system' is not allowed"),
    ("---\ntitle: a\n\tdate: 2026-07-03\n---\n", "posts/en/lip-filler-migration.md:3: invalid front-matter: a tab is used to indent this line"),
], ids=["no-front-matter", "no-closing-fence", "empty", "unclosed-quote", "duplicate-key", "list-not-mapping",
        "python-tag", "tab-indent"])
def test_parse_post_rejects_broken_files(text, expected):
    assert error_lines(text) == [expected]


@pytest.mark.parametrize("line, expected", [
    ('description: "C:\\Users\\me"', "3: invalid front-matter: a \\ escape in a quoted value is not a character"),
    ('description: "caf\\u00e9 \\x41 \\\\ fine,\n  then \\q"',
     "4: invalid front-matter: a \\ escape in a quoted value is not a character"),
    ("description: |x", "3: invalid front-matter: a value that starts with | needs quotes"),
    ("author: !x!y dr-kim", "3: invalid front-matter: a value that starts with ! needs quotes"),
    ("author: *dr-kim", "3: invalid front-matter: a value that starts with * needs quotes"),
    ("tags: [a, b: c: d]", "3: invalid front-matter: the [ opened on this line is not closed"),
], ids=["unknown-escape", "escape-on-a-later-line", "block-scalar-indicator", "tag-handle", "undefined-alias",
        "flow-list-broken"])
def test_parse_post_explains_yaml_errors_without_yaml_wording(line, expected, yaml_parser):
    """The explanation comes from the text where YAML stopped, so both parsers give the same one."""
    text = f"---\ntitle: x\n{line}\ndate: 2026-07-03\n---\n"
    assert error_lines(text) == [f"posts/en/lip-filler-migration.md:{expected}"]


def nested_block(levels: int) -> str:
    """'extra:' holding mappings `levels` deep, one key a line; the key 'level<N>' opens level N."""
    keys = [" " * indent + f"level{indent + 1}:" for indent in range(1, levels)]
    return "---\ntitle: x\ndate: 2026-07-03\nextra:\n" + "\n".join(keys) + " deep\n---\n"


DEEP = "posts/en/lip-filler-migration.md:{line}: front-matter is nested too deeply (more than 16 levels)"


@pytest.mark.parametrize("text, expected", [
    ("---\ntitle: x\ndate: 2026-07-03\nextra: {a: " + "[" * 5000 + "]" * 5000 + "}\n---\n", DEEP.format(line=4)),
    ("---\ntitle: x\ndate: 2026-07-03\nextra: {a: " + "[" * 5000 + "\n---\n", DEEP.format(line=4)),
    (nested_block(40), DEEP.format(line=20)),  # level 17 opens on the 16th line under 'extra:'
    ("---\ntitle: x\ndate: 2026-07-03\nextra:\n" + "".join(" " * i + "- \n" for i in range(0, 60, 2)) + "---\n",
     DEEP.format(line=20)),  # the list under 'extra:' is level 2, on line 5
], ids=["flow-thousands-deep", "flow-never-closed", "block-mappings", "block-lists"])
def test_parse_post_measures_nesting_itself(text, expected, yaml_parser):
    """The same message on any YAML version: libyaml's own depth limit or Python's recursion limit never shows."""
    assert error_lines(text) == [expected]


def test_front_matter_accepts_sixteen_levels_and_reports_errors_before_the_limit(yaml_parser):
    sixteen = "---\ntitle: x\nextra: {a: " + "[" * 14 + "x" + "]" * 14 + "}\n---\n"
    assert front_matter.split_post(sixteen, "post.md")[1] == []
    assert front_matter.split_post(nested_block(16), "post.md")[1] == []
    broken = "---\ntitle: \"unclosed\ndate: 2026-07-03\nextra: " + "[" * 5000 + "\n---\n"
    assert error_lines(broken) == [
        'posts/en/lip-filler-migration.md:2: invalid front-matter: the quote (") opened on this line is not closed']


def test_parse_post_rejects_invalid_utf8_and_binary():
    assert error_lines(b"---\ntitle: caf\xe9\n---\n") == [
        "posts/en/lip-filler-migration.md:2: the file is not valid UTF-8 text (byte 0xe9)"]
    assert error_lines(b"\x89PNG\r\n\x1a\n\x00\x00") == [
        "posts/en/lip-filler-migration.md:1: this is a binary file, not a Markdown post"]


def test_file_name_that_is_not_a_url_needs_a_slug():
    text = GOOD.replace("series: lip-filler\nseries_part: 1\n", "")
    assert error_lines(text, name="my post!")[0].startswith(
        "posts/en/my post!.md:2: the file name 'my post!' cannot be used as a URL")
    post, _ = parse(text.replace("date: 2026-07-03", "date: 2026-07-03\nslug: my-post"), name="my post!")
    assert post.slug == "my-post"


def test_hangul_file_name_is_a_valid_slug():
    post, _ = parse(GOOD, name="입술-필러", lang="ko")
    assert post.slug == "입술-필러"


def test_datetime_with_offset_is_kept():
    post, _ = parse(GOOD.replace("date: 2026-07-03", "date: 2026-07-03T10:00:00+02:00"))
    assert post.date == datetime.fromisoformat("2026-07-03T10:00:00+02:00")


def test_parse_post_accepts_a_series_that_site_toml_does_not_declare():
    post, diagnostics = parse(GOOD.replace("series: lip-filler", "series: lip-care"))
    assert diagnostics == [] and (post.series, post.series_part) == ("lip-care", 1)
