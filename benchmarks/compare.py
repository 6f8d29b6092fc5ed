"""Two or more commits of ClinicPress on the same corpus, taking turns: did a change make builds slower?

    .venv/bin/python -m benchmarks.compare 4c35e48 b8c8958 --posts 1000 --rounds 6

Each commit is checked out into benchmarks/work/trees/<commit>/ (a git worktree) and run with this
virtualenv's Python and libraries. A round is, for each commit in turn: a cold build of a fresh copy
of the corpus, the first one-edit rebuild right after it, then a later one-edit rebuild. Taking
turns round by round spreads the machine's noise over every commit alike. Prints the median wall
and CPU time of each scenario per commit, and each commit's ratio to the first one.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from .corpus import append_paragraph, generate_corpus
from .measure import Run, timed

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
SCENARIOS = ("cold", "first edit", "later edit")


def worktree(commit: str) -> Path:
    """A checkout of commit in benchmarks/work/trees/, made once."""
    full = subprocess.run(["git", "rev-parse", "--verify", f"{commit}^{{commit}}"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout.strip()
    tree = WORK / "trees" / full[:12]
    if not (tree / "generator").is_dir():
        shutil.rmtree(tree, ignore_errors=True)
        subprocess.run(["git", "worktree", "add", "--detach", "--force", str(tree), full], cwd=REPO, check=True,
                       capture_output=True)
    return tree


def one_round(tree: Path, corpus: Path, site: Path, round_number: int, log: Path) -> dict[str, Run]:
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(corpus, site)
    command = [sys.executable, "-m", "generator", "build", "-q", str(site)]
    runs = {"cold": timed(command, tree, log)}
    post = sorted((site / "posts" / "en").glob("*.md"))[7]
    append_paragraph(post, f"A paragraph added in round {round_number}.")
    runs["first edit"] = timed(command, tree, log)
    append_paragraph(post, f"Another paragraph added in round {round_number}.")
    runs["later edit"] = timed(command, tree, log)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("commits", nargs="+", help="commits to compare; ratios are to the first")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    corpus = WORK / "corpora" / f"compare-{args.posts}-seed{args.seed}"
    if not (corpus / "site.toml").is_file():
        shutil.rmtree(corpus, ignore_errors=True)
        generate_corpus(corpus, args.posts, args.seed)
    trees = {commit: worktree(commit) for commit in args.commits}
    site, log = WORK / "runs" / "compare-site", WORK / "logs" / "compare.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # each tree compiles its modules once, as installed code does
    results: dict[str, dict[str, list[Run]]] = {commit: {s: [] for s in SCENARIOS} for commit in args.commits}
    for number in range(1, args.rounds + 1):
        for commit, tree in trees.items():
            os.environ["PYTHONPATH"] = str(tree)
            for scenario, run in one_round(tree, corpus, site, number, log).items():
                results[commit][scenario].append(run)
            print(f"round {number}/{args.rounds} {commit}: " + ", ".join(
                f"{s} {runs[-1].seconds:.2f} s" for s, runs in results[commit].items()), flush=True)
    shutil.rmtree(site, ignore_errors=True)
    print(f"\n{args.posts:,} posts, median of {args.rounds} rounds: wall s / CPU s (ratio to {args.commits[0]})")
    first = results[args.commits[0]]
    for commit, runs in results.items():
        cells = []
        for scenario in SCENARIOS:
            wall = statistics.median(r.seconds for r in runs[scenario])
            cpu = statistics.median(r.cpu_seconds for r in runs[scenario])
            base = statistics.median(r.cpu_seconds for r in first[scenario])
            cells.append(f"{scenario} {wall:.2f} / {cpu:.2f} ({cpu / base:.3f})")
        peak = max(r.peak_rss_kib for rs in runs.values() for r in rs) // 1024
        print(f"{commit:>12}  " + "   ".join(cells) + f"   peak {peak} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
