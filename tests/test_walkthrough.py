"""The README's first-post walk-through, as a newcomer runs it in a terminal: init, check, new, check,
serve, deploy, each as its own `clinicpress` process started inside the site folder (no SITE_DIR:
commands find site.toml themselves). The host is a local bare repository."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import REPO, fill_in_init_site
from test_serve import free_port, wait_until

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs the system git; `make test` installs it")


def clinicpress(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def write_the_post(path: Path, description: str, body: str) -> None:
    """What the writer does with the file `new` made: a description, the author, the text."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^description: "".*$', f'description: "{description}"', text, flags=re.M)
    text = re.sub(r"^# author: (\S+).*$", r"author: \1", text, flags=re.M)
    path.write_text(text.split("---\n", 2)[0] + "---\n" + text.split("---\n", 2)[1] + "---\n" + body,
                    encoding="utf-8")


def test_init_new_check_serve_deploy_as_the_readme_walks_through_it(tmp_path):
    assert clinicpress("init", "blog", cwd=tmp_path).returncode == 0
    blog = tmp_path / "blog"

    first = clinicpress("check", cwd=blog)
    assert first.returncode == 1 and "[example-value]" in first.stdout, first.stdout + first.stderr
    fill_in_init_site(blog)

    made = clinicpress("new", "Lip filler aftercare", "--lang", "en", cwd=blog)
    assert made.returncode == 0 and "posts/en/lip-filler-aftercare.md" in made.stdout, made.stderr
    write_the_post(blog / "posts/en/lip-filler-aftercare.md",
                   "What to do in the first days after lip filler: cold packs, sleep, and when to call us.",
                   "## The first two days\n\nSwelling is normal for a day or two. Use a wrapped cold pack.\n")
    translated = clinicpress("new", "입술 필러 후 관리", "--lang", "ko", "--translation-of",
                             "posts/en/lip-filler-aftercare.md", cwd=blog / "posts")  # from a sub-folder
    assert translated.returncode == 0, translated.stderr
    write_the_post(blog / "posts/ko/lip-filler-aftercare.md",
                   "입술 필러 후 처음 며칠 동안의 냉찜질과 수면 자세, 연락이 필요한 때를 정리했습니다.",
                   "## 처음 이틀\n\n하루나 이틀은 붓기가 있을 수 있습니다. 감싼 냉찜질 팩을 쓰세요.\n")

    checked = clinicpress("check", cwd=blog)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip().splitlines()[-1].startswith("Checked ")

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", str(port)], cwd=blog / "posts",
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    try:
        page_url = f"http://127.0.0.1:{port}/en/posts/lip-filler-aftercare/"

        def answers():
            try:
                with urllib.request.urlopen(page_url, timeout=5) as response:
                    return response.read()
            except OSError:
                return None
        page = wait_until(answers, "the preview to answer")
        assert lxml_html.fromstring(page).findtext(".//h1") == "Lip filler aftercare"
    finally:
        server.terminate()
        server.wait(timeout=10)

    host = tmp_path / "pages.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(host)], check=True)
    deployed = clinicpress("deploy", "--repository", str(host), cwd=blog)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "Published to branch gh-pages" in deployed.stdout
    published = subprocess.run(["git", "--git-dir", str(host), "ls-tree", "-r", "--name-only", "gh-pages"],
                               capture_output=True, text=True, check=True).stdout.split()
    assert {"en/posts/lip-filler-aftercare/index.html", "ko/posts/lip-filler-aftercare/index.html"} <= set(published)
