"""``piiscan schema KIND``: the JSON Schema of a configuration file, for editors.

Editors that read JSON Schema (VS Code's YAML extension, JetBrains IDEs)
complete keys and flag mistakes as one types, before piiscan reads the file:
``# yaml-language-server: $schema=piiscan-config.schema.json`` at the top of
``piiscan.yaml``. The schemas come from the same pydantic models that validate
the files.
"""

from __future__ import annotations

import json
from typing import Any

import click

from scanner.cli.common import emit

#: Schema kinds and the file each describes.
KINDS = {
    "config": "the scan configuration (--config FILE, piiscan.yaml)",
    "policy": "the policy (--policy FILE)",
    "detectors": "custom detectors (--detectors FILE)",
    "layout": "a fixed-width CDR layout (--cdr-layout FILE)",
    "baseline": "the baseline (.piiscan-baseline.json)",
}


def model_schema(kind: str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of one kind of file."""
    model: Any
    if kind == "config":
        from scanner.core.config_file import CONNECTOR_OPTIONS
        from scanner.core.config_model import config_model

        model = config_model(CONNECTOR_OPTIONS)
    elif kind == "policy":
        from scanner.policy.policy_model import PolicyModel as model
    elif kind == "detectors":
        from detectors.custom_model import DetectorFile as model
    elif kind == "layout":
        from connectors.cdr.layout_model import FixedLayoutFile as model
    elif kind == "baseline":
        from scanner.workflows.baseline_model import BaselineFile as model
    else:
        raise ValueError(f"unknown schema {kind!r}")
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                              **model.model_json_schema()}
    return schema


@click.command("schema")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the schema here instead of standard output.")
def schema_command(kind: str, output: str | None) -> None:
    """Print the JSON Schema of a configuration file, for editors.

    KIND is config (scan configuration), policy, detectors (custom detectors),
    layout (fixed-width CDR layout) or baseline.
    """
    emit(json.dumps(model_schema(kind), indent=2, sort_keys=True) + "\n", output)
