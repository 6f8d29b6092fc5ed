from pathlib import Path

import pytest

from generator.config.loader import parse_config
from generator.errors import BuildError

from conftest import MINIMAL_CONFIG


def messages(text: str) -> list[str]:
    with pytest.raises(BuildError) as caught:
        parse_config(text, Path("."))
    return [f"{d.path}:{d.line}: {d.message}" for d in caught.value.diagnostics]


def test_parse_config_reads_languages_in_table_order():
    config = parse_config(MINIMAL_CONFIG, Path("."))
    assert config.language_codes == ("ko", "en")
    assert config.site.base_url == "https://blog.example-clinic.com/"
    assert config.clinic.name.get("en") == "Test Clinic"
    assert config.author("dr-kim").job_title.get("ko") == "성형외과 전문의"
    assert config.feeds.limit == 20 and config.feeds.full_content is True
    assert config.markdown.unsafe_html is False


def test_parse_config_adds_trailing_slash_to_base_url():
    config = parse_config(MINIMAL_CONFIG.replace('example-clinic.com/"', 'example-clinic.com"', 1), Path("."))
    assert config.site.base_url == "https://blog.example-clinic.com/"


@pytest.mark.parametrize("old, new, expected", [
    ('timezone = "Asia/Seoul"', 'timezone = "Asia/Seoul"\ntitel = "x"',
     "site.toml:5: unknown key 'site.titel'"),
    ('base_url = "https://blog.example-clinic.com/"', 'base_url = "blog.example-clinic.com"',
     "site.toml:2: 'site.base_url' must be an absolute URL, got 'blog.example-clinic.com'"),
    ('default_language = "ko"', 'default_language = "ja"',
     "site.toml:3: 'site.default_language' is 'ja', which is not one of the [languages.*] tables (ko, en)"),
    ('timezone = "Asia/Seoul"', 'timezone = "Asia/Busan"',
     "site.toml:4: 'site.timezone' 'Asia/Busan' is not a known time zone"),
    ('locale = "en_US"', 'locale = "xx_YY"',
     "site.toml:14: 'languages.en.locale' 'xx_YY' is not a known locale"),
    ('title = "Test Blog"', 'title = 42',
     "site.toml:15: 'languages.en.title' must be a string, got a number 42"),
    ('base_url = "https://blog.example-clinic.com/"\n', '',
     "site.toml:1: missing required key 'site.base_url'"),
    ('type = "Physician"\n\n[authors.dr-lee]', 'type = "Doctor"\n\n[authors.dr-lee]',
     "site.toml:27: 'authors.dr-kim.type' must be \"Physician\" or \"Person\", got 'Doctor'"),
    ('[clinic]', '[clinic]\nphone = "1"',
     "site.toml:19: unknown key 'clinic.phone'"),
], ids=["unknown-key", "relative-base-url", "unknown-default-language", "bad-timezone", "bad-locale",
        "wrong-type", "missing-required", "bad-author-type", "unknown-clinic-key"])
def test_parse_config_rejects_bad_values_with_line(old, new, expected):
    assert old in MINIMAL_CONFIG
    assert expected in messages(MINIMAL_CONFIG.replace(old, new, 1))


def test_unknown_key_suggests_nearest_valid_key():
    with pytest.raises(BuildError) as caught:
        parse_config(MINIMAL_CONFIG.replace("[clinic]", "[clinic]\ntelephon = \"1\""), Path("."))
    assert caught.value.diagnostics[0].hint == "did you mean 'telephone'?"


def test_parse_config_reports_every_problem_at_once():
    text = MINIMAL_CONFIG.replace('timezone = "Asia/Seoul"', 'timezone = "Mars/Base"').replace(
        'locale = "en_US"', 'locale = "nope"').replace("[clinic]", "[clinic]\nfoo = 1")
    found = messages(text)
    assert len(found) == 3


def test_parse_config_reports_toml_syntax_error_line():
    text = MINIMAL_CONFIG.replace('title = "Test Blog"', 'title = Test Blog')
    found = messages(text)
    assert len(found) == 1 and found[0].startswith("site.toml:15: invalid TOML")


def test_comment_provider_table_must_match_provider():
    text = MINIMAL_CONFIG + '\n[comments]\nprovider = "none"\n\n[comments.isso]\nurl = "http://x"\n'
    assert any("[comments.isso] is set but comments.provider is 'none'" in m for m in messages(text))


def test_series_need_a_title():
    text = MINIMAL_CONFIG + '\n[series.lip-filler]\ndescription = "x"\n'
    assert "site.toml:34: missing required key 'series.lip-filler.title'" in messages(text)
