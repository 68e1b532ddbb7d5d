"""Grading on a dask cluster: throughput with 1, 2 and 4 local workers, and the merge's cost.

    python benchmarks/grading_cluster.py [--copies N] [--workers 1 2 4] [--one-core]
                                         [--assignments ID ...] [--merge-class 1000]

Part 1 grades N copies of the class (the complete example submission of every notebook, one per
student) on a dask ``LocalCluster`` with each worker count, each in a fresh copy of the same
released course, through ``Grader(..., cluster="local")``: the path ``course-grader grade
--cluster`` takes. It prints notebooks per second, the speedup over one worker, and the time the
one writing process spent merging results into the gradebook, per notebook.

Part 2 measures the merge alone at the size of a real class: the results of part 1 are merged
again for ``--merge-class`` students (every assignment, the students' names changed) into a
gradebook that grows to that size, once one result per merge and once in batches of 16, so the
cost per notebook is seen where it matters, at the end of a term.

The machine is shared: compare ratios, and mind the load averages printed.
"""
from __future__ import annotations

import argparse
import copy
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, every process counted (the
    dask workers, nbgrader, the kernels and the students' sandboxes are not this process's
    children, so os.times() misses them)."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


def scaling(tmp: Path, copies: int, workers: list[int], assignments: list[str] | None,
            one_core: bool = False):
    """Part 1; returns the released course, the last run's course and its results."""
    from autograder.collect import collect
    from autograder.course import Course
    from autograder.examples import build_examples
    from autograder.grading import Grader, find_jobs
    from autograder.release import release

    base = Course(root=tmp / "released")
    done = release(base, assignments)
    examples = tmp / "examples"
    build_examples(base.root / "source", base.root / "release", examples, broken=[])
    copied = tmp / "copies"
    copied.mkdir()
    for path in examples.glob("complete_*.ipynb"):
        for k in range(copies):
            shutil.copyfile(path, copied / path.name.replace("complete_", f"student{k}_"))
    n = len(done) * copies
    print(f"{len(done)} notebook(s) x {copies} student(s) = {n} notebooks; dask LocalCluster, "
          f"one thread per worker process; load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'workers':>7} {'total s':>8} {'notebooks/s':>11} {'speedup':>8} "
          f"{'merge s/nb':>10} {'batches':>8} {'cores busy':>10}")
    rates, results, per = {}, [], {}
    plan = [(str(c), c, False) for c in workers] + ([("1 on 1 core", 1, True)] if one_core else [])
    for label, count, pinned in plan:
        course = Course(root=tmp / f"workers{count}{'-pinned' if pinned else ''}")
        shutil.copytree(base.root, course.root)
        collect(course, copied)
        grader = Grader(course, count, progress=False, cluster="local")
        jobs = find_jobs(course)
        cores = os.sched_getaffinity(0)
        if pinned:  # this process and everything it starts (dask, nbgrader, kernels) on one core
            os.sched_setaffinity(0, {min(cores)})
        try:
            start, busy0 = time.perf_counter(), _machine_busy()[0]
            results = grader.grade(jobs)  # the time includes starting the cluster and its workers
            seconds = time.perf_counter() - start
            busy = (_machine_busy()[0] - busy0) / seconds
        finally:
            os.sched_setaffinity(0, cores)
        for r in results:
            if not r.ok or r.reasons:
                print(f"warning ({label} worker(s)): {r.job.key}: {r.reasons}"[:200])
        rates[label] = n / seconds
        per[label] = {a: statistics.mean(r.seconds for r in results if r.job.assignment == a)
                      for a in done}
        print(f"{label:>7} {seconds:8.1f} {rates[label]:11.3f} "
              f"{rates[label] / rates[plan[0][0]]:7.2f}x {grader.merge_seconds / n:10.4f} "
              f"{len(grader.batches):>8} {busy:10.2f}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores here; cores busy "
          "= CPU time of every process on the machine / wall time")
    if "1" in rates and "2" in rates:
        print(f"speedup 2 workers vs 1: {rates['2'] / rates['1']:.2f}x (target >= 1.8x)")
    if "1 on 1 core" in rates and "2" in rates:
        print(f"speedup 2 workers on 2 cores vs 1 worker on 1 core: "
              f"{rates['2'] / rates['1 on 1 core']:.2f}x")
    print("seconds per notebook inside its job (unpacking, autograde, scores), by assignment:")
    print(f"{'assignment':<22}" + "".join(f"{c if ' ' in c else c + ' worker(s)':>14}"
                                          for c in per))
    for a in done:
        print(f"{a:<22}" + "".join(f"{per[c][a]:14.2f}" for c in per))
    return base, course, results


def merge_cost(tmp: Path, base, graded, results, students: int) -> None:
    """Part 2: the merge alone, for a class of ``students``, one result per merge and 16."""
    from autograder.grading import Grader, Job, pack
    from nbgrader.api import Gradebook

    template = {r.job.assignment: r for r in results if r.ok}
    files = {a: pack(graded.root / "autograded" / r.job.student / a) for a, r in template.items()}
    print(f"\nmerge alone: {students} students x {len(template)} notebook(s) into one gradebook")
    for batch in (1, 16):
        course = copy.copy(base)
        course.root = tmp / f"merge{batch}"
        shutil.copytree(base.root, course.root)
        grader = Grader(course, 1, progress=False)
        status: dict = {}
        todo = []
        for k in range(students):
            for assignment, r in template.items():
                todo.append(copy.copy(r))
                todo[-1].job = Job(f"learner{k:05d}", assignment, "x")
                todo[-1].autograded = files[assignment]
        seconds = []
        with warnings.catch_warnings(), Gradebook(course.db_url, grader.course_id) as gb:
            warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy warnings, as in grade()
            for i in range(0, len(todo), batch):
                start = time.perf_counter()
                grader._merge(gb, todo[i:i + batch], status)
                seconds.append(time.perf_counter() - start)
        per = sum(seconds) / len(todo)
        tail = seconds[-max(1, len(seconds) // 10):]  # the last tenth: the gradebook at its largest
        tail_per = sum(tail) / (len(tail) * batch)
        print(f"  batch {batch:>2}: {per:.4f} s/notebook over the run, {tail_per:.4f} s/notebook "
              f"in the last tenth (target <= 0.05)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2, help="students (default: %(default)s)")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--assignments", nargs="*", help="default: every notebook")
    parser.add_argument("--one-core", action="store_true",
                        help="also 1 worker with everything pinned to one core (one worker alone "
                             "keeps more than one core busy: its processes overlap)")
    parser.add_argument("--merge-class", type=int, default=1000,
                        help="students for the merge measurement (0: skip it)")
    args = parser.parse_args()
    from autograder.course import tool_env

    tool_env()
    with tempfile.TemporaryDirectory(prefix="grading-cluster-") as tmp:
        base, graded, results = scaling(Path(tmp), args.copies, args.workers, args.assignments,
                                        args.one_core)
        if args.merge_class:
            merge_cost(Path(tmp), base, graded, results, args.merge_class)


if __name__ == "__main__":
    main()
