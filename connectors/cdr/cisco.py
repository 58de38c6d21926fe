"""Cisco Unified Communications Manager CDR and CMR flat files.

CUCM's CDR Repository writes comma-separated files whose first line names the
fields and whose second line gives their SQL types (``INTEGER``,
``VARCHAR(50)``, ``UNIQUEIDENTIFIER``); records follow, text values quoted.
CDRs (``cdrRecordType`` 1) and CMRs (call management / quality records,
``cdrRecordType`` 2) go to separate files.

Typing follows the CDR Administration Guide:

* ``dateTime*`` fields are Unix epoch seconds (UTC); 0 means "did not happen"
  and becomes null.
* IPv4 fields (``origIpAddr``, ``destIpAddr``, ``*TransportAddress_IP``...)
  are signed 32-bit integers holding the address in little-endian byte order:
  239138826 = 0x0E40F80A, bytes 0A F8 40 0E = 10.248.64.14. They become
  dotted strings; 0 (absent) becomes null.
* Other ``INTEGER`` fields are int64; directory numbers stay text.

Files without the two header lines are recognised by their field count and
value shapes (record type 1 or 2, integer call ids, an epoch timestamp where
the spec puts one); fields are then named from the documented CUCM 14 order,
which later releases only extend at the end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from connectors.base import ConnectorOptions
from connectors.cdr.base import CdrSource
from connectors.cdr.layout import Field, Layout
from connectors.cdr.sniff import (
    CLAIM_STRONG,
    EPOCH,
    Detected,
    fraction,
    head_lines,
    is_int,
    split_records,
)
from connectors.registry import register

CDR_FORMAT = "cisco-cucm-cdr"
CMR_FORMAT = "cisco-cucm-cmr"

#: CDR fields in the documented CUCM 14 order.
CDR_FIELDS = """
cdrRecordType globalCallID_callManagerId globalCallID_callId origLegCallIdentifier
dateTimeOrigination origNodeId origSpan origIpAddr callingPartyNumber
callingPartyUnicodeLoginUserID origCause_location origCause_value origPrecedenceLevel
origMediaTransportAddress_IP origMediaTransportAddress_Port origMediaCap_payloadCapability
origMediaCap_maxFramesPerPacket origMediaCap_g723BitRate origVideoCap_Codec
origVideoCap_Bandwidth origVideoCap_Resolution origVideoTransportAddress_IP
origVideoTransportAddress_Port origRSVPAudioStat origRSVPVideoStat destLegIdentifier
destNodeId destSpan destIpAddr originalCalledPartyNumber finalCalledPartyNumber
finalCalledPartyUnicodeLoginUserID destCause_location destCause_value destPrecedenceLevel
destMediaTransportAddress_IP destMediaTransportAddress_Port destMediaCap_payloadCapability
destMediaCap_maxFramesPerPacket destMediaCap_g723BitRate destVideoCap_Codec
destVideoCap_Bandwidth destVideoCap_Resolution destVideoTransportAddress_IP
destVideoTransportAddress_Port destRSVPAudioStat destRSVPVideoStat dateTimeConnect
dateTimeDisconnect lastRedirectDn pkid originalCalledPartyNumberPartition
callingPartyNumberPartition finalCalledPartyNumberPartition lastRedirectDnPartition duration
origDeviceName destDeviceName origCallTerminationOnBehalfOf destCallTerminationOnBehalfOf
origCalledPartyRedirectOnBehalfOf lastRedirectRedirectOnBehalfOf
origCalledPartyRedirectReason lastRedirectRedirectReason destConversationId
globalCallId_ClusterID joinOnBehalfOf comment authCodeDescription authorizationLevel
clientMatterCode origDTMFMethod destDTMFMethod callSecuredStatus origConversationId
origMediaCap_Bandwidth destMediaCap_Bandwidth authorizationCodeValue
outpulsedCallingPartyNumber outpulsedCalledPartyNumber origIpv4v6Addr destIpv4v6Addr
origVideoCap_Codec_Channel2 origVideoCap_Bandwidth_Channel2 origVideoCap_Resolution_Channel2
origVideoTransportAddress_IP_Channel2 origVideoTransportAddress_Port_Channel2
origVideoChannel_Role_Channel2 destVideoCap_Codec_Channel2 destVideoCap_Bandwidth_Channel2
destVideoCap_Resolution_Channel2 destVideoTransportAddress_IP_Channel2
destVideoTransportAddress_Port_Channel2 destVideoChannel_Role_Channel2 IncomingProtocolID
IncomingProtocolCallRef OutgoingProtocolID OutgoingProtocolCallRef currentRoutingReason
origRoutingReason lastRedirectingRoutingReason huntPilotPartition huntPilotDN
calledPartyPatternUsage IncomingICID IncomingOrigIOI IncomingTermIOI OutgoingICID
OutgoingOrigIOI OutgoingTermIOI outpulsedOriginalCalledPartyNumber
outpulsedLastRedirectingNumber wasCallQueued totalWaitTimeInQueue callingPartyNumber_uri
originalCalledPartyNumber_uri finalCalledPartyNumber_uri lastRedirectDn_uri
mobileCallingPartyNumber finalMobileCalledPartyNumber origMobileDeviceName
destMobileDeviceName origMobileCallDuration destMobileCallDuration mobileCallType
originalCalledPartyPattern finalCalledPartyPattern lastRedirectingPartyPattern
huntPilotPattern origDeviceType destDeviceType origDeviceSessionID destDeviceSessionID
""".split()

#: CMR fields in the documented CUCM 14 order.
CMR_FIELDS = """
cdrRecordType globalCallID_callManagerId globalCallID_callId nodeId directoryNum
callIdentifier dateTimeStamp numberPacketsSent numberOctetsSent numberPacketsReceived
numberOctetsReceived numberPacketsLost jitter latency pkid directoryNumPartition
globalCallId_ClusterID deviceName varVQMetrics duration videoContentType videoDuration
numberVideoPacketsSent numberVideoOctetsSent numberVideoPacketsReceived
numberVideoOctetsReceived numberVideoPacketsLost videoAverageJitter videoRoundTripTime
videoOneWayDelay videoReceptionMetrics videoTransmissionMetrics videoContentType_channel2
videoDuration_channel2 numberVideoPacketsSent_channel2 numberVideoOctetsSent_channel2
numberVideoPacketsReceived_channel2 numberVideoOctetsReceived_channel2
numberVideoPacketsLost_channel2 videoAverageJitter_channel2 videoRoundTripTime_channel2
videoOneWayDelay_channel2 videoReceptionMetrics_channel2 videoTransmissionMetrics_channel2
localSessionID remoteSessionID headsetSN headsetMetrics
""".split()

#: Fields the guide declares as text (VARCHAR or UNIQUEIDENTIFIER); the rest are INTEGER.
TEXT_FIELDS = frozenset(
    """
callingPartyNumber callingPartyUnicodeLoginUserID origRSVPAudioStat origRSVPVideoStat
originalCalledPartyNumber finalCalledPartyNumber finalCalledPartyUnicodeLoginUserID
destRSVPAudioStat destRSVPVideoStat lastRedirectDn pkid originalCalledPartyNumberPartition
callingPartyNumberPartition finalCalledPartyNumberPartition lastRedirectDnPartition
origDeviceName destDeviceName globalCallId_ClusterID comment authCodeDescription
clientMatterCode authorizationCodeValue outpulsedCallingPartyNumber
outpulsedCalledPartyNumber origIpv4v6Addr destIpv4v6Addr IncomingProtocolCallRef
OutgoingProtocolCallRef huntPilotPartition huntPilotDN IncomingICID IncomingOrigIOI
IncomingTermIOI OutgoingICID OutgoingOrigIOI OutgoingTermIOI
outpulsedOriginalCalledPartyNumber outpulsedLastRedirectingNumber callingPartyNumber_uri
originalCalledPartyNumber_uri finalCalledPartyNumber_uri lastRedirectDn_uri
mobileCallingPartyNumber finalMobileCalledPartyNumber origMobileDeviceName
destMobileDeviceName originalCalledPartyPattern finalCalledPartyPattern
lastRedirectingPartyPattern huntPilotPattern origDeviceType destDeviceType
origDeviceSessionID destDeviceSessionID
directoryNum directoryNumPartition deviceName varVQMetrics videoContentType
videoReceptionMetrics videoTransmissionMetrics videoContentType_channel2
videoReceptionMetrics_channel2 videoTransmissionMetrics_channel2 localSessionID
remoteSessionID headsetSN headsetMetrics
""".split()
)

SQL_TYPE = re.compile(
    r"^(?:INTEGER|INT|SMALLINT|BIGINT|VARCHAR\(\d+\)|N?CHAR\(\d+\)|UNIQUEIDENTIFIER|"
    r"DATETIME|BOOLEAN|TEXT)$",
    re.I,
)
_IPV4_INT = re.compile(r"(?:IpAddr|_IP|_IP_Channel2)$")
_NUMBER_LIKE = re.compile(r"(?:Number|Dn|DN|Num)$")


def field_for(name: str, sql_type: str | None) -> Field:
    """Type one CUCM field from its name and declared (or documented) SQL type."""
    if sql_type is not None:
        integer = sql_type.upper() in {"INTEGER", "INT", "SMALLINT", "BIGINT"}
    else:
        integer = name not in TEXT_FIELDS and name in _KNOWN
    if integer and name.startswith("dateTime"):
        return Field(name, "epoch")
    if integer and _IPV4_INT.search(name):
        return Field(name, "ipv4int")
    if integer:
        return Field(name, "duration" if "Duration" in name or name == "duration" else "int")
    if _NUMBER_LIKE.search(name):
        return Field(name, "phone")
    return Field(name, "str")


_KNOWN = frozenset(CDR_FIELDS) | frozenset(CMR_FIELDS)


def _is_header(record: Sequence[str]) -> bool:
    return len(record) > 3 and record[0] == "cdrRecordType" and record[1].startswith("globalCallID")


def _headered(records: list[list[str]], kind: str) -> Detected | None:
    names = records[0]
    is_cdr = "dateTimeOrigination" in names
    is_cmr = "numberPacketsSent" in names or "directoryNum" in names
    if (kind == CDR_FORMAT and not is_cdr) or (kind == CMR_FORMAT and (is_cdr or not is_cmr)):
        return None
    typed = (
        len(records) > 1
        and fraction([[t] for t in records[1]], lambda r: bool(SQL_TYPE.match(r[0].strip()))) >= 0.9
        and len(records[1]) == len(names)
    )
    types: list[str | None] = list(records[1]) if typed else [None] * len(names)
    fields = tuple(field_for(n.strip(), t) for n, t in zip(names, types, strict=True))
    layout = Layout(kind, fields, skip_lines=2 if typed else 1)
    reason = (
        f"header line of CUCM field names (cdrRecordType, globalCallID_callManagerId, "
        f"{'dateTimeOrigination' if is_cdr else 'numberPacketsSent'}), {len(names)} fields"
        f"{', then the SQL type line' if typed else ''}"
    )
    return Detected(layout, CLAIM_STRONG + 10, reason)


def _cdr_shape(r: Sequence[str]) -> bool:
    return (
        r[0] in ("0", "1")
        and all(is_int(v) for v in r[1:4])
        and bool(EPOCH.match(r[4]) or r[4] == "0")
        and is_int(r[7])
    )


def _cmr_shape(r: Sequence[str]) -> bool:
    return (
        r[0] == "2"
        and all(is_int(v) for v in r[1:4])
        and is_int(r[5])
        and bool(EPOCH.match(r[6]))
        and all(is_int(v) for v in r[7:14])
    )


def _headerless(records: list[list[str]], kind: str, forced: bool) -> Detected | None:
    spec, shape, minimum = (
        (CDR_FIELDS, _cdr_shape, 60) if kind == CDR_FORMAT else (CMR_FIELDS, _cmr_shape, 20)
    )
    widths = [len(r) for r in records]
    if not widths:
        return None
    width = max(set(widths), key=widths.count)
    share = fraction(records, lambda r: len(r) == width and len(r) >= minimum and shape(r))
    if share < 0.8 and not forced:
        return None
    names = spec[:width] + [f"field_{i + 1}" for i in range(len(spec), width)]
    layout = Layout(kind, tuple(field_for(n, None) for n in names))
    reason = (
        f"no header; {width} fields per line with CUCM value shapes (record type, integer "
        f"call ids, epoch seconds where the spec puts them) in {share:.0%} of "
        f"{len(records)} sniffed lines; named from the documented CUCM 14 field order"
    )
    return Detected(layout, CLAIM_STRONG - 5, reason)


def _detect(head: bytes, kind: str, forced: bool) -> Detected | None:
    records = split_records(head_lines(head), limit=20)
    if not records:
        return None
    if _is_header(records[0]):
        return _headered(records, kind)
    return _headerless(records, kind, forced)


@register
class CiscoCucmCdr(CdrSource):
    """Cisco Unified CM CDR flat files (with or without the two header lines)."""

    kind = CDR_FORMAT
    formats = (CDR_FORMAT,)

    @classmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Recognise a CUCM CDR by its header names or, headerless, its value shapes."""
        return _detect(head, CDR_FORMAT, forced)


@register
class CiscoCucmCmr(CdrSource):
    """Cisco Unified CM CMR (call management / quality) flat files."""

    kind = CMR_FORMAT
    formats = (CMR_FORMAT,)

    @classmethod
    def detect(cls, head: bytes, options: ConnectorOptions, forced: bool) -> Detected | None:
        """Recognise a CUCM CMR by its header names or, headerless, its value shapes."""
        return _detect(head, CMR_FORMAT, forced)
