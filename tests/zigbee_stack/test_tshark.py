"""Wireshark's tshark reads the captures we write: no malformed packets, NWK and APS decrypted
with the keys we hand it, and its field values equal ours.

tshark 4.0 takes the key table on the command line (``-o uat:zigbee_pc_keys:...``). The same
records also work as a ``zigbee_pc_keys`` file in a Wireshark profile folder, which the last
test checks with a temporary configuration directory.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from commshub.codecs.zigbee import aps, mac, nwk
from commshub.codecs.zigbee import stack_samples as captures
from commshub.codecs.zigbee.pcap import (
    LINKTYPE_IEEE802_15_4_TAP,
    LINKTYPE_IEEE802_15_4_WITHFCS,
    CapturedFrame,
    PcapNgWriter,
    PcapWriter,
    tshark_key_options,
    wireshark_key_file,
)

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(
    TSHARK is None, reason="tshark is not installed (apt-get install tshark; CI installs it)")

KEYS = [(captures.NETWORK_KEY, "network key"), (captures.LINK_KEY, "meter TC link key")]
FIELDS = [
    "frame.number", "_ws.malformed", "_ws.expert.severity", "wpan.frame_type", "wpan.seq_no",
    "wpan.dst_pan", "wpan.dst16", "wpan.src16", "wpan.src64", "wpan.fcs_ok", "wpan.cmd",
    "zbee_nwk.frame_type", "zbee_nwk.dst", "zbee_nwk.src", "zbee_nwk.radius", "zbee_nwk.seqno",
    "zbee_nwk.src64", "zbee_nwk.cmd.id", "zbee.sec.counter", "zbee.sec.key_id",
    "zbee.sec.key", "zbee_aps.type", "zbee_aps.dst", "zbee_aps.cluster",
    "zbee_aps.profile", "zbee_aps.src", "zbee_aps.counter", "zbee_aps.cmd.id",
    "zbee_aps.cmd.key", "zbee_beacon.ext_panid", "wpan-tap.ch_num", "wpan-tap.rss",
]


_PI_COMMENT = str(0x00100000)  # Wireshark's expert severity of a packet comment


def _write(frames: list[bytes], *, linktype: int, pcapng: bool) -> bytes:
    stream = io.BytesIO()
    writer_class = PcapNgWriter if pcapng else PcapWriter
    writer = writer_class(stream, linktype=linktype)
    for index, psdu in enumerate(frames):
        writer.write(CapturedFrame(psdu, 1_700_000_000 + index * 0.25, channel=15,
                                   rssi=-47.5, comment=f"frame {index}"))
    return stream.getvalue()


def _tshark_fields(path: Path, options: list[str], env: dict[str, str] | None = None
                   ) -> list[dict[str, str]]:
    command = [TSHARK or "tshark", "-r", str(path), *options, "-T", "fields",
               "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for name in FIELDS:
        command += ["-e", name]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env,
                            check=True)
    rows = []
    for line in result.stdout.splitlines():
        rows.append(dict(zip(FIELDS, line.split("\t"), strict=True)))
    return rows


def _int(text: str) -> int:
    return int(text, 0)


@pytest.fixture(scope="module")
def frames() -> list[bytes]:
    return captures.exchange()


@pytest.mark.parametrize(("linktype", "pcapng"), [
    (LINKTYPE_IEEE802_15_4_WITHFCS, False), (LINKTYPE_IEEE802_15_4_TAP, False),
    (LINKTYPE_IEEE802_15_4_WITHFCS, True), (LINKTYPE_IEEE802_15_4_TAP, True)])
def test_tshark_decodes_capture(tmp_path: Path, frames: list[bytes], linktype: int,
                                pcapng: bool) -> None:
    path = tmp_path / ("capture.pcapng" if pcapng else "capture.pcap")
    path.write_bytes(_write(frames, linktype=linktype, pcapng=pcapng))
    rows = _tshark_fields(path, tshark_key_options(KEYS))
    assert len(rows) == len(frames)
    for row, psdu in zip(rows, frames, strict=True):
        assert row["_ws.malformed"] == "", row
        # No expert information but the pcapng packet comment: no bad FCS, no failed
        # decryption, no odd field.
        severities = {value for value in row["_ws.expert.severity"].split(",") if value}
        assert severities <= {_PI_COMMENT}, row
        _compare(row, psdu)
        if linktype == LINKTYPE_IEEE802_15_4_TAP:
            assert row["wpan-tap.ch_num"] == "15"
            assert float(row["wpan-tap.rss"]) == pytest.approx(-47.5)


def _compare(row: dict[str, str], psdu: bytes) -> None:
    frame = mac.parse_mac_frame(psdu)
    assert _int(row["wpan.frame_type"]) == int(frame.frame_control.frame_type)
    assert _int(row["wpan.seq_no"]) == frame.sequence_number
    assert row["wpan.fcs_ok"] in ("1", "True")
    if frame.destination_pan_id is not None:
        assert _int(row["wpan.dst_pan"]) == frame.destination_pan_id
    if int(frame.frame_control.destination_addressing_mode) == 2:
        assert _int(row["wpan.dst16"]) == frame.destination_address
    if int(frame.frame_control.source_addressing_mode) == 2:
        assert _int(row["wpan.src16"]) == frame.source_address
    if int(frame.frame_control.source_addressing_mode) == 3:
        assert row["wpan.src64"].replace(":", "") == f"{frame.source_address:016x}"
    if frame.command_id is not None:
        assert _int(row["wpan.cmd"]) == frame.command_id
    if int(frame.frame_control.frame_type) == 0:
        beacon = nwk.parse_zigbee_beacon(frame.payload)
        assert row["zbee_beacon.ext_panid"].replace(":", "") == f"{beacon.extended_pan_id:016x}"
    if int(frame.frame_control.frame_type) == 1:
        _compare_nwk(row, frame.payload)


def _compare_nwk(row: dict[str, str], data: bytes) -> None:
    frame = nwk.parse_nwk_frame(data)
    assert _int(row["zbee_nwk.frame_type"]) == int(frame.frame_control.frame_type)
    assert _int(row["zbee_nwk.dst"]) == frame.destination_address
    assert _int(row["zbee_nwk.src"]) == frame.source_address
    assert _int(row["zbee_nwk.radius"]) == frame.radius
    assert _int(row["zbee_nwk.seqno"]) == frame.sequence_number
    if frame.source_ieee_address is not None:
        assert row["zbee_nwk.src64"].replace(":", "") == f"{frame.source_ieee_address:016x}"
    counters = [_int(value) for value in row["zbee.sec.counter"].split(",") if value]
    if frame.auxiliary_security_header is not None:
        # Wireshark found the key and decrypted: it names the key it used.
        assert counters[0] == frame.auxiliary_security_header.frame_counter
        assert row["zbee.sec.key"], row
        frame = nwk.unsecure_nwk_frame(data, captures.NETWORK_KEY)
    if frame.command_id is not None:
        assert _int(row["zbee_nwk.cmd.id"]) == frame.command_id
        return
    _compare_aps(row, frame.payload, source=frame.source_ieee_address, counters=counters)


def _compare_aps(row: dict[str, str], data: bytes, *, source: int | None,
                 counters: list[int]) -> None:
    frame = aps.parse_aps_frame(data)
    assert _int(row["zbee_aps.type"]) == int(frame.frame_control.frame_type)
    assert _int(row["zbee_aps.counter"]) == frame.counter
    if frame.auxiliary_security_header is not None:
        assert counters[-1] == frame.auxiliary_security_header.frame_counter
        frame = aps.unsecure_aps_frame(data, captures.LINK_KEY, source_address=source)
    if int(frame.frame_control.frame_type) == 0:
        assert _int(row["zbee_aps.dst"]) == frame.destination_endpoint
        assert _int(row["zbee_aps.cluster"]) == frame.cluster_id
        assert _int(row["zbee_aps.profile"]) == frame.profile_id
        assert _int(row["zbee_aps.src"]) == frame.source_endpoint
    if frame.command_id is not None:
        assert _int(row["zbee_aps.cmd.id"]) == frame.command_id
        # The transported network key is visible only if Wireshark derived the key-transport
        # key from the link key the same way we did.
        assert row["zbee_aps.cmd.key"].replace(":", "") == frame.command.key.hex()


def test_without_keys_nothing_is_decrypted(tmp_path: Path, frames: list[bytes]) -> None:
    path = tmp_path / "capture.pcap"
    path.write_bytes(_write(frames, linktype=LINKTYPE_IEEE802_15_4_WITHFCS, pcapng=False))
    rows = _tshark_fields(path, [])
    assert all(row["_ws.malformed"] == "" for row in rows)
    assert not any(row["zbee_aps.cmd.key"] for row in rows)
    assert not any(row["zbee.sec.key"] for row in rows)


def test_key_file_in_profile_folder(tmp_path: Path, frames: list[bytes]) -> None:
    # Wireshark reads personal preferences from $XDG_CONFIG_HOME/wireshark on Linux.
    config = tmp_path / "config"
    (config / "wireshark").mkdir(parents=True)
    (config / "wireshark" / "zigbee_pc_keys").write_text(wireshark_key_file(KEYS))
    path = tmp_path / "capture.pcap"
    path.write_bytes(_write(frames, linktype=LINKTYPE_IEEE802_15_4_WITHFCS, pcapng=False))
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "HOME": str(tmp_path)}
    rows = _tshark_fields(path, [], env=env)
    keys = [row["zbee_aps.cmd.key"] for row in rows if row["zbee_aps.cmd.key"]]
    assert [key.replace(":", "") for key in keys] == [captures.NETWORK_KEY.hex()]
