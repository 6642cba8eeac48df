"""The parts of `commshub run` on their own: configuration, gateway payloads, timers, the HAN
capture writer and the bench client's commands."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from commshub.benchclient import USE_CASES, BuildContext, use_case_spec
from commshub.cli import main
from commshub.cli.bench_controls import resolve_gateway
from commshub.codecs.gbcs.frame import GbcsFrame, parse_frame
from commshub.codecs.gbcs.payload import decode_payload
from commshub.codecs.zigbee import mac, nwk
from commshub.codecs.zigbee.pcap import read_pcap
from commshub.config import ConfigError, load_config
from commshub.errors import CodecError, CommshubError, LocalProtocolError
from commshub.fleet.site import ACB, hub_ids
from commshub.hil.han_capture import MAX_PSDU, HanCapture
from commshub.hil.timers import Timers
from commshub.wan import csp
from commshub.wan.clock import VirtualClock

# --- configuration ---------------------------------------------------------------------------


def test_defaults_load_and_override(tmp_path: Path) -> None:
    defaults = load_config()
    assert defaults.run.hubs == 1
    assert defaults.hub.outage_threshold == 180
    path = tmp_path / "bench.toml"
    path.write_text("[hub]\noutage_threshold = 30\n[gateway]\nhub_rate = 10\n")
    config = load_config(path)
    assert config.hub.outage_threshold == 30
    assert config.gateway.hub_rate == 10.0  # an integer is a valid float
    assert config.hub.rtc_error == defaults.hub.rtc_error


@pytest.mark.parametrize(("text", "message"), [
    ("[hubb]\n", "unknown section [hubb]"),
    ("[hub]\noutage = 3\n", "unknown key hub.outage"),
    ("[hub]\noutage_threshold = \"3\"\n", "hub.outage_threshold: expected int"),
    ("[run]\nclock = \"sundial\"\n", "run.clock must be one of"),
    ("[run]\nhubs = 0\n", "run.hubs must be 1 to 10000"),
    ("[time]\nntp = false\nsigned_time = false\n", "enable time.ntp"),
    ("not toml [", "not valid TOML"),
])
def test_bad_configuration_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_config(path)


def test_command_line_overrides_are_checked() -> None:
    with pytest.raises(ConfigError):
        load_config().replaced("run", hubs=-1)


# --- gateway payloads ------------------------------------------------------------------------

_image_ids = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(_image_ids, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.binary(max_size=300))
def test_chunk_round_trip(image_id: str, offset: int, total: int, data: bytes) -> None:
    chunk = csp.FirmwareChunk(image_id, offset, total, data)
    assert csp.decode_chunk(csp.encode_chunk(chunk)) == chunk


@given(_image_ids, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1),
       st.sampled_from([None, True, False]))
def test_chunk_ack_round_trip(image_id: str, offset: int, total: int, verified: bool | None) -> None:
    ack = csp.FirmwareChunkAck(image_id, offset, total, verified)
    assert csp.decode_chunk_ack(csp.encode_chunk_ack(ack)) == ack


@settings(max_examples=300)
@given(st.binary(max_size=64))
def test_random_payloads_decode_or_raise_codec_error(data: bytes) -> None:
    for decode in (csp.decode_chunk, csp.decode_chunk_ack, csp.decode_retrieval):
        try:
            decode(data)
        except CodecError as exc:
            assert str(exc)


def test_retrieval_payloads() -> None:
    assert csp.decode_retrieval(b"") == csp.RetrievalPoll(None)
    assert csp.decode_retrieval(bytes(range(8))) == csp.RetrievalPoll(bytes(range(8)))
    assert csp.decode_retrieval(b"\xdf\x09") is None  # a GBCS command: a schedule
    with pytest.raises(CodecError, match="8-byte entity ID or a GBCS command"):
        csp.decode_retrieval(b"\x01\x02\x03")


def test_truncated_chunk_names_the_field() -> None:
    data = csp.encode_chunk(csp.FirmwareChunk("img", 4, 10, b"abc"))
    with pytest.raises(CodecError) as info:
        csp.decode_chunk(data[:9])
    assert "firmware_chunk" in str(info.value)


# --- timers ------------------------------------------------------------------------------------


def test_timers_fire_in_deadline_order() -> None:
    async def scenario() -> list[tuple[object, float]]:
        clock = VirtualClock(1000.0)
        fired: list[tuple[object, float]] = []

        async def fire(key: tuple[object, str], deadline: float) -> None:
            fired.append((key[1], deadline))

        timers = Timers(clock, fire)
        timers.run()
        timers.start(("hub", "b"), 1020.0)
        timers.start(("hub", "a"), 1010.0)
        timers.start(("hub", "c"), 1030.0)
        timers.start(("hub", "b"), 1025.0)  # restarting replaces the deadline
        timers.cancel(("hub", "c"))
        await clock.advance(100)
        await timers.stop()
        return fired

    assert asyncio.run(scenario()) == [("a", 1010.0), ("b", 1025.0)]


# --- HAN capture -------------------------------------------------------------------------------


def test_capture_frames_fit_and_decrypt() -> None:
    stream = io.BytesIO()
    chf, meter = hub_ids(0).chf, hub_ids(0).devices["esme"]
    network_key, link_key = bytes(range(16)), bytes(range(16, 32))
    capture = HanCapture(stream, pan_id=0x1234, coordinator=int.from_bytes(chf, "big"),
                         network_key=network_key, clock=lambda: 1_700_000_000.0)
    capture.join_requested(meter)
    capture.join_accepted(meter, link_key)
    capture.zcl(chf, meter, 0x0704, bytes(range(256)) * 2)  # needs APS fragments
    capture.zcl(meter, chf, 0x000A, bytes.fromhex("0000000000"))
    linktype, records = read_pcap(stream.getvalue())
    assert linktype == 195
    assert len(records) == capture.frames > 10
    assert all(len(psdu) <= MAX_PSDU for _, psdu in records)
    secured = [mac.parse_mac_frame(psdu) for _, psdu in records[3:]]
    for frame in secured:
        assert nwk.unsecure_nwk_frame(bytes(frame.payload), network_key) is not None
    assert {label for _, label in capture.decryption_keys()} >= {"network key PAN 1234"}


def test_capture_skips_frames_of_devices_without_a_key() -> None:
    stream = io.BytesIO()
    chf = hub_ids(0).chf
    capture = HanCapture(stream, pan_id=1, coordinator=int.from_bytes(chf, "big"),
                         network_key=bytes(16), clock=lambda: 0.0)
    capture.zcl(chf, hub_ids(0).devices["ihd"], 0x000A, b"\x00\x01\x00")
    assert capture.frames == 0


# --- bench client commands ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in USE_CASES if name != "CS06"])
def test_every_use_case_builds_a_decodable_command(name: str) -> None:
    spec = use_case_spec(name)
    ids = hub_ids(0)
    devices = {"chf": ids.chf, "gpf": ids.gpf, **ids.devices}
    context = BuildContext(0x0601_0000_0001, spec.originator, devices[spec.target],
                           1_709_251_200, devices)
    content = spec.build(context, {})
    frame = GbcsFrame.command(originator=spec.originator, recipient=context.recipient,
                              originator_counter=context.counter,
                              message_code=spec.message_code, content=content)
    parsed = parse_frame(frame.to_bytes())
    assert parsed.message_code == spec.message_code
    decode_payload(parsed)  # raises CodecError when the payload is not what the code needs


def test_cs06_needs_the_image_hash() -> None:
    spec = use_case_spec("CS06")
    ids = hub_ids(0)
    context = BuildContext(1, spec.originator, ids.devices["esme"], 0, {})
    with pytest.raises(LocalProtocolError, match="image_hash"):
        spec.build(context, {})
    assert spec.build(context, {"image_hash": "00" * 32})


def test_use_case_names_and_devices_are_checked() -> None:
    assert use_case_spec("ccs04").name == "CCS05/CCS04"
    with pytest.raises(CommshubError, match="cannot build 'XYZ'"):
        use_case_spec("XYZ")
    context = BuildContext(1, ACB, hub_ids(0).chf, 0, {"esme": hub_ids(0).devices["esme"]})
    assert context.device("ESME") == hub_ids(0).devices["esme"]
    assert context.device("00DB1234567890A0") == bytes.fromhex("00DB1234567890A0")
    with pytest.raises(LocalProtocolError, match="neither a device kind"):
        context.device("toaster")


def test_send_list_needs_no_use_case() -> None:
    result = CliRunner().invoke(main, ["send", "--list"])

    assert result.exit_code == 0, result.output
    listed = [line.split(" ", 1)[0] for line in result.output.splitlines()]
    assert listed == list(USE_CASES)


@pytest.mark.parametrize("text", ["10.0.0.1:47811", "example.org:47811", "[2001:db8::1]:47811"])
def test_gateway_option_rejects_other_hosts(text: str) -> None:
    with pytest.raises(click.BadParameter, match="not a loopback address"):
        resolve_gateway(text)


@pytest.mark.parametrize(("text", "host"), [("127.0.0.1:47811", "127.0.0.1"),
                                            ("localhost:47811", "localhost"), ("[::1]:47811", "::1")])
def test_gateway_option_takes_loopback(text: str, host: str) -> None:
    assert resolve_gateway(text) == (host, 47811)
