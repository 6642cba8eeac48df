"""Wireshark's tshark reads the captures we write: no malformed packets, NWK and APS decrypted
with the keys we hand it, and its field values equal ours.

tshark 4.0 takes the key table on the command line (``-o uat:zigbee_pc_keys:...``). The same
records also work as a ``zigbee_pc_keys`` file in a Wireshark profile folder, which the last
test checks with a temporary configuration directory.
"""

from __future__ import annotations

import datetime
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from commshub.cli.layers import DecodeOptions
from commshub.codecs.zigbee import aps, mac, nwk
from commshub.codecs.zigbee import stack_samples as captures
from commshub.codecs.zigbee.describe_zcl import decode_zcl
from commshub.codecs.zigbee.pcap import (
    LINKTYPE_IEEE802_15_4_TAP,
    LINKTYPE_IEEE802_15_4_WITHFCS,
    CapturedFrame,
    PcapNgWriter,
    PcapWriter,
    tshark_key_options,
    wireshark_key_file,
)
from commshub.codecs.zigbee.stack_common import crc16_kermit

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


def _tshark_time(text: str) -> datetime.datetime:
    # tshark prints an absolute UTC time as "Sep 13, 2020 12:26:40.000000000 UTC".
    whole = text.split(".")[0]
    return datetime.datetime.strptime(" ".join(whole.split()), "%b %d, %Y %H:%M:%S").replace(
        tzinfo=datetime.UTC)


def test_certificate_validity_dates_match_tshark(tmp_path: Path) -> None:
    certificate = bytearray(74)
    certificate[9:11] = b"\x0d\x08"  # sect283k1, AES-MMO
    certificate[19:24] = (1_600_000_000).to_bytes(5, "big")
    certificate[24:28] = (90 * 86400).to_bytes(4, "big")
    # Initiate Key Establishment Request, suite 2, in an unsecured APS frame on profile 0x0109.
    zcl = bytes.fromhex("01 07 00 0200 0a 0f") + bytes(certificate)
    aps_frame = bytes.fromhex("00 01 0008 0901 01 01") + zcl
    nwk_frame = bytes.fromhex("0800 0000 3b4a 1e 01") + aps_frame
    mpdu = bytes.fromhex("4188 01 621a 0000 3b4a") + nwk_frame
    path = tmp_path / "key_establishment.pcap"
    path.write_bytes(_write([mpdu + crc16_kermit(mpdu).to_bytes(2, "little")],
                            linktype=LINKTYPE_IEEE802_15_4_WITHFCS, pcapng=False))
    result = subprocess.run(
        [TSHARK or "tshark", "-r", str(path), "-T", "fields", "-e", "_ws.malformed",
         "-e", "zbee_zcl_se.ke.cert.valid.from", "-e", "zbee_zcl_se.ke.cert.valid.to"],
        capture_output=True, text=True, timeout=120, check=True)
    malformed, valid_from, valid_to = result.stdout.rstrip("\n").split("\t")
    assert malformed == ""
    record = decode_zcl(zcl, DecodeOptions(cluster=0x0800, direction="client")).record
    payload = next(node for node in record["frame"]["children"] if node["name"] == "payload")
    identity = next(node for node in payload["children"] if node["name"] == "identity")
    meanings = {node["name"]: node.get("meaning") for node in identity["children"]}
    ours_from = datetime.datetime.fromisoformat(meanings["valid_from"].split()[0])
    ours_to = datetime.datetime.fromisoformat(meanings["valid_to"].split()[0])
    assert ours_from == _tshark_time(valid_from)
    assert ours_to == _tshark_time(valid_to)
