"""The remote party roles from which the virtual ESME accepts each use case.

GBCS devices check the role in the originator's certificate against the use case. The full
GBCS table is not public, so this one is derived from two public sources:

- the DUIS request matrix (SmartDCCInnovation/duis-parser, ``src/duis-request-matrix.json``),
  which lists the DCC user roles eligible for each service request variant. An import or
  export supplier (IS, ES) sends as a supplier and an electricity distributor (ED) as the
  network operator. A party the meter does not know (other users, an export supplier or an
  incoming supplier: an "unknown remote party") reaches it through the Access Control Broker,
  which GBCS allows for non-critical use cases only;
- the DCC RTDS 4.5.0, whose ESME commands each come from an originator of a role listed here
  (ECS47e, which DUIS lets no user send, comes from the transitional change-of-supplier party).

Each message code maps to the service request variants of its RTDS folders (ECS17b is 4.1.1,
ECS47 is 7.5, 7.6 and 7.8).
"""

from __future__ import annotations

from collections.abc import Mapping

from commshub.hub.settings import Role

__all__ = ["ESME_USE_CASE_ROLES", "allowed_roles"]

_SUPPLIER = frozenset({Role.SUPPLIER})
_SUPPLIER_OR_UNKNOWN = frozenset({Role.SUPPLIER, Role.ACCESS_CONTROL_BROKER})
_ANY_READER = frozenset({Role.SUPPLIER, Role.NETWORK_OPERATOR, Role.ACCESS_CONTROL_BROKER})
_NETWORK_OPERATOR_OR_UNKNOWN = frozenset({Role.NETWORK_OPERATOR, Role.ACCESS_CONTROL_BROKER})
_UNKNOWN_ONLY = frozenset({Role.ACCESS_CONTROL_BROKER})
_TRANSITIONAL_COS = frozenset({Role.TRANSITIONAL_COS})

_GROUPS: tuple[tuple[frozenset[Role], tuple[int, ...]], ...] = (
    # Critical commands and supplier-only settings: CS06, ECS01a-d, ECS02, ECS03, ECS04a/b,
    # ECS05, ECS07, ECS08, ECS08a, ECS09, ECS28a, ECS30, ECS30a, ECS38, ECS42, ECS43, ECS44,
    # ECS46a/c/d, ECS47, ECS47a, ECS48, ECS70, ECS81.
    (_SUPPLIER, (
        0x0012, 0x0019, 0x001A, 0x001B, 0x001C, 0x001D, 0x001E, 0x001F, 0x0020, 0x0043, 0x0046,
        0x004B, 0x004F, 0x0050, 0x0051, 0x0053, 0x0054, 0x0055, 0x0062, 0x0068, 0x00A2, 0x00B3,
        0x00B7, 0x00C7, 0x00D7, 0x00DB, 0x00DE, 0x011A, 0x011E,
    )),
    # Non-critical supplier use cases: CS01a, ECS10, ECS12, ECS14, ECS15a/c, ECS16, ECS19,
    # ECS20a-d, ECS21a-c, ECS24, ECS24b, ECS26a/d/f/j/l, ECS28b, ECS34, ECS39a/b, ECS61c,
    # ECS62, ECS82.
    (_SUPPLIER_OR_UNKNOWN, (
        0x0007, 0x0021, 0x0022, 0x0023, 0x0024, 0x0025, 0x002D, 0x002E, 0x002F, 0x0030, 0x0033,
        0x0034, 0x0035, 0x003A, 0x003B, 0x003E, 0x0040, 0x0044, 0x0047, 0x004C, 0x004D, 0x005E,
        0x005F, 0x0069, 0x00BD, 0x00BE, 0x00C1, 0x00C9, 0x00D9,
    )),
    # Reads and alert settings open to suppliers and the network operator: ECS17a-e, ECS18a/b,
    # ECS22a-c, ECS23, ECS23b, ECS25a, ECS25a1-3, ECS25b, ECS25b3, ECS25r1/2, ECS26b/c/e/k/m,
    # ECS27, ECS35a/b/e/f/g, ECS40, ECS45, ECS52, ECS61a/d/e, ECS66.
    (_ANY_READER, (
        0x0026, 0x0027, 0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x0036, 0x0037, 0x0038, 0x0039,
        0x003C, 0x003D, 0x003F, 0x0042, 0x0048, 0x0049, 0x004E, 0x0052, 0x0059, 0x0060, 0x00AC,
        0x00B0, 0x00B9, 0x00BA, 0x00BB, 0x00BC, 0x00C6, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE,
        0x00EF, 0x00F9, 0x00FD, 0x011C, 0x011D,
    )),
    # Network settings: ECS29a-f (voltage), ECS37 and ECS57 (maximum demand).
    (_NETWORK_OPERATOR_OR_UNKNOWN, (0x0045, 0x004A, 0x005A, 0x00AE, 0x00D1, 0x00D2, 0x00D3, 0x00D4)),
    # ECS50 Request Customer Identification Number: other users only.
    (_UNKNOWN_ONLY, (0x0058,)),
    # ECS47e Limit APC Level.
    (_TRANSITIONAL_COS, (0x011F,)),
)

ESME_USE_CASE_ROLES: Mapping[int, frozenset[Role]] = {
    code: roles for roles, codes in _GROUPS for code in codes
}


def allowed_roles(message_code: int) -> frozenset[Role] | None:
    """Return the roles that may send ``message_code`` to an ESME, or None for a message code
    that is no ESME use case."""
    return ESME_USE_CASE_ROLES.get(message_code)
