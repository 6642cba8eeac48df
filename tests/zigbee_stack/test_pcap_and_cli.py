"""Capture files read back by scapy, the key file format, and the decode command."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
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
    is_capture,
    read_capture,
    read_pcap,
    tshark_key_options,
    wireshark_key_file,
)
from commshub.errors import CodecError, UnsupportedError

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


def _capture(writer_class: type[PcapWriter | PcapNgWriter], linktype: int,
             frames: list[bytes]) -> bytes:
    stream = io.BytesIO()
    writer = writer_class(stream, linktype=linktype)
    for index, psdu in enumerate(frames):
        writer.write(CapturedFrame(psdu, 100 + index, channel=11, rssi=-60.0, comment="x"))
    return stream.getvalue()


@pytest.mark.parametrize("writer_class", [PcapWriter, PcapNgWriter])
@pytest.mark.parametrize("linktype", [195, LINKTYPE_IEEE802_15_4_TAP])
def test_decode_reads_a_capture_packet_by_packet(
        tmp_path: Path, writer_class: type[PcapWriter | PcapNgWriter],
        linktype: int) -> None:
    frames = captures.exchange()
    path = tmp_path / "capture.cap"
    path.write_bytes(_capture(writer_class, linktype, frames))
    result = CliRunner().invoke(main, ["decode", "--as", "mac", "--json", str(path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [record["input"] for record in records] == [
        f"{path}#{number}" for number in range(1, len(frames) + 1)]
    assert all(record["ok"] for record in records)
    assert all(record["round_trip"] for record in records)
    assert all(record["fcs"] == "valid" for record in records)
    assert [record["frame"]["raw"] for record in records] == [frame.hex().upper()
                                                              for frame in frames]


def test_decode_reads_a_capture_from_stdin() -> None:
    frames = captures.exchange()[:3]
    result = CliRunner().invoke(main, ["decode", "--as", "mac", "--json", "-"],
                                input=_capture(PcapNgWriter, 195, frames))
    assert result.exit_code == 0, result.output
    labels = [json.loads(line)["input"] for line in result.stdout.splitlines()]
    assert labels == ["<stdin>#1", "<stdin>#2", "<stdin>#3"]


def test_decode_rejects_a_capture_of_another_link_type(tmp_path: Path) -> None:
    data = bytearray(_capture(PcapWriter, 195, captures.exchange()[:1]))
    data[20:24] = (1).to_bytes(4, "little")  # LINKTYPE_ETHERNET
    path = tmp_path / "ethernet.pcap"
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["decode", "--as", "mac", "--json", str(path)])
    assert result.exit_code == 1
    record = json.loads(result.stdout.splitlines()[0])
    assert record["input"] == str(path)
    assert record["ok"] is False
    assert "link type 1 is not an IEEE 802.15.4 link type" in record["error"]


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
@pytest.mark.parametrize("file_format", ["pcapng", "nsecpcap"])
def test_read_capture_of_files_tshark_wrote(tmp_path: Path, file_format: str) -> None:
    frames = captures.exchange()
    source = tmp_path / "ours.pcap"
    source.write_bytes(_capture(PcapWriter, LINKTYPE_IEEE802_15_4_TAP, frames))
    converted = tmp_path / "theirs.cap"
    subprocess.run(["tshark", "-r", str(source), "-F", file_format, "-w", str(converted)],
                   check=True, capture_output=True, timeout=60)
    read = read_capture(converted.read_bytes())
    assert [frame.psdu for frame in read] == frames
    assert [frame.timestamp for frame in read] == [100 + index for index in range(len(frames))]
    assert {frame.channel for frame in read} == {11}
    assert {frame.rssi for frame in read} == {-60.0}


def test_read_capture_rejects_malformed_files() -> None:
    data = _capture(PcapNgWriter, 195, captures.exchange()[:2])
    with pytest.raises(CodecError):
        read_capture(data[:-5])
    with pytest.raises(UnsupportedError, match="big-endian"):
        read_capture(bytes.fromhex("a1b2c3d4") + bytes(20))
    assert is_capture(data)
    assert not is_capture(captures.ack(1))


def _pcapng_block(block_type: int, body: bytes) -> bytes:
    length = 12 + len(body)
    return struct.pack("<II", block_type, length) + body + struct.pack("<I", length)


def test_read_capture_uses_the_interface_timestamp_resolution() -> None:
    psdu = captures.ack(7)
    section = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
    # if_tsresol 9: nanoseconds; 0x80 | 10: units of 2^-10 seconds.
    nanoseconds = struct.pack("<HH", 195, 0) + struct.pack("<I", 0) + bytes.fromhex(
        "0900 0100 09000000" "0000 0000")
    binary = struct.pack("<HH", 195, 0) + struct.pack("<I", 0) + bytes.fromhex(
        "0900 0100 8a000000" "0000 0000")
    padded = psdu + bytes(-len(psdu) % 4)

    def packet(interface: int, ticks: int) -> bytes:
        return _pcapng_block(6, struct.pack("<IIIII", interface, ticks >> 32, ticks & 0xFFFFFFFF,
                                            len(psdu), len(psdu)) + padded)

    data = (_pcapng_block(0x0A0D0D0A, section) + _pcapng_block(1, nanoseconds)
            + _pcapng_block(1, binary) + packet(0, 1_500_000_000) + packet(1, 3 * 1024)
            + _pcapng_block(3, struct.pack("<I", len(psdu)) + padded))
    frames = read_capture(data)
    assert [frame.psdu for frame in frames] == [psdu, psdu, psdu]
    assert [frame.timestamp for frame in frames] == [1.5, 3.0, 0.0]


def test_decode_summary_counts_only_what_the_layer_checks(tmp_path: Path) -> None:
    path = tmp_path / "capture.pcap"
    path.write_bytes(_capture(PcapWriter, 195, captures.exchange()))
    (tmp_path / "zigbee_pc_keys").write_text(wireshark_key_file(
        [(captures.NETWORK_KEY, "network key"), (captures.LINK_KEY, "meter link key")]))
    result = CliRunner().invoke(main, ["decode", "--as", "mac", "--json", "--keys", str(tmp_path),
                                       str(path)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    nwk_valid = sum(record.get("nwk_mic") == "valid" for record in records)
    aps_valid = sum(record.get("aps_mic") == "valid" for record in records)
    assert nwk_valid > 0
    assert aps_valid > 0
    summary = result.stderr.strip().splitlines()[-1]
    assert summary == (f"{len(records)} frames: {len(records)} parsed, {len(records)} "
                       f"round-tripped, {len(records)} FCS valid, {nwk_valid} NWK MIC valid, "
                       f"{aps_valid} APS MIC valid, 0 failures")
    # An APS frame has no FCS and no NWK MIC to count.
    aps_result = CliRunner().invoke(main, ["decode", "--as", "aps", "00ff01010401011f",
                                           "0c34"])
    assert aps_result.stderr.strip().splitlines()[-1] == (
        "2 frames: 1 parsed, 1 round-tripped, 1 failures")
