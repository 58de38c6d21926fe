"""The scheduling examples (cron, systemd, Kubernetes) use options piiscan really has."""

from __future__ import annotations

import configparser
import shlex

import click
import yaml
from support import ROOT

from scanner.cli import main

SCHEDULE = ROOT / "examples" / "schedule"


def _scan_options() -> set[str]:
    scan = main.get_command(click.Context(main), "scan")
    assert scan is not None
    return {opt for param in scan.params for opt in getattr(param, "opts", [])}


def _check_scan_args(args: list[str]) -> None:
    assert args[0] == "scan"
    known = _scan_options()
    used = [a for a in args if a.startswith("-")]
    assert used, args
    assert set(used) <= known, set(used) - known
    assert args[args.index("--config") + 1] == "/etc/piiscan/scans.yaml"
    assert "--notify" in args and "--no-store" not in args


def test_cron_line() -> None:
    lines = [ln for ln in (SCHEDULE / "piiscan.cron").read_text().splitlines()
             if ln.strip() and not ln.startswith("#") and "=" not in ln.split()[0]]
    (line,) = lines
    fields = line.split(None, 6)
    assert fields[:5] == ["30", "2", "*", "*", "*"] and fields[5] == "piiscan"
    assert "%" not in fields[6]  # cron would turn it into a newline
    command = shlex.split(fields[6].rsplit("&&", 1)[1])
    _check_scan_args(command[command.index("scan"):-1])


def test_systemd_units() -> None:
    service = configparser.ConfigParser(interpolation=None, strict=True)
    service.optionxform = str  # type: ignore[assignment,method-assign]
    service.read(SCHEDULE / "piiscan-scan.service")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["Environment"] == "PIISCAN_STORE=/var/lib/piiscan/results.db"
    args = shlex.split(service["Service"]["ExecStart"])
    assert args[0] == "/opt/piiscan/bin/piiscan"
    _check_scan_args(args[1:])
    timer = configparser.ConfigParser(interpolation=None, strict=True)
    timer.optionxform = str  # type: ignore[assignment,method-assign]
    timer.read(SCHEDULE / "piiscan-scan.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_kubernetes_cronjob() -> None:
    doc = yaml.safe_load((SCHEDULE / "cronjob.yaml").read_text())
    assert doc["kind"] == "CronJob" and doc["apiVersion"] == "batch/v1"
    spec = doc["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 0
    (container,) = job["template"]["spec"]["containers"]
    _check_scan_args(container["args"])
    env = {e["name"] for e in container["env"]}
    assert {"PIISCAN_STORE", "PGPASSWORD", "PIISCAN_WEBHOOK"} <= env
    mounts = {m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"] for v in job["template"]["spec"]["volumes"]}
    assert mounts == volumes
