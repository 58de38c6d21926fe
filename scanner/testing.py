"""A pytest helper: gate a table against the approved PII of a baseline before release.

::

    from scanner.testing import assert_no_unapproved_pii

    def test_orders_release_has_no_new_pii():
        df = build_orders()                      # the pipeline's output
        assert_no_unapproved_pii(df, baseline="tests/orders.piiscan-baseline.json",
                                 name="orders")

The check is ``piiscan check``'s: a column identity (``source/table/column``)
must be approved in the baseline for each entity type found on it, and the
approval must not have expired. Approve the current findings with
:func:`approve_frame` (or ``piiscan baseline approve``). Failure messages name
columns and entity types, never a value.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from typing import Any

from scanner.api import scan_frame
from scanner.core.config import ScanConfig
from scanner.policy import SENSITIVITIES, Policy
from scanner.workflows import baseline as baselines

__all__ = ["UnapprovedPII", "approve_frame", "assert_no_unapproved_pii"]


class UnapprovedPII(AssertionError):
    """A table holds PII its baseline does not approve; ``outcome`` has the details."""

    def __init__(self, message: str, outcome: baselines.Outcome) -> None:
        super().__init__(message)
        self.outcome = outcome


def assert_no_unapproved_pii(
    data: Any,
    baseline: str | os.PathLike[str] | None,
    *,
    name: str = "dataframe",
    source: str | None = None,
    fail_on: str | Iterable[str] = "all",
    config: ScanConfig | None = None,
    policy: Policy | str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
) -> baselines.Outcome:
    """Scan ``data`` and fail (``UnapprovedPII``, an AssertionError) on unapproved PII.

    Returns the gate's outcome when nothing fails. A scan that could not read
    the table fails too: an unchecked table is not a clean one.

    Args:
        data: A pandas DataFrame, pyarrow Table or RecordBatchReader.
        baseline: The baseline JSON file; None approves nothing (any PII fails).
        name: The table's name; with ``source`` it makes the column identities
            (``source/name/column``) the baseline keys on.
        source: The source's name (default: ``name``).
        fail_on: Severities that fail, as ``piiscan check --fail-on`` takes them
            (``all``, ``high+``, ``critical``).
        config: Scan options (sample size, include/exclude, NER).
        policy: A Policy, a policy YAML path, or None for the bundled policy.
        today: The day approvals are checked against (default: today).

    """
    loaded = baselines.load(baseline) if baseline is not None else baselines.Baseline()
    pol = policy if isinstance(policy, Policy) else Policy.load(
        os.fspath(policy) if policy is not None else None)
    result = scan_frame(data, name, config=config, policy=pol, source=source)
    levels = baselines.parse_fail_on(fail_on) if fail_on != "all" else SENSITIVITIES
    outcome = baselines.check(result, loaded, pol, None, fail_on=levels, today=today)
    problems = [p.message for p in outcome.problems]
    failing = [f.message for f in outcome.failing]
    if failing or problems:
        lines = [f"{len(failing)} unapproved PII finding(s) in {name!r}"
                 + (f" (baseline {os.fspath(baseline)})" if baseline is not None else "")]
        lines += [f"  {m}" for m in failing]
        lines += [f"  not checked: {m}" for m in problems]
        if failing:
            lines.append("  approve them with scanner.testing.approve_frame(...) or "
                         "`piiscan baseline approve`")
        raise UnapprovedPII("\n".join(lines), outcome)
    return outcome


def approve_frame(
    data: Any,
    baseline: str | os.PathLike[str],
    *,
    name: str = "dataframe",
    source: str | None = None,
    reason: str | None = None,
    expires: dt.date | None = None,
    config: ScanConfig | None = None,
    policy: Policy | str | os.PathLike[str] | None = None,
) -> baselines.Baseline:
    """Approve every finding of ``data`` in the baseline file (created when missing).

    Approvals already in the file keep their reason and expiry; those of this
    table that the scan no longer finds are dropped. Returns the new baseline.
    """
    path = os.fspath(baseline)
    previous = baselines.load(path) if os.path.exists(path) else None
    result = scan_frame(data, name, config=config, policy=policy, source=source)
    new = baselines.from_result(result, None, previous=previous, reason=reason, expires=expires)
    new.save(path)
    return new
