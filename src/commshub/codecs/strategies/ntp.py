"""Hypothesis strategies for NTP packets and the CSP time service's messages."""

from __future__ import annotations

from hypothesis import strategies as st

from commshub.codecs.ntp import LeapIndicator, MacAlgorithm, Mode, NtpKey, NtpMac, NtpPacket
from commshub.codecs.time_service import NONCE_LENGTH, SIGNATURE_LENGTH, SignedTime, TimeRequest

__all__ = [
    "ntp_keys",
    "ntp_macs",
    "ntp_packets",
    "ntp_timestamps",
    "signed_times",
    "time_requests",
]

_UINT32 = (1 << 32) - 1


def ntp_timestamps() -> st.SearchStrategy[int]:
    """Raw 64-bit NTP timestamps, zero included."""
    return st.integers(0, (1 << 64) - 1)


def ntp_macs() -> st.SearchStrategy[NtpMac]:
    """MACs of every length NTPv4 allows: crypto-NAK, MD5 or AES-128-CMAC, SHA-1."""
    digests = st.sampled_from([0, 16, 20]).flatmap(lambda n: st.binary(min_size=n, max_size=n))
    return st.builds(NtpMac, key_id=st.integers(0, _UINT32), digest=digests)


def ntp_packets(*, mac: bool | None = None) -> st.SearchStrategy[NtpPacket]:
    """NTP packets; ``mac`` True or False forces a MAC or none, None lets it vary."""
    macs = {True: ntp_macs(), False: st.none(), None: st.none() | ntp_macs()}[mac]
    return st.builds(
        NtpPacket,
        leap=st.sampled_from(LeapIndicator),
        version=st.integers(0, 7),
        mode=st.sampled_from(Mode),
        stratum=st.integers(0, 255),
        poll=st.integers(-128, 127),
        precision=st.integers(-128, 127),
        root_delay=st.integers(0, _UINT32),
        root_dispersion=st.integers(0, _UINT32),
        reference_id=st.binary(min_size=4, max_size=4),
        reference_timestamp=ntp_timestamps(),
        origin_timestamp=ntp_timestamps(),
        receive_timestamp=ntp_timestamps(),
        transmit_timestamp=ntp_timestamps(),
        mac=macs,
    )


@st.composite
def ntp_keys(draw: st.DrawFn) -> NtpKey:
    """Symmetric NTP keys of every supported algorithm."""
    algorithm = draw(st.sampled_from(MacAlgorithm))
    if algorithm is MacAlgorithm.AES128_CMAC:
        secret = draw(st.binary(min_size=16, max_size=16))
    else:
        secret = draw(st.binary(min_size=1, max_size=40))
    return NtpKey(draw(st.integers(1, _UINT32)), algorithm, secret)


def _eui64_bytes() -> st.SearchStrategy[bytes]:
    return st.binary(min_size=8, max_size=8)


def time_requests() -> st.SearchStrategy[TimeRequest]:
    return st.builds(
        TimeRequest,
        requester=_eui64_bytes(),
        nonce=st.binary(min_size=NONCE_LENGTH, max_size=NONCE_LENGTH),
    )


def signed_times() -> st.SearchStrategy[SignedTime]:
    """Signed time messages with an arbitrary (not a valid) 64-byte signature."""
    return st.builds(
        SignedTime,
        service=_eui64_bytes(),
        recipient=_eui64_bytes(),
        sequence=st.integers(0, (1 << 64) - 1),
        utc=ntp_timestamps(),
        nonce=st.binary(min_size=NONCE_LENGTH, max_size=NONCE_LENGTH),
        leap=st.sampled_from(LeapIndicator),
        precision=st.integers(-128, 127),
        max_error=st.integers(0, _UINT32),
        signature=st.binary(min_size=SIGNATURE_LENGTH, max_size=SIGNATURE_LENGTH),
    )
