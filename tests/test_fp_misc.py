"""False positives and log-format misses a user would notice in a report.

A payment method or a device's product is no service plan; a subnet or a
DHCP range bound is no one's address; a word inside a name is no account id
when the values say what they are; an nginx log that puts the forwarded-for
chain before the client still has its user agents read. Every value here is
written for these tests from the formats' specifications.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scanner.core.config import ScanConfig
from scanner.core.engine import scan


def scan_file(path: Path) -> dict[str, set[str]]:
    """Scan one file (no language model) and return each column's entity types."""
    result = scan([str(path)], ScanConfig(ner=False)).to_dict()
    [source] = result["sources"]
    [table] = source["tables"]
    return {c["name"]: {e["type"] for e in c["entities"]} for c in table["columns"]}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


# --- service plans --------------------------------------------------------------------

PAYMENT_METHODS = ["Credit card", "Bank transfer", "PayPal", "Invoice", "Direct debit",
                   "Cash on delivery"]


@pytest.mark.parametrize("column", ["payment_method", "PaymentMethod", "payment_type",
                                    "preferred_payment"])
def test_a_payment_method_is_no_service_plan(tmp_path: Path, column: str) -> None:
    rows = [[f"C{10400 + i}", f"Customer {i}", f"buyer{i}@example.net",
             PAYMENT_METHODS[i % len(PAYMENT_METHODS)]] for i in range(30)]
    found = scan_file(write_csv(tmp_path / "customers.csv",
                                ["customer_id", "name", "email", column], rows))
    assert "SERVICE_PLAN" not in found[column]
    assert "EMAIL_ADDRESS" in found["email"]


def test_plan_columns_beside_a_payment_method_stay_plans(tmp_path: Path) -> None:
    plans = ["Unlimited 5G", "Family Share 20GB", "Prepaid Basic", "Business Fiber 1G"]
    rows = [[f"SUB-{5100 + i}", plans[i % 4], ["Month-to-month", "Two year"][i % 2],
             ["Autopay (card)", "Bank draft", "Mailed invoice"][i % 3]] for i in range(30)]
    found = scan_file(write_csv(tmp_path / "subscribers.csv",
                                ["subscriber_id", "rate_plan", "contract", "payment_method"],
                                rows))
    assert "SERVICE_PLAN" in found["rate_plan"]
    assert "SERVICE_PLAN" in found["contract"]
    assert "SERVICE_PLAN" not in found["payment_method"]


def test_a_devices_product_is_no_service_plan(tmp_path: Path) -> None:
    # CEF's header names the reporting device: vendor, product, version.
    products = ["NextGen Firewall", "DNS Guard", "Threat Defense"]
    # The events name users, so the table is about someone: a plan here would be CPNI.
    rows = [["Acme Networks", products[i % 3], f"7.{i % 4}.2", f"198.51.100.{10 + i}",
             f"user{i % 7}", ["allow", "deny"][i % 2]] for i in range(30)]
    found = scan_file(write_csv(tmp_path / "cef_events.csv",
                                ["DeviceVendor", "DeviceProduct", "DeviceVersion", "SourceIP",
                                 "SourceUserName", "DeviceAction"], rows))
    assert "ACCOUNT_ID" in found["SourceUserName"]
    assert found["DeviceProduct"] == set()
    assert "IP_ADDRESS" in found["SourceIP"]


def test_a_subscribers_product_is_still_a_service_plan(tmp_path: Path) -> None:
    products = ["Home Internet 300", "Mobile Unlimited", "TV Basic", "Landline Plus"]
    rows = [[f"AC-{880100 + i}", f"+1 202 555 01{i % 90:02d}", products[i % 4]]
            for i in range(30)]
    found = scan_file(write_csv(tmp_path / "subscriptions.csv",
                                ["account_number", "phone", "product"], rows))
    assert "SERVICE_PLAN" in found["product"]


@pytest.mark.parametrize("column", ["product", "Product Name", "product_code", "offer"])
def test_a_shops_goods_are_no_service_plan(tmp_path: Path, column: str) -> None:
    goods = ["Walnut desk lamp", "Ceramic mug 350 ml", "Trail running shoes", "B08K4W2QZ7",
             "Linen table cloth", "Espresso beans 1 kg"]
    rows = [[f"ORD-{7700 + i}", f"Buyer {i}", f"buyer{i}@example.com", goods[i % 6],
             f"{12 + i % 9}.99"] for i in range(30)]
    found = scan_file(write_csv(tmp_path / "orders.csv",
                                ["order_id", "customer_name", "email", column, "price"], rows))
    assert "SERVICE_PLAN" not in found[column]


# --- network configuration inside log lines ---------------------------------------------

def dhcp_lines(n: int) -> list[list[str]]:
    out = []
    for i in range(n):
        out.append([f"2026-03-0{i % 9 + 1}T10:{i % 60:02d}:00Z",
                    f"op=renew;subnet=192.0.2.0/24;range_start=192.0.2.{50 + i % 5};"
                    f"range_end=192.0.2.{120 + i % 7};lease_seconds=3600"])
    return out


def test_subnets_and_range_bounds_are_no_ones_address(tmp_path: Path) -> None:
    found = scan_file(write_csv(tmp_path / "dhcp_events.csv", ["time", "details"],
                                dhcp_lines(30)))
    assert "IP_ADDRESS" not in found["details"]


def test_a_client_beside_the_subnet_is_still_found(tmp_path: Path) -> None:
    rows = [[t, f"client=203.0.113.{i + 7};{d}"] for i, (t, d) in enumerate(dhcp_lines(30))]
    found = scan_file(write_csv(tmp_path / "dhcp_events.csv", ["time", "details"], rows))
    assert "IP_ADDRESS" in found["details"]


def test_a_host_written_with_its_prefix_is_an_address(tmp_path: Path) -> None:
    rows = [[f"eth{i % 3}", f"inet 198.51.100.{i + 17}/24 brd 198.51.100.255 scope global"]
            for i in range(30)]
    found = scan_file(write_csv(tmp_path / "interfaces.csv", ["ifname", "line"], rows))
    assert "IP_ADDRESS" in found["line"]


def test_a_column_of_network_prefixes_is_no_address(tmp_path: Path) -> None:
    nets = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "198.51.100.0/24",
            "203.0.113.0/25", "100.64.0.0/10"]
    rows = [[f"r{i}", nets[i % len(nets)], ["accept", "drop"][i % 2]] for i in range(30)]
    found = scan_file(write_csv(tmp_path / "rules.csv", ["rule", "cidr", "verdict"], rows))
    assert "IP_ADDRESS" not in found["cidr"]


def test_a_dhcp_client_identifier_holds_a_mac(tmp_path: Path) -> None:
    # Option 61 of hardware type 1: the client's Ethernet address behind an 01 octet.
    rows = [[f"2026-03-01T08:{i:02d}:00Z",
             f"op=ack;client_id=01:3c:22:fb:{i:02x}:4a:9{i % 10};lifetime=7200"]
            for i in range(30)]
    found = scan_file(write_csv(tmp_path / "leases.csv", ["time", "details"], rows))
    assert "MAC_ADDRESS" in found["details"]


# --- an account word inside a name ----------------------------------------------------

def test_word_account_gives_way_to_values_that_validate(tmp_path: Path) -> None:
    rows = [[f"{i}", f"owner{i}.billing@example.org", f"AC-{20400 + i}"] for i in range(30)]
    found = scan_file(write_csv(tmp_path / "owners.csv",
                                ["id", "AccountOwnerContact", "account_owner_ref"], rows))
    assert found["AccountOwnerContact"] == {"EMAIL_ADDRESS"}
    # The same word over values that are no specific type still says account.
    assert "ACCOUNT_ID" in found["account_owner_ref"]


def test_an_account_named_as_such_keeps_its_claim(tmp_path: Path) -> None:
    rows = [[f"{i}", f"member{i}@example.org"] for i in range(30)]
    found = scan_file(write_csv(tmp_path / "logins.csv", ["id", "billing_account"], rows))
    assert {"ACCOUNT_ID", "EMAIL_ADDRESS"} <= found["billing_account"]


# --- access logs with a forwarded-for chain -------------------------------------------

AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "curl/8.4.0",
]


def forwarded_lines(n: int) -> list[str]:
    lines = []
    for i in range(n):
        client = f"203.0.113.{i + 3}"
        proxy = f"10.1.0.{i % 4 + 2}"
        head = [f"{client}, {proxy}, 127.0.0.1",  # the chain as the remote host
                f'"{client}, {proxy}" 10.2.0.9',  # a quoted chain, then the peer
                f"{client}, {proxy} 10.2.0.9",  # a chain, then the peer
                f"shop.example.com:443 {client}",  # Apache's vhost_combined
                client][i % 5]
        lines.append(f'{head} - - [14/Feb/2026:09:{i % 60:02d}:11 +0000] '
                     f'"GET /catalog/{i} HTTP/1.1" 200 {900 + i} "-" "{AGENTS[i % 3]}"')
    return lines


def test_forwarded_chains_before_the_client_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text("\n".join(forwarded_lines(40)) + "\n", encoding="utf-8")
    result = scan([str(path)], ScanConfig(ner=False)).to_dict()
    [source] = result["sources"]
    assert source["kind"] == "access-log"
    [table] = source["tables"]
    assert table["rows_scanned"] == 40
    assert not table.get("warnings")
    found = {c["name"]: {e["type"] for e in c["entities"]} for c in table["columns"]}
    assert "USER_AGENT" in found["user_agent"]
    assert "IP_ADDRESS" in found["remote_host"]


def test_a_syslog_wrapped_access_line_is_no_access_log(tmp_path: Path) -> None:
    # A syslog prefix (date, host, program) is more than a host and a forwarded chain.
    lines = [f"Feb 14 09:{i % 60:02d}:11 web01 nginx[812]: {line}"
             for i, line in enumerate(forwarded_lines(20))]
    path = tmp_path / "messages.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = scan([str(path)], ScanConfig(ner=False)).to_dict()
    assert result["sources"][0]["kind"] != "access-log"
