"""Continuous publishing for a new site (`clinicpress init`): GitHub Actions and GitLab CI files that check,
build and publish the blog on every push to the main branch, every night (so that a post dated in the
future goes live on its day) and by hand; and a GitHub workflow that turns a physician's approval of
the browser editor's pull request into `reviewed_by:` and `last_reviewed:` in its posts, one that
keeps the front-matter of the posts the editor saves laid out as they were written, and one that shows
`check`'s findings on every pull request.

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


# What every GitHub workflow does after its checkout: Python, and the ClinicPress that env pins.
SETUP_STEPS = "\n".join((
    "      - uses: actions/setup-python@v5",
    "        with:",
    '          python-version: "3.12"',
    "      - name: Install ClinicPress",
    '        run: pip install "clinicpress==$CLINICPRESS_VERSION"'))


def ci_files(timezone: str) -> dict[str, str]:
    cron, local = nightly_cron(timezone)
    return {".github/workflows/publish.yml": GITHUB_WORKFLOW.format(
                cron=cron, local=local, version=__version__, cache=CACHE_DIR, requirements=GITHUB_REQUIREMENTS,
                fetch_editor=FETCH_EDITOR, setup=SETUP_STEPS),
            ".github/workflows/approve.yml": APPROVE_WORKFLOW.format(
                version=__version__, setup=SETUP_STEPS, branches=EDITOR_BRANCHES,
                save=_commit_posts("The posts already name this review: nothing to save.",
                                   "Medical review by @$REVIEWER: reviewed_by and last_reviewed in the approved posts")),
            ".github/workflows/check.yml": CHECK_WORKFLOW.format(version=__version__, setup=SETUP_STEPS),
            ".github/workflows/keep-layout.yml": LAYOUT_WORKFLOW.format(
                version=__version__, setup=SETUP_STEPS, branches=EDITOR_BRANCHES,
                save=_commit_posts("The posts keep their layout already: nothing to save.",
                                   "Keep the front-matter layout of the posts the editor saved")),
            ".gitlab-ci.yml": GITLAB_CI.format(version=__version__, cache=CACHE_DIR, fetch_editor=FETCH_EDITOR)}


def _commit_posts(nothing: str, message: str) -> str:
    """The lines of a workflow's `run:` that commit the posts it changed as GitHub's bot (or say there were none)."""
    return "\n          ".join((
        "git add --update posts",
        "if git diff --cached --quiet; then",
        f'  echo "{nothing}"',
        "  exit 0",
        "fi",
        'git config user.name "github-actions[bot]"',
        'git config user.email "41898282+github-actions[bot]@users.noreply.github.com"',
        f'git commit --quiet -m "{message}"'))


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
{setup}
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

EDITOR_BRANCHES = "cms/"  # Decap CMS's editorial workflow keeps each post waiting for review on such a branch

APPROVE_WORKFLOW = '''\
# Records a doctor's medical review in the posts, so that search engines are told who checked them.
#
# With `review = true` under [admin] in site.toml, a post saved in the browser editor waits as a pull
# request (Pull requests tab). When a doctor opens it and approves it there (Files changed > Review
# changes > Approve > Submit review), this workflow writes into the waiting post, in every language:
#   reviewed_by: <the doctor's id from site.toml>
#   last_reviewed: <today>
# and saves that change to the same pull request; publishing the post then publishes the review.
#
# Once: add the doctor's GitHub login to their table in site.toml, for example
#   [authors.dr-lee]
#   github = "lee-md"
# If the approval comes from someone who is not a doctor in site.toml (type = "Physician"), or from the
# post's own author, this workflow fails and its log says why; the post is left as it was.
name: Approve

on:
  pull_request_review:
    types: [submitted]  # a review was given on a pull request

env:
  CLINICPRESS_VERSION: "{version}"  # the same ClinicPress as the publish workflow

permissions:
  contents: write  # to save the review in the post's pull request

jobs:
  approve:
    # Only approvals, only of the editor's posts (its branches start with {branches}) and only of pull
    # requests from this repository.
    if: >-
      github.event.review.state == 'approved' &&
      startsWith(github.event.pull_request.head.ref, '{branches}') &&
      github.event.pull_request.head.repo.full_name == github.repository
    runs-on: ubuntu-latest
    steps:
      # The waiting post's branch, with its history, to compare it with the branch it will be published to.
      - uses: actions/checkout@v4
        with:
          ref: ${{{{ github.event.pull_request.head.ref }}}}
          fetch-depth: 0
{setup}
      # Every post the pull request adds or changes, and its translations.
      - name: Mark the posts as reviewed by the approving doctor
        run: clinicpress approve --github-login "${{{{ github.event.review.user.login }}}}" --changed-since "origin/${{{{ github.event.pull_request.base.ref }}}}"
      - name: Save the review in the pull request
        env:
          REVIEWER: ${{{{ github.event.review.user.login }}}}
        run: |
          {save}
          git push origin HEAD
'''

CHECK_WORKFLOW = '''\
# Checks the posts of every pull request, such as a post the browser editor keeps waiting for review,
# before anything is published: what `clinicpress check` finds is shown on the pull request at the lines
# it concerns (Files changed), and an error (a guaranteed result, a missing date) marks the pull
# request's check as failed. The publish workflow checks again before it publishes.
name: Check

on:
  pull_request:

env:
  CLINICPRESS_VERSION: "{version}"  # the same ClinicPress as the publish workflow

permissions:
  contents: read

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
{setup}
      - name: Check the posts
        run: clinicpress check --format github
'''

LAYOUT_WORKFLOW = '''\
# Keeps the front-matter of posts saved in the browser editor laid out as they were written.
#
# When the editor (Decap CMS) saves a post through GitHub, it writes every front-matter line anew: its
# own quotes, list style and order, and no comments. After each save, this workflow puts back the lines
# whose values the save did not change and saves that on the same branch, so that a one-word fix shows
# as a one-line change in the post's history and in its pull request. Nothing else in the post changes.
name: Keep layout

on:
  push:
    branches: [main, "{branches}**"]  # the published posts, and the editor's posts waiting for review
    paths: ["posts/**"]

env:
  CLINICPRESS_VERSION: "{version}"  # the same ClinicPress as the publish workflow

permissions:
  contents: write  # to save the layout on the branch that was pushed

concurrency:
  group: keep-layout-${{{{ github.ref }}}}
  cancel-in-progress: false

jobs:
  layout:
    runs-on: ubuntu-latest
    steps:
      # The pushed branch with its history, to compare its posts with what they were before.
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
{setup}
      # On main: the posts this push changed. On an editor's branch: every post it changed since main.
      - name: Put back the layout of the changed posts
        env:
          BRANCH: ${{{{ github.ref_name }}}}
          MAIN: ${{{{ github.event.repository.default_branch }}}}
          BEFORE: ${{{{ github.event.before }}}}
        run: |
          if [ "$BRANCH" != "$MAIN" ]; then
            base="origin/$MAIN"
          elif [ -n "${{BEFORE//0/}}" ]; then
            base="$BEFORE"
          else
            echo "A new branch: there is nothing to compare its posts with."
            exit 0
          fi
          clinicpress keep-layout --changed-since "$base"
      - name: Save it on the same branch
        env:
          BRANCH: ${{{{ github.ref_name }}}}
        run: |
          {save}
          git pull --quiet --rebase origin "$BRANCH"  # another save may have come in meanwhile
          git push origin "HEAD:$BRANCH"
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
