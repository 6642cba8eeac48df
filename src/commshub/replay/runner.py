"""Replay reference commands against an emulated hub and its virtual devices.

For each :class:`~commshub.replay.corpus.ReplayCase` whose command goes to a function the
emulator has (CHF, GPF, ESME or GSME), the runner:

1. builds a fresh emulated site: a hub installed and active, with the virtual meters added to
   its device log by CCS01 commands and joined with their install codes;
2. re-addresses the command to the emulated device (business recipient, and the same EUI-64
   wherever the payload names it), signs it again with the originator's key when it was
   signed and MACs it again with the Access Control Broker's key, all from the RTDS key store;
3. hands it to the hub over the SMWAN and runs the site on its virtual clock until the
   response leaves the hub (a sleepy gas meter answers only when it next polls);
4. compares the response with the reference RESPONSE (:mod:`commshub.replay.compare`).

A site is set up from 2014-12-31 00:00:00 UTC and receives the command at 2015-01-01
00:00:00 UTC, the date of the reference responses, so that date windows in the commands (clock
validity intervals, log ranges) mean what they meant there. The day between gives the site a
history for the log reads to return: the meters and two displays join, the displays are removed
again (their link keys go to the historic device log) and taken away, the ESME sees a
one-minute supply interruption, and one command reaches the hub with a corrupted MAC. A site for
a read of the GPF's logs of GSME data starts two days earlier, so that those logs hold whole
days.

Some variants need a precondition that the command does not carry; :func:`scenario_for`
derives each from the variant's name and says so in its docstring. ERROR variants whose
reference device was made to fail (a hardware fault or another reason in a DLMS result) are
replayed twice: as they are, and with the same faults injected into the virtual meter; they
are reported as unsupported, with what the second run showed. A reference GSME response that
no correct meter could give on the date of the replay is reported as unsupported with the
reason (:func:`reference_anomaly`).
"""

from __future__ import annotations

import datetime
import enum
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from commshub.codecs.dlms import parse_apdu
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestAction,
    AccessResponse,
    DataAccessResult,
)
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.asn1 import decode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.gbz import GbzComponent, GbzPayload, build_gbz, parse_gbz
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.gbcs.payload import PayloadKind, decrypt_component, payload_kind
from commshub.codecs.gbcs.tables import HAN_ONLY_MESSAGE_CODES, Cra
from commshub.codecs.zigbee.zcl import Direction, Status, ZclFrame, build_zcl, parse_zcl
from commshub.codecs.zigbee.zcl.clusters.metering import START_SAMPLING
from commshub.codecs.zigbee.zcl.foundation import DEFAULT_RESPONSE, READ_ATTRIBUTES_RESPONSE
from commshub.devices import events as dev
from commshub.devices.cosem.server import FaultKey, Member
from commshub.devices.esme import Esme, EsmeSettings
from commshub.devices.gsme import Gsme, GsmeSettings, ZclFault
from commshub.devices.meter import CS06_MESSAGE_CODE
from commshub.devices.network import VirtualHan, WanMessage
from commshub.devices.ota_client import HeldImage
from commshub.devices.site import Kind, Site, SiteKeys, add_device_command
from commshub.errors import CommshubError
from commshub.hub.actions import SendWan, WanKind
from commshub.hub.commands import USE_CASES, Function
from commshub.hub.gbcs_io import ZIGBEE_EPOCH
from commshub.hub.settings import HubSettings, Role
from commshub.replay.compare import Difference, first_difference, frame_tree
from commshub.replay.corpus import Corpus, ReplayCase

__all__ = [
    "EMULATED_IDS",
    "REMOTE_PARTIES",
    "REMOVED_IDS",
    "RTDS_IDS",
    "CaseResult",
    "Outcome",
    "Replayer",
    "SamplingStart",
    "Scenario",
    "Target",
    "reference_anomaly",
]

LOGGER = logging.getLogger(__name__)

# The RTDS's device identities and the remote parties with their roles (RTDS README and the
# DCC Boxed test PKI role numbers).
RTDS_IDS: Mapping[str, bytes] = {
    "ESME": bytes.fromhex("00DB1234567890A0"),
    "GSME": bytes.fromhex("00DB1234567890A1"),
    "CHF": bytes.fromhex("00DB1234567890A2"),
    "GPF": bytes.fromhex("00DB1234567890A3"),
}
# The emulated site's identities: locally administered EUI-64s (bit 0x02 of the first octet)
# that keep the RTDS device's last two octets, so that a re-addressed frame reads like its
# original.
EMULATED_IDS: Mapping[str, bytes] = {
    name: bytes.fromhex("02C0FFEE0000") + eui[-2:] for name, eui in RTDS_IDS.items()
}
# Displays that joined the site and were removed again during its set-up day.
REMOVED_IDS: Mapping[str, bytes] = {
    "IHD": bytes.fromhex("02C0FFEE000090A5"),
    "PPMID": bytes.fromhex("02C0FFEE000090A4"),
}
ACB = bytes.fromhex("90B3D51F30000002")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
NETWORK_OPERATOR = bytes.fromhex("90B3D51F30020000")
REMOTE_PARTIES: Mapping[bytes, Role] = {
    bytes.fromhex("90B3D51F30000001"): Role.RECOVERY,
    ACB: Role.ACCESS_CONTROL_BROKER,
    bytes.fromhex("90B3D51F30000004"): Role.OTHER,
    bytes.fromhex("90B3D51F30000007"): Role.OTHER,
    SUPPLIER: Role.SUPPLIER,
    bytes.fromhex("90B3D51F30010008"): Role.TRANSITIONAL_COS,
    NETWORK_OPERATOR: Role.NETWORK_OPERATOR,
    bytes.fromhex("90B3D51F30030000"): Role.OTHER,
}
# 2015-01-01 00:00:00 UTC, the date-time of the RTDS responses, in seconds since 1970.
COMMAND_TIME = 1_420_070_400
DAY = 86_400  # seconds; a site is set up ``Scenario.history_days`` days before the command
# Days of history before the command on a site whose GPF logs of GSME data are read. The GPF's
# daily consumption log needs a day that it saw begin and end, which takes three days from a
# fresh site (GCS61). The reference's Prepayment daily read log holds two days' snapshots (GCS16b).
GPF_LOG_HISTORY_DAYS = 3
# GCS16b Read Prepayment Daily Read Log and GCS61 Read Gas Daily Consumption Log, which the GPF
# serves from its logs when a command is addressed to it.
GPF_LOG_READS = frozenset({0x0096, 0x00A0})
# How long a replay waits on the virtual clock for a response (a sleepy meter polls within it).
RESPONSE_WAIT = 2 * DAY
SUPPLY_INTERRUPTION_AT = 600  # seconds after the meters joined
SUPPLY_INTERRUPTION = 60  # seconds
_TAMPERED_COUNTER = 100  # ACB counter of the set-up command whose MAC is corrupted


class Outcome(str, enum.Enum):
    MATCH = "match"
    DIFFER = "differ"
    UNSUPPORTED = "unsupported"


class Target(str, enum.Enum):
    """Which emulated function a command goes to."""

    ESME = "ESME"
    GSME = "GSME"
    CHF = "CHF"
    GPF = "GPF"


@dataclass(frozen=True)
class CaseResult:
    """The verdict on one replayed command."""

    use_case: str
    folder: str
    outcome: Outcome
    detail: str
    target: str = ""

    def to_json(self) -> dict[str, str]:
        return {"use_case": self.use_case, "folder": self.folder, "outcome": self.outcome.value,
                "detail": self.detail}


class _Unsupported(Exception):
    """The case cannot be replayed; the message says why."""


@dataclass
class Replayer:
    """Replays the cases of a corpus; keys are generated once and shared by every site."""

    corpus: Corpus
    rtds_keys: KeyStore = field(init=False)
    site_keys: SiteKeys = field(init=False)
    keys: KeyStore = field(init=False)

    def __post_init__(self) -> None:
        self.rtds_keys = KeyStore.load(self.corpus.keystore)
        parties = {eui: role for eui, role in REMOTE_PARTIES.items()
                   if self.rtds_keys.public_key(eui, KeyUsage.KEY_AGREEMENT) is not None
                   or self.rtds_keys.public_key(eui, KeyUsage.DIGITAL_SIGNATURE) is not None}
        self.site_keys = SiteKeys(self.rtds_keys, parties, {**EMULATED_IDS, **REMOVED_IDS})
        self.keys = self.site_keys.keys

    # --- one case --------------------------------------------------------------------------

    def run_case(self, case: ReplayCase) -> CaseResult:
        """Replay one case; never raises for bad reference data, it reports it."""
        try:
            return self._run(case)
        except _Unsupported as why:
            return CaseResult(case.use_case, case.folder, Outcome.UNSUPPORTED, str(why))

    def run(self, cases: Iterable[ReplayCase] | None = None,
            progress: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
        """Replay every case of the corpus (or ``cases``) in order."""
        results = []
        for case in self.corpus.cases() if cases is None else cases:
            result = self.run_case(case)
            results.append(result)
            if progress is not None:
                progress(result)
        return results

    def _run(self, case: ReplayCase) -> CaseResult:
        if case.response is None:
            raise _Unsupported("no reference RESPONSE for this command")
        try:
            command = parse_frame(case.command)
        except CommshubError as exc:
            raise _Unsupported(f"the reference command does not decode: {exc}") from None
        target = self._target(command)
        self._check_supported(command, target)
        if target is Target.GSME:
            anomaly = reference_anomaly(command, case.response, self.keys)
            if anomaly is not None:
                raise _Unsupported(anomaly)
        scenario = scenario_for(case, command, target)

        def result(outcome: Outcome, detail: str) -> CaseResult:
            return CaseResult(case.use_case, case.folder, outcome, detail, target.value)

        difference = self._exchange(command, target, scenario, case.response)
        if difference is None:
            return result(Outcome.MATCH, "")
        faults = self._reference_faults(command, case.response) if "_ERROR" in case.use_case else None
        if faults is None:
            return result(Outcome.DIFFER, str(difference))
        if target not in (Target.ESME, Target.GSME):
            return result(Outcome.UNSUPPORTED, f"the reference {target.value} was made to fail "
                                               f"({faults.description}); the emulated hub has no fault injection")
        again = self._exchange(command, target, replace(scenario, faults=faults.keys), case.response)
        if again is not None:
            return result(Outcome.DIFFER, f"with the reference's faults injected ({faults.description}): {again}")
        return result(Outcome.UNSUPPORTED, f"the reference {target.value} was made to fail "
                                           f"({faults.description}); with those faults injected the "
                                           f"response matches")

    def _reference_faults(self, command: GbcsFrame, reference: bytes) -> _Faults | None:
        """Return the failures an ERROR variant's reference device was made to return."""
        try:
            response = parse_frame(reference)
            if payload_kind(response.content) is PayloadKind.DLMS:
                return _dlms_faults(command, response)
            if payload_kind(response.content) is PayloadKind.GBZ:
                return _gbz_faults(command, response, self.keys)
        except CommshubError:
            return None
        return None

    def _exchange(self, command: GbcsFrame, target: Target, scenario: Scenario,
                  reference: bytes) -> Difference | None:
        """Run the command on a fresh site; return the first difference from ``reference``."""
        response = self.respond(command, scenario)
        if response is None:
            return Difference("frame", "a response", f"no response from the emulated {target.value} "
                                                     f"within {RESPONSE_WAIT // 3600} hours")
        return self._compare(reference, response)

    def respond(self, command: GbcsFrame, scenario: Scenario) -> bytes | None:
        """Run a reference command, re-addressed, on a fresh site set up for ``scenario``;
        return the response, or None. A subclass may send it elsewhere (through a gateway)."""
        return self.answer(self.site(scenario), self._readdress(command), command)

    def site(self, scenario: Scenario) -> Site:
        """A fresh site set up for ``scenario``, with the history the module docstring gives."""
        return self._site(scenario)

    def answer(self, site: Site, data: bytes, command: GbcsFrame) -> bytes | None:
        """Deliver a re-addressed ``command`` (``data``) to a site's hub and run the site until
        the response leaves it; return the response, or None."""
        network = site.network
        sent = len(network.wan)
        network.deliver_wan(data)
        response = self._await_response(network, sent, command)
        return None if response is None else response.data

    def readdress(self, command: GbcsFrame) -> bytes:
        """The command pointed at the emulated devices, signed and MACed again."""
        return self._readdress(command)

    # --- routing ---------------------------------------------------------------------------

    def _target(self, command: GbcsFrame) -> Target:
        if int(command.cra) != Cra.COMMAND:
            raise _Unsupported(f"the reference COMMAND has CRA flag {int(command.cra)}")
        for name, eui in RTDS_IDS.items():
            if command.recipient == eui:
                return Target(name)
        raise _Unsupported(f"recipient {command.recipient.hex().upper()} is not an emulated device "
                           f"(CHF, GPF, ESME or GSME)")

    def _check_supported(self, command: GbcsFrame, target: Target) -> None:
        if command.message_code in HAN_ONLY_MESSAGE_CODES:
            raise _Unsupported("HAN-only use case: it comes from a PPMID, not over the SMWAN")
        if command.signature and self.rtds_keys.private_key(command.originator, KeyUsage.DIGITAL_SIGNATURE) is None:
            raise _Unsupported(f"no signing key for originator {command.originator.hex().upper()} "
                               f"in the key store")
        if target in (Target.CHF, Target.GPF):
            function = Function.CHF if target is Target.CHF else Function.GPF
            if (function, command.message_code) not in USE_CASES:
                raise _Unsupported(f"the emulated hub's {target.value} does not process message code "
                                   f"0x{command.message_code:04X}")
        if target is Target.GSME and not Gsme.supports(command.message_code, command.content):
            raise _Unsupported(f"the virtual GSME does not emulate message code 0x{command.message_code:04X}")
        if target is Target.ESME and not Esme.supports(command.message_code, command.content):
            raise _Unsupported(f"the virtual ESME does not emulate message code 0x{command.message_code:04X}")

    # --- the site ----------------------------------------------------------------------------

    def _site(self, scenario: Scenario) -> Site:
        held = None
        if scenario.held_image_hash is not None:
            held = HeldImage(EsmeSettings().file_version + 1, scenario.held_image_hash)
        esme = {"settings": EsmeSettings(twin_element=scenario.twin_element),
                "faults": scenario.faults if scenario.target is Target.ESME else None,
                "held_image": held if scenario.target is Target.ESME else None}
        gsme = {"faults": scenario.faults if scenario.target is Target.GSME else None,
                "held_image": held if scenario.target is Target.GSME else None,
                "settings": GsmeSettings() if scenario.gsme_tariff else GsmeSettings(tariff=None)}
        start = COMMAND_TIME - scenario.history_days * DAY
        site = self.site_keys.build(now=start, hub_settings=HubSettings(dual_band=True), esme=esme, gsme=gsme)
        self._history(site)
        if scenario.sampling is not None:
            site.network.run(until=COMMAND_TIME - SAMPLING_LEAD)
            site.network.deliver_wan(site.seal(scenario.sampling.command()))
        site.network.run(until=COMMAND_TIME)
        return site

    def _history(self, site: Site) -> None:
        """Give the site the day of history the module docstring describes."""
        network = site.network
        esme = EMULATED_IDS["ESME"]
        for kind in (Kind.IHD, Kind.PPMID):
            site.remove(kind)
            network.unplug(REMOVED_IDS[kind.name])
        network.run(until=network.now + SUPPLY_INTERRUPTION_AT)
        network.to_device(esme, dev.SupplyLost)
        network.run(until=network.now + SUPPLY_INTERRUPTION)
        network.to_device(esme, dev.SupplyRestored)
        network.run()
        identity = self.site_keys.devices[Kind.ESME]
        command = add_device_command(EMULATED_IDS["CHF"], esme, identity.install_code, Kind.ESME.value,
                                     counter=_TAMPERED_COUNTER)
        tampered = bytearray(site.seal(command))
        tampered[-1] ^= 0xFF  # the last octet of the MAC
        network.deliver_wan(bytes(tampered))
        network.run()

    def _readdress(self, command: GbcsFrame) -> bytes:
        """Point the command at the emulated devices, then sign and MAC it again."""
        content = command.content
        for name, eui in RTDS_IDS.items():
            content = content.replace(eui, EMULATED_IDS[name])
        recipient = EMULATED_IDS[next(name for name, eui in RTDS_IDS.items() if eui == command.recipient)]
        frame = command.replace(recipient=recipient, content=content)
        if command.signature:
            frame = crypto.sign(frame, self.keys)
        if frame.mac is not None:
            frame = crypto.mac_frame(frame, self.keys)
        return frame.to_bytes()

    def _await_response(self, network: VirtualHan, sent: int, command: GbcsFrame) -> SendWan | None:
        def answered(net: VirtualHan) -> bool:
            return _response_among(net.wan[sent:], command) is not None

        network.run_until(answered, limit=network.now + RESPONSE_WAIT)
        return _response_among(network.wan[sent:], command)

    def _compare(self, reference: bytes, emulated: bytes) -> Difference | None:
        identities = {*RTDS_IDS.values(), *EMULATED_IDS.values(), *REMOTE_PARTIES}
        return first_difference(frame_tree(reference, self.keys, identities),
                                frame_tree(emulated, self.keys, identities))


# GCS18 Read Network Data (GSME) and GCS31 Start Sampling, which starts the session it reads.
GCS18_MESSAGE_CODE = 0x0079
GCS31_MESSAGE_CODE = 0x0080
# How long before the command a GCS18 scenario starts sampling, and the sample interval of the
# RTDS GCS31 command (seconds).
SAMPLING_LEAD = 6 * 3600
SAMPLING_INTERVAL = 360


@dataclass(frozen=True)
class SamplingStart:
    """A Start Sampling command (GCS31) that a remote party sent the GSME before the command."""

    originator: bytes
    counter: int
    samples: int

    def command(self) -> GbcsFrame:
        """Return the GCS31 command (unMACed), addressed to the emulated GSME."""
        request = START_SAMPLING.frame(issuer_event_id=self.counter & 0xFFFF_FFFF, start_sampling_time=0,
                                       sample_type=0, sample_request_interval=SAMPLING_INTERVAL,
                                       max_number_of_samples=self.samples)
        encoded = build_zcl(request)
        component = GbzComponent(0x01, request.cluster_id, encoded[0], encoded[1], encoded[2], encoded[3:])
        return GbcsFrame.command(originator=self.originator, recipient=EMULATED_IDS["GSME"],
                                 originator_counter=self.counter, message_code=GCS31_MESSAGE_CODE,
                                 content=build_gbz(GbzPayload((component,))))


@dataclass(frozen=True)
class Scenario:
    """Preconditions of a variant that its command does not carry."""

    target: Target
    twin_element: bool = False
    held_image_hash: bytes | None = None
    faults: Mapping[Any, int] = field(default_factory=dict)  # FaultKey (ESME) or ZclFault (GSME)
    gsme_tariff: bool = True
    sampling: SamplingStart | None = None
    history_days: int = 1


def scenario_for(case: ReplayCase, command: GbcsFrame, target: Target) -> Scenario:
    """Derive a variant's preconditions from its name:

    - ``TWIN`` variants address a twin-element ESME (two sets of import registers);
    - CS06 ``SUCCESS`` variants find the meter holding a verified image whose manufacturer image
      hash is the one the command names (the RTDS hash is no SHA-256 of a real image, so the
      image cannot be transferred over OTA first);
    - GSME ``NOT_FOUND`` variants address a meter whose supplier has sent it no tariff (no
      calendars, no billing period): the reference GSME responds to the same calendar and price
      reads with data in SUCCESS variants and with NOT_FOUND in these;
    - GCS18 variants other than ``NOT_FOUND`` read a sampling session that the command's
      originator started six hours earlier with GCS31 Start Sampling (6-minute samples, as many
      as the command reads), sent just below the command's originator counter;
    - reads of the GPF's logs of GSME data (GCS16b, GCS61 to the GPF) find a site set up
      :data:`GPF_LOG_HISTORY_DAYS` days before the command.
    """
    twin = "TWIN" in case.use_case
    held = None
    if target in (Target.ESME, Target.GSME) and command.message_code == CS06_MESSAGE_CODE \
            and "SUCCESS" in case.use_case:
        try:
            held = bytes(decode_asn1(command.content, command.message_code, Cra.COMMAND).value["manufacturerImageHash"])
        except CommshubError:
            held = None
    not_found = target is Target.GSME and "NOT_FOUND" in case.use_case
    sampling = None
    if target is Target.GSME and command.message_code == GCS18_MESSAGE_CODE and not not_found:
        sampling = SamplingStart(command.originator, command.originator_counter - 1, _samples_read(command))
    history_days = GPF_LOG_HISTORY_DAYS if target is Target.GPF and command.message_code in GPF_LOG_READS else 1
    return Scenario(target, twin_element=twin, held_image_hash=held, gsme_tariff=not not_found, sampling=sampling,
                    history_days=history_days)


def _samples_read(command: GbcsFrame) -> int:
    """Return how many samples a GCS18 command reads (1 when it does not decode)."""
    try:
        component = parse_gbz(command.content).components[0]
        header = bytes([component.frame_control, component.sequence_number, component.command_id])
        count: int = parse_zcl(header + component.payload, component.cluster)["number_of_samples"]
    except (CommshubError, IndexError, KeyError):
        return 1
    return count


@dataclass(frozen=True)
class _Faults:
    """The failures a reference device was made to return: what to inject, and a summary."""

    keys: Mapping[Any, int]
    description: str


def _dlms_faults(command: GbcsFrame, reference: GbcsFrame) -> _Faults | None:
    """Failures of a DLMS response: each failed attribute or method with its result code."""
    request = parse_apdu(command.content)
    response = parse_apdu(reference.content)
    if not isinstance(request, AccessRequest) or not isinstance(response, AccessResponse):
        return None
    keys: dict[FaultKey, int] = {}
    names = []
    for index, (spec, result) in enumerate(zip(request.specifications, response.specifications)):
        code = int(result.result)
        if code == 0:
            continue
        if isinstance(spec, AccessRequestAction):
            key = (Member.METHOD, spec.method.class_id, spec.method.instance_id, spec.method.method_id)
        else:
            key = (Member.ATTRIBUTE, spec.attribute.class_id, spec.attribute.instance_id, spec.attribute.attribute_id)
        keys[key] = code
        names.append(f"request {index + 1} {_result_name(code)}")
    return _Faults(keys, ", ".join(names)) if keys else None


# ZCL frame control bit 3: the frame travels server to client (ZCL revision 6).
_DIRECTION_BIT = 0x08
# ZCL statuses that only a failing device returns (ZCL revision 6, table 2-12).
_FAILURE_STATUSES = frozenset({Status.HARDWARE_FAILURE, Status.SOFTWARE_FAILURE})


def _gbz_faults(command: GbcsFrame, reference: GbcsFrame, keys: KeyStore) -> _Faults | None:
    """Failures of a GBZ response: attributes read with a failure status, and the command
    components that got a failure Default Response. A reply names its command component
    by the ZCL sequence number it echoes."""
    requests = parse_gbz(command.content).components
    found: dict[ZclFault, int] = {}
    names: list[str] = []
    for reply in _decoded_components(reference, keys):
        if DEFAULT_RESPONSE.matches(reply) and reply["status"] in _FAILURE_STATUSES:
            index = next((index for index, request in enumerate(requests)
                          if request.sequence_number == reply.tsn and request.cluster == reply.cluster_id
                          and request.command_id == reply["command_id"]), None)
            if index is not None:
                found[("component", reply.cluster_id, index)] = reply["status"]
                names.append(f"component {index + 1} (0x{reply.cluster_id:04X}/0x{reply['command_id']:02X}) "
                             f"status 0x{reply['status']:02X}")
        elif READ_ATTRIBUTES_RESPONSE.matches(reply):
            for record in reply["records"]:
                if record["status"] in _FAILURE_STATUSES:
                    found[("attribute", reply.cluster_id, record["attribute_id"])] = record["status"]
                    names.append(f"attribute 0x{reply.cluster_id:04X}/0x{record['attribute_id']:04X} "
                                 f"status 0x{record['status']:02X}")
    if not found:
        return None
    return _Faults(found, ", ".join(names))


def _decoded_components(frame: GbcsFrame, keys: KeyStore) -> list[ZclFrame]:
    """Return the ZCL frames of a GBZ payload, encrypted components decrypted; components that
    do not decode are left out."""
    frames = []
    for component in parse_gbz(frame.content).components:
        payload = component.payload
        if component.encryption is not None:
            payload = decrypt_component(frame, component, keys) or b""
        header = bytes([component.frame_control, component.sequence_number, component.command_id])
        try:
            frames.append(parse_zcl(header + payload, component.cluster))
        except CommshubError:
            continue
    return frames


# Fields of GSME responses that date a captured record (ZigBee UTCTime).
_CAPTURE_TIMES = ("snapshot_time", "sample_start_time", "collection_time", "top_up_time", "event_time")


def reference_anomaly(command: GbcsFrame, reference: bytes, keys: KeyStore) -> str | None:
    """Return why a reference GBZ response cannot be reproduced, or None.

    Two things are checked: a Default Response must travel in the reverse direction of the
    command it responds to (ZCL revision 6), and the records a meter publishes cannot be captured
    after the date of the replay, more than a day after the RTDS date.
    """
    try:
        response = parse_frame(reference)
        if payload_kind(response.content) is not PayloadKind.GBZ or payload_kind(command.content) is not PayloadKind.GBZ:
            return None
        requests = {request.sequence_number: request for request in parse_gbz(command.content).components}
        replies = _decoded_components(response, keys)
    except CommshubError:
        return None
    latest = COMMAND_TIME + 86_400 - ZIGBEE_EPOCH
    for reply in replies:
        request = requests.get(reply.tsn)
        if DEFAULT_RESPONSE.matches(reply) and request is not None \
                and reply.direction == Direction(bool(request.frame_control & _DIRECTION_BIT)):
            return (f"the reference Default Response to command 0x{reply['command_id']:02X} of cluster "
                    f"0x{reply.cluster_id:04X} travels in the same direction as that command; ZCL sends "
                    f"responses the other way, as the emulated GSME does")
        for moment in _captured_at(reply.payload):
            if moment > latest:
                day = datetime.datetime.fromtimestamp(moment + ZIGBEE_EPOCH, datetime.UTC).date()
                return (f"the reference GSME published a record captured on {day}, after the date of the "
                        f"RTDS responses (2015-01-01): its clock ran ahead of the replay's, whose meter "
                        f"holds no record from that date")
    return None


def _captured_at(payload: Any) -> list[int]:
    """Return the capture times in a decoded ZCL payload, nested records included."""
    if isinstance(payload, Mapping):
        times = [int(payload[name]) for name in _CAPTURE_TIMES if isinstance(payload.get(name), int)]
        for value in payload.values():
            if isinstance(value, (list, Mapping)):
                times.extend(_captured_at(value))
        return times
    if isinstance(payload, list):
        return [moment for element in payload for moment in _captured_at(element)]
    return []


def _result_name(code: int) -> str:
    """Name a DLMS result code the standard's way, e.g. ``hardware-fault``."""
    try:
        return DataAccessResult(code).name.lower().replace("_", "-")
    except ValueError:
        return f"result {code}"


def _response_among(messages: Iterable[WanMessage], command: GbcsFrame) -> SendWan | None:
    for message in messages:
        action = message.action
        if action.kind not in (WanKind.RESPONSE, WanKind.FORWARDED) or action.recipient != command.originator:
            continue
        try:
            frame = parse_frame(action.data)
        except CommshubError:
            continue
        if int(frame.cra) == Cra.RESPONSE and frame.originator_counter == command.originator_counter \
                and frame.message_code == command.message_code:
            return action
    return None
