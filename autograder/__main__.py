"""``python -m autograder``: the instructor command (same as ``course-grader``)."""
from autograder.cli import main

main()
