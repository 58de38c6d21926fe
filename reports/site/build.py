"""Rendering the privacy site and writing it: incrementally, then swapped in at once.

Every page is rendered in memory and compared with the page of the previous
build; an unchanged page is hard-linked (else copied with its times) from the
old site, so its bytes and modification time stay as they were and a web
server or rsync sees only what changed. Per-run HTML reports, the costly
part, are not even rendered again when the manifest says the same run was
rendered by the same piiscan under the same policy.

The new site is built in a temporary directory beside ``DIR`` and swapped in
with one ``renameat2(RENAME_EXCHANGE)`` on Linux (two renames elsewhere), so a
reader sees the old site or the new one, never half of each.
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from reports.model import build_report
from reports.registry import render
from reports.site.charts import bar_chart, trend_chart
from reports.site.collect import SiteColumn, SiteData, clean
from scanner.model import ScanResult
from scanner.model import tool_version as installed_version
from scanner.policy import Policy
from scanner.policy.residency import (
    How,
    Location,
    Place,
    Residency,
    SourceResidency,
    StorageVerdict,
)
from scanner.workflows.store import RunInfo, SourceVerdict, Store

logger = logging.getLogger(__name__)

#: The file in the site's root that marks it as a piiscan site and remembers the last build.
MANIFEST = ".piiscan-site.json"
MANIFEST_FORMAT = 1
_TEMPLATES = PackageLoader("reports.site", "templates")


class SiteError(Exception):
    """The site cannot be written. One line naming the directory."""


@dataclass(frozen=True)
class BuildStats:
    """What a build did to the site directory."""

    pages: int
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]
    reports_rendered: int


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def _asset(name: str) -> str:
    loader = _TEMPLATES
    source, _, _ = loader.get_source(Environment(), name)
    return source


def _environment() -> Environment:
    env = Environment(loader=_TEMPLATES, autoescape=True, undefined=StrictUndefined,
                      auto_reload=False, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["clean"] = clean
    env.filters["conf"] = lambda v: f"{float(v):.0%}"
    env.filters["plural"] = lambda n, word: f"{n:,} {word}{'' if n == 1 else 's'}"
    return env


def _index_json(data: list[dict[str, Any]]) -> str:
    """Return JSON safe inside an HTML ``<script type="application/json">`` block."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def search_entries(site: SiteData) -> list[dict[str, Any]]:
    """Return one search entry per column: identity, names, entity types, categories, CPNI."""
    return [
        {
            "id": clean(c.id), "source": clean(c.source), "table": c.table, "column": c.name,
            "entities": list(c.entities), "categories": list(c.categories), "cpni": c.cpni,
            "current": c.current, "href": f"columns/{c.slug}.html",
        }
        for c in sorted(site.columns.values(), key=lambda c: c.id)
    ]


# --- Residency of a stored run, as recorded (not judged again) ---


def _residency(result: ScanResult, verdicts: dict[str, SourceVerdict], policy: Policy) -> Residency:
    entries = []
    for source in result.sources:
        pii = cpni = 0
        for table in source.tables:
            for col in table.columns:
                if col.detections:
                    pii += 1
                    cpni += 1 if col.cpni else 0
        v = verdicts.get(source.name)
        if v is None:
            loc = Location(How.UNKNOWN, "no storage verdict recorded")
            entries.append(SourceResidency(source.name, loc, StorageVerdict.UNVERIFIED,
                                           "no storage verdict recorded", pii, cpni))
            continue
        try:
            how = How(v.location_how)
        except ValueError:
            how = How.UNKNOWN
        place = Place(v.country) if v.country else None
        loc = Location(how, v.reason, place)
        try:
            verdict = StorageVerdict(v.verdict)
        except ValueError:
            verdict = StorageVerdict.UNVERIFIED
        entries.append(SourceResidency(source.name, loc, verdict, v.reason, pii, cpni))
    entries.sort(key=lambda e: e.source)
    return Residency(tuple(entries), policy.allowed_countries)


# --- Writing ---


class _Writer:
    """Collects the new site in a temporary directory, reusing unchanged files of the old one."""

    def __init__(self, old: Path | None, tmp: Path) -> None:
        self.old = old
        self.tmp = tmp
        self.hashes: dict[str, str] = {}
        self.written: list[str] = []
        self.unchanged = 0

    def _reuse(self, rel: str, digest: str | None) -> bool:
        if self.old is None:
            return False
        prev = self.old / rel
        if not prev.is_file():
            return False
        if digest is not None and _sha(prev.read_bytes()) != digest:
            return False
        target = self.tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(prev, target)
        except OSError:
            shutil.copy2(prev, target)
        return True

    def put(self, rel: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        digest = _sha(data)
        self.hashes[rel] = digest
        if self._reuse(rel, digest):
            self.unchanged += 1
            return
        target = self.tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written.append(rel)

    def keep(self, rel: str, digest: str) -> bool:
        """Reuse an old file known (from the manifest) to be current; False when it is gone."""
        if self._reuse(rel, digest):
            self.hashes[rel] = digest
            self.unchanged += 1
            return True
        return False


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False when not supported."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


def _swap(tmp: Path, out: Path) -> None:
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        shutil.rmtree(tmp)  # now the old site
        return
    parked = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, parked)
    os.rename(tmp, out)
    shutil.rmtree(parked)


def read_manifest(out: Path) -> dict[str, Any] | None:
    """Return the manifest of the site in ``out``, None when there is no site there."""
    try:
        doc = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("format") == MANIFEST_FORMAT else None


# --- Pages ---


def _pages(site: SiteData, env: Environment, css: str, js: str,
           report_ids: set[int]) -> Iterator[tuple[str, str]]:
    csp_style = _csp_hash(css)
    script_hash = _csp_hash(js)
    common = {
        "site": site, "css": Markup(css), "version": installed_version(),
        "store": clean(site.store), "policy": site.policy,
        "titles": {c.id: c.title for c in site.policy.categories}, "report_ids": report_ids,
    }
    # A global, so the macros (imported without context, compiled once) see it too.
    env.globals["run_ids"] = frozenset(r.id for r in site.runs)

    def page(template: str, rel: str, **kw: Any) -> tuple[str, str]:
        depth = rel.count("/")
        scripts = kw.pop("scripts", False)
        csp = (f"default-src 'none'; style-src {csp_style}; img-src data:; "
               f"script-src {script_hash if scripts else chr(39) + 'none' + chr(39)}; "
               "base-uri 'none'; form-action 'none'")
        # The policy is built here from fixed words and hashes: nothing in it to escape.
        html = env.get_template(template).render(root="../" * depth, csp=Markup(csp), rel=rel,
                                                 **common, **kw)
        return rel, html

    current = site.current_columns
    cats = list(site.policy.categories)
    cat_counts = [(c, sum(1 for col in current if c.id in col.categories)) for c in cats]
    uncategorized = sum(1 for col in current if not col.categories)
    bars = [(f"{c.title}", n, f"s-{c.sensitivity}") for c, n in cat_counts]
    if uncategorized:
        bars.append(("Not in the policy", uncategorized, "s-medium"))
    sources = site.current_sources
    order = {"violation": 0, "unverified": 1, "compliant": 2}
    by_verdict = sorted(sources, key=lambda s: (order.get(s.verdict.verdict, 3), s.name))
    trend = trend_chart(site.trend, [(c.id, c.title) for c in cats])
    yield page(
        "overview.html.j2", "index.html", current=current, sources=by_verdict,
        category_chart=bar_chart(bars), cat_counts=cat_counts, uncategorized=uncategorized,
        cpni=[c for c in current if c.cpni], trend=trend,
        verdicts={v: sum(1 for s in sources if s.verdict.verdict == v) for v in order},
    )
    newest_first = sorted(site.runs, key=lambda r: -r.id)
    feed = [r for r in newest_first if site.feed_since is None
            or r.started_at[:10] >= site.feed_since]
    yield page("changes.html.j2", "changes.html", feed=feed,
               latest_diffs=[site.diffs[r.id] for r in sorted(site.latest, key=lambda r: -r.id)])
    entries = search_entries(site)
    yield page(
        "search.html.j2", "columns.html", columns=sorted(site.columns.values(), key=lambda c: c.id),
        entities=sorted({e for c in site.columns.values() for e in c.entities}),
        categories=[(c.id, c.title) for c in cats],
        source_names=sorted({c.source for c in site.columns.values()}),
        script=Markup(js), scripts=True, index_count=len(entries),
    )
    yield page("runs.html.j2", "runs.html", runs=newest_first)
    for run in site.runs:
        yield page("run.html.j2", f"runs/{run.id}.html", run=run, diff=site.diffs.get(run.id))
    for src in site.sources.values():
        yield page("source.html.j2", f"sources/{src.slug}.html", src=src)
    for col in site.columns.values():
        yield page("column.html.j2", f"columns/{col.slug}.html", col=col,
                   src=site.sources.get(col.source))


def column_link(col: SiteColumn) -> str:
    """Return the site-relative path of a column page."""
    return f"columns/{col.slug}.html"


def build_site(store: Store, site: SiteData, out: str | Path, *,
               reports: int = 3) -> BuildStats:
    """Write ``site`` to the directory ``out``; per-run reports for the newest ``reports`` runs.

    Raises SiteError when ``out`` exists and is not a piiscan site (it is never
    overwritten), or when it cannot be written.
    """
    out = Path(out)
    manifest = read_manifest(out) if out.exists() else None
    if out.exists() and (not out.is_dir() or (manifest is None and any(out.iterdir()))):
        raise SiteError(f"{out}: exists and is not a piiscan site (no {MANIFEST}); "
                        "choose an empty or new directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    env = _environment()
    css = _asset("site.css")
    js = _asset("site.js")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise SiteError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    try:
        writer = _Writer(out if manifest is not None else None, tmp)
        report_ids = {r.id for r in sorted(site.runs, key=lambda r: -r.id)[:reports]}
        for rel, html in _pages(site, env, css, js, report_ids):
            writer.put(rel, html)
        writer.put("search-index.json", json.dumps(search_entries(site), indent=1,
                                                   sort_keys=True, ensure_ascii=False) + "\n")
        rendered = _run_reports(store, site, writer, manifest, reports)
        old_pages = set((manifest or {}).get("pages", {}))
        removed = tuple(sorted(old_pages - set(writer.hashes)))
        doc = {"format": MANIFEST_FORMAT, "generator": f"piiscan {installed_version()}",
               "pages": dict(sorted(writer.hashes.items())), "reports": rendered[1]}
        pages = len(writer.hashes)
        written = tuple(sorted(writer.written))
        # Written like a page: an unchanged manifest keeps its time too.
        writer.put(MANIFEST, json.dumps(doc, indent=1, sort_keys=True) + "\n")
        # mkdtemp makes the directory private; the site gets the same mode as its files.
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o777 & ~mask)
        _swap(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SiteError(f"{out}: cannot write ({exc.strerror or exc})") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    stats = BuildStats(pages, written, writer.unchanged - (MANIFEST not in writer.written),
                       removed, rendered[0])
    logger.info("site %s: %s pages, %s written, %s unchanged, %s removed", out, stats.pages,
                len(stats.written), stats.unchanged, len(stats.removed))
    return stats


def report_path(run: RunInfo) -> str:
    """Return the site-relative path of a run's HTML report."""
    return f"runs/{run.id}-report.html"


def _run_reports(store: Store, site: SiteData, writer: _Writer,
                 manifest: dict[str, Any] | None, count: int) -> tuple[int, dict[str, str]]:
    """Render (or keep) the HTML report of the newest ``count`` runs."""
    policy_key = _sha(json.dumps(site.policy.to_dict(), sort_keys=True).encode())
    old = (manifest or {}).get("reports", {})
    old_pages = (manifest or {}).get("pages", {})
    keys: dict[str, str] = {}
    rendered = 0
    for run in sorted(site.runs, key=lambda r: -r.id)[:count]:
        rel = report_path(run)
        key = _sha(f"{installed_version()}|{policy_key}|{run.id}|{run.recorded_at}".encode())
        if old.get(rel) == key and rel in old_pages and writer.keep(rel, old_pages[rel]):
            keys[rel] = key
            continue
        doc = store.result(run.id)
        if doc is None:
            continue
        try:
            result = ScanResult.from_dict(doc)
        except (ValueError, KeyError, TypeError) as exc:
            logger.warning("run %s: stored result unreadable (%s); no report page", run.id, exc)
            continue
        verdicts = site.verdicts.get(run.id) or store.snapshot(run).sources
        report = build_report(result, site.policy, _residency(result, verdicts, site.policy))
        path = writer.tmp / ".report.tmp"
        render("html", report, out=path)
        writer.put(rel, path.read_bytes())
        path.unlink()
        keys[rel] = key
        rendered += 1
    return rendered, keys


