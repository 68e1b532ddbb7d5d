"""The course's nbgrader configuration.

Every course directory made by ``course-grader`` has an ``nbgrader_config.py`` that calls
:func:`configure`, so ``nbgrader`` commands and the formgrader run in that directory see the same
settings as ``course-grader``.
"""
from __future__ import annotations

COURSE_ID = "autodiff-course"
CELL_TIMEOUT = 120  # seconds per cell while grading (training cells are shortened by NBGRADER_EXECUTION)
MEMORY_LIMIT = 2 << 30  # bytes of address space of the student's process
# zip_collect matches this against the absolute path of each extracted file: "<student>_<file>".
FILE_PATTERN = r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.-]*)_(?P<file_id>[^/]+)$"


def configure(c, root: str, timeout: int = CELL_TIMEOUT, memory_limit: int = MEMORY_LIMIT,
              unsafe_no_sandbox: bool = False, late_policy: dict | None = None,
              **_ignored: object) -> None:
    """Fill the traitlets config ``c`` for the course directory ``root``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, ClearHiddenTests, GetGrades,
                                        IgnorePattern, LimitOutput, SaveAutoGrades)

    from autograder.execute import RebuildFromRelease, TrustedExecute

    c.CourseDirectory.root = root
    c.CourseDirectory.course_id = COURSE_ID
    # nbgrader reads the timeout from Execute (ExecutePreprocessor.timeout is ignored, #1004).
    c.Execute.timeout = timeout
    c.Execute.kernel_name = "python3"
    c.Execute.interrupt_on_timeout = True
    # After an interrupt the trusted kernel gives the student's process a few seconds before it
    # kills it (autograder.trusted_kernel.INTERRUPT_GRACE); wait that long for the cell's end.
    c.Execute.iopub_timeout = 15
    c.TrustedExecute.memory_limit = memory_limit
    c.TrustedExecute.unsafe_no_sandbox = unsafe_no_sandbox
    c.RebuildFromRelease.course_root = root
    c.TrustedExecute.course_root = root
    # The graded notebook is the release with the student's answers (nothing else of the
    # submission: cells, metadata, tags); then it runs in the trusted kernel.
    # (No CheckCellMetadata: every cell and its metadata come from the release, which nbgrader
    # validated when it generated it; validating again costs more than running notebook 01.)
    c.Autograde.sanitize_preprocessors = [RebuildFromRelease]
    c.Autograde.autograde_preprocessors = [
        TrustedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
        AssignLatePenalties]
    # A kernel that is not kept for the next notebook (autograder.execute._WarmKernels) has
    # nothing left to do once its last cell replied; the student's sandbox dies with it.
    c.Execute.shutdown_kernel = "immediate"
    # Late submissions: nbgrader's AssignLatePenalties with the course's policy (autograder.late).
    from autograder.late import PercentPerDay

    c.AssignLatePenalties.plugin_class = PercentPerDay
    c.PercentPerDay.percent_per_day = float((late_policy or {}).get("percent_per_day", 0.0))
    c.PercentPerDay.max_percent = float((late_policy or {}).get("max_percent", 100.0))
    # nbgrader's feedback shows hidden tests by default; students keep seeing only the visible ones.
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    # Its formulas render offline (e.g. unpacked from the student's zip): MathJax from a file
    # beside the feedback, not from a CDN (autograder.mathjax).
    from autograder.mathjax import template_basedirs

    c.HTMLExporter.extra_template_basedirs = template_basedirs()
    c.FileNameCollectorPlugin.named_regexp = FILE_PATTERN
    c.ZipCollectApp.strict = False
