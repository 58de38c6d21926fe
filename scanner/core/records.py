"""Record kinds: what a whole table holds, told from its column names.

A connector that recognised a format says what its records are (a CDR file
holds call details). For any other table (a SQL table, a CSV export) the
scan tells the kind from the column names of documented schemas:

* SIP proxy accounting: Kamailio/OpenSIPS ``acc`` and ``missed_calls``
  (method, from_tag, to_tag, callid, sip_code, sip_reason, time, plus the
  extra src_user/dst_user/src_domain/dst_domain... columns the acc module's
  ``acc_extra`` adds) and Kamailio's ``cdrs`` (src_username, dst_username,
  call_start_time, duration, sip_call_id, sip_from_tag, sip_to_tag, cost):
  call details;
* FreeRADIUS ``radacct`` (UserName, AcctSessionId, NASIPAddress,
  AcctStartTime, AcctStopTime, AcctSessionTime, AcctInputOctets,
  AcctOutputOctets, CalledStationId, CallingStationId, FramedIPAddress ...):
  subscriber usage, never a call record;
* per-subscriber usage aggregates (minutes, calls and charges by period,
  voicemail counts): subscriber usage.

A schema also says what some of its fields are when their names alone would
not (``src_user`` is a call party, ``UserName`` an account, ``AcctInputOctets``
usage): those claims are added to the column with the schema as the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from connectors.cdr.generic import call_log_shape

#: Kinds whose records are calling or messaging details (CPNI with their parties).
DETAIL_KINDS = frozenset({"call_detail", "messaging"})


def compact(name: str) -> str:
    """Drop case, blanks and punctuation: ``Acct-Session-Id`` → ``acctsessionid``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class RecordSchema:
    """A documented table layout recognised from its column names."""

    name: str
    #: None for a schema that says what its fields are but not what kind of record it is.
    kind: str | None
    #: Compact column names that identify the schema, and how many must be present.
    signature: frozenset[str]
    min_signature: int
    #: Compact column name -> entity the schema says the column holds.
    fields: dict[str, str] = field(default_factory=dict)
    #: With ``requires_any``, at least one of these compact names must be present too.
    requires_any: frozenset[str] = frozenset()
    #: Compact names of the schema's bookkeeping fields (session and call ids,
    #: tags, causes): what their names suggest (``Acct`` is not an account) is
    #: dropped, and so is what is found inside their text (a Call-ID's host).
    plain: frozenset[str] = frozenset()
    #: Each file holds one subscriber's records (bandicoot's per-user files):
    #: usage in it is tied to a person even without a customer column.
    per_subscriber: bool = False

    def score(self, names: set[str]) -> int:
        """How many signature columns ``names`` has (0 when the schema does not fit)."""
        hits = len(self.signature & names)
        if hits < self.min_signature:
            return 0
        if self.requires_any and not self.requires_any & names:
            return 0
        return hits


_SIP_PARTIES = ("srcuser", "dstuser", "dstouser", "srcusername", "dstusername",
                "dstousername", "fromuser", "touser", "ruser", "ouser", "callerid", "calleeid")
SIP_ACC = RecordSchema(
    name="Kamailio/OpenSIPS acc (SIP accounting)",
    kind="call_detail",
    signature=frozenset({"method", "fromtag", "totag", "callid", "sipcode", "sipreason",
                         "time", "srcuser", "dstuser", "srcdomain", "dstdomain", "dstouser",
                         "setuptime", "duration", "mstime", "msduration"}),
    min_signature=4,
    requires_any=frozenset({"callid", "fromtag", "totag", "sipcode"}),
    plain=frozenset({"id", "method", "fromtag", "totag", "callid", "srcdomain", "dstdomain"}),
    fields={**dict.fromkeys(_SIP_PARTIES, "CALL_DETAIL"),
            "time": "CALL_DETAIL", "sipcode": "CALL_DETAIL", "sipreason": "CALL_DETAIL",
            "duration": "CALL_DETAIL", "setuptime": "CALL_DETAIL", "msduration": "CALL_DETAIL",
            "mstime": "CALL_DETAIL"},
)
SIP_CDRS = RecordSchema(
    name="Kamailio cdrs (SIP call records)",
    kind="call_detail",
    signature=frozenset({"srcusername", "dstusername", "dstousername", "srcdomain", "dstdomain",
                         "callstarttime", "duration", "sipcallid", "sipfromtag", "siptotag",
                         "srcip", "cost", "rated"}),
    min_signature=4,
    requires_any=frozenset({"sipcallid", "sipfromtag", "siptotag", "callstarttime"}),
    plain=frozenset({"cdrid", "sipcallid", "sipfromtag", "siptotag", "srcdomain", "dstdomain",
                     "rated"}),
    fields={**dict.fromkeys(_SIP_PARTIES, "CALL_DETAIL"),
            "callstarttime": "CALL_DETAIL", "duration": "CALL_DETAIL", "cost": "SERVICE_USAGE"},
)
RADACCT = RecordSchema(
    name="FreeRADIUS radacct (RADIUS accounting sessions)",
    kind="subscriber_usage",
    signature=frozenset({"acctsessionid", "acctuniqueid", "nasipaddress", "nasportid",
                         "acctstarttime", "acctstoptime", "acctupdatetime", "acctsessiontime",
                         "acctinputoctets", "acctoutputoctets", "acctterminatecause",
                         "framedipaddress", "calledstationid", "callingstationid",
                         "acctauthentic", "framedprotocol", "servicetype", "acctstatustype",
                         "nasidentifier", "acctdelaytime"}),
    min_signature=4,
    requires_any=frozenset({"acctsessionid", "acctsessiontime", "acctinputoctets",
                            "acctstarttime", "acctuniqueid"}),
    plain=frozenset({"radacctid", "acctsessionid", "acctuniqueid", "acctinterval",
                     "acctauthentic", "acctterminatecause", "nasportid", "nasporttype",
                     "connectinfostart", "connectinfostop", "servicetype", "framedprotocol",
                     "realm", "groupname", "class", "acctstatustype", "acctdelaytime",
                     "nasidentifier", "acctuniquesessionid", "recordtime", "timestamp",
                     "nasport"}),
    fields={"username": "ACCOUNT_ID", "framedipaddress": "IP_ADDRESS",
            "framedipv6address": "IP_ADDRESS", "callingstationid": "MAC_ADDRESS",
            "acctsessiontime": "SERVICE_USAGE", "acctinputoctets": "SERVICE_USAGE",
            "acctoutputoctets": "SERVICE_USAGE", "acctinputgigawords": "SERVICE_USAGE",
            "acctoutputgigawords": "SERVICE_USAGE", "acctinputpackets": "SERVICE_USAGE",
            "acctoutputpackets": "SERVICE_USAGE", "acctstarttime": "SERVICE_USAGE",
            "acctstoptime": "SERVICE_USAGE", "acctupdatetime": "SERVICE_USAGE",
            "eventtimestamp": "SERVICE_USAGE"},
)
AVAYA_SMDR = RecordSchema(
    name="Avaya IP Office SMDR",
    kind="call_detail",
    signature=frozenset({"callstart", "connectedtime", "ringtime", "caller", "direction",
                         "callednumber", "diallednumber", "isinternal", "continuation",
                         "party1device", "party1name", "party2device", "party2name",
                         "holdtime", "parktime", "callcharge", "externaltargetednumber"}),
    min_signature=6,
    requires_any=frozenset({"party1device", "party1name", "connectedtime"}),
    plain=frozenset({"callid", "continuation", "isinternal", "authvalid", "currency",
                     "externaltargetingcause", "externaltargeterid",
                     "uniquecallidforthecallerextension", "uniquecallidforthecalledextension",
                     "costperunit", "markup"}),
    fields={"party1device": "CALL_DETAIL", "party2device": "CALL_DETAIL",
            "party1name": "PERSON_NAME", "party2name": "PERSON_NAME",
            "externaltargetednumber": "CALL_DETAIL", "callcharge": "SERVICE_USAGE",
            "callunits": "SERVICE_USAGE", "amountatlastuserchange": "SERVICE_USAGE",
            "unitsatlastuserchange": "SERVICE_USAGE", "usercharged": "ACCOUNT_ID",
            "smdrrecordtime": "CALL_DETAIL"},
)
DHCPD_LEASES = RecordSchema(
    name="ISC dhcpd.leases",
    kind="ip_assignment",
    signature=frozenset({"leaseaddress", "starts", "ends", "cltt", "bindingstate",
                         "hardwareethernet", "uid", "clienthostname", "tstp", "tsfp"}),
    min_signature=4,
    requires_any=frozenset({"leaseaddress", "hardwareethernet"}),
    plain=frozenset({"bindingstate", "nextbindingstate", "rewindbindingstate"}),
    fields={"leaseaddress": "IP_ADDRESS", "hardwareethernet": "MAC_ADDRESS",
            "uid": "MAC_ADDRESS"},
)
#: Kea's memfile lease CSVs (``kea-leases4.csv``/``kea-leases6.csv`` headers).
KEA_LEASES = RecordSchema(
    name="Kea DHCP lease file",
    kind="ip_assignment",
    signature=frozenset({"address", "hwaddr", "clientid", "validlifetime", "expire",
                         "subnetid", "fqdnfwd", "fqdnrev", "hostname", "state", "usercontext",
                         "duid", "preflifetime", "leasetype", "iaid", "prefixlen"}),
    min_signature=5,
    requires_any=frozenset({"validlifetime", "subnetid", "fqdnfwd"}),
    plain=frozenset({"subnetid", "fqdnfwd", "fqdnrev", "state", "leasetype", "iaid",
                     "prefixlen", "validlifetime", "preflifetime"}),
    fields={"address": "IP_ADDRESS", "hwaddr": "MAC_ADDRESS", "clientid": "MAC_ADDRESS",
            "duid": "DEVICE_ID"},
)
#: bandicoot's documented per-user input files: records and recharges.
BANDICOOT_RECORDS = RecordSchema(
    name="bandicoot per-user records",
    kind="call_detail",
    signature=frozenset({"interaction", "direction", "correspondentid", "datetime",
                         "callduration", "antennaid"}),
    min_signature=4,
    requires_any=frozenset({"correspondentid", "interaction"}),
    fields=dict.fromkeys(("interaction", "direction", "correspondentid", "datetime",
                          "callduration", "antennaid"), "CALL_DETAIL"),
    per_subscriber=True,
)
BANDICOOT_RECHARGES = RecordSchema(
    name="bandicoot per-user recharges",
    kind="subscriber_usage",
    signature=frozenset({"datetime", "amount", "retailerid"}),
    min_signature=3,
    plain=frozenset({"retailerid"}),
    fields={"amount": "SERVICE_USAGE"},
    per_subscriber=True,
)
#: W3C extended log fields (WD-logfile-960323 identifiers, IIS's names).
W3C_LOG = RecordSchema(
    name="W3C extended log",
    kind="network_log",
    signature=frozenset({"date", "time", "sip", "csmethod", "csuristem", "csuriquery", "sport",
                         "csusername", "cip", "csuseragent", "scstatus", "scsubstatus",
                         "scwin32status", "timetaken", "csversion", "cshost", "scbytes",
                         "csbytes", "csreferer"}),
    min_signature=5,
    requires_any=frozenset({"csmethod", "csuristem", "scstatus", "cip"}),
    plain=frozenset({"date", "time", "csmethod", "csuristem", "csuriquery", "sport", "scstatus",
                     "scsubstatus", "scwin32status", "timetaken", "csversion", "scbytes",
                     "csbytes", "ssitename", "scomputername"}),
    fields={"csusername": "ACCOUNT_ID", "cip": "IP_ADDRESS", "csuseragent": "USER_AGENT",
            "cdns": "IP_ADDRESS"},
)
#: Zeek's log fields (conn, http, dns, dhcp, ssh ... as its scripts document them).
ZEEK_LOG = RecordSchema(
    name="Zeek log",
    kind="network_log",
    signature=frozenset({"ts", "uid", "uids", "idorigh", "idorigp", "idresph", "idrespp",
                         "proto", "service", "connstate", "history", "clientaddr", "serveraddr",
                         "mac", "assignedaddr", "leasetime", "msgtypes", "useragent", "method",
                         "host", "uri", "statuscode", "query", "qtype"}),
    min_signature=4,
    requires_any=frozenset({"idorigh", "idresph", "clientaddr", "assignedaddr"}),
    plain=frozenset({"ts", "uid", "uids", "idorigp", "idrespp", "proto", "service", "duration",
                     "origbytes", "respbytes", "connstate", "localorig", "localresp",
                     "missedbytes", "history", "origpkts", "origipbytes", "resppkts",
                     "respipbytes", "tunnelparents", "transid", "transdepth", "method",
                     "statuscode", "statusmsg", "qclass", "qclassname", "qtype", "qtypename",
                     "rcode", "rcodename", "msgtypes", "leasetime", "version"}),
    fields={"idorigh": "IP_ADDRESS", "idresph": "IP_ADDRESS", "clientaddr": "IP_ADDRESS",
            "assignedaddr": "IP_ADDRESS", "requestedaddr": "IP_ADDRESS", "mac": "MAC_ADDRESS",
            "useragent": "USER_AGENT", "username": "ACCOUNT_ID", "user": "ACCOUNT_ID"},
)
#: The columns the syslog connector extracts from login and mail daemons' messages.
SYSLOG = RecordSchema(
    name="syslog",
    kind="network_log",
    # Every line has the first four; the connector adds the others only when some
    # line holds them.
    signature=frozenset({"timestamp", "hostname", "programpid", "user", "sourceaddress",
                         "sourceport", "destinationaddress", "sourcemac", "destinationmac",
                         "keyfingerprint", "mailfrom", "mailto", "message"}),
    min_signature=4,
    requires_any=frozenset({"programpid"}),
    plain=frozenset({"timestamp", "hostname", "programpid", "sourceport", "keyfingerprint",
                     "mailfrom", "mailto", "message"}),
    fields={"user": "ACCOUNT_ID", "sourceaddress": "IP_ADDRESS",
            "destinationaddress": "IP_ADDRESS", "sourcemac": "MAC_ADDRESS",
            "destinationmac": "MAC_ADDRESS"},
)
#: Directory entries of people (LDAP ``inetOrgPerson``/``posixAccount``, RFC 4519 and
#: RFC 2798; Active Directory's user attributes), exported as a table: ``cn`` is the
#: person's common name and ``sn`` the surname (not a serial number), ``uid`` and
#: ``sAMAccountName`` the login. A directory's own markers (a DN, the object class, an AD
#: login) and an attribute only a person's entry has must be there: a table of groups
#: (``cn``, ``member``, ``gidNumber``) is no directory of people.
LDAP_PERSON = RecordSchema(
    name="directory of people (LDAP inetOrgPerson)",
    kind=None,
    signature=frozenset({"dn", "distinguishedname", "objectclass", "cn", "sn", "givenname",
                         "uid", "mail", "telephonenumber", "displayname", "samaccountname",
                         "userprincipalname", "ou", "memberof", "uidnumber", "gidnumber",
                         "homedirectory", "loginshell", "gecos", "employeenumber",
                         "objectguid", "objectsid", "initials", "mobile", "homephone"}),
    min_signature=4,
    requires_any=frozenset({"sn", "givenname", "displayname", "samaccountname",
                            "userprincipalname", "gecos", "initials"}),
    plain=frozenset({"objectclass", "objectguid", "objectsid", "uidnumber", "gidnumber",
                     "loginshell", "homedirectory", "ou", "memberof"}),
    fields={"cn": "PERSON_NAME", "sn": "PERSON_NAME", "givenname": "PERSON_NAME",
            "displayname": "PERSON_NAME", "gecos": "PERSON_NAME", "initials": "PERSON_NAME",
            "uid": "ACCOUNT_ID", "samaccountname": "ACCOUNT_ID",
            "userprincipalname": "ACCOUNT_ID", "dn": "ACCOUNT_ID",
            "distinguishedname": "ACCOUNT_ID", "mail": "EMAIL_ADDRESS",
            "telephonenumber": "PHONE_NUMBER", "mobile": "PHONE_NUMBER",
            "homephone": "PHONE_NUMBER", "employeenumber": "ACCOUNT_ID"},
)
SCHEMAS: tuple[RecordSchema, ...] = (SIP_ACC, SIP_CDRS, RADACCT, AVAYA_SMDR, DHCPD_LEASES,
                                     KEA_LEASES, BANDICOOT_RECORDS, BANDICOOT_RECHARGES,
                                     W3C_LOG, ZEEK_LOG, SYSLOG, LDAP_PERSON)

# Usage aggregates: a quantity word, optionally a period or service word.
_USAGE_QUANTITY = re.compile(
    r"(?:minutes|mins|calls|charges?|messages|msgs|sms|texts|mb|gb|kb|bytes|octets|usage|"
    r"seconds|secs)$")
_USAGE_CONTEXT = re.compile(
    r"(?:day|eve|evening|night|intl|international|roaming|local|ld|vmail|voicemail|total|"
    r"peak|offpeak|weekend|data|voice|custserv|customerservice|service)")


def usage_columns(names: Sequence[str]) -> list[str]:
    """Pick the per-period usage counts (``total_day_minutes``, ``number_vmail_messages``)."""
    out = []
    for name in names:
        c = compact(name)
        if _USAGE_QUANTITY.search(c) and (_USAGE_CONTEXT.search(c) or c in {"minutes", "calls"}):
            out.append(name)
    return out


@dataclass(frozen=True)
class RecordKind:
    """What a table holds, why, and the schema whose fields say more (if any)."""

    kind: str | None
    reason: str | None = None
    schema: RecordSchema | None = None

    def is_plain(self, column: str) -> bool:
        """Tell whether the schema documents ``column`` as bookkeeping (ids, tags, causes)."""
        return self.schema is not None and compact(column) in self.schema.plain

    def entity_for(self, column: str) -> str | None:
        """Return the entity the recognised schema gives ``column`` (None when it says nothing)."""
        if self.schema is None:
            return None
        return self.schema.fields.get(compact(column))


def kind_from_names(names: Sequence[str]) -> RecordKind:
    """Recognise a documented schema or a usage aggregate from a table's column names."""
    present = {compact(n) for n in names}
    best: tuple[int, RecordSchema] | None = None
    for schema in SCHEMAS:
        s = schema.score(present)
        if s and (best is None or s > best[0]):
            best = (s, schema)
    if best is not None:
        s, schema = best
        return RecordKind(schema.kind, f"columns of a {schema.name} table ({s} of its fields)",
                          schema)
    shape = call_log_schema(names)
    if shape is not None:
        return shape
    usage = usage_columns(names)
    if len(usage) >= 3:
        return RecordKind("subscriber_usage",
                          f"per-period usage counts ({', '.join(usage[:3])} ...)")
    return RecordKind(None)


#: What a call log's columns are, by the role its names give them (see
#: ``connectors.cdr.generic.call_log_shape``): the parties, times, durations and
#: directions are calling details; the serving cell is where the subscriber was;
#: the cost is the billing for the service.
_ROLE_ENTITIES = {"party": "CALL_DETAIL", "time": "CALL_DETAIL", "duration": "CALL_DETAIL",
                  "direction": "CALL_DETAIL", "cell": "GEO_LOCATION", "cost": "SERVICE_USAGE"}


def call_log_schema(names: Sequence[str], confirmed: bool = False) -> RecordKind | None:
    """Read a table without a vendor layout as a call or messaging log from its columns.

    ``confirmed``: a connector already knows the table for a call log (its
    values bore the shape out), so plain names that need values count too.
    """
    shape = call_log_shape(names)
    if shape is None or not (shape.by_names or confirmed):
        return None
    schema = RecordSchema(
        name="call log", kind=shape.kind,
        signature=frozenset(compact(n) for n in shape.roles), min_signature=1,
        fields={compact(n): _ROLE_ENTITIES[r] for n, r in shape.roles.items()},
        # The parties are subscribers: a call's cost is billing tied to one of them.
        per_subscriber=True)
    return RecordKind(shape.kind, shape.evidence, schema)
