"""GBCS codecs: the message frame, its payloads, general block transfer, tables and crypto.

Typical use, building a MACed command and checking it on the other side::

    keys = KeyStore.load("keystore")            # or KeyStore.generate(devices, remote_parties)
    frame = GbcsFrame.command(originator=supplier, recipient=chf, originator_counter=counter,
                              message_code=message_code_for("CCS01"), content=payload_bytes)
    frame = mac_frame(sign(frame, keys), keys)  # sign only critical commands
    wire = frame.to_bytes()
    received = parse_frame(wire)
    assert check_mac(received, keys) is Verdict.VALID

Modules: :mod:`.frame` (frame layout), :mod:`.payload` (DLMS, GBZ and ASN.1 content and its
encrypted parts), :mod:`.gbz`, :mod:`.asn1`, :mod:`.gbt`, :mod:`.crypto`, :mod:`.keystore`,
:mod:`.tables`, and :mod:`.describe` (trees and records for ``commshub decode``).
"""

from commshub.codecs.gbcs.asn1 import Asn1Payload, decode_asn1, encode_asn1
from commshub.codecs.gbcs.crypto import (
    DEFAULT_ACB,
    MissingKeyError,
    TransactionType,
    Verdict,
    check_mac,
    compute_mac,
    decrypt_part,
    derive_key,
    encrypt_part,
    encryption_key,
    mac_frame,
    mac_key,
    sign,
    signed_data,
    verify_signature,
)
from commshub.codecs.gbcs.frame import (
    MAC_LENGTH,
    SIGNATURE_LENGTH,
    ZERO_MAC,
    GbcsFrame,
    LengthForms,
    encode_frame,
    encode_general_signing,
    eui64,
    eui_hex,
    parse_frame,
)
from commshub.codecs.gbcs.gbt import (
    GbtBlock,
    GbtReassembler,
    build_gbt_block,
    is_gbt_block,
    parse_gbt_block,
    segment,
)
from commshub.codecs.gbcs.gbz import (
    FirmwareReceipt,
    FutureDatedOutcome,
    GbzAlert,
    GbzComponent,
    GbzEncryption,
    GbzPayload,
    IntegrityWarning,
    build_gbz,
    build_gbz_alert,
    parse_gbz,
    parse_gbz_alert,
)
from commshub.codecs.gbcs.keystore import KeyStore, KeyStoreError, KeyUsage
from commshub.codecs.gbcs.payload import (
    Payload,
    PayloadKind,
    decode_payload,
    decrypt_component,
    decrypt_protected_data,
    encode_payload,
    find_protected_data,
    payload_kind,
)
from commshub.codecs.gbcs.tables import (
    ALERT_CODES,
    ASN1_DEVICE_TYPES,
    DLMS_DEVICE_TYPES,
    MESSAGE_CODES,
    Cra,
    UseCase,
    alert_name,
    message_code_for,
    use_case,
)

__all__ = [  # noqa: RUF022 (grouped by topic)
    # frame
    "GbcsFrame", "LengthForms", "parse_frame", "encode_frame", "encode_general_signing",
    "eui64", "eui_hex", "MAC_LENGTH", "SIGNATURE_LENGTH", "ZERO_MAC",
    # payloads
    "Payload", "PayloadKind", "payload_kind", "decode_payload", "encode_payload",
    "find_protected_data", "decrypt_protected_data", "decrypt_component",
    "GbzPayload", "GbzComponent", "GbzEncryption", "GbzAlert", "FutureDatedOutcome",
    "FirmwareReceipt", "IntegrityWarning", "parse_gbz", "build_gbz", "parse_gbz_alert",
    "build_gbz_alert", "Asn1Payload", "decode_asn1", "encode_asn1",
    # general block transfer
    "GbtBlock", "GbtReassembler", "parse_gbt_block", "build_gbt_block", "is_gbt_block", "segment",
    # crypto and keys
    "KeyStore", "KeyStoreError", "KeyUsage", "Verdict", "TransactionType", "MissingKeyError",
    "DEFAULT_ACB", "derive_key", "mac_key", "compute_mac", "mac_frame", "check_mac",
    "signed_data", "sign", "verify_signature", "encryption_key", "encrypt_part", "decrypt_part",
    # tables
    "Cra", "UseCase", "MESSAGE_CODES", "ALERT_CODES", "DLMS_DEVICE_TYPES", "ASN1_DEVICE_TYPES",
    "use_case", "alert_name", "message_code_for",
]
