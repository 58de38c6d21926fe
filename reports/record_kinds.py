"""Short, readable names for a table's record kind: "call records (FreeSWITCH CSV)".

A scan result says what a table's records are (``record_kind``) and which
format its connector recognised (``format``). Reports show the two together,
briefly, so a reader sees at a glance that a file is RADIUS accounting or a
Zeek log without reading the JSON.
"""

from __future__ import annotations

#: What each record kind is called in a report.
KIND_TITLES: dict[str, str] = {
    "call_detail": "call records",
    "messaging": "messaging records",
    "subscriber_usage": "subscriber usage",
    "ip_assignment": "IP assignments",
    "network_log": "network log",
}

#: How the formats connectors recognise are called in a report.
FORMAT_TITLES: dict[str, str] = {
    "asterisk-cdr-csv": "Asterisk CSV",
    "asterisk-cdr-custom": "Asterisk cdr_custom",
    "avaya-ipo-smdr": "Avaya IP Office SMDR",
    "cisco-cucm-cdr": "Cisco CUCM CDR",
    "cisco-cucm-cmr": "Cisco CUCM CMR",
    "freeswitch-cdr-csv": "FreeSWITCH CSV",
    "generic-call-log": "recognised by content",
    "smdr-fixed-width": "fixed-width SMDR",
    "freeradius-detail": "RADIUS accounting, FreeRADIUS detail",
    "isc-dhcpd-leases": "ISC dhcpd.leases",
    "zeek-log": "Zeek log",
    "w3c-extended-log": "W3C extended log",
    "syslog": "syslog",
    "access-log": "web access log",
    "kamailio-acc": "Kamailio/OpenSIPS acc",
    "kamailio-cdrs": "Kamailio cdrs",
    "freeradius-radacct": "RADIUS accounting, radacct",
    "kea-leases": "Kea leases",
}

#: Container formats: they say nothing about what the records are.
_CONTAINERS = frozenset({"delimited-text", "parquet", "json-lines", "json-array"})


def kind_label(kind: str | None, fmt: str | None) -> str | None:
    """Return ``call records (FreeSWITCH CSV)``, ``subscriber usage (RADIUS accounting ...)``.

    A table in a container format (CSV, Parquet, JSON, SQL) is named by its kind
    alone: ``subscriber usage``. None when its records are of no known kind.
    """
    if not kind:
        return None
    title = KIND_TITLES.get(kind, kind.replace("_", " "))
    if fmt and fmt not in _CONTAINERS:
        return f"{title} ({FORMAT_TITLES.get(fmt, fmt)})"
    return title
