"""Continuous publishing for a new site (`clinicpress init`): GitHub Actions and GitLab CI files that check,
build and publish the blog on every push to the main branch, every night (so that a post dated in the
future goes live on its day) and by hand.

Both keep .clinicpress-cache/ from one run to the next, so a nightly build does not process every photo
again. The cache starts fresh when the ClinicPress version or a requirements file changes."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from generator import __version__
from generator.admin.fetch import COMMAND as FETCH_EDITOR
from generator.incremental.cache import CACHE_DIR


def nightly_cron(timezone: str, minute: int = 5) -> tuple[str, str]:
    """A cron line (in UTC, as CI services read it) for a few minutes past midnight in the site's zone."""
    offset = datetime(2026, 1, 15, tzinfo=ZoneInfo(timezone)).utcoffset() or timedelta(0)
    utc = (datetime(2026, 1, 15) - offset).replace(minute=minute)
    return f"{utc.minute} {utc.hour} * * *", f"00:{minute:02d} in {timezone}"


def ci_files(timezone: str) -> dict[str, str]:
    cron, local = nightly_cron(timezone)
    return {".github/workflows/publish.yml": GITHUB_WORKFLOW.format(
                cron=cron, local=local, version=__version__, cache=CACHE_DIR, requirements=GITHUB_REQUIREMENTS,
                fetch_editor=FETCH_EDITOR),
            ".gitlab-ci.yml": GITLAB_CI.format(version=__version__, cache=CACHE_DIR, fetch_editor=FETCH_EDITOR)}


# The site's own pinned requirements, if it has them: a change starts a fresh cache.
REQUIREMENTS = ("requirements.txt", "requirements/*.txt")
GITHUB_REQUIREMENTS = "hashFiles(" + ", ".join(f"'{path}'" for path in REQUIREMENTS) + ")"


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

env:
  CLINICPRESS_VERSION: "{version}"  # a new version starts with a fresh cache

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
        run: pip install "clinicpress==$CLINICPRESS_VERSION"
      # Processed photos and pages of the last run: a build only makes what changed since. The run's id
      # makes every run save its own copy; the newest one with the same version and requirements is restored.
      - name: Restore the build cache
        uses: actions/cache@v6.1.0
        with:
          path: {cache}
          key: clinicpress-${{{{ env.CLINICPRESS_VERSION }}}}-${{{{ {requirements} }}}}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}
          restore-keys: clinicpress-${{{{ env.CLINICPRESS_VERSION }}}}-${{{{ {requirements} }}}}-
      # The browser editor at /admin/ (Decap CMS), checked against the digest ClinicPress pins.
      - name: Fetch the editor
        run: {fetch_editor}
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
  variables:
    CLINICPRESS_VERSION: "{version}"  # a new version starts with a fresh cache
  # Processed photos and pages of the last run: a build only makes what changed since.
  cache:
    key:
      prefix: clinicpress-$CLINICPRESS_VERSION
      files:  # the site's own pinned requirements, if it has them
        - requirements.txt
        - requirements/*.txt
    paths:
      - {cache}/
  script:
    - pip install "clinicpress==$CLINICPRESS_VERSION"
    - {fetch_editor}  # the browser editor at /admin/ (Decap CMS), checked against the digest ClinicPress pins
    - clinicpress check
    - clinicpress build -o public
  artifacts:
    paths:
      - public
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
'''
