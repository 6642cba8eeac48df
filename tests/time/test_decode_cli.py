"""``commshub decode --as ntp`` and ``--as time``."""

from __future__ import annotations

import json

from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given
from hypothesis import strategies as st

from commshub.cli import main
from commshub.cli.layers import DecodeOptions
from commshub.codecs.describe_time import decode_ntp, decode_time
from commshub.codecs.ntp import MacAlgorithm, Mode, NtpKey, NtpPacket, authenticate_packet
from commshub.codecs.time_service import SignedTime, sign_time

# scapy's test/scapy/layers/ntp.uts, "NTPHeader - KoD": an INIT kiss-o'-death with an MD5 MAC.
KISS_INIT_HEX = (
    "e40006e800000000000002ca494e49540000000000000000db40e39e48a3706adb40e39e48f0c35c"
    "db40e39e48fa4cac00000001428629c151348b5738e751dad05abcb8"
)


def test_decode_ntp_tree() -> None:
    result = CliRunner().invoke(main, ["decode", "--as", "ntp", KISS_INIT_HEX])
    assert result.exit_code == 0, result.output
    assert "kiss-o'-death 'INIT'" in result.output
    assert "2016-07-25T19:14:38.285069+00:00" in result.output
    assert "round_trip: True" in result.output


def test_decode_ntp_json() -> None:
    key = NtpKey(1, MacAlgorithm.SHA1, b"secret")
    packet = authenticate_packet(NtpPacket(mode=Mode.CLIENT, transmit_timestamp=1), key)
    result = CliRunner().invoke(main, ["decode", "--as", "ntp", "--json", packet.hex()])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["ok"] is True
    assert record["round_trip"] is True
    assert record["mac"] == "not checked: no NTP key"
    names = [child["name"] for child in record["frame"]["children"]]
    assert names[:4] == ["leap", "version", "mode", "stratum"]
    assert names[-1] == "mac"


def test_decode_signed_time() -> None:
    message = SignedTime(service=bytes(8), recipient=bytes(range(8)), sequence=7,
                         utc=0xEBF96000_40000000, nonce=bytes(16))
    data = sign_time(message, ec.generate_private_key(ec.SECP256R1()))
    result = CliRunner().invoke(main, ["decode", "--as", "time", "--json", data.hex()])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["round_trip"] is True
    assert record["frame"]["name"] == "signed_time"
    utc = next(c for c in record["frame"]["children"] if c["name"] == "utc")
    assert utc["meaning"] == "2025-06-15T15:06:40.250000+00:00"


def test_decode_short_packet_fails() -> None:
    result = CliRunner().invoke(main, ["decode", "--as", "ntp", "e400"])
    assert result.exit_code == 1
    assert "ntp -> header -> poll at offset 2" in result.output


@given(st.binary(max_size=130))
def test_random_bytes_decode_or_fail_cleanly(data: bytes) -> None:
    for decoder in (decode_ntp, decode_time):
        result = decoder(data, DecodeOptions())
        assert isinstance(result.record["ok"], bool)
        if not result.record["ok"]:
            assert result.record["error"]
