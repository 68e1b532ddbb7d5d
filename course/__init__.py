"""Reference package of the automatic-differentiation course (engine being written)."""
