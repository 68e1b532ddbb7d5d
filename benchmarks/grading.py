"""Grading throughput: N copies of the complete example submission of every notebook, graded
with 1 and with 2 workers.

    python benchmarks/grading.py [--copies N] [--assignments ID ...]

Prints seconds per notebook and per whole-course submission (one student, every notebook) for
each worker count, and the speedup of 2 workers over 1. Targets: one whole-course submission in
<= 60 s; 2 workers >= 1.8x the serial throughput on 2 cores. Each run grades in a fresh copy of
the same released course directory, so both see identical work.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from autograder.collect import collect
from autograder.course import Course, tool_env
from autograder.examples import build_examples
from autograder.grading import grade
from autograder.release import release


def _cpu() -> float:
    """CPU seconds of this process and all finished descendants (workers, kernels, nbgrader)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2, help="students (default: %(default)s)")
    parser.add_argument("--assignments", nargs="*", help="default: every notebook")
    args = parser.parse_args()
    tool_env()
    load_before = f"{os.getloadavg()[0]:.2f}"

    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        base = Course(root=Path(tmp) / "released")
        done = release(base, args.assignments)
        examples = Path(tmp) / "examples"
        build_examples(base.root / "source", base.root / "release", examples, broken=[])
        copies = Path(tmp) / "copies"
        copies.mkdir()
        for path in examples.glob("complete_*.ipynb"):
            for k in range(args.copies):
                shutil.copyfile(path, copies / path.name.replace("complete_", f"student{k}_"))
        print(f"{len(done)} notebook(s) x {args.copies} student(s); "
              f"per-cell timeout {base.timeout} s")
        timings, cpu = {}, {}
        for jobs in (1, 2):
            course = Course(root=Path(tmp) / f"jobs{jobs}")
            shutil.copytree(base.root, course.root)
            collect(course, copies)
            start, cpu0 = time.perf_counter(), _cpu()
            results = grade(course, jobs, progress=False)
            seconds = time.perf_counter() - start
            cpu[jobs] = _cpu() - cpu0
            unclean = [f"{r.job.key}: {r.reasons}" for r in results if not r.ok or r.reasons]
            for line in unclean:  # timings still count, but say so
                print(f"warning ({jobs} worker(s)): {line[:200]}")
            timings[jobs] = seconds
        print(f"{'workers':>7} {'total s':>8} {'s/notebook':>10} {'s/submission (all nbs)':>22} "
              f"{'CPU s':>7} {'cores busy':>10}")
        for jobs, seconds in timings.items():
            print(f"{jobs:>7} {seconds:8.1f} {seconds / (len(done) * args.copies):10.2f} "
                  f"{seconds / args.copies:22.1f} {cpu[jobs]:7.1f} {cpu[jobs] / seconds:10.2f}")
        print(f"load average before/after: {load_before} / {os.getloadavg()[0]:.2f} "
              "(other users' work on the same cores lowers the speedup)")
        print(f"speedup 2 workers vs 1: {timings[1] / timings[2]:.2f}x (target >= 1.8x)")
        print(f"whole course for one submission: {timings[1] / args.copies:.1f} s serial, "
              f"{timings[2] / args.copies:.1f} s with 2 workers (target <= 60 s)")


if __name__ == "__main__":
    main()
