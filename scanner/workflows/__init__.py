"""Workflows around scans: the results store, history and diffs, notifications, the CI gate."""

#: Where ``baseline create`` writes the baseline and ``check`` reads it (a light name the
#: command line's option defaults use without importing the baseline module).
BASELINE_PATH = ".piiscan-baseline.json"
