"""The structural comparison of GBCS responses, on frames built with the codecs."""

from __future__ import annotations

from commshub.codecs.dlms import Data, DataType, build_apdu
from commshub.codecs.dlms.xdlms import AccessResponse, AccessResponseGet, DataAccessResult
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.keystore import KeyStore
from commshub.replay import IGNORED, Role, first_difference, frame_tree

ESME = bytes.fromhex("00DB1234567890A0")
OTHER_ESME = bytes.fromhex("02C0FFEE000090A0")
SUPPLIER = bytes.fromhex("90B3D51F30010000")
KEYS = KeyStore.generate(devices=[ESME, OTHER_ESME], remote_parties=[SUPPLIER])


def _response(originator: bytes, counter: int, value: Data, result: int = 0, *, date_time: bytes | None = None) -> bytes:
    apdu = AccessResponse(0x2000_0000 | counter, None, None, (value,), (AccessResponseGet(DataAccessResult(result)),))
    frame = GbcsFrame.response(originator=originator, recipient=SUPPLIER, originator_counter=counter,
                               message_code=0x0059, content=build_apdu(apdu), date_time=date_time)
    return crypto.mac_frame(frame, KEYS).to_bytes()


def _diff(reference: bytes, emulated: bytes) -> str | None:
    identities = {ESME, OTHER_ESME, SUPPLIER}
    found = first_difference(frame_tree(reference, KEYS, identities), frame_tree(emulated, KEYS, identities))
    return None if found is None else str(found)


def test_identities_counters_and_macs_are_set_aside() -> None:
    version = Data(DataType.OCTET_STRING, b"\x01\x23\xab\xcd")
    assert _diff(_response(ESME, 1000, version), _response(OTHER_ESME, 7, version)) is None


def test_device_data_values_are_set_aside_but_types_are_not() -> None:
    reference = _response(ESME, 1000, Data(DataType.OCTET_STRING, b"\x01\x23\xab\xcd"))
    assert _diff(reference, _response(ESME, 1000, Data(DataType.OCTET_STRING, b"\x09\x09"))) is None
    found = _diff(reference, _response(ESME, 1000, Data(DataType.VISIBLE_STRING, "0123")))
    assert found is not None and found.startswith("payload.data.[0]")


def test_results_are_compared() -> None:
    value = Data(DataType.NULL_DATA, None)
    found = _diff(_response(ESME, 1000, value, 1), _response(ESME, 1000, value, 0))
    assert found is not None and found.startswith("payload.specifications.[0].result")


def test_date_time_presence_is_compared() -> None:
    value = Data(DataType.NULL_DATA, None)
    stamped = _response(ESME, 1000, value, date_time=bytes.fromhex("07DF0101FF000000008000FF"))
    assert _diff(stamped, _response(ESME, 1000, value)) is not None
    other_time = _response(ESME, 1000, value, date_time=bytes.fromhex("07E00202FF0A0000008000FF"))
    assert _diff(stamped, other_time) is None


def test_undecodable_frames_differ() -> None:
    value = Data(DataType.NULL_DATA, None)
    assert _diff(_response(ESME, 1000, value), b"\xdf\x00") is not None


def test_ignored_table_documents_every_role() -> None:
    assert set(IGNORED) == set(Role)
    assert all(reason for reason in IGNORED.values())
