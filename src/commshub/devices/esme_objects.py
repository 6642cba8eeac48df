"""The object model of the emulated electricity meter (ESME): the COSEM interface objects that
GBCS use cases read, write and invoke, with the meter's factory values.

The object list, the data types of every attribute and the initial values are those of the
reference ESME in the DCC's Reference Test Data Set 4.5.0 (its command and response frames,
decoded; protected attributes decrypted with the published remote-party keys). The set covers
every object an RTDS ESME use case addresses. Profile buffers are not copied: each profile
declares its entry type and capture period, and the meter synthesises the entries it holds
from its history start until it powers up, then captures its own.

A twin-element meter (two import registers sets, primary and secondary) has wider entries in
some objects; :func:`esme_model` builds either kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from commshub.codecs.dlms.axdr import BitString, Data, DataType, TypeDescription
from commshub.devices.cosem.model import Buffer, CosemModel, CosemObject, History, obis, obis_text

__all__ = [
    "EVENT_LOG",
    "FIRMWARE_VERSION",
    "POWER_EVENT_LOG",
    "PROFILES",
    "SECURITY_LOG",
    "ProfileSpec",
    "esme_model",
    "esme_objects",
]

FIRMWARE_VERSION = obis("0-0:0.2.1.255")  # Data, attribute 2: the running firmware version
EVENT_LOG = obis("0-0:99.98.0.255")  # {UTC time, event code, other information}
SECURITY_LOG = obis("0-0:99.98.1.255")  # {UTC time, event code}
POWER_EVENT_LOG = obis("0-0:99.98.4.255")  # {UTC time, event code, duration}

NULL = Data(DataType.NULL_DATA, None)
_DAY = 86_400  # seconds


def _u8(value: int) -> Data:
    return Data(DataType.UNSIGNED, value)


def _u16(value: int) -> Data:
    return Data(DataType.LONG_UNSIGNED, value)


def _u32(value: int) -> Data:
    return Data(DataType.DOUBLE_LONG_UNSIGNED, value)


def _i8(value: int) -> Data:
    return Data(DataType.INTEGER, value)


def _i16(value: int) -> Data:
    return Data(DataType.LONG, value)


def _i32(value: int) -> Data:
    return Data(DataType.DOUBLE_LONG, value)


def _enum(value: int) -> Data:
    return Data(DataType.ENUM, value)


def _bool(value: bool | int) -> Data:
    return Data(DataType.BOOLEAN, value)


def _oct(hex_digits: str) -> Data:
    return Data(DataType.OCTET_STRING, bytes.fromhex(hex_digits))


def _vis(text: str) -> Data:
    return Data(DataType.VISIBLE_STRING, text)


def _utf8(text: str) -> Data:
    return Data(DataType.UTF8_STRING, text)


def _bits(length: int, hex_digits: str) -> Data:
    return Data(DataType.BIT_STRING, BitString(length, bytes.fromhex(hex_digits)))


def _s(*members: Data) -> Data:
    return Data(DataType.STRUCTURE, members)


def _a(*elements: Data) -> Data:
    return Data(DataType.ARRAY, elements)


def _array_of(kind: Callable[[int], Data], values: Iterable[int]) -> Data:
    return Data(DataType.ARRAY, tuple(kind(value) for value in values))


def _readings(count: int) -> list[int]:
    """Return ``count`` small factory register readings (a fixed pattern, not measurements)."""
    return [(index * 37 + 11) % 251 for index in range(count)]


def _obj(class_id: int, logical_name: str, attributes: dict[int, Data]) -> CosemObject:
    return CosemObject(class_id, obis(logical_name), attributes)


# Entry type descriptions of the profiles (compact-array element types).
U32 = TypeDescription(DataType.DOUBLE_LONG_UNSIGNED)
I32 = TypeDescription(DataType.DOUBLE_LONG)
U16 = TypeDescription(DataType.LONG_UNSIGNED)
ENUM = TypeDescription(DataType.ENUM)
OCTETS = TypeDescription(DataType.OCTET_STRING)


def _ds(*members: TypeDescription) -> TypeDescription:
    return TypeDescription(DataType.STRUCTURE, members)


def _da(count: int, element: TypeDescription) -> TypeDescription:
    return TypeDescription(DataType.ARRAY, (element,), count)



@dataclass(frozen=True)
class ProfileSpec:
    """A profile generic of the meter: entry type, capture period (seconds) and depth.

    ``twin_entry`` replaces ``entry`` on a twin-element meter; ``codes`` are the event codes a
    synthetic log entry draws from (GBCS alert and event code table). An event log (one with
    codes) holds synthetic history up to the meter's start and then only the events the meter
    records; a periodic profile goes on capturing readings while the meter runs.
    """

    logical_name: str
    entry: TypeDescription
    period: int
    capacity: int
    codes: tuple[int, ...] = ()
    twin_entry: TypeDescription | None = None


_TOU = _da(48, U32)  # 48 time-of-use registers
_BLOCKS = _da(8, U32)  # 8 block registers per TOU block set
_DEBT = (I32, I32, I32, I32, I32, I32)
_BILLING = _ds(U32, U32, _TOU, _BLOCKS, _BLOCKS, _BLOCKS, _BLOCKS)
_BILLING_TWIN = _ds(U32, U32, U32, _TOU, _da(4, U32), _BLOCKS, _BLOCKS, _BLOCKS, _BLOCKS)
_EVENT_CODES = (0x8145, 0x8154, 0x8155, 0x8161, 0x8162, 0x8183, 0x81A1, 0x81A2, 0x81A3)
_SECURITY_CODES = (0x8F0C, 0x8F1C, 0x8F1E, 0x8F3E, 0x8F43, 0x8F48, 0x8F49, 0x8F52, 0x8F53)
_POWER_CODES = (0x8F35, 0x8F36, 0x8F57)
_ALCS_CODES = (0x0112, 0x0120, 0x0211, 0x0220, 0x0311, 0x0320)
_MONTH = 30 * _DAY  # billing captures: monthly, approximated as 30 days

PROFILES: tuple[ProfileSpec, ...] = (
    ProfileSpec("0-0:98.1.0.255", _BILLING, _MONTH, 12, twin_entry=_BILLING_TWIN),
    ProfileSpec("0-0:98.1.1.255", _ds(U32, *_DEBT), _MONTH, 12),
    ProfileSpec("0-0:98.1.2.255", _ds(U32, U32, _TOU, _BLOCKS, _BLOCKS, _BLOCKS, _BLOCKS, *_DEBT),
                _MONTH, 12, twin_entry=_ds(U32, U32, U32, _TOU, _da(4, U32), _BLOCKS, _BLOCKS,
                                           _BLOCKS, _BLOCKS, *_DEBT)),
    ProfileSpec("0-0:98.1.4.255", _ds(U32, U32), _DAY, 731),
    ProfileSpec("0-0:98.1.5.255", _ds(U32, U32), _DAY, 731),
    ProfileSpec("0-0:98.1.8.255", _ds(U32, *_DEBT), _DAY, 731),
    ProfileSpec("0-0:98.1.9.255", _BILLING, _DAY, 731, twin_entry=_BILLING_TWIN),
    ProfileSpec("0-0:98.1.10.255", _ds(U32, U32), _DAY, 731),
    ProfileSpec("0-0:99.1.0.255", _ds(U32, U32), 1800, 17_520, twin_entry=_ds(U32, U32, U32)),
    ProfileSpec("0-0:99.1.1.255", _ds(U32, U32, U32), 1800, 17_520),
    ProfileSpec("0-0:99.1.2.255", _ds(U32, U32), 1800, 17_520),
    ProfileSpec("0-0:99.1.3.255", _ds(U32, U32), _DAY, 731),
    ProfileSpec("0-0:99.98.0.255", _ds(U32, U16, OCTETS), 7_200, 100, _EVENT_CODES),
    ProfileSpec("0-0:99.98.1.255", _ds(U32, U16), 7_200, 100, _SECURITY_CODES),
    ProfileSpec("0-0:99.98.4.255", _ds(U32, U16, U32), 7_200, 100, _POWER_CODES),
    ProfileSpec("0-0:99.98.20.255", _ds(U32, U32), _DAY, 100),
    ProfileSpec("0-17:99.98.2.255", _ds(U32, U16, ENUM, U32), 21_600, 100, _ALCS_CODES),
    ProfileSpec("1-0:32.24.0.255", _ds(U32, U32), 3600, 4_464),
    ProfileSpec("1-0:52.24.0.255", _ds(U32, U32), 3600, 4_464),
    ProfileSpec("1-0:72.24.0.255", _ds(U32, U32), 3600, 4_464),
)

# Objects whose value has another shape on a twin-element meter (primary and secondary).
_TWIN_VALUES: dict[tuple[int, str], dict[int, Data]] = {
    (1, "0-0:94.44.34.10"): {2: _s(_u32(10), _s(_i8(0), _enum(30)), _u32(10), _s(_i8(0), _enum(32)),
                                   _u32(10))},
    (1, "0-0:94.44.34.1"): {2: _s(_array_of(_u32, range(48)), _array_of(_u32, range(4)))},
}


def esme_objects(*, twin: bool = False) -> list[CosemObject]:
    """Return the meter's objects other than its profiles, with their factory values."""
    objects = _objects()
    if twin:
        objects = [
            CosemObject(item.class_id, item.logical_name,
                        {**item.attributes, **_TWIN_VALUES.get((item.class_id, obis_text(item.logical_name)), {})})
            for item in objects
        ]
    return objects


def esme_model(*, history_start: int, history_end: int, twin: bool = False) -> CosemModel:
    """Build the meter's object model; profile history runs over [history_start, history_end)
    in seconds since 2000-01-01 00:00:00 UTC (the GBCS profile time base)."""
    profiles = []
    for spec in PROFILES:
        entry = spec.twin_entry if twin and spec.twin_entry is not None else spec.entry
        history = History(spec.period, history_start, history_end if spec.codes else None, spec.codes)
        buffer = Buffer(entry, spec.capacity, history=history, seed=obis(spec.logical_name))
        profiles.append(CosemObject(7, obis(spec.logical_name), {4: _u32(spec.period)}, buffer))
    return CosemModel.of([*esme_objects(twin=twin), *profiles])


def _objects() -> list[CosemObject]:
    return [
        _obj(1, "0-0:0.2.1.255", {2: _oct("0123abcd")}),
        _obj(1, "0-0:94.44.0.0", {2: _u16(200)}),
        _obj(1, "0-0:94.44.0.1", {2: _u16(1000)}),
        _obj(1, "0-0:94.44.0.11", {2: _vis('ALCS_1_Description')}),
        _obj(1, "0-0:94.44.0.12", {2: _vis('HCALCS_2_Description')}),
        _obj(1, "0-0:94.44.0.13", {2: _vis('ALCS_3_Description')}),
        _obj(1, "0-0:94.44.0.14", {2: _vis('ALCS_4_Description')}),
        _obj(1, "0-0:94.44.0.15", {2: _vis('ALCS_5_Description')}),
        _obj(1, "0-0:94.44.0.2", {2: _u16(2000)}),
        _obj(1, "0-0:94.44.0.21", {2: _oct("0000000000000000")}),
        _obj(1, "0-0:94.44.0.22", {2: _oct("00db123456789097")}),
        _obj(1, "0-0:94.44.0.23", {2: _oct("0000000000000000")}),
        _obj(1, "0-0:94.44.0.24", {2: _oct("0000000000000000")}),
        _obj(1, "0-0:94.44.0.25", {2: _oct("0000000000000000")}),
        _obj(1, "0-0:94.44.0.31", {2: _utf8('{"outputState": 0, "inputState": 0}')}),
        _obj(1, "0-0:94.44.0.32", {2: _utf8(
            '{"outputState": 0, "inputState": 0, "other-data": "StateA"}')}),
        _obj(1, "0-0:94.44.0.33", {2: _utf8(
            '{"outputState": 100, "inputState": 0, "other-data": "StateA"}')}),
        _obj(1, "0-0:94.44.0.34", {2: _utf8('{}')}),
        _obj(1, "0-0:94.44.0.35", {2: _utf8('{"outputState": 100, "inputState": 100}')}),
        _obj(1, "0-0:94.44.0.4", {2: _bool(255)}),
        _obj(1, "0-0:94.44.117.1", {2: _oct("07df0103ff000000008000ff")}),
        _obj(1, "0-0:94.44.117.2", {2: _oct("07df0103ff010000008000ff")}),
        _obj(1, "0-0:94.44.119.1", {2: _oct("07df0103ff000000008000ff")}),
        _obj(1, "0-0:94.44.119.2", {2: _oct("07df0103ff010000008000ff")}),
        _obj(1, "0-0:94.44.119.3", {2: _oct("07df0103ff000000008000ff")}),
        _obj(1, "0-0:94.44.119.4", {2: _oct("07df0103ff010000008000ff")}),
        _obj(1, "0-0:94.44.121.1", {2: _oct("07df0103ff000000008000ff")}),
        _obj(1, "0-0:94.44.121.2", {2: _oct("07df0103ff010000008000ff")}),
        _obj(1, "0-0:94.44.121.3", {2: _oct("07df0103ff000000008000ff")}),
        _obj(1, "0-0:94.44.121.4", {2: _oct("07df0103ff010000008000ff")}),
        _obj(1, "0-0:94.44.3.1", {2: _oct("")}),
        _obj(1, "0-0:94.44.3.2", {2: _oct("07de031bff0f2d20008000ff")}),
        _obj(1, "0-0:94.44.34.1", {2: _s(_array_of(_u32, _readings(48)))}),
        _obj(1, "0-0:94.44.34.10", {2: _s(_u32(10), _s(_i8(0), _enum(30)), _u32(10), _s(_i8(0),
            _enum(32)))}),
        _obj(1, "0-0:94.44.34.11", {2: _oct("31333132333435363738313131")}),
        _obj(1, "0-0:94.44.34.2", {2: _s(_array_of(_u32, _readings(64)))}),
        _obj(1, "0-0:94.44.34.20", {2: _s(_u32(10), _s(_i8(0), _enum(27)), _u32(10))}),
        _obj(1, "0-0:94.44.34.30", {2: _s(_i32(250000), _i32(95000), _i32(187000), _i32(203000),
            _i32(243000), _i32(46000))}),
        _obj(1, "0-0:94.44.5.0", {2: _oct("07de0c1fff000000008000ff")}),
        _obj(1, "0-0:94.44.5.1", {2: _oct("07de0c1fff000000008000ff")}),
        _obj(1, "0-0:94.44.5.2", {2: _oct("07de0c1fff000000008000ff")}),
        _obj(1, "0-0:94.44.6.1", {2: _bool(False)}),
        _obj(1, "0-0:94.44.6.2", {2: _bool(False)}),
        _obj(1, "0-0:94.44.6.3", {2: _bool(False)}),
        _obj(1, "0-0:94.44.6.4", {2: _bool(False)}),
        _obj(1, "0-0:94.44.6.5", {2: _bool(False)}),
        _obj(1, "0-0:94.44.7.255", {2: _bool(255)}),
        _obj(1, "0-0:96.1.1.255", {2: _oct("00db1234567890a0")}),
        _obj(1, "0-0:96.1.2.255", {2: _oct("42")}),
        _obj(1, "0-0:96.1.4.255", {2: _oct("4154475479706558")}),
        _obj(1, "0-0:96.1.6.255", {2: _oct("435357")}),
        _obj(1, "0-2:96.13.1.255", {2: _oct("5265736574")}),
        _obj(1, "0-30:97.98.11.255", {2: _bits(512,
            "0000000000000030000000000000000000000000000000000000000000006000"
            "0000000000000000000000000000000000000000000000000000000000002000")}),
        _obj(1, "0-30:97.98.12.255", {2: _bits(512,
            "0000000000000000000000000000000000000100000000000000000002002000"
            "0000000000000000000000000000000000000000000000000000000000002000")}),
        _obj(1, "0-30:97.98.13.255", {2: _bits(512,
            "0000000000000000000000000000000000000006003000000000000000000000"
            "0000000000000000000000000000000000000006003000000000000000000000")}),
        _obj(1, "0-30:97.98.14.255", {2: _bits(512,
            "0000000000000040000000000000000000000006003000200000000000000000"
            "0000000000000040000000000000000000000006000000200000000000000000")}),
        _obj(1, "0-30:97.98.15.255", {2: _bits(256,
            "00000000000000337f0ffff30000000800000000000000000000000002006000")}),
        _obj(1, "0-30:97.98.16.255", {2: _bits(256,
            "000000000000001000000c000000000000000100000000000000000002002000")}),
        _obj(1, "0-30:97.98.17.255", {2: _bits(256,
            "0000000000000000000000000000000000000000000000000000000000000000")}),
        _obj(1, "0-30:97.98.18.255", {2: _bits(256,
            "00000000000000737f0fffff0000000800000006003000200000000000000000")}),
        _obj(1, "0-33:97.98.11.255", {2: _bits(512,
            "0000000000000000000000000000000000000000000000000000000000300000"
            "0000000000000000000000000000000000000000000000000000000000100000")}),
        _obj(1, "0-33:97.98.14.255", {2: _bits(512,
            "0000000000000000000000000000000000000000000000000000000000300000"
            "0000000000000000000000000000000000000000000000000000000000100000")}),
        _obj(1, "0-33:97.98.15.255", {2: _bits(256,
            "0000000000000000000000000000000000000000000000000000000000300000")}),
        _obj(1, "0-33:97.98.18.255", {2: _bits(256,
            "0000000000000000000000000000000000000000000000000000000000300000")}),
        _obj(1, "0-3:96.13.1.255", {2: _oct("31323334")}),
        _obj(1, "1-0:0.0.2.255", {2: _oct("31333132333435363738333333")}),
        _obj(1, "1-0:32.31.0.4", {2: _u32(200)}),
        _obj(1, "1-0:32.35.0.4", {2: _u32(264)}),
        _obj(1, "1-0:52.31.0.4", {2: _u32(96)}),
        _obj(1, "1-0:52.35.0.4", {2: _u32(126)}),
        _obj(1, "1-0:72.31.0.4", {2: _u32(96)}),
        _obj(1, "1-0:72.35.0.4", {2: _u32(126)}),
        _obj(3, "0-0:94.44.1.7", {2: _u32(1), 3: _s(_i8(-5), _enum(254))}),
        _obj(3, "0-0:94.44.1.8", {2: _u32(10000), 3: _s(_i8(-5), _enum(254))}),
        _obj(3, "0-0:94.44.42.255", {2: _u32(30), 3: _s(_i8(0), _enum(255))}),
        _obj(3, "1-0:2.8.0.255", {2: _u32(10), 3: _s(_i8(0), _enum(30))}),
        _obj(3, "1-0:32.32.0.4", {2: _u32(147), 3: _s(_i8(0), _enum(255))}),
        _obj(3, "1-0:32.36.0.4", {2: _u32(239), 3: _s(_i8(0), _enum(255))}),
        _obj(3, "1-0:4.8.0.255", {2: _u32(20), 3: _s(_i8(0), _enum(32))}),
        _obj(3, "1-0:52.32.0.4", {2: _u32(224), 3: _s(_i8(0), _enum(255))}),
        _obj(3, "1-0:52.36.0.4", {2: _u32(25), 3: _s(_i8(0), _enum(255))}),
        _obj(3, "1-0:72.32.0.4", {2: _u32(84), 3: _s(_i8(0), _enum(255))}),
        _obj(3, "1-0:72.36.0.4", {2: _u32(211), 3: _s(_i8(0), _enum(255))}),
        _obj(4, "1-0:1.6.0.255", {2: _u32(4775), 3: _s(_i8(0), _enum(27)),
            5: _oct("07de0c1fff091e00008000ff")}),
        _obj(4, "1-0:1.6.1.255", {2: _u32(12122), 3: _s(_i8(0), _enum(27)),
            5: _oct("07de0c1fff0b1e00008000ff")}),
        _obj(4, "1-0:2.6.0.255", {2: _u32(4775), 3: _s(_i8(0), _enum(27)),
            5: _oct("07de0c1eff142500008000ff")}),
        _obj(8, "0-0:1.0.0.255", {3: _i16(0), 4: _u8(0), 9: _enum(5)}),
        _obj(1, "0-0:94.44.100.255", {}),
        _obj(9, "0-0:10.0.100.255", {}),
        _obj(9, "0-0:10.0.103.255", {}),
        _obj(9, "0-0:10.0.106.255", {}),
        _obj(9, "0-0:10.0.107.255", {}),
        _obj(10, "0-0:12.0.0.255", {2: _a(_s(_u16(1), _bool(255), _oct("00000a8064ff"), _u16(1),
            _oct("0c000000"), _u16(65535), _bits(7, "fe"), _bits(0, ""), _oct("000001ffff"),
            _oct("ffffffffff")), _s(_u16(2), _bool(255), _oct("00000a8064ff"), _u16(2),
            _oct("09000000"), _u16(65535), _bits(7, "fe"), _bits(0, ""), _oct("000001ffff"),
            _oct("ffffffffff")))}),
        _obj(10, "0-0:12.0.1.255", {2: _a(_s(_u16(1), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("00000000"), _u16(65535), _bits(7, "06"), _bits(4, "f0"), _oct("07de0a1aff"),
            _oct("07df031dff")), _s(_u16(2), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("12000000"), _u16(65535), _bits(7, "f8"), _bits(4, "00"), _oct("07de0a1aff"),
            _oct("07df031dff")), _s(_u16(3), _bool(255), _oct("00000a006aff"), _u16(33),
            _oct("08000000"), _u16(65535), _bits(7, "f8"), _bits(4, "00"), _oct("07de0a1aff"),
            _oct("07df031dff")), _s(_u16(4), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("00000000"), _u16(65535), _bits(7, "06"), _bits(4, "f0"), _oct("07df031eff"),
            _oct("07df0a19ff")), _s(_u16(5), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("11000000"), _u16(65535), _bits(7, "f8"), _bits(4, "00"), _oct("07df031eff"),
            _oct("07df0a19ff")), _s(_u16(6), _bool(255), _oct("00000a006aff"), _u16(33),
            _oct("07000000"), _u16(65535), _bits(7, "f8"), _bits(4, "00"), _oct("07df031eff"),
            _oct("07df0a19ff")))}),
        _obj(10, "0-0:12.0.2.255", {2: _a(_s(_u16(1), _bool(255), _oct("00000a0067ff"), _u16(8576),
            _oct("09000000"), _u16(65535), _bits(7, "f8"), _bits(3, "e0"), _oct("07df0615ff"),
            _oct("07df0c15ff")), _s(_u16(2), _bool(255), _oct("00000a0067ff"), _u16(8626),
            _oct("091e0000"), _u16(65535), _bits(7, "f8"), _bits(3, "a0"), _oct("07df0615ff"),
            _oct("07df0c15ff")), _s(_u16(3), _bool(255), _oct("00000a0067ff"), _u16(8832),
            _oct("0a000000"), _u16(65535), _bits(7, "f8"), _bits(3, "e0"), _oct("07df0615ff"),
            _oct("07df0c15ff")), _s(_u16(4), _bool(255), _oct("00000a0067ff"), _u16(8882),
            _oct("0a1e0000"), _u16(65535), _bits(7, "f8"), _bits(3, "e0"), _oct("07df0615ff"),
            _oct("07df0c15ff")), _s(_u16(5), _bool(255), _oct("00000a0067ff"), _u16(9088),
            _oct("0b000000"), _u16(65535), _bits(7, "f8"), _bits(3, "e0"), _oct("07df0615ff"),
            _oct("07df0c15ff")), _s(_u16(6), _bool(255), _oct("00000a0067ff"), _u16(9138),
            _oct("0b1e0000"), _u16(65535), _bits(7, "f8"), _bits(3, "60"), _oct("07df0615ff"),
            _oct("07df0c15ff")))}),
        _obj(10, "0-1:12.0.1.255", {2: _a(_s(_u16(1), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("00000000"), _u16(65535), _bits(7, "06"), _bits(5, "00"), _oct("07de0a1bff"),
            _oct("07df031cff")), _s(_u16(2), _bool(255), _oct("00000a006aff"), _u16(33),
            _oct("091e0000"), _u16(65535), _bits(7, "06"), _bits(5, "00"), _oct("07de0a1bff"),
            _oct("07df031cff")), _s(_u16(3), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("16000000"), _u16(65535), _bits(7, "06"), _bits(5, "00"), _oct("07de0a1bff"),
            _oct("07df031cff")), _s(_u16(4), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("00000000"), _u16(65535), _bits(7, "f8"), _bits(5, "00"), _oct("07de0a1bff"),
            _oct("07df031cff")), _s(_u16(5), _bool(255), _oct("00000a006aff"), _u16(33),
            _oct("071e0000"), _u16(65535), _bits(7, "f8"), _bits(5, "00"), _oct("07de0a1bff"),
            _oct("07df031cff")), _s(_u16(6), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("14000000"), _u16(65535), _bits(7, "f8"), _bits(5, "00"), _oct("07de0a1bff"),
            _oct("07df031cff")), _s(_u16(7), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("00000000"), _u16(65535), _bits(7, "06"), _bits(5, "00"), _oct("ffff041dff"),
            _oct("ffff0719ff")), _s(_u16(8), _bool(255), _oct("00000a006aff"), _u16(33),
            _oct("091e0000"), _u16(65535), _bits(7, "06"), _bits(5, "00"), _oct("ffff041dff"),
            _oct("ffff0719ff")), _s(_u16(9), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("16000000"), _u16(65535), _bits(7, "06"), _bits(5, "00"), _oct("ffff041dff"),
            _oct("ffff0719ff")), _s(_u16(10), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("00000000"), _u16(65535), _bits(7, "f8"), _bits(5, "00"), _oct("ffff041dff"),
            _oct("ffff0719ff")), _s(_u16(11), _bool(255), _oct("00000a006aff"), _u16(33),
            _oct("071e0000"), _u16(65535), _bits(7, "f8"), _bits(5, "00"), _oct("ffff041dff"),
            _oct("ffff0719ff")), _s(_u16(12), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("14000000"), _u16(65535), _bits(7, "f8"), _bits(5, "00"), _oct("ffff041dff"),
            _oct("ffff0719ff")), _s(_u16(13), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("00000000"), _u16(65535), _bits(7, "00"), _bits(5, "c8"), _oct("ffff071aff"),
            _oct("ffff081fff")), _s(_u16(14), _bool(255), _oct("00000a006aff"), _u16(33),
            _oct("13000000"), _u16(65535), _bits(7, "00"), _bits(5, "c8"), _oct("ffff071aff"),
            _oct("ffff081fff")), _s(_u16(15), _bool(255), _oct("00000a006aff"), _u16(32),
            _oct("010f0000"), _u16(65535), _bits(7, "00"), _bits(5, "30"), _oct("ffff0901ff"),
            _oct("ffff0a1aff")), _s(_u16(16), _bool(255), _oct("00000a006aff"), _u16(33),
            _oct("122d0000"), _u16(65535), _bits(7, "00"), _bits(5, "30"), _oct("ffff0901ff"),
            _oct("ffff0a1aff")))}),
        _obj(10, "0-1:12.0.2.255", {2: _a(_s(_u16(1), _bool(255), _oct("00000a0067ff"), _u16(257),
            _oct("06000000"), _u16(65535), _bits(7, "fe"), _bits(4, "00"), _oct("ffffffffff"),
            _oct("ffffffffff")), _s(_u16(2), _bool(255), _oct("00000a0067ff"), _u16(258),
            _oct("0a000000"), _u16(65535), _bits(7, "fe"), _bits(4, "00"), _oct("ffffffffff"),
            _oct("ffffffffff")), _s(_u16(3), _bool(255), _oct("00000a0067ff"), _u16(513),
            _oct("11000000"), _u16(65535), _bits(7, "f8"), _bits(4, "00"), _oct("ffff0615ff"),
            _oct("ffff0915ff")), _s(_u16(4), _bool(255), _oct("00000a0067ff"), _u16(514),
            _oct("15000000"), _u16(65535), _bits(7, "f8"), _bits(4, "00"), _oct("ffff0615ff"),
            _oct("ffff0915ff")), _s(_u16(5), _bool(255), _oct("00000a0067ff"), _u16(513),
            _oct("0d000000"), _u16(65535), _bits(7, "06"), _bits(4, "f0"), _oct("ffff0615ff"),
            _oct("ffff0915ff")), _s(_u16(6), _bool(255), _oct("00000a0067ff"), _u16(514),
            _oct("15000000"), _u16(65535), _bits(7, "06"), _bits(4, "f0"), _oct("ffff0615ff"),
            _oct("ffff0915ff")))}),
        _obj(11, "0-0:11.0.0.255", {2: _a(_s(_u16(1), _oct("07df0501ff"), _u8(2)), _s(_u16(2),
            _oct("07df0c19ff"), _u8(2)))}),
        _obj(11, "0-0:11.0.1.255", {2: _a(_s(_u16(0), _oct("ffff0c19ff"), _u8(4)), _s(_u16(1),
            _oct("ffff0501ff"), _u8(4)), _s(_u16(2), _oct("ffff060aff"), _u8(4)))}),
        _obj(11, "0-0:11.0.2.255", {2: _a(_s(_u16(1), _oct("ffff0c19ff"), _u8(1)), _s(_u16(2),
            _oct("ffff0c1aff"), _u8(2)), _s(_u16(3), _oct("07df0405ff"), _u8(3)), _s(_u16(4),
            _oct("07df0403ff"), _u8(4)))}),
        _obj(11, "0-0:11.0.3.255", {2: _a(_s(_u16(1), _oct("ffff0c19ff"), _u8(1)), _s(_u16(2),
            _oct("ffff0c1aff"), _u8(2)), _s(_u16(3), _oct("07df0403ff"), _u8(3)))}),
        _obj(11, "0-1:11.0.0.255", {2: _a(_s(_u16(1), _oct("07df0501ff"), _u8(1)), _s(_u16(2),
            _oct("ffff0c19ff"), _u8(3)))}),
        _obj(11, "0-1:11.0.1.255", {2: _a(_s(_u16(1), _oct("07df0501ff"), _u8(3)), _s(_u16(2),
            _oct("ffff0c19ff"), _u8(1)))}),
        _obj(11, "0-1:11.0.2.255", {2: _a(_s(_u16(1), _oct("ffff071dff"), _u8(1)), _s(_u16(2),
            _oct("ffff0819ff"), _u8(2)), _s(_u16(3), _oct("ffff0906ff"), _u8(3)), _s(_u16(4),
            _oct("ffff0a05ff"), _u8(4)), _s(_u16(5), _oct("ffff080fff"), _u8(5)))}),
        _obj(11, "0-1:11.0.3.255", {2: _a(_s(_u16(1), _oct("ffff0c19ff"), _u8(1)), _s(_u16(2),
            _oct("ffff0c1aff"), _u8(2)), _s(_u16(3), _oct("07df0403ff"), _u8(3)), _s(_u16(4),
            _oct("07df081fff"), _u8(4)))}),
        _obj(20, "0-0:13.0.0.255", {3: _a(_s(_oct("616c6c"), _oct("07df0101ff000000008000ff"),
            _oct("01"))), 4: _a(_s(_oct("01"), _u8(1), _u8(1), _u8(1), _u8(1), _u8(1), _u8(2),
            _u8(2))), 5: _a(_s(_u8(1), _a(_s(_oct("07000000"), _oct("00000a0064ff"), _u16(101)),
            _s(_oct("17000000"), _oct("00000a0064ff"), _u16(102)))), _s(_u8(2), _a(_s(_oct("00000000"),
            _oct("00000a0064ff"), _u16(1))))), 7: _a(_s(_oct("77696e746572"),
            _oct("07de0a1bff000000008000ff"), _oct("01")), _s(_oct("73756d6d6572"),
            _oct("07df031dff000000008000ff"), _oct("02"))), 8: _a(_s(_oct("01"), _u8(1), _u8(1),
            _u8(1), _u8(1), _u8(1), _u8(3), _u8(3)), _s(_oct("02"), _u8(2), _u8(2), _u8(2), _u8(2),
            _u8(2), _u8(3), _u8(3))), 9: _a(_s(_u8(1), _a(_s(_oct("00000000"), _oct("00000a0064ff"),
            _u16(102)), _s(_oct("07000000"), _oct("00000a0064ff"), _u16(101)))), _s(_u8(2),
            _a(_s(_oct("06000000"), _oct("00000a0064ff"), _u16(101)), _s(_oct("17000000"),
            _oct("00000a0064ff"), _u16(102)))), _s(_u8(3), _a(_s(_oct("00000000"),
            _oct("00000a0064ff"), _u16(1))))), 10: _oct("ffffffffffffffffff8000ff")}),
        _obj(20, "0-0:13.0.1.255", {3: _a(_s(_oct("737072696e67"), _oct("07df0314ff162d00008000ff"),
            _oct("01")), _s(_oct("73756d6d6572"), _oct("07df0615ff102600008000ff"), _oct("01")),
            _s(_oct("66616c6c"), _oct("07df0917ff081500008000ff"), _oct("02")),
            _s(_oct("77696e746572"), _oct("07df0c15ff170300008000ff"), _oct("02"))),
            4: _a(_s(_oct("01"), _u8(1), _u8(1), _u8(1), _u8(1), _u8(1), _u8(2), _u8(2)),
            _s(_oct("02"), _u8(3), _u8(3), _u8(3), _u8(3), _u8(3), _u8(4), _u8(4))), 5: _a(_s(_u8(1),
            _a(_s(_oct("00000000"), _oct("00000a0064ff"), _u16(201)), _s(_oct("0c000000"),
            _oct("00000a0064ff"), _u16(202)))), _s(_u8(2), _a(_s(_oct("00000000"),
            _oct("00000a0064ff"), _u16(202)), _s(_oct("0c000000"), _oct("00000a0064ff"), _u16(203)))),
            _s(_u8(3), _a(_s(_oct("00000000"), _oct("00000a0064ff"), _u16(203)), _s(_oct("0c000000"),
            _oct("00000a0064ff"), _u16(204)))), _s(_u8(4), _a(_s(_oct("00000000"),
            _oct("00000a0064ff"), _u16(204)), _s(_oct("0c000000"), _oct("00000a0064ff"), _u16(201))))),
            7: _a(_s(_oct("77696e746572"), _oct("07de0a1bff000000008000ff"), _oct("01")),
            _s(_oct("73756d6d6572"), _oct("07df031dff000000008000ff"), _oct("02"))),
            8: _a(_s(_oct("01"), _u8(1), _u8(1), _u8(1), _u8(1), _u8(1), _u8(3), _u8(3)),
            _s(_oct("02"), _u8(2), _u8(2), _u8(2), _u8(2), _u8(2), _u8(3), _u8(3))), 9: _a(_s(_u8(1),
            _a(_s(_oct("00000000"), _oct("00000a0064ff"), _u16(201)), _s(_oct("07000000"),
            _oct("00000a0064ff"), _u16(204)), _s(_oct("13000000"), _oct("00000a0064ff"), _u16(203)))),
            _s(_u8(2), _a(_s(_oct("06000000"), _oct("00000a0064ff"), _u16(204)), _s(_oct("12000000"),
            _oct("00000a0064ff"), _u16(203)), _s(_oct("17000000"), _oct("00000a0064ff"), _u16(201)))),
            _s(_u8(3), _a(_s(_oct("00000000"), _oct("00000a0064ff"), _u16(204))))),
            10: _oct("ffffffffffffffffff8000ff")}),
        _obj(21, "0-0:16.0.0.255", {2: _a(_u32(2300), _u32(4600))}),
        _obj(21, "0-0:16.0.1.255", {2: _a(_i32(-500000))}),
        _obj(21, "0-0:16.0.11.255", {2: _a(_u32(10000), _u32(4294967295), _u32(4294967295))}),
        _obj(21, "0-0:16.0.12.255", {2: _a(_u32(10000), _u32(4294967295), _u32(4294967295))}),
        _obj(21, "0-0:16.0.13.255", {2: _a(_u32(4294967295), _u32(4294967295), _u32(4294967295))}),
        _obj(21, "0-0:16.0.14.255", {2: _a(_u32(4294967295), _u32(4294967295), _u32(4294967295))}),
        _obj(21, "0-0:16.0.15.255", {2: _a(_u32(4294967295), _u32(4294967295), _u32(4294967295))}),
        _obj(21, "0-0:16.0.16.255", {2: _a(_u32(4294967295), _u32(4294967295), _u32(4294967295))}),
        _obj(21, "0-0:16.0.17.255", {2: _a(_u32(4294967295), _u32(4294967295), _u32(4294967295))}),
        _obj(21, "0-0:16.0.18.255", {2: _a(_u32(4294967295), _u32(4294967295), _u32(4294967295))}),
        _obj(21, "0-0:16.1.11.255", {2: _a(_u32(10000), _u32(4294967295))}),
        _obj(21, "0-0:16.1.12.255", {2: _a(_u32(40000), _u32(4294967295))}),
        _obj(21, "0-0:16.1.13.255", {2: _a(_u32(4294967295))}),
        _obj(21, "0-0:16.1.14.255", {2: _a(_u32(4294967295))}),
        _obj(21, "0-0:16.1.15.255", {2: _a(_u32(4294967295))}),
        _obj(21, "0-0:16.1.16.255", {2: _a(_u32(4294967295))}),
        _obj(21, "0-0:16.1.17.255", {2: _a(_u32(4294967295))}),
        _obj(21, "0-0:16.1.18.255", {2: _a(_u32(4294967295))}),
        _obj(22, "0-0:15.0.0.255", {4: _a(_s(_oct("0c000000"), _oct("ffffff01ff")))}),
        _obj(22, "0-0:15.1.0.255", {4: _a(_s(_oct("00000000"), _oct("ffffffffff")))}),
        _obj(30, "0-0:43.2.1.255", {}),
        _obj(30, "0-0:43.2.10.255", {}),
        _obj(30, "0-0:43.2.2.255", {}),
        _obj(30, "0-0:43.2.3.255", {}),
        _obj(30, "0-0:43.2.4.255", {}),
        _obj(30, "0-0:43.2.5.255", {}),
        _obj(30, "0-0:43.2.6.255", {}),
        _obj(30, "0-0:43.2.7.255", {}),
        _obj(30, "0-0:43.2.8.255", {}),
        _obj(30, "0-0:43.2.9.255", {}),
        _obj(70, "0-0:96.3.10.255", {2: _bool(True), 3: _enum(1)}),
        _obj(70, "0-1:96.3.10.255", {2: _bool(255)}),
        _obj(70, "0-2:96.3.10.255", {2: _bool(255)}),
        _obj(70, "0-3:96.3.10.255", {2: _bool(255)}),
        _obj(70, "0-4:96.3.10.255", {2: _bool(255)}),
        _obj(70, "0-5:96.3.10.255", {2: _bool(255)}),
        _obj(71, "0-0:17.0.0.255", {4: _u32(6900), 6: _u32(300), 7: _u32(30)}),
        _obj(71, "0-0:17.0.1.255", {4: _u32(287), 6: _u32(30)}),
        _obj(71, "0-0:17.0.2.255", {4: _u32(180), 6: _u32(30)}),
        _obj(71, "0-0:17.0.3.255", {4: _u32(216), 6: _u32(30)}),
        _obj(71, "0-0:17.0.4.255", {4: _u32(253), 6: _u32(30)}),
        _obj(111, "0-0:19.0.0.255", {2: _s(_enum(2), _enum(2)), 11: _a(_s(_oct("0000130a00ff"),
            _oct("0000131400ff"), _bits(3, "e0")), _s(_oct("0000130a00ff"), _oct("0000131404ff"),
            _bits(3, "e0")), _s(_oct("0000130a00ff"), _oct("0000131401ff"), _bits(3, "c0")),
            _s(_oct("0000130a00ff"), _oct("0000131402ff"), _bits(3, "c0")), _s(_oct("0000130a00ff"),
            _oct("0000131403ff"), _bits(3, "e0")), _s(_oct("0000130a01ff"), _oct("0000131403ff"),
            _bits(3, "e0")), _s(_oct("0000130a01ff"), _oct("0000131400ff"), _bits(3, "e0")),
            _s(_oct("0000130a01ff"), _oct("0000131404ff"), _bits(3, "e0")), _s(_oct("0000130a01ff"),
            _oct("0000131401ff"), _bits(3, "c0")), _s(_oct("0000130a01ff"), _oct("0000131402ff"),
            _bits(3, "c0")), _s(_oct("0000130a02ff"), _oct("0000131404ff"), _bits(3, "e0")),
            _s(_oct("0000130a02ff"), _oct("0000131401ff"), _bits(3, "e0")), _s(_oct("0000130a02ff"),
            _oct("0000131402ff"), _bits(3, "e0"))), 16: _i32(500000), 18: _u16(10000),
            19: _i32(604800)}),
        _obj(111, "0-1:19.0.0.255", {2: _s(_enum(1), _enum(1)), 11: _a(_s(_oct("0000130a00ff"),
            _oct("0000131400ff"), _bits(3, "e0")), _s(_oct("0000130a00ff"), _oct("0000131404ff"),
            _bits(3, "e0"))), 13: _oct("0000000000000000008000ff")}),
        _obj(112, "0-0:19.10.0.255", {2: _i32(250000)}),
        _obj(112, "0-0:19.10.1.255", {9: _i32(2500000), 10: _i32(100000)}),
        _obj(112, "0-0:19.10.2.255", {}),
        _obj(113, "0-0:19.20.0.255", {5: _s(_s(_i8(3), _i8(-5)), _s(_u16(3), _oct("0100010800ff"),
            _i8(2)), _a(_s(_oct("01"), _i16(2121)), _s(_oct("02"), _i16(0)), _s(_oct("03"), _i16(0)),
            _s(_oct("04"), _i16(0)), _s(_oct("05"), _i16(0)), _s(_oct("06"), _i16(0)), _s(_oct("07"),
            _i16(0)), _s(_oct("08"), _i16(0)), _s(_oct("09"), _i16(0)), _s(_oct("0a"), _i16(0)),
            _s(_oct("0b"), _i16(0)), _s(_oct("0c"), _i16(0)), _s(_oct("0d"), _i16(0)), _s(_oct("0e"),
            _i16(0)), _s(_oct("0f"), _i16(0)), _s(_oct("10"), _i16(0)), _s(_oct("11"), _i16(0)),
            _s(_oct("12"), _i16(0)), _s(_oct("13"), _i16(0)), _s(_oct("14"), _i16(0)), _s(_oct("15"),
            _i16(0)), _s(_oct("16"), _i16(0)), _s(_oct("17"), _i16(0)), _s(_oct("18"), _i16(0)),
            _s(_oct("19"), _i16(0)), _s(_oct("1a"), _i16(0)), _s(_oct("1b"), _i16(0)), _s(_oct("1c"),
            _i16(0)), _s(_oct("1d"), _i16(0)), _s(_oct("1e"), _i16(0)), _s(_oct("1f"), _i16(0)),
            _s(_oct("20"), _i16(0)), _s(_oct("21"), _i16(0)), _s(_oct("22"), _i16(0)), _s(_oct("23"),
            _i16(0)), _s(_oct("24"), _i16(0)), _s(_oct("25"), _i16(0)), _s(_oct("26"), _i16(0)),
            _s(_oct("27"), _i16(0)), _s(_oct("28"), _i16(0)), _s(_oct("29"), _i16(0)), _s(_oct("2a"),
            _i16(0)), _s(_oct("2b"), _i16(0)), _s(_oct("2c"), _i16(0)), _s(_oct("2d"), _i16(0)),
            _s(_oct("2e"), _i16(0)), _s(_oct("2f"), _i16(0)), _s(_oct("30"), _i16(0)), _s(_oct("a1"),
            _i16(2289)), _s(_oct("a2"), _i16(4002)), _s(_oct("a3"), _i16(0)), _s(_oct("a4"), _i16(0)),
            _s(_oct("a5"), _i16(0)), _s(_oct("a6"), _i16(0)), _s(_oct("a7"), _i16(0)), _s(_oct("a8"),
            _i16(0)), _s(_oct("b1"), _i16(3546)), _s(_oct("b2"), _i16(6969)), _s(_oct("b3"), _i16(0)),
            _s(_oct("b4"), _i16(0)), _s(_oct("b5"), _i16(0)), _s(_oct("b6"), _i16(0)), _s(_oct("b7"),
            _i16(0)), _s(_oct("b8"), _i16(0)), _s(_oct("c1"), _i16(0)), _s(_oct("c2"), _i16(0)),
            _s(_oct("c3"), _i16(0)), _s(_oct("c4"), _i16(0)), _s(_oct("c5"), _i16(0)), _s(_oct("c6"),
            _i16(0)), _s(_oct("c7"), _i16(0)), _s(_oct("c8"), _i16(0)), _s(_oct("d1"), _i16(0)),
            _s(_oct("d2"), _i16(0)), _s(_oct("d3"), _i16(0)), _s(_oct("d4"), _i16(0)), _s(_oct("d5"),
            _i16(0)), _s(_oct("d6"), _i16(0)), _s(_oct("d7"), _i16(0)), _s(_oct("d8"), _i16(0)))),
            6: _s(_s(_i8(3), _i8(-5)), _s(_u16(3), _oct("0100010800ff"), _i8(2)), _a(_s(_oct("01"),
            _i16(2121)), _s(_oct("02"), _i16(0)), _s(_oct("03"), _i16(0)), _s(_oct("04"), _i16(0)),
            _s(_oct("05"), _i16(0)), _s(_oct("06"), _i16(0)), _s(_oct("07"), _i16(0)), _s(_oct("08"),
            _i16(0)), _s(_oct("09"), _i16(0)), _s(_oct("0a"), _i16(0)), _s(_oct("0b"), _i16(0)),
            _s(_oct("0c"), _i16(0)), _s(_oct("0d"), _i16(0)), _s(_oct("0e"), _i16(0)), _s(_oct("0f"),
            _i16(0)), _s(_oct("10"), _i16(0)), _s(_oct("11"), _i16(0)), _s(_oct("12"), _i16(0)),
            _s(_oct("13"), _i16(0)), _s(_oct("14"), _i16(0)), _s(_oct("15"), _i16(0)), _s(_oct("16"),
            _i16(0)), _s(_oct("17"), _i16(0)), _s(_oct("18"), _i16(0)), _s(_oct("19"), _i16(0)),
            _s(_oct("1a"), _i16(0)), _s(_oct("1b"), _i16(0)), _s(_oct("1c"), _i16(0)), _s(_oct("1d"),
            _i16(0)), _s(_oct("1e"), _i16(0)), _s(_oct("1f"), _i16(0)), _s(_oct("20"), _i16(0)),
            _s(_oct("21"), _i16(0)), _s(_oct("22"), _i16(0)), _s(_oct("23"), _i16(0)), _s(_oct("24"),
            _i16(0)), _s(_oct("25"), _i16(0)), _s(_oct("26"), _i16(0)), _s(_oct("27"), _i16(0)),
            _s(_oct("28"), _i16(0)), _s(_oct("29"), _i16(0)), _s(_oct("2a"), _i16(0)), _s(_oct("2b"),
            _i16(0)), _s(_oct("2c"), _i16(0)), _s(_oct("2d"), _i16(0)), _s(_oct("2e"), _i16(0)),
            _s(_oct("2f"), _i16(0)), _s(_oct("30"), _i16(0)), _s(_oct("a1"), _i16(2289)),
            _s(_oct("a2"), _i16(4002)), _s(_oct("a3"), _i16(0)), _s(_oct("a4"), _i16(0)),
            _s(_oct("a5"), _i16(0)), _s(_oct("a6"), _i16(0)), _s(_oct("a7"), _i16(0)), _s(_oct("a8"),
            _i16(0)), _s(_oct("b1"), _i16(3546)), _s(_oct("b2"), _i16(6969)), _s(_oct("b3"), _i16(0)),
            _s(_oct("b4"), _i16(0)), _s(_oct("b5"), _i16(0)), _s(_oct("b6"), _i16(0)), _s(_oct("b7"),
            _i16(0)), _s(_oct("b8"), _i16(0)), _s(_oct("c1"), _i16(0)), _s(_oct("c2"), _i16(0)),
            _s(_oct("c3"), _i16(0)), _s(_oct("c4"), _i16(0)), _s(_oct("c5"), _i16(0)), _s(_oct("c6"),
            _i16(0)), _s(_oct("c7"), _i16(0)), _s(_oct("c8"), _i16(0)), _s(_oct("d1"), _i16(0)),
            _s(_oct("d2"), _i16(0)), _s(_oct("d3"), _i16(0)), _s(_oct("d4"), _i16(0)), _s(_oct("d5"),
            _i16(0)), _s(_oct("d6"), _i16(0)), _s(_oct("d7"), _i16(0)), _s(_oct("d8"), _i16(0)))),
            7: _oct("ffffffffffffffffff8000ff")}),
        _obj(113, "0-0:19.20.1.255", {5: _s(_s(_i8(0), _i8(-5)), _s(_u16(0), _oct("000000000000"),
            _i8(0)), _a(_s(_oct(""), _i16(5000)))), 6: _s(_s(_i8(0), _i8(-1)), _s(_u16(0),
            _oct("000000000000"), _i8(0)), _a(_s(_oct(""), _i16(3)))), 8: _u32(86400)}),
        _obj(113, "0-0:19.20.2.255", {5: _s(_s(_i8(0), _i8(-5)), _s(_u16(0), _oct("000000000000"),
            _i8(0)), _a(_s(_oct(""), _i16(6000)))), 6: _s(_s(_i8(0), _i8(-1)), _s(_u16(0),
            _oct("000000000000"), _i8(0)), _a(_s(_oct(""), _i16(15)))), 8: _u32(86400)}),
        _obj(113, "0-0:19.20.3.255", {13: _u16(1000)}),
        _obj(113, "0-0:19.20.4.255", {5: _s(_s(_i8(0), _i8(-5)), _s(_u16(0), _oct("000000000000"),
            _i8(0)), _a(_s(_oct(""), _i16(20000)))), 6: _s(_s(_i8(0), _i8(-5)), _s(_u16(0),
            _oct("000000000000"), _i8(0)), _a(_s(_oct(""), _i16(20000)))),
            7: _oct("ffffffffffffffffff8000ff")}),
        _obj(113, "0-0:19.20.5.255", {5: _s(_s(_i8(3), _i8(-5)), _s(_u16(3), _oct("0114010800ff"),
            _i8(2)), _a(_s(_oct("01"), _i16(10000)), _s(_oct("02"), _i16(11000)), _s(_oct("03"),
            _i16(12000)), _s(_oct("04"), _i16(13000)))), 6: _s(_s(_i8(3), _i8(-5)), _s(_u16(3),
            _oct("0114010800ff"), _i8(2)), _a(_s(_oct("01"), _i16(10100)), _s(_oct("02"), _i16(0)),
            _s(_oct("03"), _i16(12300)), _s(_oct("04"), _i16(13400)))),
            7: _oct("ffffffffffffffffff8000ff")}),
        _obj(115, "0-0:19.40.0.255", {}),
        _obj(9000, "0-0:63.1.1.255", {6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.0.3", {2: _bool(False), 4: _bool(255),
            6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.12", {4: _u16(30), 6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.13", {4: _i32(604800), 6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.2", {4: _i32(300000), 6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.22", {4: _i32(556677), 6: _oct("0000000000000000008000ff")}),
        _obj(9000, "0-0:94.44.128.26", {6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.28", {6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.29", {6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.3", {4: _i32(100000), 6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.30", {6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.31", {6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.35", {6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.6", {4: _u32(300), 6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.7", {4: _u32(6900), 6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.8", {4: _u32(30), 6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.128.9", {4: _i32(200000), 6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.2.0", {2: _bool(255), 4: _bool(255),
            6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.2.10", {2: _i32(5000000), 4: _i32(1000000),
            6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:94.44.2.20", {2: _i32(5000000), 4: _i32(5000000),
            6: _oct("ffffffffffffffffff8000ff")}),
        _obj(9000, "0-0:96.13.0.255", {2: _oct("30333333203230322034363530")}),
        _obj(9000, "0-0:96.13.1.255", {2: _oct("452d4f4e")}),
    ]
