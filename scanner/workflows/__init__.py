"""Workflows around scans: the results store, history and diffs, notifications, the CI gate."""
