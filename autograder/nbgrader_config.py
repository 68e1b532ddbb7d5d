"""The course's nbgrader configuration.

Every course directory made by ``course-grader`` has an ``nbgrader_config.py`` that calls
:func:`configure`, so ``nbgrader`` commands and the formgrader run in that directory see the same
settings as ``course-grader``.
"""
from __future__ import annotations

from collections.abc import Iterable

COURSE_ID = "autodiff-course"
CELL_TIMEOUT = 120  # seconds per cell while grading (training cells are shortened by NBGRADER_EXECUTION)
MEMORY_LIMIT = 2 << 30  # bytes of address space per grading kernel
# zip_collect matches this against the absolute path of each extracted file: "<student>_<file>".
FILE_PATTERN = r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.-]*)_(?P<file_id>[^/]+)$"


def configure(c, root: str, hide: Iterable[str] = (), timeout: int = CELL_TIMEOUT,
              memory_limit: int = MEMORY_LIMIT) -> None:
    """Fill the traitlets config ``c`` for the course directory ``root``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests,
                                        GetGrades, IgnorePattern, LimitOutput, SaveAutoGrades)

    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds,
                                        OverwriteCells, OverwriteKernelspec)

    from autograder.execute import DropEmptyNbgraderMetadata, SandboxedExecute

    c.CourseDirectory.root = root
    c.CourseDirectory.course_id = COURSE_ID
    # nbgrader reads the timeout from Execute (ExecutePreprocessor.timeout is ignored, #1004).
    c.Execute.timeout = timeout
    c.Execute.kernel_name = "python3"
    c.Execute.interrupt_on_timeout = True
    c.SandboxedExecute.memory_limit = memory_limit
    c.SandboxedExecute.hide_paths = [str(p) for p in hide]
    c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, DropEmptyNbgraderMetadata,
                                          OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
        AssignLatePenalties, CheckCellMetadata]
    # Deleted test cells come back from the gradebook instead of silently scoring nothing.
    c.OverwriteCells.add_missing_cells = True
    # nbgrader's feedback shows hidden tests by default; students keep seeing only the visible ones.
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    c.FileNameCollectorPlugin.named_regexp = FILE_PATTERN
    c.ZipCollectApp.strict = False
