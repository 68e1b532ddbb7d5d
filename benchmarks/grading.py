"""Grading throughput: N copies of the complete example submission of every notebook, graded
with 1 and with 2 workers, optionally against another revision of this repository.

    python benchmarks/grading.py [--copies N] [--assignments ID ...] [--compare-with REV]

Prints seconds per notebook and per whole-course submission (one student, every notebook) for
each worker count, and the speedup of 2 workers over 1. Each run grades in a fresh copy of the
same released course directory, so both see identical work.

``--compare-with REV`` (e.g. ``HEAD~3``, or the commit of the previous release) also runs that
revision's own copy of this script, from a git worktree with this environment's packages, in the
same invocation (first the revision, then this tree), and prints this tree's time per notebook
as a ratio of the revision's. The machine is shared: compare ratios, and mind the load averages
printed with each run.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    """CPU seconds of this process and all finished descendants (workers, kernels, nbgrader)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(copies: int, assignments: list[str] | None) -> dict[int, float]:
    """Grade ``copies`` complete submissions of every notebook with 1 and 2 workers; print the
    table; return seconds per notebook for each worker count."""
    from autograder.collect import collect
    from autograder.course import Course, tool_env
    from autograder.examples import build_examples
    from autograder.grading import grade
    from autograder.release import release

    tool_env()
    load_before = f"{os.getloadavg()[0]:.2f}"
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        base = Course(root=Path(tmp) / "released")
        done = release(base, assignments)
        examples = Path(tmp) / "examples"
        build_examples(base.root / "source", base.root / "release", examples, broken=[])
        copied = Path(tmp) / "copies"
        copied.mkdir()
        for path in examples.glob("complete_*.ipynb"):
            for k in range(copies):
                shutil.copyfile(path, copied / path.name.replace("complete_", f"student{k}_"))
        print(f"{len(done)} notebook(s) x {copies} student(s); per-cell timeout {base.timeout} s")
        timings, cpu = {}, {}
        for jobs in (1, 2):
            course = Course(root=Path(tmp) / f"jobs{jobs}")
            shutil.copytree(base.root, course.root)
            collect(course, copied)
            start, cpu0 = time.perf_counter(), _cpu()
            results = grade(course, jobs, progress=False)
            seconds = time.perf_counter() - start
            cpu[jobs] = _cpu() - cpu0
            for r in results:  # timings still count, but say so
                if not r.ok or r.reasons:
                    print(f"warning ({jobs} worker(s)): {r.job.key}: {r.reasons}"[:200])
            timings[jobs] = seconds
    n = len(done) * copies
    print(f"{'workers':>7} {'total s':>8} {'s/notebook':>10} {'s/submission (all nbs)':>22} "
          f"{'CPU s':>7} {'cores busy':>10}")
    for jobs, seconds in timings.items():
        print(f"{jobs:>7} {seconds:8.1f} {seconds / n:10.2f} {seconds / copies:22.1f} "
              f"{cpu[jobs]:7.1f} {cpu[jobs] / seconds:10.2f}")
    print(f"load average before/after: {load_before} / {os.getloadavg()[0]:.2f} "
          "(other users' work on the same cores lowers the speedup)")
    print(f"speedup 2 workers vs 1: {timings[1] / timings[2]:.2f}x")
    print(f"whole course for one submission: {timings[1] / copies:.1f} s serial, "
          f"{timings[2] / copies:.1f} s with 2 workers")
    return {jobs: seconds / n for jobs, seconds in timings.items()}


def baseline(rev: str, copies: int, assignments: list[str] | None) -> dict[int, float]:
    """Run revision ``rev``'s benchmark from a worktree with this environment's packages."""
    # Inside this repository, not /tmp: older revisions hid /tmp from their kernels.
    with tempfile.TemporaryDirectory(prefix=".grading-baseline-", dir=REPO) as tmp:
        os.chmod(tmp, 0o755)  # older revisions ran kernels as another user
        tree, venv = Path(tmp) / "tree", Path(tmp) / "venv"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev],
                       check=True, capture_output=True)
        try:
            subprocess.run([sys.base_prefix + "/bin/python3", "-m", "venv", "--without-pip",
                            str(venv)], check=True)
            site = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
            version = f"python{sys.version_info.major}.{sys.version_info.minor}"
            # The revision's own packages first, then this environment's (its third parties).
            (venv / "lib" / version / "site-packages" / "baseline.pth").write_text(
                f"{tree}\nimport site; site.addsitedir({site!r})\n")
            python = str(venv / "bin" / "python")
            subprocess.run([python, "-m", "ipykernel", "install", "--sys-prefix", "--name",
                            "python3"], check=True, capture_output=True)
            env = dict(os.environ, PATH=f"{venv}/bin:{Path(sys.executable).parent}:"
                                         f"{os.environ.get('PATH', '')}")
            args = ["--copies", str(copies)] + (["--assignments", *assignments] if assignments
                                                else [])
            out = subprocess.run([python, "benchmarks/grading.py", *args], cwd=tree, env=env,
                                 capture_output=True, text=True)
            print(out.stdout, end="")
            if out.returncode != 0:
                raise SystemExit(f"the baseline run failed:\n{out.stderr[-3000:]}")
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           capture_output=True)
    rows = re.findall(r"^\s+([12])\s+[\d.]+\s+([\d.]+)\s", out.stdout, re.MULTILINE)
    return {int(jobs): float(per) for jobs, per in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2, help="students (default: %(default)s)")
    parser.add_argument("--assignments", nargs="*", help="default: every notebook")
    parser.add_argument("--compare-with", metavar="REV",
                        help="also measure this git revision, first, in the same invocation")
    args = parser.parse_args()
    old = None
    if args.compare_with:
        print(f"== baseline: {args.compare_with} "
              f"({subprocess.run(['git', '-C', str(REPO), 'rev-parse', '--short', args.compare_with], capture_output=True, text=True).stdout.strip()})")
        old = baseline(args.compare_with, args.copies, args.assignments)
        print("== this tree")
    new = measure(args.copies, args.assignments)
    if old:
        for jobs in (1, 2):
            print(f"{jobs} worker(s): {new[jobs]:.2f} s/notebook here vs {old[jobs]:.2f} s "
                  f"({args.compare_with}): ratio {new[jobs] / old[jobs]:.2f}x")


if __name__ == "__main__":
    main()
