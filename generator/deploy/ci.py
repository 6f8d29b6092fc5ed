"""Continuous publishing for a new site (`clinicpress init`): GitHub Actions and GitLab CI files that check,
build and publish the blog on every push to the main branch, every night (so that a post dated in the
future goes live on its day) and by hand."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generator import __version__


def nightly_cron(timezone: str, minute: int = 5) -> tuple[str, str]:
    """A cron line (in UTC, as CI services read it) for a few minutes past midnight in the site's zone."""
    offset = datetime(2026, 1, 15, tzinfo=ZoneInfo(timezone)).utcoffset() or timedelta(0)
    utc = (datetime(2026, 1, 15) - offset).replace(minute=minute)
    return f"{utc.minute} {utc.hour} * * *", f"00:{minute:02d} in {timezone}"


def ci_files(timezone: str) -> dict[str, str]:
    cron, local = nightly_cron(timezone)
    return {".github/workflows/publish.yml": GITHUB_WORKFLOW.format(cron=cron, local=local, version=__version__),
            ".gitlab-ci.yml": GITLAB_CI.format(version=__version__)}


GITHUB_WORKFLOW = '''\
# Publishes the blog to GitHub Pages with GitHub's own Pages actions.
# Once: in the repository's Settings > Pages, set "Source" to "GitHub Actions".
name: Publish

on:
  push:
    branches: [main]
  schedule:
    - cron: "{cron}"  # every night at {local}, so a post dated in the future goes live on its day
  workflow_dispatch:  # and by hand: Actions > Publish > Run workflow

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install ClinicPress
        run: pip install "clinicpress=={version}"
      - name: Check the posts (errors stop the publishing)
        run: clinicpress check
      - name: Build
        run: clinicpress build -o public
      - uses: actions/configure-pages@v5
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - name: Publish to GitHub Pages
        id: deployment
        uses: actions/deploy-pages@v4
'''

GITLAB_CI = '''\
# Publishes the blog to GitLab Pages on every push to the default branch.
# For scheduled posts, add a nightly schedule once: Build > Pipeline schedules > New schedule,
# e.g. "5 0 * * *" in your time zone, on the default branch.
pages:
  image: python:3.12-slim
  script:
    - pip install "clinicpress=={version}"
    - clinicpress check
    - clinicpress build -o public
  artifacts:
    paths:
      - public
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
'''
