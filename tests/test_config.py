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
     "site.toml:28: 'authors.dr-kim.type' must be \"Physician\" or \"Person\", got 'Doctor'"),
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
    assert "site.toml:35: missing required key 'series.lip-filler.title'" in messages(text)


@pytest.mark.parametrize("old, new, expected", [
    ('url = "https://example-clinic.com/"', 'url = "javascript:alert(1)"',
     "site.toml:20: 'clinic.url' uses 'javascript:', which is not allowed here"),
    ('contact_url = "https://example-clinic.com/contact"', 'contact_url = "JavaScript:alert(document.cookie)"',
     "site.toml:21: 'clinic.contact_url' uses 'javascript:'"),
    ('contact_url = "https://example-clinic.com/contact"', 'contact_url = " javascript:alert(1)"',
     "site.toml:21: 'clinic.contact_url' has spaces or control characters"),
    ('contact_url = "https://example-clinic.com/contact"', 'contact_url = "java\\tscript:alert(1)"',
     "site.toml:21: 'clinic.contact_url' has spaces or control characters"),
    ('type = "Physician"\n\n[authors.dr-lee]', 'type = "Physician"\nurl = "data:text/html,hi"\n\n[authors.dr-lee]',
     "site.toml:29: 'authors.dr-kim.url' uses 'data:'"),
    ('type = "Physician"\n\n[authors.dr-lee]', 'type = "Physician"\nimage = "javascript:x"\n\n[authors.dr-lee]',
     "site.toml:29: 'authors.dr-kim.image' uses 'javascript:'"),
    ('type = "Physician"\n\n[authors.dr-lee]', 'type = "Physician"\nimage = "tel:+82"\n\n[authors.dr-lee]',
     "site.toml:29: 'authors.dr-kim.image' uses 'tel:'"),
    ('type = "Physician"\n\n[authors.dr-lee]',
     'type = "Physician"\nsame_as = ["https://x.example/", "vbscript:x"]\n\n[authors.dr-lee]',
     "site.toml:29: 'authors.dr-kim.same_as' uses 'vbscript:'"),
    ('[clinic]', '[clinic]\nlogo = "https:logo.png"', "site.toml:19: 'clinic.logo' is not a whole address"),
], ids=["javascript-clinic-url", "javascript-mixed-case", "leading-space", "tab-inside-scheme", "data-author-url",
        "javascript-portrait", "tel-portrait", "vbscript-same-as", "scheme-without-host"])
def test_links_in_site_toml_allow_only_web_mail_and_phone_addresses(old, new, expected):
    assert old in MINIMAL_CONFIG
    found = messages(MINIMAL_CONFIG.replace(old, new, 1))
    assert any(message.startswith(expected) for message in found), found


def test_links_may_be_mail_phone_or_a_path_on_the_site_where_a_path_makes_sense():
    config = parse_config(MINIMAL_CONFIG.replace('contact_url = "https://example-clinic.com/contact"',
                                                 'contact_url = "tel:+82-2-555-0100"\nlogo = "/images/logo.png"')
                          .replace('type = "Physician"\n\n[authors.dr-lee]',
                                   'type = "Physician"\nurl = "/en/about/"\nimage = "//cdn.example-clinic.com/k.jpg"'
                                   '\n\n[authors.dr-lee]'), Path("."))
    assert config.clinic.contact_url == "tel:+82-2-555-0100" and config.author("dr-kim").url == "/en/about/"


def test_script_hosts_must_be_https_origins():
    found = messages(MINIMAL_CONFIG + '\n[security]\nscript_hosts = ["https://www.instagram.com", "https:", '
                                      '"http://insecure.example", "https://cdn.example.com/embed.js"]\n')
    assert sorted(m for m in found if "script_hosts" in m) == sorted(
        f"site.toml:36: 'security.script_hosts' has '{host}', which is not an https origin"
        for host in ("https:", "http://insecure.example", "https://cdn.example.com/embed.js"))


GITHUB_KIM = ('type = "Physician"\n\n[authors.dr-lee]', 'type = "Physician"\ngithub = "{login}"\n\n[authors.dr-lee]')


def with_logins(kim: str, lee: str | None = None) -> str:
    text = MINIMAL_CONFIG.replace(GITHUB_KIM[0], GITHUB_KIM[1].format(login=kim), 1)
    return text + (f'github = "{lee}"\n' if lee is not None else "")


def test_an_author_may_give_a_github_login():
    config = parse_config(with_logins("Kim-MD", "lee-md"), Path("."))
    assert config.author("dr-kim").github == "Kim-MD" and config.author("dr-lee").github == "lee-md"
    assert parse_config(MINIMAL_CONFIG, Path(".")).author("dr-kim").github == ""


@pytest.mark.parametrize("login, hint", [
    ("@kim-md", 'write the login alone: github = "kim-md"'),
    ("https://github.com/kim-md", 'write the login alone: github = "kim-md"'),
    ("github.com/kim-md/", 'write the login alone: github = "kim-md"'),
    ("kim md", "a GitHub login has letters, digits and '-' only"),
    ("-kim", "a GitHub login has letters, digits and '-' only"),
    ("kim_md", "a GitHub login has letters, digits and '-' only"),
    ("k" * 40, "a GitHub login has letters, digits and '-' only"),
], ids=["at-sign", "profile-address", "address-without-scheme", "space", "leading-dash", "underscore", "too-long"])
def test_a_github_login_must_be_one(login, hint):
    with pytest.raises(BuildError) as caught:
        parse_config(with_logins(login), Path("."))
    (found,) = caught.value.diagnostics
    assert (found.line, found.message) == (29, f"'authors.dr-kim.github' '{login}' is not a GitHub login")
    assert found.hint.startswith(hint)


def test_two_authors_may_not_share_a_github_login_whatever_its_case():
    assert messages(with_logins("Kim-MD", "kim-md")) == [
        "site.toml:35: 'authors.dr-lee.github' 'kim-md' is also the login of [authors.dr-kim] (written 'Kim-MD': "
        "GitHub ignores upper and lower case): an approval on GitHub must name one author"]


def test_a_misspelt_github_key_is_unknown_and_suggested():
    with pytest.raises(BuildError) as caught:
        parse_config(MINIMAL_CONFIG + 'githbu = "lee-md"\n', Path("."))
    (found,) = caught.value.diagnostics
    assert (found.line, found.message, found.hint) == (34, "unknown key 'authors.dr-lee.githbu'",
                                                       "did you mean 'github'?")
