"""A small data lake on local disk: the formats a carrier keeps in buckets.

``build_lake(root)`` writes delimited text (plain, gzip, zstd), JSON Lines,
an access log, a call-record CSV and a hive-partitioned Parquet dataset with
a stray README. Values are synthetic; the same folder is scanned locally,
through the S3 test server and through Dask.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Ken", "Margaret"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Thompson", "Hamilton"]


def _ssn(rng: random.Random) -> str:
    return f"{rng.randint(100, 665):03d}-{rng.randint(10, 99):02d}-{rng.randint(1000, 9999):04d}"


def _phone(rng: random.Random) -> str:
    return f"+1-{rng.randint(201, 989)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"


def customers(n: int, seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append({
            "customer_id": f"C{100000 + i}",
            "full_name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{i}@example.com",
            "phone": _phone(rng),
            "ssn": _ssn(rng),
            "plan": rng.choice(["fiber-1g", "fiber-300", "dsl-25"]),
        })
    return rows


def _csv(rows: list[dict[str, str]], sep: str = ",") -> str:
    head = sep.join(rows[0])
    return head + "\n" + "\n".join(sep.join(r.values()) for r in rows) + "\n"


def write_dataset(root: Path, files: int, rows_per_file: int, seed: int = 7,
                  row_group_size: int | None = None) -> None:
    """A hive-partitioned Parquet dataset: ``month=YYYY-MM/part-N.parquet``."""
    rng = random.Random(seed)
    for f in range(files):
        month = f"2024-{1 + f % 12:02d}"
        folder = root / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        rows = customers(rows_per_file, seed=seed * 1000 + f)
        table = pa.table({
            "subscriber_email": [r["email"] for r in rows],
            "msisdn": [r["phone"] for r in rows],
            "bytes_up": pa.array([rng.randint(0, 10**9) for _ in rows], pa.int64()),
            "note": [rng.choice(["ok", "renewed", "moved"]) for _ in rows],
        })
        pq.write_table(table, folder / f"part-{f:05d}.parquet",
                       row_group_size=row_group_size or rows_per_file)


def build_lake(root: Path) -> Path:
    """Write the lake under ``root`` and return it."""
    import pyarrow as pa_  # zstd through pyarrow's codec

    root.mkdir(parents=True, exist_ok=True)
    rows = customers(300)
    (root / "crm").mkdir(exist_ok=True)
    (root / "crm" / "customers.csv").write_text(_csv(rows))
    with gzip.open(root / "crm" / "customers_eu.tsv.gz", "wt") as fh:
        fh.write(_csv(customers(200, seed=2), "\t"))
    with pa_.CompressedOutputStream(str(root / "crm" / "accounts.csv.zst"), "zstd") as out:
        out.write(_csv(customers(150, seed=3)).encode())
    with (root / "events.jsonl").open("w") as fh:
        for r in customers(200, seed=4):
            fh.write(json.dumps({"user": {"email": r["email"], "name": r["full_name"]},
                                 "action": "login"}) + "\n")
    rng = random.Random(5)
    with (root / "access.log").open("w") as fh:
        for i in range(200):
            ip = f"203.0.113.{rng.randint(1, 254)}"
            fh.write(f'{ip} - - [10/Oct/2024:13:55:{i % 60:02d} -0700] "GET /account?id={i} '
                     f'HTTP/1.1" 200 {rng.randint(100, 5000)} "-" "Mozilla/5.0"\n')
    cdr = ["accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,"
           "answer,end,duration,billsec,disposition,amaflags,uniqueid"]
    for i in range(200):
        src, dst = f"2125550{rng.randint(100, 999)}", f"3105551{rng.randint(100, 999)}"
        cdr.append(f'1001,{src},{dst},from-internal,"Caller" <{src}>,SIP/100-{i:08x},'
                   f"SIP/trunk-{i:08x},Dial,SIP/trunk/{dst},2024-10-10 10:00:{i % 60:02d},"
                   f"2024-10-10 10:00:{i % 60:02d},2024-10-10 10:05:00,300,290,ANSWERED,"
                   f"DOCUMENTATION,1728554400.{i}")
    (root / "cdr").mkdir(exist_ok=True)
    (root / "cdr" / "Master.csv").write_text("\n".join(cdr) + "\n")
    write_dataset(root / "usage", files=12, rows_per_file=400)
    (root / "usage" / "README.txt").write_text("Monthly usage export. Owner: data team.\n")
    return root
