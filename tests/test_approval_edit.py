"""Front-matter keys set line by line (approval/edit.py): the lines set or added change, nothing else."""
import pytest

from generator.approval.edit import FrontMatterEditError, set_front_matter

REVIEW = (("reviewed_by", "dr-lee"), ("last_reviewed", "2026-07-20"))


@pytest.mark.parametrize("before, after", [
    ("---\ntitle: A\nauthor: dr-kim\ntags: [a]\n---\nBody\n",
     "---\ntitle: A\nauthor: dr-kim\nreviewed_by: dr-lee\nlast_reviewed: 2026-07-20\ntags: [a]\n---\nBody\n"),
    ("---\ntitle: A  # the title\nauthor: dr-kim   # wrote it\n# a comment line\ntags:\n- a\n---\n---\nBody\n",
     "---\ntitle: A  # the title\nauthor: dr-kim   # wrote it\nreviewed_by: dr-lee\nlast_reviewed: 2026-07-20\n"
     "# a comment line\ntags:\n- a\n---\n---\nBody\n"),
    ("---\ntitle: A\nreviewed_by: 'dr-kim'  # checked the doses\nauthor: dr-park\nlast_reviewed: 2025-01-02\n---\n",
     "---\ntitle: A\nreviewed_by: 'dr-lee'  # checked the doses\nauthor: dr-park\nlast_reviewed: 2026-07-20\n---\n"),
    ('---\nreviewed_by:   "dr-kim"\ntitle: A\n---\nBody',
     '---\nreviewed_by:   "dr-lee"\nlast_reviewed: 2026-07-20\ntitle: A\n---\nBody'),
    ("---\ntitle: A\nreviewed_by:\n  dr-kim\nlast_reviewed:\n---\n",
     "---\ntitle: A\nreviewed_by: dr-lee\nlast_reviewed: 2026-07-20\n---\n"),
    ("---\ntitle: A\n# author: dr-kim  # remove the # to set it\n# reviewed_by:  # optional\n---\nBody\n",
     "---\ntitle: A\n# author: dr-kim  # remove the # to set it\n# reviewed_by:  # optional\nreviewed_by: dr-lee\n"
     "last_reviewed: 2026-07-20\n---\nBody\n"),
    ("---\r\ntitle: A\r\nauthor: dr-kim\r\n---\r\nBody\r\n",
     "---\r\ntitle: A\r\nauthor: dr-kim\r\nreviewed_by: dr-lee\r\nlast_reviewed: 2026-07-20\r\n---\r\nBody\r\n"),
    ("---\n  title: A\n  author: dr-kim\n  extra:\n    reviewed_by: x\n---\n",
     "---\n  title: A\n  author: dr-kim\n  reviewed_by: dr-lee\n  last_reviewed: 2026-07-20\n  extra:\n"
     "    reviewed_by: x\n---\n"),
    ("---\ntitle: A\nauthor: >-\n  dr-kim\n\ndescription: B\n---\n",
     "---\ntitle: A\nauthor: >-\n  dr-kim\nreviewed_by: dr-lee\nlast_reviewed: 2026-07-20\n\ndescription: B\n---\n"),
], ids=["added-after-author", "comments-and-a-rule-in-the-body-kept", "replaced-in-place-with-quotes-and-comment",
        "double-quotes-kept-and-date-added-below-reviewer", "value-on-the-next-line", "no-author-at-the-end",
        "crlf-line-endings", "indented-front-matter", "author-over-two-lines"])
def test_set_front_matter_changes_only_the_review_lines(before, after):
    assert set_front_matter(before, REVIEW, after="author") == after


@pytest.mark.parametrize("value, written", [("123", '"123"'), ("no", '"no"'), ("null", '"null"'), ("dr-lee", "dr-lee")],
                         ids=["number", "yaml-false", "yaml-null", "plain"])
def test_a_value_yaml_would_not_read_as_text_is_quoted(value, written):
    text = set_front_matter("---\ntitle: A\n---\n", (("reviewed_by", value),), after="author")
    assert text == f"---\ntitle: A\nreviewed_by: {written}\n---\n"


def test_setting_the_same_values_again_changes_nothing():
    once = set_front_matter("---\ntitle: A\nauthor: dr-kim\n---\nBody\n", REVIEW, after="author")
    assert set_front_matter(once, REVIEW, after="author") == once


@pytest.mark.parametrize("text", ["title: A\n", "---\ntitle: A\n"], ids=["no-front-matter", "not-closed"])
def test_a_post_without_front_matter_is_refused(text):
    with pytest.raises(FrontMatterEditError):
        set_front_matter(text, REVIEW, after="author")
