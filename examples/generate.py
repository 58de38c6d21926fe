"""Write the bundled example data: a customer database, a billing export and a web log.

Every value is synthetic and drawn from a seeded generator, so ``make demo``
gives the same report on every machine. Run: ``python examples/generate.py [OUT_DIR]``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20261125

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia",
         "Dennis", "Margaret", "John", "Hedy", "Claude", "Katherine", "Tim", "Shafi", "Leslie"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
        "Perlman", "Ritchie", "Hamilton", "Backus", "Lamarr", "Shannon", "Johnson", "Lee",
        "Goldwasser", "Lamport"]
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Pine Rd", "Lake Blvd",
           "Hill Ct", "River Way", "Park Pl"]
CITIES = [("Houlton", "ME", "04730"), ("Bangor", "ME", "04401"), ("Portland", "OR", "97201"),
          ("Austin", "TX", "78701"), ("Denver", "CO", "80202"), ("Madison", "WI", "53703")]
AREA_CODES = ["207", "503", "512", "303", "608", "212", "415", "617"]
PLANS = ["Basic Voice", "Unlimited Talk", "Fiber 300", "Fiber 1000", "Voice + Fiber 300"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.5.0",
]


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    """A random number with this prefix and length whose last digit makes it Luhn-valid."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return body + str((10 - total % 10) % 10)


def phone(rng: random.Random) -> str:
    return f"({rng.choice(AREA_CODES)}) {rng.randint(200, 989)}-{rng.randint(0, 9999):04d}"


def ssn(rng: random.Random) -> str:
    return f"{rng.randint(100, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def write_database(path: Path, rng: random.Random, n: int = 500) -> None:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE customers (
            customer_id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT,
            phone TEXT, street_address TEXT, city TEXT, state TEXT, zip TEXT,
            date_of_birth TEXT, ssn TEXT, service_plan TEXT, credit_score INTEGER,
            created_at TEXT, notes TEXT);
        CREATE TABLE payment_methods (
            id INTEGER PRIMARY KEY, customer_id INTEGER, card_number TEXT, card_type TEXT,
            bank_routing_number TEXT, iban TEXT);
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY, customer_id INTEGER, imei TEXT, mac_address TEXT,
            last_ip TEXT, firmware_version TEXT);
        CREATE TABLE call_records (
            id INTEGER PRIMARY KEY, calling_number TEXT, called_number TEXT,
            call_start TEXT, duration INTEGER, billsec INTEGER, disposition TEXT,
            trunk TEXT);
        CREATE TABLE network_stats (
            day TEXT, region TEXT, total_calls INTEGER, avg_duration REAL);
    """)
    start = dt.datetime(2026, 1, 1)
    customers = []
    for i in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, state, zipcode = rng.choice(CITIES)
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 60 * 365))
        created = start + dt.timedelta(minutes=rng.randint(0, 500_000))
        note = rng.choice([
            "", "Prefers email contact.", f"Called about billing; spoke with {rng.choice(FIRST)} "
            f"{rng.choice(LAST)}.", f"Moved from {rng.randint(10, 999)} {rng.choice(STREETS)}.",
        ])
        customers.append((
            i, first, last, f"{first.lower()}.{last.lower()}{i}@example.com", phone(rng),
            f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", city, state, zipcode,
            born.isoformat(), ssn(rng), rng.choice(PLANS), rng.randint(300, 850),
            created.isoformat(sep=" "), note or None))
    con.executemany("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", customers)
    payments = []
    for i in range(1, n + 1):
        brand, prefix, length = rng.choice([("visa", "4", 16), ("mastercard", "51", 16),
                                            ("amex", "37", 15)])
        routing = luhn_like_routing(rng)
        iban = rng.choice([None, None, "GB82WEST12345698765432", "DE89370400440532013000"])
        payments.append((i, i, luhn_complete(prefix, length, rng), brand, routing, iban))
    con.executemany("INSERT INTO payment_methods VALUES (?,?,?,?,?,?)", payments)
    devices = []
    for i in range(1, n + 1):
        mac = ":".join(f"{rng.randint(0, 255):02x}" for _ in range(6))
        ip = f"198.51.100.{rng.randint(1, 254)}" if i % 2 else f"203.0.113.{rng.randint(1, 254)}"
        devices.append((i, i, luhn_complete("35", 15, rng), mac, ip,
                        f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}"))
    con.executemany("INSERT INTO devices VALUES (?,?,?,?,?,?)", devices)
    calls = []
    for i in range(1, 4 * n + 1):
        started = start + dt.timedelta(seconds=rng.randint(0, 30 * 86400))
        duration = rng.randint(0, 3600)
        answered = rng.random() < 0.8
        calls.append((i, customers[rng.randrange(n)][4], phone(rng),
                      started.isoformat(sep=" "), duration, duration - 5 if answered else 0,
                      "ANSWERED" if answered else rng.choice(["NO ANSWER", "BUSY"]),
                      f"SIP/trunk-{rng.randint(1, 4)}"))
    con.executemany("INSERT INTO call_records VALUES (?,?,?,?,?,?,?,?)", calls)
    stats = [((start + dt.timedelta(days=d)).date().isoformat(), r, rng.randint(1000, 9000),
              round(rng.uniform(60, 300), 1)) for d in range(30) for r in ("north", "south")]
    con.executemany("INSERT INTO network_stats VALUES (?,?,?,?)", stats)
    con.commit()
    con.close()


def luhn_like_routing(rng: random.Random) -> str:
    """A nine-digit ABA routing number with a valid 3-7-1 checksum."""
    while True:
        body = f"{rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 22]):02d}" + \
            "".join(rng.choice("0123456789") for _ in range(6))
        w = [3, 7, 1, 3, 7, 1, 3, 7]
        s = sum(int(d) * w[i] for i, d in enumerate(body))
        check = (10 - s % 10) % 10
        return body + str(check)


def write_billing(path: Path, rng: random.Random, n: int = 1000) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["invoice_no", "account_id", "customer_name", "card_number", "amount_due",
                    "plan", "minutes_used", "billing_address", "invoice_date"])
        for i in range(n):
            city, state, zipcode = rng.choice(CITIES)
            w.writerow([
                f"INV-{100000 + i}", f"AC{rng.randint(100000, 999999)}",
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                luhn_complete("4", 16, rng), f"{rng.uniform(20, 300):.2f}", rng.choice(PLANS),
                rng.randint(0, 3000),
                f"{rng.randint(1, 9999)} {rng.choice(STREETS)}, {city}, {state} {zipcode}",
                (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))).isoformat(),
            ])


def write_weblog(path: Path, rng: random.Random, n: int = 5000) -> None:
    start = dt.datetime(2026, 10, 1)
    pages = ["/", "/account", "/billing", "/support", "/plans", "/login"]
    table = pa.table({
        "ts": pa.array([start + dt.timedelta(seconds=rng.randint(0, 86400 * 30))
                        for _ in range(n)], pa.timestamp("s")),
        "client_ip": [f"{rng.choice(['198.51.100', '203.0.113', '192.0.2'])}.{rng.randint(1, 254)}"
                      for _ in range(n)],
        "user_agent": [rng.choice(AGENTS) for _ in range(n)],
        "path": [rng.choice(pages) for _ in range(n)],
        "status": pa.array([rng.choice([200, 200, 200, 302, 404]) for _ in range(n)], pa.int16()),
        "bytes": pa.array([rng.randint(200, 90_000) for _ in range(n)], pa.int64()),
        "session_id": [f"{rng.getrandbits(64):016x}" for _ in range(n)],
    })
    pq.write_table(table, path)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_database(out / "customers.db", random.Random(SEED))
    write_billing(out / "billing.csv", random.Random(SEED + 1))
    write_weblog(out / "weblog.parquet", random.Random(SEED + 2))
    print(f"example data written to {out}/")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "data")
