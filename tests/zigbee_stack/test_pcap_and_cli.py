"""Capture files read back by scapy, the key file format, and the decode command."""

from __future__ import annotations

import io
import json
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from commshub.cli import main
from commshub.codecs.zigbee import stack_samples as captures
from commshub.codecs.zigbee.describe_stack import load_key_file
from commshub.codecs.zigbee.pcap import (
    LINKTYPE_IEEE802_15_4_TAP,
    CapturedFrame,
    PcapNgWriter,
    PcapWriter,
    read_pcap,
    tshark_key_options,
    wireshark_key_file,
)
from commshub.errors import CodecError

scapy_utils = pytest.importorskip("scapy.utils")


def test_pcap_header_and_records() -> None:
    stream = io.BytesIO()
    writer = PcapWriter(stream)
    writer.write(CapturedFrame(captures.ack(5), 12.5))
    data = stream.getvalue()
    magic, major, minor, _, _, snaplen, linktype = struct.unpack("<IHHiIII", data[:24])
    assert (magic, major, minor, linktype) == (0xA1B2C3D4, 2, 4, 195)
    assert snaplen >= 127
    assert read_pcap(data) == (195, [(12.5, captures.ack(5))])


def test_scapy_reads_pcap_and_pcapng(tmp_path: Path) -> None:
    frames = captures.exchange()
    for writer_class, name in ((PcapWriter, "capture.pcap"), (PcapNgWriter, "capture.pcapng")):
        stream = io.BytesIO()
        writer = writer_class(stream)
        for index, psdu in enumerate(frames):
            writer.write(CapturedFrame(psdu, 1000 + index, comment="hub to meter"))
        path = tmp_path / name
        path.write_bytes(stream.getvalue())
        packets = scapy_utils.rdpcap(str(path))
        assert [bytes(packet) for packet in packets] == frames
        assert [float(packet.time) for packet in packets] == [1000 + i for i in range(len(frames))]


def test_tap_header_layout() -> None:
    stream = io.BytesIO()
    writer = PcapWriter(stream, linktype=LINKTYPE_IEEE802_15_4_TAP)
    psdu = captures.ack(1)
    writer.write(CapturedFrame(psdu, 0.0, channel=11, rssi=-20.0))
    _, records = read_pcap(stream.getvalue())
    packet = records[0][1]
    # Version 0, reserved 0, length 28: FCS type (1 = 16-bit), RSS and channel TLVs.
    assert packet[:4] == bytes.fromhex("00001c00")
    assert packet[4:12] == bytes.fromhex("0000010001000000")
    assert packet[12:16] == bytes.fromhex("01000400")
    assert struct.unpack("<f", packet[16:20])[0] == -20.0
    assert packet[20:28] == bytes.fromhex("03000300" "0b000000")
    assert packet[28:] == psdu


def test_writers_reject_other_link_types() -> None:
    with pytest.raises(ValueError, match="195 or 283"):
        PcapWriter(io.BytesIO(), linktype=230)
    with pytest.raises(ValueError, match="negative"):
        PcapWriter(io.BytesIO()).write(CapturedFrame(b"\x02\x00\x01", -1.0))


def test_key_file_and_options() -> None:
    keys = [(captures.NETWORK_KEY, "network key"), (captures.LINK_KEY, 'odd "label"')]
    text = wireshark_key_file(keys)
    assert text.splitlines()[0] == ('"0f:1e:2d:3c:4b:5a:69:78:87:96:a5:b4:c3:d2:e1:f0",'
                                    '"Normal","network key"')
    assert '"odd _label_"' in text
    options = tshark_key_options(keys)
    assert options[0] == "-o"
    assert options[1].startswith('uat:zigbee_pc_keys:"0f:1e')
    with pytest.raises(ValueError):
        wireshark_key_file([(b"short", "x")])


def test_load_key_file_reads_both_byte_orders(tmp_path: Path) -> None:
    key = bytes(range(16))
    (tmp_path / "zigbee_pc_keys").write_text(
        wireshark_key_file([(key, "a")]) + f'"{key[::-1].hex()}","Reverse","b"\n')
    assert load_key_file(tmp_path) == [("a", key), ("b", key)]
    (tmp_path / "zigbee_pc_keys").write_text('"zz","Normal","bad"\n')
    with pytest.raises(CodecError, match="line 1"):
        load_key_file(tmp_path)


def _decode_json(*arguments: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["decode", "--json", *arguments])
    assert result.exit_code in (0, 1), result.output
    record: dict[str, object] = json.loads(result.output.splitlines()[0])
    return record


def _names(node: dict[str, object]) -> list[str]:
    names = [str(node["name"])]
    for child in node.get("children", []):  # type: ignore[attr-defined]
        names += _names(child)
    return names


def test_decode_mac_nests_nwk_and_aps(tmp_path: Path) -> None:
    record = _decode_json("--as", "mac", captures.transport_key().hex())
    assert record["ok"] is True
    assert record["error"] is None
    assert record["round_trip"] is True
    assert record["fcs"] == "valid"
    names = _names(record["frame"])  # type: ignore[arg-type]
    assert names[0] == "mac"
    assert "nwk" in names
    assert "aps" in names
    assert record["aps_mic"] == "not checked (no keys)"


def test_decode_decrypts_with_key_folder(tmp_path: Path) -> None:
    (tmp_path / "zigbee_pc_keys").write_text(wireshark_key_file(
        [(captures.NETWORK_KEY, "network key"), (captures.LINK_KEY, "meter link key")]))
    record = _decode_json("--as", "mac", "--keys", str(tmp_path),
                          captures.zcl_read_time().hex())
    assert record["nwk_mic"] == "valid"
    assert record["aps_mic"] == "valid"
    text = json.dumps(record)
    assert "meter link key" in text
    # The record names the key by its label and never shows the key itself.
    assert captures.LINK_KEY.hex().upper() not in text
    assert captures.NETWORK_KEY.hex().upper() not in text


def test_decode_nwk_and_aps_layers() -> None:
    nwk_record = _decode_json("--as", "nwk", "0900fcff0000014204" "60")
    assert nwk_record["ok"] is True
    assert nwk_record["round_trip"] is True
    aps_record = _decode_json("--as", "aps", "00ff010104010" "11f" "100e001000")
    assert aps_record["ok"] is True
    assert aps_record["frame"]["name"] == "aps"  # type: ignore[index]


def test_decode_reports_bad_input() -> None:
    record = _decode_json("--as", "aps", "0c34")
    assert record["ok"] is False
    assert "aps" in str(record["error"])
    tree = CliRunner().invoke(main, ["decode", "--as", "mac", "030806ffffffff07"])
    assert "beacon_request" in tree.output
    assert "absent or wrong" in tree.output  # this capture has no FCS


def test_decode_mac_short_frame_error() -> None:
    # Two bytes are a frame control without its sequence number. Read with an FCS, the MPDU
    # would be empty, so that error would point at offset 0 of an input that is not empty.
    record = _decode_json("--as", "mac", "0200")
    assert record["ok"] is False
    assert "sequence_number at offset 2" in str(record["error"])
