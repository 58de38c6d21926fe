"""JUnit XML, so CI systems show the scan as tests.

The mapping (documented for users in the README):

* one ``<testsuite>`` per source, named after it;
* in it, a ``storage location`` test case: ``<failure>`` when the source
  breaks the storage rule, ``<skipped>`` when its location is unverified,
  passed when compliant;
* one test case per table (``classname`` = source, ``name`` = table): it
  fails when the table holds flagged columns, with one ``<failure>`` whose
  message counts them and whose text lists each column (entity types,
  confidence, categories, CPNI). JUnit readers show one failure per test
  case, so the columns are lines of that failure rather than separate
  elements. A table that could not be read is an ``<error>``.
* A source that failed before listing tables gets one ``(source)`` case with
  an ``<error>``.

No per-case times: they would make two reports of the same data differ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from reports.formats._common import confidence, one_line, plural, xml_safe
from reports.model import Report, SourceSummary, TableSummary
from reports.renderer import Renderer, register
from scanner.model import Status
from scanner.policy.residency import StorageVerdict

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET


@register
class JunitRenderer(Renderer):
    """JUnit XML: a test suite per source, a test case per table and per storage rule."""

    name = "junit"
    description = "JUnit XML for CI: a test case per table and per source's storage rule"
    extension = "xml"

    def render(self, report: Report, out: TextIO) -> None:
        """Write the JUnit XML document."""
        import xml.etree.ElementTree as ET  # the other formats never need it

        root = ET.Element("testsuites", name="piiscan")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for source in report.sources:
            suite = _suite(report, source)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
            root.append(suite)
        for key, value in totals.items():
            root.set(key, str(value))
        root.set("time", f"{report.result.seconds:.3f}")
        ET.indent(root)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(ET.tostring(root, encoding="unicode"))
        out.write("\n")


def _suite(report: Report, source: SourceSummary) -> ET.Element:
    import xml.etree.ElementTree as ET

    suite = ET.Element("testsuite", name=xml_safe(source.name))
    props = ET.SubElement(suite, "properties")
    res = source.residency
    for name, value in (
        ("kind", source.kind),
        ("status", source.status.value),
        ("location", res.location.label),
        ("location_how", res.location.how.value),
        ("residency", res.verdict.value),
    ):
        ET.SubElement(props, "property", name=name, value=xml_safe(value))
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    case = ET.SubElement(
        suite, "testcase", classname=xml_safe(source.name), name="storage location"
    )
    counts["tests"] += 1
    if res.verdict is StorageVerdict.VIOLATION:
        fail = ET.SubElement(case, "failure", message=xml_safe(res.reason), type=report.rules[0].id)
        fail.text = xml_safe(f"{res.reason}\n{res.location.detail}\n{report.policy.storage_quote}")
        counts["failures"] += 1
    elif res.verdict is StorageVerdict.UNVERIFIED:
        ET.SubElement(
            case,
            "skipped",
            message=xml_safe(f"unverified: {res.reason}. To settle: {res.settle or ''}"),
        )
        counts["skipped"] += 1

    if source.status is Status.FAILED and not any(t.source == source.name for t in report.tables):
        case = ET.SubElement(suite, "testcase", classname=xml_safe(source.name), name="(source)")
        err = ET.SubElement(
            case, "error", message=xml_safe(one_line(source.error or "failed")), type="scan"
        )
        err.text = xml_safe(source.error or "")
        counts["tests"] += 1
        counts["errors"] += 1

    for table in report.tables:
        if table.source == source.name:
            _table_case(suite, table, counts)
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _table_case(suite: ET.Element, table: TableSummary, counts: dict[str, int]) -> None:
    import xml.etree.ElementTree as ET

    case = ET.SubElement(
        suite, "testcase", classname=xml_safe(table.source), name=xml_safe(table.name)
    )
    counts["tests"] += 1
    if table.status is Status.FAILED:
        err = ET.SubElement(
            case, "error", message=xml_safe(one_line(table.error or "failed")), type="scan"
        )
        err.text = xml_safe(table.error or "")
        counts["errors"] += 1
        return
    if table.flagged:
        cpni = sum(1 for c in table.flagged if c.cpni)
        message = f"{plural(len(table.flagged), 'column')} of {table.columns} hold personal data"
        if cpni:
            message += f" ({cpni} CPNI)"
        fail = ET.SubElement(case, "failure", message=xml_safe(message), type="pii")
        fail.text = xml_safe(
            "\n".join(
                f"{c.column}: {', '.join(c.labels)} (confidence {confidence(c.confidence)}; "
                f"categories {', '.join(c.categories) or 'none'}"
                f"{'; CPNI' if c.cpni else ''})"
                for c in table.flagged
            )
        )
        counts["failures"] += 1
    if table.warnings or table.status is Status.PARTIAL:
        out = ET.SubElement(case, "system-out")
        out.text = xml_safe("\n".join([*table.warnings, table.error or ""]).strip())
