"""``piiscan eval CORPUS...``: how well the scan finds the labelled columns of a corpus.

Exit codes: 0 the thresholds (if any) are met; 1 the overall F1 or precision
is below ``--min-f1``/``--min-precision``; 2 usage error (no labels files, a
malformed labels file).
"""

from __future__ import annotations

import json
import logging
import sys

import click

from connectors.base import DEFAULT_SAMPLE_SIZE
from scanner.cli.common import emit, fail_usage, setup_logging
from scanner.model import ExitCode

logger = logging.getLogger("piiscan")


@click.command("eval")
@click.argument("corpus", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--min-f1", type=click.FloatRange(0.0, 1.0), default=None,
              help="Exit 1 when the overall F1 is below this.")
@click.option("--min-precision", type=click.FloatRange(0.0, 1.0), default=None,
              help="Exit 1 when the overall precision is below this.")
@click.option("--sample-size", type=click.IntRange(min=1), default=DEFAULT_SAMPLE_SIZE,
              show_default=True, help="Rows sampled per table.")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=0.0,
              show_default=True, help="Count only findings at least this confident "
              "(name-only findings sit below 0.5).")
@click.option("--no-ner", is_flag=True, help="Skip the language model (names in free text).")
@click.option("--no-mistakes", is_flag=True, help="Table format: leave out the list of mistakes.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the result here.")
@click.option("--verbose", "-v", count=True, help="More log output.")
@click.option("--debug", is_flag=True, help="Show internal tracebacks (never data values).")
def eval_command(corpus: tuple[str, ...], fmt: str, min_f1: float | None,
                 min_precision: float | None, sample_size: int, min_confidence: float,
                 no_ner: bool,
                 no_mistakes: bool, output: str | None, verbose: int, debug: bool) -> None:
    """Scan the labelled files under CORPUS (folders with labels.json) and score the findings.

    Column-level precision, recall and F1 per entity type and overall. A column
    labelled NONE must not be flagged; a column flagged with the wrong type
    counts as a false positive for that type and a miss for its label.
    """
    from scanner.core.config import ScanConfig
    from scanner.workflows.evaluate import EvalError, evaluate, failing, render_table

    setup_logging(verbose, debug)
    root = logging.getLogger()
    level = root.level
    # Unreadable rows in the corpus files are part of what is measured, not news.
    if not verbose and not debug:
        root.setLevel(logging.CRITICAL)
    try:
        ev = evaluate(list(corpus), ScanConfig(sample_size=sample_size, ner=not no_ner),
                      min_confidence)
    except EvalError as exc:
        root.setLevel(level)
        fail_usage(str(exc))
    root.setLevel(level)
    problems = failing(ev, min_f1, min_precision)
    if fmt == "json":
        doc = ev.to_dict()
        doc["thresholds"] = {"min_f1": min_f1, "min_precision": min_precision,
                             "min_confidence": min_confidence,
                             "passed": not problems}
        emit(json.dumps(doc, indent=2, sort_keys=True) + "\n", output)
    else:
        emit(render_table(ev, mistakes=not no_mistakes), output)
    for problem in problems:
        click.echo(f"piiscan: {problem}", err=True)
    if problems:
        sys.exit(ExitCode.FINDINGS)
