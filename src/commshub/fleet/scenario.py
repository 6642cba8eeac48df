"""Scripted days of a bench: steps a bench engineer takes, each decided by what comes back.

A scenario is a list of steps. Each step acts through a :class:`~commshub.fleet.session.BenchSession`
(bench controls and GBCS commands over the gateway socket, nothing in process) and records
checks on what it observes: responses whose MAC or signature verified and whose payload
decoded to the expected values, alerts received, the hub's reported state and the gateway's
audit trail. Steps share facts (the firmware image's hash, say) through :class:`Play`, so a
scenario can be played in one go, or step by step against a service that is killed and
restarted between steps.

The default scenario plays a hub's first day: installation without WAN coverage, activation
when coverage arrives, time synchronisation, meters and a display added to the device log and
joined, the gas meter polling its queue, a firmware image delivered to the data store, sent
to the electricity meter over OTA and activated, a scheduled read cached and retrieved, and a
power cut past the outage threshold with its restore.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commshub.benchclient import Exchange, Opened
from commshub.codecs.dlms import DataType
from commshub.codecs.gbcs.asn1 import Asn1Payload
from commshub.codecs.gbcs.keystore import KeyUsage
from commshub.codecs.gbcs.tables import Cra
from commshub.codecs.zigbee.ota import build_gbcs_ota_file
from commshub.errors import CommshubError
from commshub.fleet.report import Check, Report, StepResult
from commshub.fleet.session import BenchSession, ReceivedAlert
from commshub.fleet.site import SUPPLIER, hub_ids
from commshub.store.audit import AuditKind, AuditOutcome, AuditRecord, AuditTrail
from commshub.wan.alerts import PowerOutageAlert, PowerRestoreAlert
from commshub.wan.framing import Category, Status

__all__ = ["SCENARIOS", "Play", "Step", "run_scenario"]

LOGGER = logging.getLogger(__name__)

# GBCS alert codes the default scenario waits for (GBCS alert code table).
CHF_DEVICE_LOG_CHANGED = 0x8F12  # CS14
GPF_DEVICE_LOG_CHANGED = 0x8071  # GCS62
FIRMWARE_TRANSFER_SUCCESS = 0x8F8A  # CCS08
FIRMWARE_VERIFICATION_SUCCESSFUL = 0x8F72  # firmware distribution receipt, DLMS devices
SUPPLY_OUTAGE_RESTORED_LONG = 0x8F36  # ECS80, outage of 3 minutes or more
CLOCK_ADJUSTED = 0x8145  # CHF event log: clock adjusted
# Message codes of alerts that are not DLMS data-notifications.
FIRMWARE_RECEIPT_MESSAGE_CODE = 0x00CE
ECS80_MESSAGE_CODE = 0x0067
# The firmware image the scenario sends to the ESME: the virtual ESME's manufacturer code and
# image type, and a version above the one it leaves the factory with (0x0123ABCD).
ESME_MANUFACTURER_CODE = 0x1234
ESME_IMAGE_TYPE = 0x0001
NEW_ESME_VERSION = 0x01240000
IMAGE_SIZE = 24 * 1024
FIRMWARE_CHUNK = 4 * 1024
# Bench seconds a step waits at most for an outcome.
ACTIVATION_WAIT_S = 600
TIME_SYNC_WAIT_S = 1800
JOIN_WAIT_S = 600
OTA_WAIT_S = 3600
# An alert a command causes follows its response; the bench gives it this long to arrive.
ALERT_WAIT_S = 30


@dataclass
class Play:
    """One playing of a scenario: the session, the facts steps pass on, and the report."""

    session: BenchSession
    report: Report
    facts: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[str], None] | None = None
    _step: StepResult | None = None

    def check(self, passed: bool, text: str, seen: Any = "") -> bool:
        """Record an observed outcome in the current step."""
        assert self._step is not None
        self._step.checks.append(Check(text, bool(passed), str(seen)))
        return bool(passed)

    def tell(self, text: str) -> None:
        """Report progress of a long step."""
        if self.progress is not None:
            self.progress(text)

    def hubs(self) -> Iterator[int]:
        return iter(range(len(self.session.hubs)))

    def alerts_since(self, mark: int) -> list[ReceivedAlert]:
        return self.session.alerts[mark:]

    def audit(self, **filters: Any) -> list[AuditRecord]:
        """Records of the gateway's audit trail (the run folder's SQLite file)."""
        with AuditTrail(Path(self.session.status["out"]) / "audit.db") as trail:
            return trail.query(**filters)

    async def run_step(self, step: Step) -> StepResult:
        session = self.session
        result = StepResult(step.name, step.title, session.now)
        self._step = result
        self.report.steps.append(result)
        started = time.monotonic()
        self.tell(f"step {step.name}: {step.title}")
        try:
            await step.run(self)
        except (CommshubError, TimeoutError, OSError) as exc:
            result.error = f"{type(exc).__name__}: {exc}"
            LOGGER.warning("step %s failed: %s", step.name, result.error)
        result.real_seconds = time.monotonic() - started
        try:
            await session.refresh()
        except (CommshubError, OSError) as exc:
            LOGGER.warning("status after step %s unavailable: %s", step.name, exc)
        result.ended = session.now
        self._step = None
        return result


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    run: Callable[[Play], Awaitable[None]]


# --- helpers -------------------------------------------------------------------------------


def _gbcs_alerts(alerts: list[ReceivedAlert], code: int, originator: bytes | None = None) -> list[Opened]:
    found = []
    for received in alerts:
        alert = received.alert
        if isinstance(alert, Opened) and alert.alert_code == code and (
                originator is None or (alert.frame is not None and alert.frame.originator == originator)):
            found.append(alert)
    return found


def _all_zero(exchange: Exchange) -> bool:
    response = exchange.response
    return response is not None and bool(response.results()) and all(
        code == 0 for code, _ in response.results())


def _exchange_ok(play: Play, exchange: Exchange, what: str) -> bool:
    return play.check(exchange.ok, f"{what}: verified response", exchange.describe())


def _asn1(opened: Opened | None) -> Any:
    if opened is None or not isinstance(opened.payload, Asn1Payload):
        return None
    return opened.payload.value


# --- the default scenario ------------------------------------------------------------------


async def _install_without_wan(play: Play, index: int) -> None:
    session = play.session
    reply = await session.control("install", hub=index)
    hub = reply["hubs"][0]
    play.facts[f"rtc_error_{index}"] = hub["clock_offset"]
    play.check(hub["lifecycle"] == "awaiting_coverage", f"hub {index} installed, waiting for "
               "WAN coverage", hub["lifecycle"])
    play.check(hub["address"] is not None, f"hub {index} has a network address", hub["address"])
    await session.refresh()
    _, pending = await session.bench(index).submit("ECS26n")
    result = await session.drive(pending, limit=600)
    failures = [failure.status for failure in result.failures]
    play.check(failures == [Status.HUB_UNREACHABLE], f"hub {index} cannot be reached "
               "before coverage arrives (gateway retries, then HUB_UNREACHABLE)",
               [Status(code).name for code in failures])


async def _activation(play: Play, index: int) -> None:
    session = play.session
    await session.control("wan", state="up", hub=index)
    active = await session.wait_until(lambda: session.hub(index)["lifecycle"] == "active",
                                      limit=ACTIVATION_WAIT_S, step=5)
    hub = session.hub(index)
    play.check(active, f"hub {index} activated itself once coverage arrived", hub["lifecycle"])
    play.check(hub["signal"]["strength_dbm"] is not None,
               f"hub {index} recorded WAN signal strength, quality and packet loss", hub["signal"])
    texts = [entry["text"] for entry in hub["timeline"]]
    play.check(any("activation message" in text for text in texts)
               and any("confirmed activation" in text for text in texts),
               f"hub {index} sent its activation message and the CSP confirmed it")
    exchange = await session.bench(index).send("ECS26n")
    _exchange_ok(play, exchange, f"hub {index} answers ECS26n over the WAN")


async def _time_sync(play: Play, index: int) -> None:
    session = play.session
    error = play.facts.get(f"rtc_error_{index}", 0)
    synced = await session.wait_until(
        lambda: bool(session.hub(index)["synchronised"]) and abs(session.hub(index)["clock_offset"]) <= 1,
        limit=TIME_SYNC_WAIT_S, step=60)
    hub = session.hub(index)
    play.check(synced, f"hub {index} synchronised with the CSP's time service "
               f"(clock off by {error} s before)", f"offset {hub['clock_offset']} s, "
               f"reliable {hub['reliable']}")
    exchange = await session.bench(index).send("ECS35c", {"since": int(session.now) - 86_400})
    _exchange_ok(play, exchange, f"hub {index} answers ECS35c (event log)")
    codes = _log_codes(exchange)
    play.check(CLOCK_ADJUSTED in codes, f"hub {index} event log records the clock adjustment "
               "(0x8145)", [f"0x{code:04X}" for code in codes])


def _log_codes(exchange: Exchange) -> list[int]:
    response = exchange.response
    if response is None or not response.results():
        return []
    _, value = response.results()[0]
    rows = getattr(value.value, "elements", value.value) if value.type in (
        DataType.COMPACT_ARRAY, DataType.ARRAY) else ()
    return [int(row.value[1].value) for row in rows if len(row.value) > 1]


async def _add_devices(play: Play, index: int) -> None:
    session = play.session
    bench = session.bench(index)
    ids = hub_ids(index)
    mark = len(session.alerts)
    for kind in ("esme", "gsme", "ihd"):
        exchange = await bench.send("CCS01", {"device": kind})
        _exchange_ok(play, exchange, f"hub {index} CCS01 adds the {kind.upper()}")
        play.check(_all_zero(exchange), f"hub {index} CCS01 for the {kind.upper()}: every access "
                   "succeeded", exchange.response.results() if exchange.response else None)
    await session.wait_until(
        lambda: len(_gbcs_alerts(play.alerts_since(mark), CHF_DEVICE_LOG_CHANGED, ids.chf)) >= 3,
        limit=ALERT_WAIT_S, step=1, refresh=False)
    cs14 = _gbcs_alerts(play.alerts_since(mark), CHF_DEVICE_LOG_CHANGED, ids.chf)
    play.check(len(cs14) >= 3 and all(alert.verified for alert in cs14),
               f"hub {index} sent a verified CS14 alert 0x8F12 for each addition", len(cs14))
    exchange = await bench.send("CCS05")
    _exchange_ok(play, exchange, f"hub {index} CCS05 reads the device log")
    logged = _logged_devices(exchange)
    play.check({ids.devices[kind] for kind in ("esme", "gsme", "ihd")} <= set(logged),
               f"hub {index} device log lists the ESME, GSME and IHD",
               [eui.hex().upper() for eui in logged])


def _logged_devices(exchange: Exchange) -> list[bytes]:
    response = exchange.response
    if response is None or not response.results():
        return []
    _, value = response.results()[0]
    if value.type is not DataType.ARRAY:
        return []
    return [bytes(entry.value[0].value) for entry in value.value]


async def _join(play: Play, index: int) -> None:
    session = play.session

    def joined() -> bool:
        return all(entry["joined"] for entry in session.hub(index)["device_log"]) \
            and all(device["joined"] for device in session.hub(index)["devices"])

    done = await session.wait_until(joined, limit=JOIN_WAIT_S, step=10)
    hub = session.hub(index)
    play.check(done, f"hub {index}: every device in the log joined with its install code",
               [(entry["eui"], entry["joined"]) for entry in hub["device_log"]])
    ihd = next((d for d in hub["devices"] if d["kind"] == "ihd"), None)
    play.check(ihd is not None and ihd.get("time_offset") is not None
               and abs(ihd["time_offset"]) <= 2,
               f"hub {index}: the IHD read the synchronised time from the hub's Time cluster",
               None if ihd is None else ihd.get("time_offset"))
    exchange = await session.bench(index).send("CCS06")
    _exchange_ok(play, exchange, f"hub {index} CCS06 checks HAN communications")


async def _gsme_queue(play: Play, index: int) -> None:
    session = play.session
    bench = session.bench(index)
    ids = hub_ids(index)
    mark = len(session.alerts)
    exchange = await bench.send("GCS59", {"entries": [(ids.devices["gsme"], 0)]})
    _exchange_ok(play, exchange, f"hub {index} GCS59 restores the GPF device log")
    await session.wait_until(
        lambda: bool(_gbcs_alerts(play.alerts_since(mark), GPF_DEVICE_LOG_CHANGED, ids.gpf)),
        limit=ALERT_WAIT_S, step=1, refresh=False)
    gcs62 = _gbcs_alerts(play.alerts_since(mark), GPF_DEVICE_LOG_CHANGED, ids.gpf)
    play.check(bool(gcs62) and all(alert.verified for alert in gcs62),
               f"hub {index} GPF sent the GCS62 backup alert 0x8071", len(gcs62))
    started = session.now
    exchange, pending = await bench.submit("GCS28")
    play.tell(f"  hub {index}: GCS28 queued at the GPF; waiting for the GSME to poll")
    result = await session.drive(pending, limit=4 * 3600, step=60)
    bench.finish(exchange, result)
    _exchange_ok(play, exchange, f"hub {index} GSME answered GCS28 (set clock) from its queue")
    answer = _asn1(exchange.response)
    play.check(isinstance(answer, dict) and "deviceTime" in answer,
               f"hub {index} GCS28 response decodes to the GSME's time", answer)
    play.check(session.now > started, f"hub {index}: the answer came when the sleepy GSME "
               "woke, not at once", f"after {session.now - started:.0f} s")


def _esme_image(play: Play) -> tuple[bytes, bytes]:
    """A signed OTA image for the virtual ESME; returns the file and its manufacturer image
    hash (what CS06 and the alerts quote)."""
    manufacturer_image = hashlib.sha256(b"commshub scenario image").digest() * (IMAGE_SIZE // 32)
    key = play.session.keys.private_key(SUPPLIER, KeyUsage.DIGITAL_SIGNATURE)
    if key is None:
        raise CommshubError("the key store has no signing key for the supplier")
    image = build_gbcs_ota_file(manufacturer_image, manufacturer_code=ESME_MANUFACTURER_CODE,
                                image_type=ESME_IMAGE_TYPE, file_version=NEW_ESME_VERSION,
                                private_key=key)
    return image, hashlib.sha256(manufacturer_image).digest()


async def _firmware_store(play: Play, index: int) -> None:
    session = play.session
    image, image_hash = _esme_image(play)
    play.facts["image_hash"] = image_hash
    bench = session.bench(index)
    address = session.hub(index)["address"]
    before = _category_1_deliveries(play, address)

    def progress(offset: int, total: int) -> None:
        play.tell(f"  hub {index}: firmware {offset}/{total} bytes in the data store")

    acks = await bench.deliver_firmware(image, f"esme-{NEW_ESME_VERSION:08X}",
                                        chunk_size=FIRMWARE_CHUNK, progress=progress)
    play.check(acks[-1].verified is True, f"hub {index} verified the image (hash and "
               "signature) in its data store", acks[-1])
    play.check(acks[-1].next_offset == len(image), f"hub {index} stored all {len(image)} bytes",
               acks[-1].next_offset)
    after = _category_1_deliveries(play, address)
    play.check(after - before == len(acks), f"hub {index}: the audit trail records each "
               "Category 1 delivery as a success", f"{after - before} of {len(acks)}")


def _category_1_deliveries(play: Play, address: str) -> int:
    """Successful firmware deliveries to the hub (the OTA transfers on to meters excluded)."""
    return sum(1 for record in play.audit(hub=address, kind=AuditKind.FIRMWARE_DELIVERY,
                                          outcome=AuditOutcome.SUCCESS)
               if record.category == Category.FIRMWARE)


async def _ota(play: Play, index: int) -> None:
    session = play.session
    ids = hub_ids(index)

    def receipts() -> list[Opened]:
        return [received.alert for received in session.alerts
                if isinstance(received.alert, Opened)
                and received.alert.message_code == FIRMWARE_RECEIPT_MESSAGE_CODE
                and received.alert.frame is not None
                and received.alert.frame.originator == ids.devices["esme"]]

    def transferred() -> bool:
        return bool(_gbcs_alerts(session.alerts, FIRMWARE_TRANSFER_SUCCESS, ids.chf)) \
            and bool(receipts())

    done = await session.wait_until(transferred, limit=OTA_WAIT_S, step=60, refresh=False,
                                    progress=lambda s: play.tell(f"  hub {index}: OTA {s:.0f} s"))
    ccs08 = _gbcs_alerts(session.alerts, FIRMWARE_TRANSFER_SUCCESS, ids.chf)
    play.check(done and bool(ccs08) and all(alert.verified for alert in ccs08),
               f"hub {index} served the image to the ESME over OTA (CCS08 alert 0x8F8A, signed)",
               len(ccs08))
    play.check(any(receipt.alert_code == FIRMWARE_VERIFICATION_SUCCESSFUL and receipt.verified
                   for receipt in receipts()),
               f"hub {index}: the ESME verified the image it received (alert 0x8F72)",
               [receipt.summary() for receipt in receipts()])


async def _activate(play: Play, index: int) -> None:
    session = play.session
    image_hash = play.facts.get("image_hash")
    if image_hash is None:
        image_hash = _esme_image(play)[1]
    version = NEW_ESME_VERSION.to_bytes(4, "big")
    bench = session.bench(index)
    exchange = await bench.send("CS06", {"image_hash": image_hash})
    _exchange_ok(play, exchange, f"hub {index} ESME answered CS06 (signed)")
    answer = _asn1(exchange.response)
    outcome = answer[1] if isinstance(answer, tuple) and len(answer) == 2 else {}
    play.check(isinstance(outcome, dict) and outcome.get("responseCode") == 0
               and bytes(outcome.get("firmwareVersion", b"")) == version,
               f"hub {index} ESME activated firmware {version.hex().upper()}", answer)
    exchange = await bench.send("ECS52")
    _exchange_ok(play, exchange, f"hub {index} ESME answers ECS52")
    results = exchange.response.results() if exchange.response else []
    reported = bytes(results[0][1].value) if results else b""
    play.check(reported == version, f"hub {index} ESME reports firmware {version.hex().upper()}",
               reported.hex().upper())


async def _scheduled_reads(play: Play, index: int) -> None:
    session = play.session
    bench = session.bench(index)
    address = session.hub(index)["address"]
    exchange = await bench.schedule("ECS17a")
    play.check(exchange.result is not None and exchange.result.ok,
               f"hub {index} took the scheduled ECS17a read", exchange.describe())
    await session.wait(300)
    cached = await bench.retrieve()
    match = [r for r in cached if r.frame is not None and r.frame.originator_counter == exchange.counter]
    play.check(len(match) == 1 and match[0].verified and match[0].cra is Cra.RESPONSE
               and match[0].message_code == 0x0026,
               f"hub {index} handed over the cached ECS17a response, MAC valid",
               [r.summary() for r in cached])
    play.check(bool(match) and _all_results_zero(match[0]),
               f"hub {index} cached response carries the ESME's export registers",
               match[0].results() if match else None)
    again = await bench.retrieve()
    play.check(not again, f"hub {index}: a second poll finds nothing left", len(again))
    records = play.audit(hub=address, kind=AuditKind.SCHEDULED_READ)
    play.check(sum(r.outcome is AuditOutcome.SUCCESS for r in records) >= 2,
               f"hub {index}: the audit trail records each retrieval", len(records))


def _all_results_zero(opened: Opened) -> bool:
    return bool(opened.results()) and all(code == 0 for code, _ in opened.results())


async def _power_cut(play: Play, index: int) -> None:
    session = play.session
    ids = hub_ids(index)
    hub = session.hub(index)
    threshold = int(hub["outage_threshold"])
    address = hub["address"]
    mark = len(session.alerts)
    await session.control("power", state="off", hub=index)
    cut_at = session.now

    def outage_alerts() -> list[PowerOutageAlert]:
        return [a.alert for a in play.alerts_since(mark) if isinstance(a.alert, PowerOutageAlert)
                and str(a.alert.address) == address]

    await session.wait(max(1, threshold - 60))
    play.check(not outage_alerts(), f"hub {index}: no outage alert before the threshold "
               f"({threshold} s)", len(outage_alerts()))
    sent = await session.wait_until(lambda: bool(outage_alerts()), limit=300, step=10,
                                    refresh=False)
    outage = outage_alerts()
    play.check(sent and len(outage) == 1, f"hub {index} sent one power outage alert "
               "(0xDC01) past the threshold", len(outage))
    if outage:
        play.check(abs(outage[0].loss_detected_at - cut_at) <= 2, f"hub {index} outage alert "
                   "carries its address and the time mains was lost",
                   f"{outage[0].address}, loss at {outage[0].loss_detected_at}, cut at {cut_at:.0f}")
    await session.wait(600)
    await session.control("power", state="on", hub=index)
    restored_at = session.now
    await session.wait(30)
    restores = [a.alert for a in play.alerts_since(mark) if isinstance(a.alert, PowerRestoreAlert)
                and str(a.alert.address) == address]
    play.check(len(restores) == 1, f"hub {index} sent one power restore alert (0xDC02)",
               len(restores))
    if restores:
        restore = restores[0]
        play.check(abs(restore.restored_at - restored_at) <= 2
                   and abs(restore.outage_duration - (restored_at - cut_at)) <= 2,
                   f"hub {index} restore alert carries the restore time and the outage's "
                   "duration", f"duration {restore.outage_duration} s")
    esme = [a.alert for a in play.alerts_since(mark) if isinstance(a.alert, Opened)
            and a.alert.message_code == ECS80_MESSAGE_CODE
            and a.alert.frame is not None and a.alert.frame.originator == ids.devices["esme"]]
    play.check(any(alert.alert_code == SUPPLY_OUTAGE_RESTORED_LONG and alert.verified
                   for alert in esme),
               f"hub {index}: the ESME reported the long supply outage (ECS80 alert 0x8F36)",
               [alert.summary() for alert in esme])
    play.check(session.hub(index)["power"] == "mains_on", f"hub {index} is back on mains",
               session.hub(index)["power"])


async def _alerts_and_audit(play: Play) -> None:
    session = play.session
    await session.collect_alerts()
    opened = [a.alert for a in session.alerts if isinstance(a.alert, Opened)]
    play.check(bool(opened) and all(alert.verified for alert in opened),
               "every GBCS alert received carries a valid MAC or signature",
               f"{sum(a.verified for a in opened)} of {len(opened)}")
    records = play.audit(kind=AuditKind.ALERT)
    play.check(len(records) >= len(session.alerts), "the audit trail holds every alert handed on",
               f"{len(records)} records, {len(session.alerts)} alerts received")
    requests = play.audit(kind=AuditKind.REQUEST, outcome=AuditOutcome.ACCEPTED)
    responses = play.audit(kind=AuditKind.RESPONSE)
    answered = {r.correlation_id for r in responses}
    missing = [r.correlation_id for r in requests if r.correlation_id not in answered]
    play.check(not missing, "every accepted request has a response or failure record",
               f"{len(requests)} requests, {len(missing)} without")
    times = [record.at for record in play.audit()]
    play.check(all(at.tzinfo is not None and at.utcoffset() == UTC.utcoffset(None) for at in times),
               "audit timestamps are UTC", len(times))
    out = Path(session.status["out"])
    with AuditTrail(out / "audit.db") as trail:
        from commshub.store.audit import export_records

        every = trail.query()
        with (out / "audit.csv").open("w", encoding="utf-8") as stream:
            csv_count = export_records(every, stream, "csv")
        with (out / "audit.jsonl").open("w", encoding="utf-8") as stream:
            json_count = export_records(every, stream, "jsonl", include_frames=True)
    play.check(csv_count == json_count == len(every), "audit trail exported as CSV and JSON lines",
               f"{csv_count} records")
    play.report.files["audit trail (CSV)"] = str(out / "audit.csv")
    play.report.files["audit trail (JSON lines)"] = str(out / "audit.jsonl")
    for index in play.hubs():
        for suffix, what in (("pcap", "HAN capture"), ("keys", "Wireshark key file")):
            path = out / f"han-hub{index}.{suffix}"
            play.check(path.exists() and path.stat().st_size > 0, f"hub {index} {what} written",
                       path.name)
            play.report.files[f"hub {index} {what}"] = str(path)


def _per_hub(run: Callable[[Play, int], Awaitable[None]]) -> Callable[[Play], Awaitable[None]]:
    """Make a step that runs ``run`` for every hub of the bench, in turn."""

    async def every_hub(play: Play) -> None:
        for index in play.hubs():
            await run(play, index)

    return every_hub


DEFAULT = (
    Step("install", "installation without WAN coverage", _per_hub(_install_without_wan)),
    Step("activate", "activation when coverage arrives", _per_hub(_activation)),
    Step("time", "time synchronisation with the CSP's time service", _per_hub(_time_sync)),
    Step("devices", "ESME, GSME and IHD added to the CHF device log", _per_hub(_add_devices)),
    Step("join", "the devices join the HAN", _per_hub(_join)),
    Step("gsme", "the GSME polls its queue at the GPF", _per_hub(_gsme_queue)),
    Step("firmware", "a Category 1 firmware image into the data store", _per_hub(_firmware_store)),
    Step("ota", "the image goes to the ESME over OTA", _per_hub(_ota)),
    Step("activation", "CS06 activates the image on the ESME", _per_hub(_activate)),
    Step("scheduled", "a scheduled read cached and retrieved", _per_hub(_scheduled_reads)),
    Step("outage", "a power cut past the threshold and the restore", _per_hub(_power_cut)),
    Step("alerts", "the alerts and the audit trail", _alerts_and_audit),
)

SMOKE = (DEFAULT[0], DEFAULT[1], DEFAULT[3], DEFAULT[4])

SCENARIOS: dict[str, tuple[Step, ...]] = {"default": DEFAULT, "smoke": SMOKE}


async def run_scenario(session: BenchSession, name: str, *,
                       progress: Callable[[str], None] | None = None) -> Report:
    """Play scenario ``name`` through ``session``; return its report."""
    steps = SCENARIOS.get(name)
    if steps is None:
        raise CommshubError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    play = Play(session, Report(name), progress=progress)
    for step in steps:
        await play.run_step(step)
    LOGGER.info("scenario %s: %d of %d steps passed at %s", name,
                sum(s.passed for s in play.report.steps), len(steps),
                datetime.fromtimestamp(session.now, UTC).isoformat())
    return play.report
