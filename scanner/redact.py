"""Credentials never reach an output: one function hides them in every URL shown.

Imports nothing of the project, so every layer (connectors naming a source,
the engine, the results store, reports) uses this same function.
"""

from __future__ import annotations


def redact_url(spec: str) -> str:
    """Hide the password of a URL: ``postgresql://u:***@host/db``."""
    if "://" not in spec:
        return spec
    scheme, rest = spec.split("://", 1)
    if "@" not in rest:
        return spec
    cred, host = rest.rsplit("@", 1)
    if ":" in cred:
        user = cred.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return spec
