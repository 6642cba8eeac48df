"""DLMS APDU decode throughput beside dlms-cosem and gurux_dlms, on the APDUs all three decode.

The inputs are public vectors: DLMS Green Book examples and real meter frames from the
dlms-cosem test suite. They cover GET, SET and ACTION in their normal, next, list and block forms,
data-notifications, AARQ, AARE, RLRQ, RLRE, initiate, exception-response and a
general-glo-ciphering left ciphered. Before timing, every library decodes every vector, and a
vector that one of them rejects is left out and listed.

"Decode" means down to values:

- commshub: ``parse_apdu``, which also decodes every A-XDR data field, and ``parse_apdu`` again
  on the user-information of ACSE APDUs (the initiate request or response), which dlms-cosem
  decodes too;
- dlms-cosem: ``XDlmsApduFactory.apdu_from_bytes``, then ``DlmsDataParser`` on the raw A-XDR
  fields that the factory leaves undecoded (GET/SET/ACTION data, data-notification body);
- gurux_dlms: ``GXDLMSTranslator.pduToXml``, its public way to decode a whole APDU.

Each library runs the same list in the same process; the best of a few passes is reported, bounded
in count and time.
"""

from __future__ import annotations

import contextlib
import io
import platform
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

from commshub.codecs.dlms import parse_apdu

__all__ = ["VECTORS", "run"]

# Passes per library; the best pass is reported.
PASSES = 7
# Real seconds one library's passes may take before they stop after the current pass.
MEASURE_LIMIT_S = 20.0
# Times the vector list is repeated in one pass, so that a pass lasts long enough to time.
REPEAT = 20

_PROFILE_BUFFER = (
    "0001180203090C07E2020C0500000000800000110006000186A00203090C07E2020C0501000000800000110006"
    "000188400203090C07E2020C0502000000800000110006000189E00203090C07E2020C0503000000800000110006"
    "00018B800203090C07E2020C050400000080000011000600018D200203090C07E2020C050500000080000011000600"
    "018EC00203090C07E2020C0506000000800000110006000190600203090C07E2020C050700000080000011000600"
    "0192000203090C07E2020C0508000000800000110006000193A00203090C07E2020C050900000080000011000600"
    "0195400203090C07E2020C050A000000800000110006000196E00203090C07E2020C050B00000080000011000600"
    "0198800203090C07E2020C050C00000080000011000600019A200203090C07E2020C050D00000080000011000600"
    "019BC00203090C07E2020C050E00000080000011000600019D600203090C07E2020C050F00000080000011000600"
    "019F000203090C07E2020C05100000008000001100060001A0A00203090C07E2020C051100000080000011000600"
    "01A2400203090C07E2020C05120000008000001100060001A3E00203090C07E2020C051300000080000011000600"
    "01A5800203090C07E2020C05140000008000001100060001A7200203090C07E2020C051500000080000011000600"
    "01A8C00203090C07E2020C05160000008000001100060001AA600203090C07E2020C05170000008000001100060001"
    "AC00"
)
_KAMSTRUP_PUSH = (
    "0f000000000c07e60c1c03170100ff80000002190a0e4b616d73747275705f563030303109060101000005ff0a10"
    "3537303635363731393633383234383509060101600101ff0a1236383431313331424e3134333130313039300906"
    "0101010700ff060000092609060101020700ff060000000009060101030700ff060000000009060101040700ff06"
    "000000df090601011f0700ff060000005c09060101330700ff060000008d09060101470700ff0600000372090601"
    "01200700ff1200e609060101340700ff1200e609060101480700ff1200e4"
)

# (name, hex) of APDUs; sources: dlms-cosem tests/test_xdlms/*.py, tests/test_asce/*.py,
# tests/test_a_xdr.py, tests/test_general_global_cipher.py and a Kamstrup HAN push published in
# the dlms-cosem issue tracker.
VECTORS: list[tuple[str, str]] = [
    ("get-request-normal", "C001C100080000010000FF0200"),
    ("get-request-normal, range selection",
     ("C001C100070100630100FF0201010204020412000809060000010000FF0F02120000090C07E10A01070000"
      "0000FFC480090C07E10A0107010000 00FFC4800100")),
    ("get-request-next", "C002C100000001"),
    ("get-request-with-list", "C003C10200010000 2A0000FF020000080000010000FF0200"),
    ("get-response-normal", "C401C1000600001391"),
    ("get-response-normal, error", "C401C10101"),
    ("get-response-normal, 24-entry profile buffer", "C401C1" + _PROFILE_BUFFER),
    ("get-response-with-datablock",
     "C402C100000000010016 0102020412000109060000010000FF0F021200000204"),
    ("get-response-with-list", "C403C10200000111"),
    ("set-request-normal", "C101C100080000010000FF0200090C07E50118FF0E303950FFC400"),
    ("set-response-normal", "C501C100"),
    ("action-request-normal", "C301C0000F0000280000FF010109111000001A90E6D2221FA2FD85EED61ACC22"),
    ("action-request-normal, no parameters", "C301C0000F0000280000FF0100"),
    ("action-response-normal", "C701C00000"),
    ("action-response-normal, data", "C701C0000100091110 00001AFDE8857B728A3499106AA665D1"),
    ("action-response-normal, error", "C701C0000101FA"),
    ("data-notification", ("0F000001DB0009221 25A8591360000000049000000110000000A5A8513D0148000"
                           "00000D0000000A0100")),
    ("data-notification, Kamstrup push", _KAMSTRUP_PUSH),
    ("aarq, low security", ("6036A1090607608574050801018A0207808B0760857405080201AC0A800831323334"
                            "35363738BE10040E01000000065F1F0400007E1F04B0")),
    ("aarq, ciphered", ("6066A109060760857405080103A60A04084D4D4D0000BC614E8A0207808B0760857405"
                        "080201AC0A80083132333435363738BE34043221303001234567801302FF8A7874133D41"
                        "4CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855")),
    ("aare", "6129A109060760857405080101A203020100A305A103020100BE10040E0800065F1F040000501F01F40007"),
    ("aare, high security", ("6142A109060760857405080101A203020100A305A10302010E8802078089076085"
                             "7405080205AA0A8008503677524A323146BE10040E0800065F1F040000501F01F40007")),
    ("rlrq", "6203800100"),
    ("rlre", "6316800100BE11040F080100065F1F0400001E1D04C80007"),
    ("initiate-request", "01000000065F1F0400007E1F04B0"),
    ("initiate-response", "0800065F1F040000501F01F40007"),
    ("exception-response", "D80102"),
    ("general-glo-ciphering, not deciphered",
     ("DB082F192291991641033B30000001E5025CE9D2271FD78BE8C204211A916A9D7F587E0A7A814CADEA89E959"
      "3F01F92EA8C087B5BDFDEFEAB6BECF282DFE49C08F5BE6DC8400")),
]


def _commshub_decode(data: bytes) -> Any:
    apdu = parse_apdu(data)
    user_information = getattr(apdu, "user_information", None)
    if user_information:
        return apdu, parse_apdu(user_information)
    return apdu


def _dlms_cosem_decoder() -> Callable[[bytes], Any]:
    from dlms_cosem.connection import XDlmsApduFactory
    from dlms_cosem.dlms_data import DlmsDataParser

    def decode(data: bytes) -> Any:
        apdu = XDlmsApduFactory.apdu_from_bytes(data)
        raw = getattr(apdu, "body", None) if hasattr(apdu, "body") else getattr(apdu, "data", None)
        if raw and type(apdu).__name__ != "GetResponseWithBlock":
            return apdu, DlmsDataParser().parse(bytes(raw))
        return apdu

    return decode


def _gurux_decoder() -> Callable[[bytes], Any]:
    from gurux_dlms.enums import TranslatorOutputType
    from gurux_dlms.GXDLMSTranslator import GXDLMSTranslator

    translator = GXDLMSTranslator(TranslatorOutputType.SIMPLE_XML)

    def decode(data: bytes) -> Any:
        return translator.pduToXml(data)

    return decode


def _time_pass(items: Sequence[bytes], work: Callable[[bytes], object]) -> float:
    """Return the APDUs per second of one pass of ``work`` over ``items`` repeated REPEAT times."""
    start = time.perf_counter()
    for _ in range(REPEAT):
        for item in items:
            work(item)
    elapsed = time.perf_counter() - start
    return REPEAT * len(items) / elapsed if elapsed else 0.0


def _best_rates(items: Sequence[bytes],
                decoders: dict[str, Callable[[bytes], Any]]) -> tuple[dict[str, float], int]:
    """Return each decoder's best APDUs per second and the passes run.

    The libraries take turns pass by pass, so that a change in the machine's load during the
    run affects all of them alike.
    """
    best = dict.fromkeys(decoders, 0.0)
    deadline = time.perf_counter() + MEASURE_LIMIT_S
    passes = 0
    while passes < PASSES and time.perf_counter() < deadline:
        for library, decoder in decoders.items():
            with contextlib.redirect_stdout(io.StringIO()):
                best[library] = max(best[library], _time_pass(items, decoder))
        passes += 1
    return best, passes


def _accepts(decoder: Callable[[bytes], Any], data: bytes) -> bool:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            decoder(data)
    except Exception:  # noqa: BLE001 - a peer's rejection of any kind excludes the vector
        return False
    return True


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def run() -> str:
    """Run the benchmark and return a markdown section with its results."""
    title = "## DLMS APDU decode beside dlms-cosem and gurux_dlms"
    decoders: dict[str, Callable[[bytes], Any]] = {"commshub": _commshub_decode}
    try:
        decoders["dlms-cosem"] = _dlms_cosem_decoder()
        decoders["gurux_dlms"] = _gurux_decoder()
    except ImportError as exc:
        return f"{title}\n\nNot run: a peer library is missing ({exc}).\n"

    vectors = [(name, bytes.fromhex(text.replace(" ", ""))) for name, text in VECTORS]
    shared = [(name, data) for name, data in vectors
              if all(_accepts(decoder, data) for decoder in decoders.values())]
    left_out = [name for name, _ in vectors if name not in {shared_name for shared_name, _ in shared}]
    items = [data for _, data in shared]

    rates, passes = _best_rates(items, decoders)
    ours = rates["commshub"]
    fastest_peer = max(rate for library, rate in rates.items() if library != "commshub")

    lines = [
        title,
        "",
        (f"{len(shared)} APDUs that all three libraries decode ({sum(map(len, items))} octets), "
         f"each pass decoding the list {REPEAT} times; best of {passes} passes, the libraries "
         "taking turns pass by pass. "
         f"dlms-cosem {_version('dlms-cosem')}, gurux_dlms {_version('gurux_dlms')}, "
         f"Python {platform.python_version()}; measured by `benchmarks/dlms_bench.py`. "
         "dlms-cosem's time includes decoding the A-XDR data its APDU classes keep raw; "
         "gurux_dlms decodes to XML through its translator."),
        "",
        "| library | APDUs/s | commshub speed ratio |",
        "|---|---|---|",
    ]
    for library, rate in rates.items():
        ratio = ours / rate if rate else float("inf")
        lines.append(f"| {library} | {rate:,.0f} | {ratio:.2f}x |")

    verdict = "meets" if ours >= fastest_peer else "misses"
    lines += ["", (f"commshub {verdict} the target of the fastest peer's speed "
                   f"({ours / fastest_peer:.2f}x)."), ""]
    lines += _per_vector_table(shared, decoders)
    if left_out:
        lines += ["", "Left out because a library rejects them: " + ", ".join(left_out) + "."]
    return "\n".join(lines) + "\n"


def _per_vector_table(shared: list[tuple[str, bytes]],
                      decoders: dict[str, Callable[[bytes], Any]]) -> list[str]:
    """Return a table of microseconds per APDU for each vector and library."""
    lines = ["| APDU | octets | " + " | ".join(f"{name} µs" for name in decoders) + " |",
             "|---|---|" + "---|" * len(decoders)]
    for name, data in shared:
        rates, _ = _best_rates([data], decoders)
        cells = [f"{1e6 / rate:,.1f}" if rate else "-" for rate in rates.values()]
        lines.append(f"| {name} | {len(data)} | " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    print(run())
