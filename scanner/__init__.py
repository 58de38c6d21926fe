"""piiscan: find PII and CPNI in data, checked against a privacy policy.

The Python API (``scanner.api``)::

    from scanner import scan, scan_frame, load_policy

The names are imported on first use, so ``import scanner.model`` (or any
other submodule) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.version import __version__

if TYPE_CHECKING:
    from scanner.api import load_policy, read_result, scan, scan_frame
    from scanner.core.config import ScanConfig
    from scanner.model import ScanResult

__all__ = ["ScanConfig", "ScanResult", "__version__", "load_policy", "read_result", "scan",
           "scan_frame"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from scanner import api

        return getattr(api, name)
    raise AttributeError(f"module 'scanner' has no attribute {name!r}")
