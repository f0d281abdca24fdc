"""Run every benchmark (each in its own process, one after the other) and write the table.

    python -m bench.run_all [--latency-ms 150] [--smoke] [--only NAME ...] [--no-readme]

The combined table and the machine it ran on are printed and, for full runs, written into
bench/README.md between its results markers (`--no-readme` to leave the README alone).
Each benchmark runs alone: their times do not disturb one another.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

from bench.common import (
    REPO_ROOT,
    BenchResult,
    Row,
    machine_description,
    table_lines,
)

BENCHMARKS: Final = (
    "cold_page_data",
    "vs_official_sdk",
    "warm_page_data",
    "team_load",
    "render_cost",
    "server_load",
    "browser",
    "replicas",
)
README: Final = REPO_ROOT / "bench" / "README.md"
START: Final = "<!-- results:start -->"
END: Final = "<!-- results:end -->"


def run_one(name: str, extra: list[str], scratch: Path) -> BenchResult:
    out = scratch / f"{name}.json"
    command = [sys.executable, "-m", f"bench.{name}", "--json", str(out), *extra]
    print(f"== {name}: {' '.join(command[1:])}", flush=True)
    subprocess.run(command, cwd=REPO_ROOT, check=True)
    data: dict[str, Any] = json.loads(out.read_text())
    result = BenchResult(data["name"], facts=data["facts"], settings=data["settings"])
    for row in data["rows"]:
        fields = {k: v for k, v in row.items() if k not in ("ratio", "meets_target")}
        result.add(Row(**fields))
    return result


def commit_measured() -> str:
    """The commit measured, and whether the tree had changes on top of it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown (not a git checkout)"
    changed = git("status", "--porcelain", "--untracked-files=no")
    return commit + (" with uncommitted changes" if changed else "")


def results_markdown(results: list[BenchResult], before: dict[str, str],
                     after: dict[str, str], args: argparse.Namespace) -> str:
    latency = "smoke" if args.smoke else f"{args.latency_ms or 150:g} ms per call"
    lines = [
        f"Measured {before['date_utc']} at commit {commit_measured()}, on {before['nproc']} "
        f"CPUs ({before['cpu']}), Python {before['python']}, {before['platform']}; added "
        f"latency {latency}.",
        f"Load average (1/5/15 min) before: {before['loadavg']}, after: {after['loadavg']} "
        "(the benchmarks' own processes count in the after figure).",
        "",
        *table_lines(results),
    ]
    return "\n".join(lines)


def write_readme(markdown: str) -> None:
    text = README.read_text()
    if START not in text or END not in text:
        raise RuntimeError(f"{README} has no results markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(head + START + "\n" + markdown + "\n" + END + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--latency-ms", type=float, default=None)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, default=None)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    extra: list[str] = []
    if args.smoke:
        extra.append("--smoke")
    if args.latency_ms is not None:
        extra += ["--latency-ms", str(args.latency_ms)]
    before = machine_description()
    results: list[BenchResult] = []
    with tempfile.TemporaryDirectory(prefix="bench-all-") as scratch:
        for name in args.only or BENCHMARKS:
            results.append(run_one(name, extra, Path(scratch)))
    markdown = results_markdown(results, before, machine_description(), args)
    print("\n" + markdown, flush=True)
    if not args.smoke and not args.no_readme:
        write_readme(markdown)
        print(f"\nwritten to {README.relative_to(REPO_ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
