"""Instructor autograder for the course, built on nbgrader (see autograder/README.md)."""
