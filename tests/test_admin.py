"""The editor at /admin/ as a build writes it: its configuration follows site.toml, its fields are the
front-matter contract, Decap CMS is copied from the lock's package, and _headers gives it its own policy."""
from __future__ import annotations

import html
import json
import re

import pytest
import yaml

from conftest import MINIMAL_CONFIG, REPO, post_text, run_cli
from generator.admin.files import CMS_INTEGRITY, CMS_VERSION
from generator.build import BuildOptions, build_site
from generator.content.posts import FRONT_MATTER_KEYS
from generator.outputs.headers import policy_in_headers

NURSE = '\n[authors.nurse-park]\nname = { ko = "박OO 간호사", en = "Nurse Park" }\ntype = "Person"\n'
CONTRACT = ("title", "date", "description", "tags", "author", "reviewed_by", "last_reviewed", "image", "image_alt",
            "faq", "draft", "translation_key")


def built(site):
    build_site(BuildOptions(site_dir=site, use_cache=False))
    return site / "output"


def cms_config(output) -> dict:
    return yaml.safe_load((output / "admin" / "config.yml").read_text(encoding="utf-8"))


def posts_fields(config: dict) -> dict[str, dict]:
    (collection,) = config["collections"]
    return {field["name"]: field for field in collection["fields"]}


def option_values(field: dict) -> list[str]:
    return [option["value"] for option in field["options"]]


def test_the_configuration_follows_site_toml(site_factory):
    site = site_factory({"posts/ko/hello.md": post_text("안녕하세요")}, MINIMAL_CONFIG + NURSE)
    config = cms_config(built(site))
    assert config["i18n"] == {"structure": "multiple_folders", "locales": ["ko", "en"], "default_locale": "ko"}
    assert config["backend"] == {"name": "proxy", "proxy_url": "/admin/api/v1", "branch": "main"}
    assert config["media_folder"] == "static/images" and config["public_folder"] == "/images"
    fields = posts_fields(config)
    assert option_values(fields["author"]) == ["dr-kim", "dr-lee", "nurse-park"]
    assert option_values(fields["reviewed_by"]) == ["dr-kim", "dr-lee"]  # physicians only
    assert "series" not in fields  # no [series] yet: nothing to choose from

    (site / "site.toml").write_text(MINIMAL_CONFIG + NURSE + """
[authors.dr-choi]
name = { ko = "최OO 원장", en = "Dr. Choi", ja = "チェ医師" }
type = "Physician"

[series.botox]
title = { ko = "보톡스 바로 알기", en = "Botox, Explained", ja = "ボトックス" }

[languages.ja]
name = "日本語"
locale = "ja_JP"
title = "テストブログ"
""", encoding="utf-8")
    (site / "templates" / "i18n").mkdir(parents=True)  # the theme's words in Japanese (here: its English ones)
    (site / "templates" / "i18n" / "ja.toml").write_bytes((REPO / "templates" / "i18n" / "en.toml").read_bytes())
    config = cms_config(built(site))
    assert config["i18n"]["locales"] == ["ko", "en", "ja"]
    fields = posts_fields(config)
    assert option_values(fields["author"]) == ["dr-kim", "dr-lee", "nurse-park", "dr-choi"]
    assert option_values(fields["reviewed_by"]) == ["dr-kim", "dr-lee", "dr-choi"]
    assert fields["series"]["options"] == [{"label": "보톡스 바로 알기", "value": "botox"}]
    assert fields["series_part"]["value_type"] == "int"
    assert "ja 40-80" in fields["description"]["hint"] and "en 50-160" in fields["description"]["hint"]


def test_every_field_is_a_front_matter_key_of_the_contract(site_factory):
    site = site_factory({"site.toml": MINIMAL_CONFIG + '\n[series.botox]\ntitle = "Botox"\n'})
    fields = posts_fields(cms_config(built(site)))
    assert set(fields) - {"body"} <= set(FRONT_MATTER_KEYS)
    assert set(CONTRACT) | {"series", "series_part"} <= set(fields)
    assert fields["date"]["format"] == "YYYY-MM-DD" and "Asia/Seoul" in fields["date"]["hint"]
    assert [f["name"] for f in fields["faq"]["fields"]] == ["q", "a"]
    # Each language writes its own words; the rest is the same in every language's file.
    translated = {name for name, field in fields.items() if field["i18n"] is True}
    assert translated == {"title", "description", "tags", "image_alt", "faq", "body"}
    assert fields["translation_key"]["pattern"][0] == "^[a-z0-9]+(-[a-z0-9]+)*$"


def test_a_github_repository_signs_in_there_and_serve_edit_still_takes_over_locally(site_factory):
    site = site_factory({"site.toml": MINIMAL_CONFIG + '\n[admin]\nrepository = "clinic/blog"\nreview = true\n'
                                                      'auth_url = "https://blog-auth.example.workers.dev"\n'})
    output = built(site)
    config = cms_config(output)
    assert config["backend"] == {"name": "github", "repo": "clinic/blog", "branch": "main",
                                 "base_url": "https://blog-auth.example.workers.dev"}
    assert "local_backend" not in config  # the published editor asks nothing of the blog's host
    # serve --edit builds for its own address; Decap needs the whole URL to find it there
    build_site(BuildOptions(site_dir=site, use_cache=False, base_url="http://127.0.0.1:8123/"))
    assert cms_config(output)["local_backend"] == {"url": "http://127.0.0.1:8123/admin/api/v1"}
    assert config["publish_mode"] == "editorial_workflow"  # a post waits for review as a pull request
    admin_policy = policy_in_headers((output / "_headers").read_bytes(), "/admin/*")
    assert "https://blog-auth.example.workers.dev" in admin_policy and "https://api.github.com" in admin_policy


def test_a_github_enterprise_server_gets_the_api_address_and_the_editor_may_connect_only_there(site_factory):
    site = site_factory({"site.toml": MINIMAL_CONFIG + '\n[admin]\nrepository = "clinic/blog"\n'
                                                      'api_url = "https://git.clinic.example/api/v3/"\n'})
    output = built(site)
    assert cms_config(output)["backend"] == {"name": "github", "repo": "clinic/blog", "branch": "main",
                                             "api_root": "https://git.clinic.example/api/v3"}
    admin_policy = policy_in_headers((output / "_headers").read_bytes(), "/admin/*")
    assert "https://git.clinic.example" in admin_policy and "api.github.com" not in admin_policy
    page = (output / "admin" / "index.html").read_text(encoding="utf-8")
    assert "https://git.clinic.example" in page and "api.github.com" not in page  # the page's own meta policy


@pytest.mark.parametrize("table, message", [
    ('repository = "https://github.com/clinic/blog"', "'admin.repository' must be owner/name"),
    ('repository = "clinic/blog"\napi_url = "http://git.clinic.example/api/v3"', "'admin.api_url' must start with https://"),
    ('api_url = "https://git.clinic.example/api/v3"', "'admin.api_url' needs 'admin.repository'"),
    ('branch = "main branch"', "'admin.branch' 'main branch' is not a valid branch name"),
    ('auth_url = "http://auth.example.com"', "'admin.auth_url' must start with https://"),
    ("review = true", "'admin.review' needs 'admin.repository'"),
    ("enabeld = false", "unknown key 'admin.enabeld'"),
], ids=["repository", "api-url-http", "api-url-without-repository", "branch", "auth-url",
      "review-without-repository", "unknown-key"])
def test_admin_table_mistakes_are_located_errors(site_factory, table, message):
    config = MINIMAL_CONFIG + f"\n[admin]\n{table}\n"
    site = site_factory({"site.toml": config})
    result = run_cli("build", str(site))
    line = config.splitlines().index(table.splitlines()[-1]) + 1
    assert result.code == 1 and f"site.toml:{line}:" in result.err and message in result.err
    assert "Traceback" not in result.err


def test_the_editor_has_its_own_policy_and_noindex_and_the_blog_keeps_its_own(site_factory):
    site = site_factory({"posts/ko/hello.md": post_text("안녕하세요"), "posts/en/hello.md": post_text("Hello")})
    output = built(site)
    headers = (output / "_headers").read_text(encoding="utf-8")
    admin = headers.split("\n/admin/*\n", 1)[1].split("\n\n", 1)[0]
    assert "X-Robots-Tag: noindex, nofollow" in admin and "'unsafe-eval'" in admin
    page = (output / "en" / "posts" / "hello" / "index.html").read_text(encoding="utf-8")
    meta = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page).group(1))
    assert policy_in_headers(headers.encode()).startswith(meta)  # the blog's policy, as before
    assert "'unsafe-eval'" not in meta and "'unsafe-inline'" not in meta
    # No rule that gives the blog's policy covers /admin/ (hosts would join the two, and the stricter wins).
    rules = re.findall(r"^(\S+)\n((?:  .*\n)+)", headers, re.M)
    blog_paths = [path for path, block in rules if "Content-Security-Policy" in block and path != "/admin/*"]
    assert blog_paths and not [path for path in blog_paths if "/admin/".startswith(path.rstrip("*"))
                               and path != "/"]
    assert {"/", "/en/*", "/ko/*", "/index.html", "/404.html"} <= set(blog_paths)
    index = (output / "admin" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in index
    assert "/admin/" not in (output / "sitemap.xml").read_text(encoding="utf-8")


def test_decap_is_copied_from_the_locked_package_without_source_maps(site_factory):
    output = built(site_factory())
    dist = REPO / "node_modules" / "decap-cms" / "dist"
    assert (output / "admin" / "decap-cms.js").read_bytes() == (dist / "decap-cms.js").read_bytes()
    assert not list((output / "admin").glob("*.map")) and list((output / "admin").glob("*.wasm"))
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    package = lock["packages"]["node_modules/decap-cms"]
    assert (package["version"], package["integrity"]) == (CMS_VERSION, CMS_INTEGRITY)
    assert json.loads((REPO / "package.json").read_text())["devDependencies"]["decap-cms"] == CMS_VERSION
    index = (output / "admin" / "index.html").read_text(encoding="utf-8")
    assert '<script src="decap-cms.js"></script>' in index and "https://" not in index.split("<body>")[1]


def test_without_the_editor_the_headers_are_as_before(site_factory):
    output = built(site_factory({"site.toml": MINIMAL_CONFIG + "\n[admin]\nenabled = false\n"}))
    assert not (output / "admin").exists()
    headers = (output / "_headers").read_text(encoding="utf-8")
    assert "/*\n  Content-Security-Policy: default-src 'self'" in headers and "X-Robots-Tag" not in headers
