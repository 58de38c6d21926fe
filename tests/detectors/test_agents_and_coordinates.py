"""User agents beyond browsers, and coordinates in the forms people write them.

User agents follow RFC 9110's grammar (products `token/version` and comments in
parentheses): apps, bots, HTTP libraries, podcast clients and WAP phones write
it too. Coordinates: pairs opening with a minus sign or a bracket, degrees-
minutes-seconds with hemispheres, and columns named lat/lng/reclat/reclong/x/y
whose values are decimals in range.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest

from detectors.base import ValueView
from detectors.network import UserAgentDetector
from detectors.telecom import GeoCoordinatePairDetector
from scanner.core.config import ScanConfig
from scanner.core.engine import scan

AGENTS = [
    "Spotify/1.0", "Python-urllib/3.4", "GuzzleHttp/6.3.3 PHP/7.1", "curl/7.68.0",
    "Go-http-client/1.1", "okhttp/3.12.1", "Microsoft-CryptoAPI/10.0",
    "Apache-HttpClient/4.5.2 (Java/1.8.0_151)", "Wget/1.20.3 (linux-gnu)",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Overcast/3.0 (+http://overcast.fm/; Apple Watch podcast app)",
    "Podcasts/1555.2.1 CFNetwork/1240.0.4 Darwin/20.5.0",
    "AppleCoreMedia/1.0.0.17E262 (iPhone; U; CPU OS 13_4 like Mac OS X; en_us)",
    "Nokia6230i/2.0 (03.80) Profile/MIDP-2.0 Configuration/CLDC-1.1",
    "SAMSUNG-SGH-E250/1.0 Profile/MIDP-2.0 Configuration/CLDC-1.1 UP.Browser/6.2.3.3.c.1.101 "
    "(GUI) MMP/2.0",
    "Dalvik/2.1.0 (Linux; U; Android 9; SM-G960F Build/PPR1.180610.011)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/91.0.4472.124 Safari/537.36",
]
NOT_AGENTS = ["SIP/100-0001", "PJSIP/alice-00000001", "DAHDI/1-1", "HTTP/1.1", "src/main.py",
              "12/05/2020", "Rock", "Hello world", "http://example.com/a/1",
              "GET /index.html HTTP/1.1", "Local/100@from-internal-00000001;2", "TCP/IP",
              "Windows 10 Pro"]

PAIRS = ["(-17.73, 85.60)", "-33.8688, 151.2093", "[51.5072, -0.1276]",
         "40°26'46\"N 79°58'56\"W", "40° 26′ 46″ N, 79° 58′ 56″ W", "48.8566° N, 2.3522° E",
         "(-0.1807, -78.4678)"]
NOT_PAIRS = ["1.5, 2.5", "2020-01-05", "12, 14", "(1, 2)", "3.14"]


def _matched(detector, value: str) -> bool:
    m = detector.match(ValueView(pa.array([value])))
    return bool(m and m.matched)


@pytest.mark.parametrize("value", AGENTS)
def test_user_agents(value: str) -> None:
    assert _matched(UserAgentDetector(), value)


@pytest.mark.parametrize("value", NOT_AGENTS)
def test_not_user_agents(value: str) -> None:
    assert not _matched(UserAgentDetector(), value)


@pytest.mark.parametrize("value", PAIRS)
def test_coordinate_pairs(value: str) -> None:
    assert _matched(GeoCoordinatePairDetector(), value)


@pytest.mark.parametrize("value", NOT_PAIRS)
def test_not_coordinate_pairs(value: str) -> None:
    assert not _matched(GeoCoordinatePairDetector(), value)


def test_columns_in_a_scan(tmp_path: Path) -> None:
    cols = {
        "user_agent": (AGENTS[:6] + ["Pocket Casts", "Wget"]) * 3,  # named: words count too
        "channel": ["SIP/100-0001", "PJSIP/alice-00000001", "DAHDI/1-1", "SIP/200-00a1"] * 6,
        "reclat": [f"{-33.5 + i * 0.731:.4f}" for i in range(24)],
        "reclong": [f"{151.1 - i * 1.377:.4f}" for i in range(24)],
        "x": [f"{-122.4 + i * 0.0113:.5f}" for i in range(24)],
        "y": [str(i * 10) for i in range(24)],  # whole numbers: a grid, not a place
        "position": [f"{d}°{m:02d}'{s:02d}\"N {d + 40}°{m:02d}'{s:02d}\"W"
                     for d, m, s in zip(range(30, 54), range(24), range(24), strict=True)],
    }
    path = tmp_path / "t.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        w.writerows(zip(*cols.values(), strict=True))
    result = scan([str(path)], ScanConfig(ner=False))
    found = {c.ref.column: set(c.entities) for c in result.sources[0].tables[0].columns}
    assert found["user_agent"] == {"USER_AGENT"}
    assert "USER_AGENT" not in found["channel"]
    assert found["reclat"] == {"GEO_LOCATION"}
    assert found["reclong"] == {"GEO_LOCATION"}
    assert found["x"] == {"GEO_LOCATION"}
    assert "GEO_LOCATION" not in found["y"]
    assert found["position"] == {"GEO_LOCATION"}
