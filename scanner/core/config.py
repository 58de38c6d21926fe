"""The resolved configuration of one scan, passed explicitly (no global settings)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from connectors.base import DEFAULT_SAMPLE_SIZE, ConnectorOptions, ReadPlan


@dataclass(frozen=True)
class ScanConfig:
    """Everything the engine needs to know about a scan."""

    sample_size: int = DEFAULT_SAMPLE_SIZE
    full: bool = False
    connector: ConnectorOptions = field(default_factory=ConnectorOptions)
    #: How many values per free-text column go through presidio's NER.
    ner_sample: int = 200
    #: Turn off the language model (names and addresses then come from names and shapes only).
    ner: bool = True
    policy_path: str | None = None
    #: YAML files of user-written detectors (presidio's recognizer format).
    custom_detectors: tuple[str, ...] = ()
    seed: int = 0
    progress: bool = False
    #: Where work units run: None or ``local`` (this process's threads), or
    #: ``dask://HOST:PORT`` (a Dask distributed scheduler).
    executor: str | None = None
    #: The region (ISO 3166 alpha-2) national phone numbers and postal codes are read in;
    #: None: inferred per table from its values (a country column, e-mail domains).
    region: str | None = None
    #: Seconds a work unit may take on a cluster before it is reported failed (None: no limit).
    unit_timeout: float | None = None
    #: Paths other entries of the configuration name: a directory or glob scanned
    #: here passes over what lies in them (each file is scanned once, by its most
    #: specific entry).
    claimed: tuple[str, ...] = ()

    @property
    def plan(self) -> ReadPlan:
        return ReadPlan(sample_size=None if self.full else self.sample_size, seed=self.seed)

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as shown in results (nothing secret lives here)."""
        out = asdict(self)
        out.pop("progress", None)
        out.pop("claimed", None)  # how entries share files, not how they are scanned
        # Shown only when set: results stay comparable.
        for key in ("executor", "unit_timeout", "region"):
            if out.get(key) is None:
                out.pop(key, None)
        out["connector"] = {k: v for k, v in out["connector"].items() if v not in (None, (), "")}
        return out
