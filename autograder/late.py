"""Due dates and the late policy, on nbgrader's own mechanisms.

The due date of an assignment is nbgrader's (``Assignment.duedate`` in the gradebook); a
submission's time is nbgrader's ``timestamp.txt`` beside it, which ``collect`` writes when the LMS
gives the time (Blackboard's attempt names); nbgrader's ``AssignLatePenalties`` then asks the
plugin below for the penalty while autograding. The policy (percent of the score per started day
late, up to a maximum) lives in ``late_policy.json`` in the course directory, with a copy of the
due dates (the gradebook's are the ones nbgrader uses; the copy lets ``grade`` see cheaply that
a due date changed and the submissions must be graded again).
"""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

POLICY_FILE = "late_policy.json"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # what nbgrader writes and reads in timestamp.txt


class PercentPerDay(LateSubmissionPlugin):
    """``percent_per_day`` of the notebook's score per started day late, at most ``max_percent``."""

    percent_per_day = Float(0.0, help="percent of the score taken per started day late").tag(config=True)
    max_percent = Float(100.0, help="the largest penalty, in percent of the score").tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float,
                                total_seconds_late: float) -> float | None:
        if total_seconds_late <= 0 or self.percent_per_day <= 0:
            return None
        days = math.ceil(total_seconds_late / 86400)
        return score * min(self.max_percent, self.percent_per_day * days) / 100


def load_policy(root: Path) -> dict:
    path = Path(root) / POLICY_FILE
    return json.loads(path.read_text()) if path.exists() else {"percent_per_day": 0.0, "max_percent": 100.0}


def parse_time(text: str) -> datetime:
    """An ISO date and time; without a zone it is the local time of this machine. Returns UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"cannot read {text!r} as a date and time: write it like "
                         f"2026-12-01T23:59 or 2026-12-01T23:59+01:00") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the instructor's local zone
    return moment.astimezone(timezone.utc)


def write_timestamp(folder: Path, submitted: str) -> None:
    """nbgrader's ``timestamp.txt`` for a submission made at ``submitted`` (ISO time)."""
    moment = parse_time(submitted)
    (Path(folder) / "timestamp.txt").write_text(moment.strftime(TIMESTAMP_FORMAT))
