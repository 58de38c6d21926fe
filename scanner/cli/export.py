"""``piiscan export --to TARGET RESULT.json``: findings into the catalogs users already run.

Reads a saved JSON result (``piiscan scan --format json``) and writes one
target's file: a Fides dataset manifest, a dbt ``schema.yml`` patch,
OpenMetadata column tag patches or DataHub metadata change proposals. The
fideslang categories come from the policy's ``fides_categories``: ``--policy``,
else the policy saved in the result, else the bundled one; the policy
categories are recomputed when ``--policy`` is given, as ``piiscan report`` does.
"""

from __future__ import annotations

import logging

import click

from scanner.cli.common import emit
from scanner.cli.report import ReportInputError, load_saved

logger = logging.getLogger(__name__)


@click.command("export")
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--to", "target", required=True, metavar="TARGET",
              help="Where the findings go: fides (dataset manifest), dbt (schema.yml patch), "
              "openmetadata (column tag patches) or datahub (metadata change proposals).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the export here instead of standard output.")
@click.option("--policy", "policy_path", type=click.Path(exists=True, dir_okay=False),
              help="Policy YAML whose categories and fides_categories to use "
              "(default: the one saved in the result, else the bundled policy).")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=0.0,
              show_default=True, help="Leave out findings below this confidence.")
def export_command(result_file: str, target: str, output: str | None,
                   policy_path: str | None, min_confidence: float) -> None:
    r"""Export a saved JSON result to Fides, dbt, OpenMetadata or DataHub.

    \b
    Examples:
      piiscan scan exports/ --format json -o result.json
      piiscan export --to fides result.json -o report.fides.yml
      piiscan export --to dbt result.json -o models/piiscan_schema.yml
    """
    from reports.exports import UnknownExport, get_exporter
    from scanner.core.classify import apply_policy
    from scanner.policy import Policy, PolicyError

    try:
        exporter = get_exporter(target)
    except UnknownExport as exc:
        raise click.BadParameter(str(exc), param_hint="--to") from exc
    try:
        saved = load_saved(result_file)
        # The policy saved with the result carries the mapping used at scan time; a result
        # saved before fides_categories existed gets the bundled mapping.
        if policy_path is None and saved.policy is not None and saved.policy.fides:
            policy = saved.policy
        else:
            policy = Policy.load(policy_path)
    except (ReportInputError, PolicyError) as exc:
        raise click.UsageError(str(exc)) from exc
    result = apply_policy(saved.result, policy) if policy_path else saved.result
    emit(exporter.export(result, policy, min_confidence=min_confidence), output)
