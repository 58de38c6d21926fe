"""Item 4: hostile YAML and JSON give one line and exit 2, fast, in bounded memory.

"Billion laughs" used to grow memory by 130 MB/s; recursive anchors and deep
nesting were a RecursionError traceback; so was 100,000-deep JSON in a
baseline or a saved result.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import ROOT


def _laughs(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghijklm"[: levels - 1]:
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text


def _deep_flow(levels: int) -> str:
    return "x: " + "[" * levels + "]" * levels + "\n"


def _deep_block(levels: int) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(levels)) + " " * levels + "v: 1\n"


HOSTILE = {
    "billion-laughs": _laughs(),
    "recursive-anchor": "a: &a [1, *a]\nb: *a\n",
    "recursive-mapping": "a: &a {x: *a}\n",
    "deep-flow": _deep_flow(5000),
    "deep-block": _deep_block(1500),
    "alias-chain": "".join(
        f"k{i}: &k{i} [" + (f"*k{i - 1}" if i else "0") + "]\n" for i in range(3000)),
}

# Each file kind and how a command reads it; {f} is the hostile file.
READERS = {
    "--config": ("scan", "--config", "{f}", "--no-store", "--no-ner", "-q"),
    "--policy": ("scan", "{data}", "--policy", "{f}", "--no-store", "--no-ner", "-q"),
    "--detectors": ("scan", "{data}", "--detectors", "{f}", "--no-store", "--no-ner", "-q"),
    "--cdr-layout": ("scan", "{data}", "--cdr-layout", "{f}", "--no-store", "--no-ner", "-q"),
}


def _run_limited(args: list[str], seconds: float = 60) -> tuple[int, str, float]:
    """Run piiscan; one that grows without bound is killed by the timeout (a failure)."""
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "scanner", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=seconds)
    return proc.returncode, proc.stderr, time.monotonic() - t0


def _loaders() -> dict[str, tuple[Callable[[str], object], type[Exception]]]:
    from connectors.base import SourceError
    from connectors.cdr.fixed_width import load_layout
    from detectors.custom import CustomDetectorError
    from detectors.custom import load as load_detectors
    from scanner.core.config_file import ConfigFileError, load_config_file
    from scanner.policy import Policy, PolicyError

    return {"--config": (load_config_file, ConfigFileError),
            "--policy": (Policy.load, PolicyError),
            "--detectors": (load_detectors, CustomDetectorError),
            "--cdr-layout": (load_layout, SourceError)}


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("option", list(READERS))
def test_every_yaml_reader_refuses_hostile_yaml_in_one_line(tmp_path: Path, option: str,
                                                            kind: str) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(HOSTILE[kind])
    load, error = _loaders()[option]
    t0 = time.monotonic()
    with pytest.raises(error) as caught:
        load(str(hostile))
    assert time.monotonic() - t0 < 10
    message = str(caught.value)
    assert "\n" not in message and str(hostile) in message
    assert any(w in message for w in ("deeper", "expand", "recursive", "MiB")), message


@pytest.mark.parametrize("option", list(READERS))
def test_billion_laughs_is_one_line_and_exit_2(tmp_path: Path, option: str) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(HOSTILE["billion-laughs"])
    data = tmp_path / "a.csv"
    data.write_text("email\nzelda@example.org\n")
    args = [a.format(f=hostile, data=data) for a in READERS[option]]
    code, stderr, seconds = _run_limited(args)
    lines = stderr.strip().splitlines()
    assert code == 2, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]
    said = [line for line in lines if "rror" in line]
    assert len(said) == 1 and str(hostile) in said[0], stderr[-2000:]
    assert seconds < 30


def test_the_bundled_policy_and_examples_are_within_the_limits() -> None:
    from scanner.fileio import check_yaml

    for path in [ROOT / "scanner" / "policy" / "data" / "policy.yaml",
                 *ROOT.glob("examples/**/*.yaml")]:
        check_yaml(path.read_text())


@pytest.mark.parametrize("command", ["report", "check"])
def test_deep_json_is_one_line(tmp_path: Path, command: str) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    data = tmp_path / "a.csv"
    data.write_text("email\nzelda@example.org\n")
    args = (["report", str(deep)] if command == "report"
            else ["check", str(data), "--baseline", str(deep), "--no-ner", "-q"])
    code, stderr, _ = _run_limited(args)
    lines = stderr.strip().splitlines()
    assert code == 2, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]
    said = [line for line in lines if "rror" in line]
    assert len(said) == 1 and "nested too deeply" in said[0], stderr[-2000:]
