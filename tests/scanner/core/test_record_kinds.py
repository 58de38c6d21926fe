"""Record kinds told from column names: SIP and RADIUS accounting in migrations and tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.core.ddl import scan_ddl
from scanner.core.records import kind_from_names
from scanner.policy import Policy

SCHEMA = """
CREATE TABLE radacct (
  radacctid bigserial PRIMARY KEY,
  acctsessionid text NOT NULL,
  username text,
  nasipaddress inet NOT NULL,
  acctstarttime timestamp with time zone,
  acctsessiontime bigint,
  acctinputoctets bigint,
  acctoutputoctets bigint,
  callingstationid text,
  acctterminatecause text,
  framedipaddress inet
);
CREATE TABLE acc (
  id serial PRIMARY KEY,
  method varchar(16) NOT NULL DEFAULT '',
  from_tag varchar(128) NOT NULL DEFAULT '',
  to_tag varchar(128) NOT NULL DEFAULT '',
  callid varchar(255) NOT NULL DEFAULT '',
  sip_code varchar(3) NOT NULL DEFAULT '',
  sip_reason varchar(128) NOT NULL DEFAULT '',
  time timestamp NOT NULL,
  src_user varchar(64),
  dst_user varchar(64)
);
"""


def test_migrations_of_sip_and_radius_accounting(tmp_path: Path) -> None:
    path = tmp_path / "001_accounting.sql"
    path.write_text(SCHEMA, encoding="utf-8")
    result = scan_ddl([path], Policy.load(None))
    tables = {t.name: t for s in result.result.sources for t in s.tables}
    acc, radacct = tables["acc"], tables["radacct"]
    assert acc.is_call_record and not radacct.is_call_record
    assert (acc.record_kind, radacct.record_kind) == ("call_detail", "subscriber_usage")
    found = {(t.name, c.ref.column): (set(c.entities), c.cpni)
             for t in (acc, radacct) for c in t.columns}
    assert found[("acc", "src_user")] == ({"CALL_DETAIL"}, True)
    assert found[("acc", "sip_code")] == ({"CALL_DETAIL"}, True)
    assert found[("acc", "callid")] == (set(), False)
    assert found[("radacct", "username")] == ({"ACCOUNT_ID"}, False)
    assert found[("radacct", "acctsessiontime")] == ({"SERVICE_USAGE"}, True)
    assert found[("radacct", "callingstationid")][0] == {"MAC_ADDRESS"}
    assert found[("radacct", "acctsessionid")] == (set(), False)


@pytest.mark.parametrize(("names", "kind"), [
    (["id", "method", "from_tag", "to_tag", "callid", "sip_code", "sip_reason", "time"],
     "call_detail"),
    (["cdr_id", "src_username", "dst_username", "call_start_time", "duration", "sip_call_id"],
     "call_detail"),
    (["UserName", "AcctSessionId", "AcctStartTime", "AcctStopTime", "AcctSessionTime",
      "AcctInputOctets", "FramedIPAddress"], "subscriber_usage"),
    (["Phone", "Day Mins", "Day Calls", "Day Charge", "Night Mins", "Intl Calls"],
     "subscriber_usage"),
    (["address", "hwaddr", "client_id", "valid_lifetime", "expire", "subnet_id", "hostname"],
     "ip_assignment"),
    (["id", "method", "time"], None),
    (["name", "email", "signup_time", "plan"], None),
])
def test_kinds_from_names(names: list[str], kind: str | None) -> None:
    assert kind_from_names(names).kind == kind
