"""Grading on a dask.distributed cluster (``grade --cluster``): the jobs run in dask worker
processes, from bytes only, and this process alone writes the gradebook. On a LocalCluster the
gradebook, the status and the autograded notebooks are the same as with local threads."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from autograder.collect import collect
from autograder.course import Course
from autograder.examples import complete
from autograder.grading import Grader, find_jobs, grade
from autograder.release import release
from autograder.report import gradebook_rows

A, B = "01-derivatives", "02-forward-mode"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A course with A and B released and a small class collected: complete, unanswered,
    half-answered and broken submissions."""
    base = tmp_path_factory.mktemp("cluster")
    course = Course(root=base / "course")
    release(course, [A, B])
    downloads = base / "downloads"
    downloads.mkdir()
    for nb in (A, B):
        source = nbformat.read(course.root / "source" / nb / f"{nb}.ipynb", as_version=4)
        released = nbformat.read(course.root / "release" / nb / f"{nb}.ipynb", as_version=4)
        full = complete(source, released)
        nbformat.write(full, downloads / f"ada_{nb}.ipynb")
        nbformat.write(released, downloads / f"blank_{nb}.ipynb")
        half = nbformat.from_dict(json.loads(json.dumps(full)))
        answers = [c for c in half.cells if c.metadata.get("nbgrader", {}).get("solution")]
        for cell, empty in zip(answers[::2], [c for c in released.cells
                                              if c.metadata.get("nbgrader", {}).get("solution")][::2]):
            cell.source = empty.source
        nbformat.write(half, downloads / f"half_{nb}.ipynb")
    (downloads / f"broken_{A}.ipynb").write_text("{not json")
    collect(course, downloads)
    return course


def _copy(course: Course, dest: Path) -> Course:
    shutil.copytree(course.root, dest)
    return Course(root=dest)


def _outcome(course: Course) -> tuple:
    rows = sorted((r.student, r.assignment, r.score, r.max_score, r.state, r.reasons)
                  for r in gradebook_rows(course))
    status = {k: (v.get("state"), v.get("grade"), v.get("fingerprint"))
              for k, v in course.load_status().items()}
    autograded = sorted(str(p.relative_to(course.root)) for p in
                        (course.root / "autograded").rglob("*.ipynb"))
    return rows, status, autograded


def test_local_cluster_gives_the_same_gradebook_as_threads(collected, tmp_path):
    threads = _copy(collected, tmp_path / "threads")
    cluster = _copy(collected, tmp_path / "cluster")
    by_threads = grade(threads, jobs=2, progress=False)
    grader = Grader(cluster, 2, progress=False, cluster="local")
    by_cluster = grader.grade(find_jobs(cluster))
    assert len(by_threads) == len(by_cluster) == 7
    rows, status, autograded = _outcome(cluster)
    assert (rows, status, autograded) == _outcome(threads)
    scores = {(r[0], r[1]): r[2] for r in rows}
    assert scores[("ada", A)] == rows[0][3] > scores[("half", A)] > scores[("blank", A)] == 0
    assert status[f"broken/{A}"][0] == "not graded"
    assert len(autograded) == 6  # every gradable submission, not the broken one
    # Results were merged in batches that add up to the class, with time measured.
    assert sum(grader.batches) == 7 and grader.merge_seconds > 0
    # A second run finds nothing new (fingerprints recorded by the merge) but the broken file,
    # which is always tried again.
    assert [j.key for j in find_jobs(cluster, force=False)] == [f"broken/{A}"]


def test_local_cluster_workers_skip_dask_periodic_work():
    """The LocalCluster's workers and scheduler run without dask's statistical profiler and with
    slow event-loop ticks: that periodic work took CPU from the grading jobs (QUIET's comment)."""
    import dask

    from autograder.grading import QUIET, _Dask

    backend = _Dask("local", 1)
    try:
        seen = backend.client.run(lambda: {k: dask.config.get(k) for k in QUIET})
        worker = next(iter(backend.client.scheduler_info()["workers"]))
        profile = backend.client.run(lambda dask_worker: dask_worker.profile_recent,
                                     workers=[worker])
    finally:
        backend.close()
    assert list(seen.values()) == [QUIET]
    assert profile[worker]["count"] == 0  # the profiler never sampled
    assert QUIET["distributed.worker.profile.enabled"] is False


def test_cluster_that_cannot_be_reached_says_what_to_do(collected, tmp_path, capsys):
    import dask

    from autograder.cli import main

    course = _copy(collected, tmp_path / "course")
    start = time.perf_counter()
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), \
            pytest.raises(SystemExit) as stopped:
        main(["grade", "--cluster", "tcp://127.0.0.1:9", "--quiet", "--course-dir",
              str(course.root)])
    assert stopped.value.code == 2 and time.perf_counter() - start < 30
    message = capsys.readouterr().err
    assert "cannot reach the dask scheduler at tcp://127.0.0.1:9" in message
    assert "dask worker" in message and "without --cluster" in message
    assert gradebook_rows(course) == []  # nothing was written


def test_a_student_on_a_cluster_worker_cannot_reach_the_scheduler(collected, tmp_path):
    """The jobs run in the same sandbox on a cluster: a submission that tries to connect to the
    dask scheduler (which would run any code it was sent, as the instructor) finds no network;
    the address path (``--cluster tcp://...``) is what runs here."""
    import logging

    from distributed import LocalCluster

    course = _copy(collected, tmp_path / "course")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, memory_limit=0,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        address = cluster.scheduler_address
        host, port = address.removeprefix("tcp://").rsplit(":", 1)
        nb = nbformat.read(course.root / "submitted" / "ada" / A / f"{A}.ipynb", as_version=4)
        answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
        answer.source = (
            "import socket\ntry:\n"
            f"    socket.create_connection(({host!r}, {port}), timeout=3).close()\n"
            "    print('SCHEDULER REACHED')\n"
            "except OSError as exc:\n    print('no scheduler:', type(exc).__name__)\n"
            + answer.source)
        folder = course.root / "submitted" / "mallory" / A
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{A}.ipynb")
        [result] = grade(course, jobs=1, students=["mallory"], progress=False, cluster=address)
    assert result.ok, result.reasons
    graded = nbformat.read(course.root / "autograded" / "mallory" / A / f"{A}.ipynb", 4)
    printed = "".join(o.get("text", "") for c in graded.cells if c.cell_type == "code"
                      for o in c.outputs)
    assert "no scheduler:" in printed and "SCHEDULER REACHED" not in printed
    rows = {(r.student, r.assignment): r for r in gradebook_rows(course)}
    assert rows[("mallory", A)].score == rows[("mallory", A)].max_score  # still graded in full


def test_a_batch_is_merged_whole_or_not_at_all(collected, tmp_path):
    """One transaction per batch: when one result of a batch cannot be written, none is, and
    the status claims none of them (so the next ``grade`` grades them again)."""
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.grading import Job, Result
    from autograder.nbgrader_config import COURSE_ID

    course = _copy(collected, tmp_path / "course")
    grader = Grader(course, 1, progress=False)
    good = Result(Job("zed", A, "f1"), False, ["no notebook"])
    bad = Result(Job("zed", "99-not-released", "f2"), False, ["no notebook"])
    status = course.load_status()
    before = json.dumps(status, sort_keys=True)
    with Gradebook(course.db_url, COURSE_ID) as gb, pytest.raises(MissingEntry):
        grader._merge(gb, [good, bad], status)
    assert json.dumps(status, sort_keys=True) == before
    assert not [r for r in gradebook_rows(course) if r.student == "zed"]
    with Gradebook(course.db_url, COURSE_ID) as gb:
        grader._merge(gb, [good], status)
    assert [(r.student, r.assignment, r.score) for r in gradebook_rows(course)
            if r.student == "zed"] == [("zed", A, 0)]
    assert status[f"zed/{A}"]["fingerprint"] == "f1"  # written to disk by grade(), every 5 s


def test_workers_get_runs_of_one_assignment():
    """Jobs go out in runs of one assignment, as long as possible (at most RUN_MAX) while every
    worker still gets two runs, in the order given: a worker keeps its warm kernel instead of
    changing assignment with every job."""
    from autograder.grading import RUN_MAX, Job, runs

    jobs = [Job(f"s{k}", B) for k in range(6)] + [Job(f"s{k}", A) for k in range(3)]
    assert [[j.key for j in run] for run in runs(jobs, 2)] == [
        [f"s{k}/{B}" for k in range(3)], [f"s{k}/{B}" for k in range(3, 6)],
        [f"s{k}/{A}" for k in range(3)]]
    assert [len(r) for r in runs(jobs, 1)] == [5, 1, 3]   # two runs for the one worker
    assert [len(r) for r in runs(jobs, 9)] == [1] * 9
    many = [Job(f"s{k}", A) for k in range(2 * RUN_MAX + 4)]
    assert [len(r) for r in runs(many, 1)] == [RUN_MAX, RUN_MAX, 4]
    assert sum(runs(jobs + many, 3), []) == jobs + many  # nothing lost, nothing reordered


def test_a_worker_with_other_code_refuses_to_grade():
    """Every job carries the digest of the code that made it (the autograder and the course
    package the tests import); a worker whose own differs says so instead of grading."""
    from dataclasses import replace

    from autograder.grading import _CODE_FILES, Job, Settings, code_digest, run_job

    settings = Settings(120, 1 << 31, False, code_digest())
    other = replace(settings, code="0" * 64)
    result = run_job(Job("ada", A), other, {}, {}, 10.0)
    assert not result.ok and "runs other code" in result.reasons[0]
    assert "install the same commit" in result.reasons[0]
    # The course package counts: the hidden tests import it.
    assert any(p.parts[-3:] == ("course", "autodiff", "tensor.py") for p in _CODE_FILES)
