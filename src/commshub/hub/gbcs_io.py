"""The one place where the hub calls the GBCS, DLMS and ASN.1 codecs.

The hub's logic works on decoded values (GbcsFrame, DLMS Data, asn1tools values); this module
parses inbound frames, checks MACs and signatures with the hub's key store, and builds,
signs and MACs the responses and alerts the hub sends.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from commshub.codecs.dlms import CosemDateTime, Data, DataType, build_apdu, parse_apdu
from commshub.codecs.dlms.xdlms import Apdu, DataNotification
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.asn1 import decode_asn1, encode_asn1
from commshub.codecs.gbcs.frame import GbcsFrame, encode_frame, parse_frame
from commshub.codecs.gbcs.gbz import GbzAlert, build_gbz_alert
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.codecs.gbcs.tables import Cra
from commshub.errors import SecurityError
from commshub.hub.settings import HubIdentity, RemoteParty, Role

__all__ = [
    "ZIGBEE_EPOCH",
    "GbcsIo",
    "build_dlms",
    "cosem_date_time",
    "decode_asn1_payload",
    "dlms_alert_content",
    "encode_asn1_payload",
    "gbz_alert_content",
    "generalized_time",
    "generate_identity",
    "invoke_id_for",
    "key_pem",
    "parse",
    "parse_dlms",
    "unspecified_date_time",
    "zigbee_time",
]

# ZigBee and GBCS UTC values count seconds from 2000-01-01 00:00:00 UTC (ZCL UTCTime).
ZIGBEE_EPOCH = 946_684_800
# GBCS long-invoke-id-and-priority: 0x20 then the low 24 bits of the originator counter.
_INVOKE_PRIORITY = 0x2000_0000
_INVOKE_COUNTER_MASK = 0x00FF_FFFF


def parse(data: bytes) -> GbcsFrame:
    """Parse a GBCS frame (raises CodecError)."""
    return parse_frame(data)


def parse_dlms(content: bytes) -> Apdu:
    """Parse a DLMS payload (raises CodecError)."""
    return parse_apdu(content)


def build_dlms(apdu: Apdu) -> bytes:
    return build_apdu(apdu)


def decode_asn1_payload(content: bytes, message_code: int, cra: Cra) -> Any:
    """Decode an ASN.1 payload to its asn1tools value (raises CodecError)."""
    return decode_asn1(content, message_code, cra).value


def encode_asn1_payload(type_name: str, value: Any) -> bytes:
    return encode_asn1(type_name, value)


def invoke_id_for(counter: int) -> int:
    """Return the DLMS long-invoke-id-and-priority GBCS puts in a payload for ``counter``."""
    return _INVOKE_PRIORITY | (counter & _INVOKE_COUNTER_MASK)


def cosem_date_time(utc: int) -> bytes:
    """Return a 12-octet COSEM date-time for UTC seconds since 1970, as GBCS devices send it
    (deviation not specified, clock status not specified, like the DCC's reference data)."""
    moment = datetime.datetime.fromtimestamp(utc, tz=datetime.UTC)
    return CosemDateTime(
        moment.year, moment.month, moment.day, moment.isoweekday(), moment.hour, moment.minute,
        moment.second, 0, -0x8000, 0xFF,
    ).to_bytes()


def unspecified_date_time() -> bytes:
    """Return a COSEM date-time with every field "not specified" (a time never recorded)."""
    return CosemDateTime().to_bytes()


def zigbee_time(utc: int) -> int:
    """Return UTC seconds since 1970 as seconds since 2000 (ZCL UTCTime, GBCS log entries)."""
    return max(0, utc - ZIGBEE_EPOCH)


def generalized_time(utc: int) -> datetime.datetime:
    """Return UTC seconds as the naive datetime asn1tools encodes as GeneralizedTime ``...Z``."""
    return datetime.datetime.fromtimestamp(utc, tz=datetime.UTC).replace(tzinfo=None)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _public_key(pem: bytes) -> ec.EllipticCurvePublicKey:
    public: object
    if b"BEGIN CERTIFICATE" in pem:
        public = x509.load_pem_x509_certificate(pem).public_key()
    else:
        public = serialization.load_pem_public_key(pem)
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise TypeError("remote party key is not an elliptic-curve key")
    return public


def _private_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError("hub key is not an elliptic-curve private key")
    return key


class GbcsIo:
    """GBCS security for one hub: its own keys and the public keys of its remote parties."""

    def __init__(self, identity: HubIdentity) -> None:
        self.identity = identity
        self.keys = _key_store(identity)
        acb = identity.party_with_role(Role.ACCESS_CONTROL_BROKER)
        self.acb = acb.entity_id if acb else crypto.DEFAULT_ACB

    def check_mac(self, frame: GbcsFrame) -> crypto.Verdict | None:
        return crypto.check_mac(frame, self.keys, acb=self.acb)

    def check_signature(self, frame: GbcsFrame) -> crypto.Verdict | None:
        return crypto.verify_signature(frame, self.keys)

    def verify_detached(self, signer: bytes, data: bytes, signature: bytes) -> bool:
        """Check an ECDSA P-256 r||s signature over ``data`` with ``signer``'s DS key."""
        public = self.keys.public_key(signer, KeyUsage.DIGITAL_SIGNATURE)
        if public is None or len(signature) != 64:
            return False
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            public.verify(der, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True

    def seal(self, frame: GbcsFrame, *, critical: bool) -> bytes:
        """Sign a critical message (no MAC header) or MAC a non-critical one; return its bytes."""
        if critical:
            return encode_frame(crypto.sign(frame.replace(mac=None), self.keys))
        return encode_frame(crypto.mac_frame(frame.replace(signature=b""), self.keys, acb=self.acb))

    def response(self, command: GbcsFrame, originator: bytes, content: bytes, *, critical: bool,
                 date_time: bytes | None = None) -> bytes:
        """Build the response to ``command``: same counter, message code and supplementary fields,
        and the grouping header's ``date_time`` when given."""
        frame = GbcsFrame.response(
            originator=originator, recipient=command.originator,
            originator_counter=command.originator_counter, message_code=command.message_code,
            content=content, mac_header=not critical, date_time=date_time,
            supplementary_remote_party_id=command.supplementary_remote_party_id,
            supplementary_remote_party_counter=command.supplementary_remote_party_counter,
        )
        return self.seal(frame, critical=critical)

    def encrypt_for(self, command: GbcsFrame, originator: bytes, plaintext: bytes) -> bytes:
        """Encrypt a sensitive part of the response that ``originator`` (the CHF or the GPF)
        sends to ``command``: AES-GCM with the response's encryption key; ciphertext || tag.

        Raises SecurityError when the hub has no key agreement key of the command's originator.
        """
        response = GbcsFrame.response(
            originator=originator, recipient=command.originator,
            originator_counter=command.originator_counter, message_code=command.message_code, content=b"",
            supplementary_remote_party_id=command.supplementary_remote_party_id,
        )
        key = crypto.encryption_key(response, self.keys)
        if key is None:
            raise SecurityError(f"no key agreement key of {command.originator.hex()} to encrypt for")
        return crypto.encrypt_part(key, originator, plaintext)

    def alert(
        self, *, originator: bytes, recipient: bytes, counter: int, message_code: int,
        content: bytes, critical: bool,
    ) -> bytes:
        frame = GbcsFrame.alert(
            originator=originator, recipient=recipient, originator_counter=counter,
            message_code=message_code, content=content, mac_header=not critical,
        )
        return self.seal(frame, critical=critical)


def dlms_alert_content(counter: int, alert_code: int, utc: int, *extra: Data) -> bytes:
    """Build a DLMS data-notification alert: {alert code, timestamp, extra...}."""
    body = Data(DataType.STRUCTURE, (
        Data(DataType.LONG_UNSIGNED, alert_code),
        Data(DataType.OCTET_STRING, cosem_date_time(utc)),
        *extra,
    ))
    return build_apdu(DataNotification(invoke_id_for(counter), None, body))


def gbz_alert_content(alert_code: int, utc: int) -> bytes:
    """Build a GBZ alert without body: {alert code, timestamp} (GBCS generic alerts of ZigBee
    devices, such as the GPF's)."""
    return build_gbz_alert(GbzAlert(alert_code, zigbee_time(utc)))


@functools.lru_cache(maxsize=256)
def _key_store_cached(identity: HubIdentity) -> KeyStore:
    store = KeyStore()
    for eui, ka, ds in (
        (identity.chf_id, identity.chf_ka_private, identity.chf_ds_private),
        (identity.gpf_id, identity.gpf_ka_private, identity.gpf_ds_private),
    ):
        store.add(eui, KeyUsage.KEY_AGREEMENT, private_key=_private_key(ka))
        store.add(eui, KeyUsage.DIGITAL_SIGNATURE, private_key=_private_key(ds))
    for party in identity.remote_parties:
        store.add(party.entity_id, KeyUsage.KEY_AGREEMENT, public_key=_public_key(party.ka_public))
        store.add(party.entity_id, KeyUsage.DIGITAL_SIGNATURE, public_key=_public_key(party.ds_public))
    return store


def _key_store(identity: HubIdentity) -> KeyStore:
    return _key_store_cached(identity)


def generate_identity(
    chf_id: bytes, gpf_id: bytes, remote_parties: dict[bytes, Role], *,
    remote_keys: KeyStore | None = None,
) -> tuple[HubIdentity, KeyStore]:
    """Make a hub identity with fresh device keys from a generated test PKI.

    Remote parties take their public keys from ``remote_keys`` (for example the RTDS key
    store) when it has them, otherwise they get fresh key pairs too. Returns the identity and a
    key store holding the hub's certificates and every remote party's keys (with the private
    keys that were generated), which a test or a replay uses to talk to the hub.
    """
    missing = [eui for eui in remote_parties
               if remote_keys is None or remote_keys.public_key(eui, KeyUsage.KEY_AGREEMENT) is None]
    generated = KeyStore.generate(devices=[chf_id, gpf_id], remote_parties=missing)
    store = generated if remote_keys is None else remote_keys.merged(generated)
    parties = []
    for eui, role in remote_parties.items():
        ka = store.public_key(eui, KeyUsage.KEY_AGREEMENT)
        ds = store.public_key(eui, KeyUsage.DIGITAL_SIGNATURE)
        if ka is None or ds is None:
            raise ValueError(f"no key agreement and signing keys for remote party {eui.hex()}")
        parties.append(RemoteParty(eui, role, _public_pem(ka), _public_pem(ds)))

    def private(eui: bytes, usage: KeyUsage) -> bytes:
        key = generated.private_key(eui, usage)
        assert key is not None  # generated above for both devices
        return key_pem(key)

    identity = HubIdentity(
        chf_id=chf_id, gpf_id=gpf_id,
        chf_ka_private=private(chf_id, KeyUsage.KEY_AGREEMENT),
        chf_ds_private=private(chf_id, KeyUsage.DIGITAL_SIGNATURE),
        gpf_ka_private=private(gpf_id, KeyUsage.KEY_AGREEMENT),
        gpf_ds_private=private(gpf_id, KeyUsage.DIGITAL_SIGNATURE),
        remote_parties=tuple(parties),
    )
    return identity, store


def _public_pem(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
