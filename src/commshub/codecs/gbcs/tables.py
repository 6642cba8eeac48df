"""GBCS lookup tables: message codes (use cases), alert codes, device types and roles.

Sources, read for their facts only:

- Message codes 0x0001-0x0129 and 0x1000/0x1001, and alert codes: SmartDCCInnovation/gbcs-parser
  ``src/util.ts`` (``messageCodes``, ``alertCodes``; snapshot eae3f918) cross-checked against
  wireshark ``epan/dissectors/packet-gbcs.c`` (snapshot 00e069e6).
- Message codes 0x011A-0x0127, 0x012A, 0x012B and alert codes 0x8F85-0x8F88 are missing from both
  tables. Their use-case identifiers come from the DCC Reference Test Data Set 4.5.0, whose folder
  and file names pair each of them with a use case (and alert code), and their titles from
  SmartDCCInnovation/duis-templates ``src/gbcs-mapping-table.json``.
- Device types and remote-party roles: gbcs-parser ``src/asn1.ts`` (ASN.1 numbering) and the
  GBCS CCS01 use-case table published in HenryGiraldo/gbcs-parser-js (DLMS numbering).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "ALERT_CODES",
    "ASN1_DEVICE_TYPES",
    "DLMS_DEVICE_TYPES",
    "HAN_ONLY_MESSAGE_CODES",
    "MESSAGE_CODES",
    "REMOTE_PARTY_ROLES",
    "Cra",
    "UseCase",
    "alert_name",
    "message_code_for",
    "use_case",
]


class Cra(IntEnum):
    """CRA flag, the first byte of the GBCS transaction ID: what kind of message this is."""

    COMMAND = 1
    RESPONSE = 2
    ALERT = 3


@dataclass(frozen=True)
class UseCase:
    """One GBCS message code: the use-case identifier (None for generic alerts) and its title."""

    code: int
    identifier: str | None
    title: str

    @property
    def name(self) -> str:
        """The identifier and title as GBCS writes them, e.g. "CCS01 Add Device to CHF device log"."""
        return f"{self.identifier} {self.title}" if self.identifier else self.title


# Message code -> "IDENTIFIER Title"; an entry without an identifier names a generic alert.
_MESSAGE_CODE_TEXT: dict[int, str] = {
    0x0001: "CCS01 Add Device to CHF device log",
    0x0002: "CCS02 Remove device from CHF device log",
    0x0003: "CCS03 Restore CHF Device Log",
    0x0004: "CCS05/CCS04 Read CHF device log / Check HAN communications",
    0x0007: "CS01a Apply Prepayment Top Up to an ESME",
    0x0008: "CS02a Provide Security Credentials Details",
    0x000A: "CS02c Issue Security Credentials",
    0x000B: "CS02d Update Device Certificates on Device",
    0x000C: "CS02e Provide Device Certificates from Device",
    0x000D: "CS03A1 Method A Join (Meter)",
    0x000E: "CS03B Method B Join",
    0x000F: "CS04AC Method A or C Unjoin",
    0x0010: "CS04B Method B Unjoin",
    0x0012: "CS06 Activate Firmware",
    0x0013: "CS07 Read Device Join Details",
    0x0014: "CS10a Read ZigBee Device Event Log",
    0x0015: "CS11 Clear ZigBee Device Event Log",
    0x0018: "CS14 Device Addition To / Removal From HAN Whitelist Alerts",
    0x0019: "ECS01a Set Tariff and Price on ESME",
    0x001A: "ECS02 Set ESME Payment Mode to Credit",
    0x001B: "ECS03 Set ESME Payment Mode to Prepayment",
    0x001C: "ECS04a Adjust Meter Balance on the ESME",
    0x001D: "ECS05 Reset Tariff Block Counter Matrix",
    0x001E: "ECS07 Manage Debt on the ESME",
    0x001F: "ECS08 Update Prepayment Configuration on ESME",
    0x0020: "ECS09 Activate Emergency Credit Remotely on ESME",
    0x0021: "ECS10 Send Message to ESME",
    0x0022: "ECS12 Set Change of Tenancy date on ESME",
    0x0023: "ECS14 Disable Privacy PIN Protection on ESME",
    0x0024: "ECS15a Clear ESME Event Log",
    0x0025: "ECS16 Write Supplier Contact Details on ESME",
    0x0026: "ECS17a Read ESME Energy Registers (Export Energy)",
    0x0027: "ECS17b Read ESME Energy Registers (Import Energy)",
    0x0028: "ECS17c Read ESME Energy Registers (Power)",
    0x0029: "ECS17d Read ESME Energy Register (TOU)",
    0x002A: "ECS17e Read ESME Energy Register (TOU with Blocks)",
    0x002B: "ECS18a Read Maximum Demand Registers (export)",
    0x002C: "ECS18b Read Maximum Demand Registers (import)",
    0x002D: "ECS19 Read ESME Prepayment Registers",
    0x002E: "ECS20a Read ESME Billing Data Log (payment based debt payments)",
    0x002F: "ECS20b Read ESME Billing Data Log (change of mode / tariff triggered exc export)",
    0x0030: "ECS20c Read ESME Billing Data Log (billing calendar triggered exc export)",
    0x0033: "ECS21a Read Electricity Daily Read Log (exc export)",
    0x0034: "ECS21b Read Electricity (Prepayment) Daily Read Log",
    0x0035: "ECS21c Read Electricity Daily Read Log (export only)",
    0x0036: "ECS22a Read Electricity Half Hour Profile Data (export)",
    0x0037: "ECS22b Read Electricity Half Hour Profile Data (active import)",
    0x0038: "ECS22c Read Electricity Half Hour Profile Data (reactive import)",
    0x0039: "ECS23 Read Voltage Operational Data",
    0x003A: "ECS24 Read ESME Tariff Data",
    0x003B: "ECS26a Read ESME Configuration Data Prepayment",
    0x003C: "ECS26b Read ESME Configuration Voltage Data",
    0x003D: "ECS26c Read ESME Configuration Data Device Information (randomisation)",
    0x003E: "ECS26d Read ESME Configuration Data Device Information (Billing Calendar)",
    0x003F: "ECS26e Read ESME Configuration Data Device Information (device identity exc MPAN)",
    0x0040: "ECS26f Read ESME Configuration Data Device Information (instantaneous power thresholds)",
    0x0042: "ECS27 Read ESME Load Limit Data",
    0x0043: "ECS28a Set Load Limit Configurations - General Settings",
    0x0044: "ECS28b Set Load Limit Configuration Counter Reset",
    0x0045: "ECS29a Set Voltage Configurations on ESME",
    0x0046: "ECS30 Set Billing Calendar on the ESME",
    0x0047: "ECS34 Set Instantaneous Power Threshold Configuration",
    0x0048: "ECS35a Read ESME Event Log",
    0x0049: "ECS35b Read ESME Security Log",
    0x004A: "ECS37 Set Maximum Demand Configurable Time Period",
    0x004B: "ECS38 Update Randomised Offset Limit",
    0x004C: "ECS39a Set MPAN Value on the ESME",
    0x004D: "ECS39b Set Export MPAN Value on the ESME",
    0x004E: "ECS40 Read MPAN Value on the ESME",
    0x004F: "ECS42 Remotely Close the Load Switch on the ESME",
    0x0050: "ECS43 Remotely Open the Load Switch on the ESME",
    0x0051: "ECS44 Arm Load Switch in ESME",
    0x0052: "ECS45 Read Status of Load Switch in the ESME",
    0x0053: "ECS46a Set HC ALCS or ALCS Labels in ESME",
    0x0054: "ECS46c Set HC ALCS and ALCS configuration in ESME (excluding labels)",
    0x0055: "ECS47 Set or Reset HC ALCS or ALCS State",
    0x0058: "ECS50 Send CIN to ESME",
    0x0059: "ECS52 Read ESME/Comms Hub Firmware Version",
    0x005A: "ECS57 Reset ESME Maximum Demand Registers",
    0x005E: "ECS61c Read Boost Button Data from ESME",
    0x005F: "ECS62 Set ALCS and Boost Button Association",
    0x0060: "ECS66 Read ESME Daily Consumption Log",
    0x0061: "ECS68 ESME Critical Sensitive Alert (Billing Data Log)",
    0x0062: "ECS70 Set Clock on ESME",
    0x0067: "ECS80 Supply Outage Restore Alert from ESME",
    0x0068: "ECS81 Set Supply Tamper State on ESME",
    0x0069: "ECS82 Read Meter Balance for ESME",
    0x006B: "GCS01a Set Tariff and Price on GSME",
    0x006C: "GCS02 Set GSME Payment Mode to Credit",
    0x006D: "GCS03 Set GSME Payment Mode to Prepayment",
    0x006E: "GCS04 Manage Debt on the GSME",
    0x006F: "GCS05 Update Prepayment Configurations on GSME",
    0x0070: "GCS06 Activate Emergency Credit Remotely on GSME",
    0x0071: "GCS07 Send Message to GSME",
    0x0072: "GCS09 Set Change of Tenancy date on GPF",
    0x0073: "GCS11 Disable Privacy PIN Protection on GSME",
    0x0074: "GCS13a Read GSME Consumption Register",
    0x0075: "GCS14 Read GSME Prepayment Registers",
    0x0076: "GCS15c Read GSME Billing Data Log (billing calendar triggered)",
    0x0077: "GCS16a Read GSME Daily Read Log",
    0x0078: "GCS17 Read GSME Profile Data Log",
    0x0079: "GCS18 Read Gas Network Data Log",
    0x007B: "GCS21a Read Gas Configuration Data Device Information",
    0x007C: "GCS23 Set CV and Conversion Factor Value(s) on the GSME",
    0x007D: "GCS24 Set Uncontrolled Gas Flow Rate and Supply Tamper State on the GSME",
    0x007E: "GCS25 Set Billing Calendar on the GSME",
    0x007F: "GCS28 Set Clock on GSME",
    0x0080: "GCS31 Start Network Data Log on GSME",
    0x0081: "GCS32 Remotely close the valve in the GSME",
    0x0082: "GCS33 Read GSME Valve Status",
    0x0083: "GCS36 Send CIN to GSME",
    0x0084: "GCS38 Read GSME Firmware Version",
    0x0085: "GCS39 Arm Valve in GSME",
    0x0086: "GCS40a Adjust Prepayment Mode Meter Balance on the GSME",
    0x0087: "GCS41 Set MPRN Value on the GSME",
    0x0088: "GCS44 Write Contact Details on GSME",
    0x0089: "GCS46 Read MPRN on the GSME",
    0x008B: "GCS53 Push Billing Data Log as an Alert",
    0x008C: "GCS59 Restore GPF Device Log",
    0x008D: "GCS60 Read Meter Balance for GSME",
    0x0090: "PCS02 Activate Emergency Credit on GSME from PPMID",
    0x0092: "ECS26i Read Configuration Data Device Information (CHF identity)",
    0x0093: "ECS35c Read CHF Event Log",
    0x0094: "ECS35d Read CHF Security Log",
    0x0096: "GCS16b Read GSME Daily Read log(s) (prepayment)",
    0x0097: "CS01b Apply Prepayment Top Up to a GSME",
    0x009B: "PCS01 Apply Prepayment Top Up to a GSME using PPMID",
    0x009D: "GCS21d Read GSME Configuration Data Device Information (BillingCalendar)",
    0x009E: "GCS21e Read GSME/GPF Configuration Data Device Information (device identity)",
    0x009F: "GCS21f Read GSME Tariff Data",
    0x00A0: "GCS61 Read Gas Daily Consumption Log",
    0x00A1: "CS10b Read ZigBee Device Security Log",
    0x00A2: "ECS01b Set Price on ESME",
    0x00A3: "GCS01b Set Price on GSME",
    0x00AB: "CS03A2 Method A Join (non Meter)",
    0x00AC: "ECS25a Set Alert Behaviours - ESME - Supplier",
    0x00AD: "GCS20 Set Alert Behaviours - GSME",
    0x00AE: "ECS29b Set Voltage Configurations on ESME - 3ph",
    0x00AF: "CS03C Method C Join",
    0x00B0: "ECS25b Set Alert Behaviours - ESME - Network Operator",
    0x00B2: "GCS62 Backup GPF Device Log",
    0x00B3: "ECS04b Reset Meter Balance on the ESME",
    0x00B4: "GCS40b Reset Prepayment Mode Meter Balance on the GSME",
    0x00B5: "GCS21b Read GSME Configuration Data Prepayment",
    0x00B6: "GCS13c Read GSME Register (TOU)",
    0x00B7: "ECS01c Set Tariff and Price on ESME secondary",
    0x00B8: "GCS13b Read GSME Block Counters",
    0x00B9: "ECS35e Read ESME Power Event Log",
    0x00BA: "ECS35f Read ALCS Event Log",
    0x00BB: "ECS61a Read HC ALCS and ALCS Data from ESME",
    0x00BC: "ECS23b Read Voltage Operational Data - 3 Phase",
    0x00BD: "ECS24b Read ESME Tariff Data - second element",
    0x00BE: "ECS26j Read ESME Configuration Data Device Information (Payment Mode)",
    0x00BF: "GCS21j Read GSME Configuration Data Device Information (Payment Mode)",
    0x00C0: "GCS40c Adjust Credit Mode Meter Balance on the GSME",
    0x00C1: "ECS15c Clear ALCS Event Log",
    0x00C2: "GCS40d Reset Credit Mode Meter Balance on the GSME",
    0x00C3: "GCS15b Read GSME Billing Data Log (change of mode / tariff triggered)",
    0x00C4: "GCS15d Read GSME Billing Data Log (payment-based debt payments)",
    0x00C5: "GCS15e Read GSME Billing Data Log (prepayment credits)",
    0x00C6: "ECS26k Read ESME Configuration Voltage Data - 3 phase",
    0x00C7: "ECS01d Set Price on ESME secondary",
    0x00C9: "ECS20d Read ESME Billing Data Log (prepayment credits)",
    0x00CA: "Future Dated Firmware Activation Alert",
    0x00CB: "Future Dated Update Security Credentials Alert",
    0x00CC: "Future Dated Execution Of Instruction Alert (DLMS COSEM)",
    0x00CD: "Future Dated Execution Of Instruction Alert (GBZ)",
    0x00CE: "Firmware Distribution Receipt Alert (ESME or Comms Hub)",
    0x00CF: "Firmware Distribution Receipt Alert (GSME)",
    0x00D1: "ECS29c Set Voltage Configurations on ESME without counter reset",
    0x00D2: "ECS29d Set Voltage Configurations on polyphase ESME without counter reset",
    0x00D3: "ECS29e Reset RMS Voltage Counters on ESME",
    0x00D4: "ECS29f Reset RMS Voltage Counters on polyphase ESME",
    0x00D5: "Failure to Deliver Remote Party Message to ESME Alert",
    0x00D7: "ECS30a Set Billing Calendar on the ESME - all periodicities",
    0x00D8: "GCS25a Set Billing Calendar on the GSME - all periodicities",
    0x00D9: "ECS26l Read ESME Configuration Data Device Information (Billing Calendar - all periodicities)",
    0x00DA: "GCS21k Read GSME Configuration Data Device Information (BillingCalendar - all periodicities)",
    0x00DB: "ECS48 Configure daily resetting of Tariff Block Counter Matrix",
    0x00DE: "ECS08a Update Prepayment Configuration on ESME",
    0x00EA: "ECS25a1 Set Event Behaviours - ESME to HAN Device - Supplier",
    0x00EB: "ECS25a2 Set Event Behaviours - ESME audible alarm - Supplier",
    0x00EC: "ECS25a3 Set Event Behaviours - ESME logging - Supplier",
    0x00ED: "ECS25b3 Set Event Behaviours - ESME logging - Network Operator",
    0x00EE: "ECS25r1 Read non-critical event and alert behaviours - ESME - Supplier",
    0x00EF: "ECS25r2 Read non-critical event and alert behaviours - ESME - Network Operator",
    0x00F0: "Meter Integrity Issue Warning Alert - ESME",
    0x00F1: "GCS20r Read non-critical event and alert behaviours - GSME - Supplier",
    0x00F2: "Meter Integrity Issue Warning Alert - GSME",
    0x00F9: "ECS26m Read ESME Configuration Data Device Information (identity, type and supply tamper state)",
    0x00FA: "ECS26n Read CHF Configuration Data Device Information (CH identity and type)",
    0x00FB: "GCS21m Read GSME Configuration Data Device Information (identity, type and supply tamper / depletion state)",
    0x00FC: "GCS24a Set Uncontrolled Gas Flow Rate at greater resolution and Supply Tamper State on the GSME",
    0x00FD: "ECS35g Read Auxiliary Controller Event Log",
    0x00FE: "CCS07 Read CHF Device Logs",
    0x0100: "CS02b Update Security Credentials (rootBySupplier)",
    0x0101: "CS02b Update Security Credentials (rootByWanProvider)",
    0x0102: "CS02b Update Security Credentials (supplierBySupplier)",
    0x0103: "CS02b Update Security Credentials (networkOperatorByNetworkOperator)",
    0x0104: "CS02b Update Security Credentials (accessControlBrokerByACB)",
    0x0105: "CS02b Update Security Credentials (wanProviderByWanProvider)",
    0x0106: "CS02b Update Security Credentials (transCoSByTransCoS)",
    0x0107: "CS02b Update Security Credentials (supplierByTransCoS)",
    0x0108: "CS02b Update Security Credentials (anyExceptAbnormalRootByRecovery)",
    0x0109: "CS02b Update Security Credentials (anyByContingency)",
    0x010A: "DBCH01 Read CHF Sub GHz Channel",
    0x010B: "DBCH02 Read CHF Sub GHz Channel Log",
    0x010C: "DBCH03 Read CHF Sub GHz Configuration",
    0x010D: "DBCH04 Set CHF Sub GHz Configuration",
    0x010E: "DBCH05 Request CHF Sub GHz Channel Scan",
    0x010F: "CCS06 Read CHF device log and check HAN communications",
    0x0110: "DBCH06 Limited Duty Cycle Action Taken Sub GHz Alert",
    0x0111: "DBCH07 Sub GHz Channel Changed Sub GHz Alert",
    0x0112: "DBCH08 Sub GHz Channel Scan Request Assessment Outcome Sub GHz Alert",
    0x0113: "DBCH09 Sub GHz Configuration Changed Sub GHz Alert",
    0x0114: "DBCH10 Message Discarded Due to Duty Cycle Management Sub GHz Alert",
    0x0115: "DBCH11 No More Sub GHz Device Capacity Sub GHz Alert",
    0x0116: "PECS01 Apply Prepayment Top Up to an ESME using PPMID",
    0x0117: "PECS02 Activate Emergency Credit on ESME from PPMID",
    0x0118: "PECS03 Request to Enable ESME Supply from PPMID",
    0x0119: "HECS01 Request Control of a HAN Connected Auxiliary Load Control Switch from HCALCS",
    # 0x011A-0x0127, 0x012A and 0x012B: identifiers from the RTDS 4.5.0 folder names, titles
    # from the duis-templates GBCS mapping table (see the module docstring).
    0x011A: "ECS46d Set Auxiliary Controller Calendar",
    0x011B: "CS02f Provide Security Credential Details (ESME and SAPC)",
    0x011C: "ECS61d Read Auxiliary Controller Configuration Data",
    0x011D: "ECS61e Read Auxiliary Controller Operational Data",
    0x011E: "ECS47a Set Auxiliary Controller State",
    0x011F: "ECS47e Limit APC Level",
    0x0120: "ECS100 Command not supported by Device",
    0x0121: "ECS101 Limit APC Level Command processed",
    0x0122: "ECS102 Limit APC Level ended or cancelled",
    0x0123: "ECS200 Operational Update",
    0x0124: "Future Dated Update Load Controller Security Credentials Alert",
    0x0125: "CS02g Update Load Controller Security Credentials (loadControllerByLoadController)",
    0x0126: "CS02g Update Load Controller Security Credentials (loadControllerBySupplier)",
    0x0128: "CCS08 Firmware Transfer Alert",
    0x0129: "CS08 Read PPMID/HCALCS Firmware Version",
    0x012A: "GCS60a Read Meter Balance for GSME",
    0x012B: "CS09 PPMID Firmware Activation Alert",
    0x1000: "Generic Critical Alert",
    0x1001: "Generic Non Critical Alert",
}

# A use-case identifier: a family prefix and a number with an optional variant suffix.
_IDENTIFIER = re.compile(r"^(?:[A-Z]{1,5}\d{2,3}[A-Za-z0-9]*)(?:/[A-Z]+\d+[A-Za-z0-9]*)?$")


def _use_case_of(code: int, text: str) -> UseCase:
    head, _, rest = text.partition(" ")
    if _IDENTIFIER.match(head):
        return UseCase(code, head, rest)
    return UseCase(code, None, text)


MESSAGE_CODES: dict[int, UseCase] = {
    code: _use_case_of(code, text) for code, text in _MESSAGE_CODE_TEXT.items()
}

# Alert code -> meaning. 0x8F85-0x8F88 are named after the use cases that carry them in the
# RTDS (ECS100, ECS101, ECS102, ECS200).
ALERT_CODES: dict[int, str] = {
    0x8002: "Average RMS Voltage above Average RMS Over Voltage Threshold (current value above threshold; previous value below threshold)",
    0x8003: "Average RMS Voltage above Average RMS Over Voltage Threshold on Phase 1 (current value above threshold; previous value below threshold)",
    0x8004: "Average RMS Voltage above Average RMS Over Voltage Threshold on Phase 2 (current value above threshold; previous value below threshold)",
    0x8005: "Average RMS Voltage above Average RMS Over Voltage Threshold on Phase 3 (current value above threshold; previous value below threshold)",
    0x8006: "Average RMS Voltage below Average RMS Under Voltage Threshold (current value below threshold; previous value above threshold)",
    0x8007: "Average RMS Voltage below Average RMS Under Voltage Threshold on Phase 1 (current value below threshold; previous value above threshold)",
    0x8008: "Average RMS Voltage below Average RMS Under Voltage Threshold on Phase 2 (current value below threshold; previous value above threshold)",
    0x8009: "Average RMS Voltage below Average RMS Under Voltage Threshold on Phase 3 (current value below threshold; previous value above threshold)",
    0x8010: "Over Current",
    0x8011: "Over Current L1",
    0x8013: "Over Current L3",
    0x8014: "Power Factor Threshold Below",
    0x8015: "Power Factor Threshold Ok",
    0x8016: "Over Current L2",
    0x8020: "RMS Voltage above Extreme Over Voltage Threshold (voltage rises above for longer than the configurable period)",
    0x8021: "RMS Voltage above Extreme Over Voltage Threshold on Phase 1 (voltage rises above for longer than the configurable period)",
    0x8022: "RMS Voltage above Extreme Over Voltage Threshold on Phase 2 (voltage rises above for longer than the configurable period)",
    0x8023: "RMS Voltage above Extreme Over Voltage Threshold on Phase 3 (voltage rises above for longer than the configurable period)",
    0x8024: "RMS Voltage above Voltage Swell Threshold (voltage rises above for longer than the configurable period)",
    0x8025: "RMS Voltage above Voltage Swell Threshold on Phase 1 (voltage rises above for longer than the configurable period)",
    0x8026: "RMS Voltage above Voltage Swell Threshold on Phase 2 (voltage rises above for longer than the configurable period)",
    0x8027: "RMS Voltage above Voltage Swell Threshold on Phase 3 (voltage rises above for longer than the configurable period)",
    0x8028: "RMS Voltage below Extreme Under Voltage Threshold (voltage falls below for longer than the configurable period)",
    0x8029: "RMS Voltage below Extreme Under Voltage Threshold on Phase 1 (voltage falls below for longer than the configurable period)",
    0x802A: "RMS Voltage below Extreme Under Voltage Threshold on Phase 2 (voltage falls below for longer than the configurable period)",
    0x802B: "RMS Voltage below Extreme Under Voltage Threshold on Phase 3 (voltage falls below for longer than the configurable period)",
    0x802C: "RMS Voltage below Voltage Sag Threshold (voltage falls below for longer than the configurable period)",
    0x802D: "RMS Voltage below Voltage Sag Threshold on Phase 1 (voltage falls below for longer than the configurable period)",
    0x802E: "RMS Voltage below Voltage Sag Threshold on Phase 2 (voltage falls below for longer than the configurable period)",
    0x802F: "RMS Voltage below Voltage Sag Threshold on Phase 3 (voltage falls below for longer than the configurable period)",
    0x8071: "GPF Device Log Changed",
    0x8085: "Average RMS Voltage below Average RMS Over Voltage Threshold (current value below threshold; previous value above threshold)",
    0x8086: "Average RMS Voltage below Average RMS Over Voltage Threshold on Phase 1 (current value below threshold; previous value above threshold)",
    0x8087: "Average RMS Voltage below Average RMS Over Voltage Threshold on Phase 2 (current value below threshold; previous value above threshold)",
    0x8088: "Average RMS Voltage below Average RMS Over Voltage Threshold on Phase 3 (current value below threshold; previous value above threshold)",
    0x8089: "Average RMS Voltage above Average RMS Under Voltage Threshold (current value above threshold; previous value below threshold)",
    0x808A: "Average RMS Voltage above Average RMS Under Voltage Threshold on Phase 1 (current value above threshold; previous value below threshold)",
    0x808B: "Average RMS Voltage above Average RMS Under Voltage Threshold on Phase 2 (current value above threshold; previous value below threshold)",
    0x808C: "Average RMS Voltage above Average RMS Under Voltage Threshold on Phase 3 (current value above threshold; previous value below threshold)",
    0x808D: "RMS Voltage above Extreme Over Voltage Threshold (voltage returns below for longer than the configurable period)",
    0x808E: "RMS Voltage above Extreme Over Voltage Threshold on Phase 1 (voltage returns below for longer than the configurable period)",
    0x808F: "RMS Voltage above Extreme Over Voltage Threshold on Phase 2 (voltage returns below for longer than the configurable period)",
    0x8090: "RMS Voltage above Extreme Over Voltage Threshold on Phase 3 (voltage returns below for longer than the configurable period)",
    0x8091: "RMS Voltage above Voltage Swell Threshold (voltage returns below for longer than the configurable period)",
    0x8092: "RMS Voltage above Voltage Swell Threshold on Phase 1 (voltage returns below for longer than the configurable period)",
    0x8093: "RMS Voltage above Voltage Swell Threshold on Phase 2 (voltage returns below for longer than the configurable period)",
    0x8094: "RMS Voltage above Voltage Swell Threshold on Phase 3 (voltage returns below for longer than the configurable period)",
    0x8095: "RMS Voltage below Extreme Under Voltage Threshold (voltage returns above for longer than the configurable period)",
    0x8096: "RMS Voltage below Extreme Under Voltage Threshold on Phase 1 (voltage returns above for longer than the configurable period)",
    0x8097: "RMS Voltage below Extreme Under Voltage Threshold on Phase 2 (voltage returns above for longer than the configurable period)",
    0x8098: "RMS Voltage below Extreme Under Voltage Threshold on Phase 3 (voltage returns above for longer than the configurable period)",
    0x8099: "RMS Voltage below Voltage Sag Threshold (voltage returns above for longer than the configurable period)",
    0x809A: "RMS Voltage below Voltage Sag Threshold on Phase 1 (voltage returns above for longer than the configurable period)",
    0x809B: "RMS Voltage below Voltage Sag Threshold on Phase 2 (voltage returns above for longer than the configurable period)",
    0x809C: "RMS Voltage below Voltage Sag Threshold on Phase 3 (voltage returns above for longer than the configurable period)",
    0x810D: "Combined Credit Below Low Credit Threshold (prepayment mode)",
    0x810E: "Credit Added Locally",
    0x8119: "Emergency Credit Has Become Available (prepayment mode)",
    0x8145: "Clock adjusted (within tolerance)",
    0x8154: "Immediate HAN Interface Command Received and Successfully Actioned",
    0x8155: "Immediate HAN Interface Command Received but not Successfully Actioned",
    0x8161: "User Interface Command Input and Successfully Actioned",
    0x8162: "User Interface Command Input but not Successfully Actioned",
    0x8168: "Supply Disabled then Armed - Activate Emergency Credit triggered",
    0x8183: "Device joined SMHAN",
    0x8184: "Valve tested",
    0x819D: "GSME Command Not Retrieved",
    0x819E: "Tap Off Message Response or Alert Failure",
    0x81A0: "Smart Meter Integrity Issue - Warning",
    0x81A1: "Battery Cover Closed",
    0x81A2: "CH Connected to ESME",
    0x81A3: "CH Disconnected from ESME",
    0x81A4: "Close Tunnel Command Rejected",
    0x81A5: "Communication From Local Port (e.g. Optical)",
    0x81A6: "Customer Acknowledged Message on HAN Device",
    0x81A7: "Debt Collection Completed - Time Debt 1",
    0x81A8: "Debt Collection Completed - Time Debt 2",
    0x81A9: "Debt Collection Completed - Payment Debt",
    0x81AA: "Emergency Credit Exhausted",
    0x81AB: "Emergency Credit Activated",
    0x81AC: "Error Measurement Fault",
    0x81AD: "Error Metrology Firmware Verification Failure",
    0x81AE: "Error Non Volatile Memory",
    0x81AF: "Error Program Execution",
    0x81B0: "Error Program Storage",
    0x81B1: "Error RAM",
    0x81B2: "Error Unexpected Hardware Reset",
    0x81B3: "Error Watchdog",
    0x81B4: "Excess Gas Flow Beyond Meter Capacity",
    0x81B5: "Flow Sensor Detects Air in Gas Flow",
    0x81B6: "Flow Sensor Detects Reverse Flow of Gas",
    0x81B7: "Incorrect phase sequencing",
    0x81B8: "Incorrect Polarity",
    0x81B9: "Meter Cover Closed",
    0x81BA: "Request Tunnel Command Rejected",
    0x81BB: "Reverse Current",
    0x81BC: "Strong Magnetic Field Removed",
    0x81BD: "Supply Connect Failure (Valve or Load Switch)",
    0x81BE: "Supply Disabled Then Locked - Supply Tamper State Cause",
    0x81BF: "Supply Disabled Then Armed - Uncontrolled Gas Flow Rate",
    0x81C0: "Supply Disconnect Failure (Valve or Load Switch)",
    0x81C1: "Terminal Cover Closed",
    0x81C2: "Tilt Tamper Ended",
    0x81C3: "Tilt Tamper",
    0x81C4: "UTRN Manual Entry Suspended",
    0x81C5: "UTRN rejected as locked out",
    0x81C6: "Clock not adjusted (outside tolerance)",
    0x8F01: "Active Power Import above Load Limit Threshold",
    0x8F0A: "Billing Data Log Updated",
    0x8F0C: "Clock not adjusted (adjustment greater than 10 seconds)",
    0x8F0F: "Credit Below Disablement Threshold (prepayment mode)",
    0x8F12: "CHF Device Log Changed",
    0x8F1B: "Firmware Verification Failed At Power On",
    0x8F1C: "Firmware Verification Failed",
    0x8F1D: "GSME Power Supply Loss",
    0x8F1E: "Integrity check of content or format of command failed",
    0x8F1F: "Low Battery Capacity",
    0x8F20: "Limited Duty Cycle Action Taken",
    0x8F21: "Duty Cycle fallen below Normal-Limited Duty Cycle Threshold",
    0x8F22: "Critical Duty Cycle Action Taken",
    0x8F23: "Duty Cycle fallen below Limited-Critical Duty Cycle Threshold",
    0x8F24: "Regulated Duty Cycle Action Taken",
    0x8F25: "Duty Cycle fallen below Critical-Regulated Duty Cycle Threshold",
    0x8F26: "Sub GHz Channel Changed",
    0x8F27: "Sub GHz Channel Scan initiated",
    0x8F28: "Sub GHz Channel Scan Request Assessment Outcome",
    0x8F29: "Three Lost GSME Searches Failed",
    0x8F2A: "Sub GHz Configuration Changed",
    0x8F2B: "Sub GHz Channel not changed due to Frequency Agility Parameters",
    0x8F2C: "Message Discarded Due to Duty Cycle Management",
    0x8F2D: "No More Sub GHz Device Capacity",
    0x8F30: "Source Does not have Authority for Command",
    0x8F32: "Supply Armed",
    0x8F33: "Supply Disabled then Armed - Load Limit triggered",
    0x8F34: "Supply Enabled after Load Limit Restoration Period (Load Limit triggered)",
    0x8F35: "Supply Outage Restored",
    0x8F36: "Supply Outage Restored - Outage >= 3 minutes",
    0x8F37: "Supply Outage Restored on Phase 1",
    0x8F38: "Supply Outage Restored on Phase 1 - Outage >= 3 minutes",
    0x8F39: "Supply Outage Restored on Phase 2",
    0x8F3A: "Supply Outage Restored on Phase 2 - Outage >= 3 minutes",
    0x8F3B: "Supply Outage Restored on Phase 3",
    0x8F3C: "Supply Outage Restored on Phase 3 - Outage >= 3 minutes",
    0x8F3D: "Trusted Source Authentication Failure",
    0x8F3E: "Unauthorised Communication Access attempted",
    0x8F3F: "Unauthorised Physical Access - Tamper Detect",
    0x8F43: "Change in the executing Firmware version",
    0x8F47: "Credit would cause Meter Balance to exceed Maximum Meter Balance Threshold",
    0x8F48: "Device joining failed",
    0x8F49: "Device joining succeeded",
    0x8F4A: "Device Unjoining failed",
    0x8F4B: "Device Unjoining succeeded",
    0x8F4C: "Device's own Digital Signing Certificate replacement failed",
    0x8F4D: "Device's own Digital Signing Certificate replacement succeeded",
    0x8F4E: "Device's own Key Agreement Certificate replacement failed",
    0x8F4F: "Device's own Key Agreement Certificate replacement succeeded",
    0x8F51: "Duplicate UTRN entered",
    0x8F52: "Event Log Cleared",
    0x8F53: "Failed Authentication or Authorisation not covered by other codes",
    0x8F57: "Supply interrupted",
    0x8F58: "Supply interrupted on Phase 1",
    0x8F59: "Supply interrupted on Phase 2",
    0x8F5A: "Supply interrupted on Phase 3",
    0x8F5B: "UTRN exceeds Maximum Credit Threshold",
    0x8F60: "Unusual numbers of malformed, out-of-order or unexpected Commands received",
    0x8F63: "UTRN not Authentic",
    0x8F64: "UTRN not for this Device",
    0x8F66: "Future-date HAN Interface Command Successfully Actioned",
    0x8F67: "Future-date HAN Interface Command not Successfully Actioned",
    0x8F69: "Device commissioned",
    0x8F70: "Update Security Credentials",
    0x8F72: "Firmware Verification Successful",
    0x8F73: "Unauthorised Physical Access - Battery Cover Removed",
    0x8F74: "Unauthorised Physical Access - Meter Cover Removed",
    0x8F75: "Unauthorised Physical Access - Strong Magnetic field",
    0x8F76: "Unauthorised Physical Access - Terminal Cover Removed",
    0x8F77: "Unauthorised Physical Access - Second Terminal Cover Removed",
    0x8F78: "Unauthorised Physical Access - Other",
    0x8F82: "Remaining Battery Capacity reset",
    0x8F83: "Disablement of Supply due to insufficient credit has been suspended",
    0x8F84: "Failure to Deliver Remote Party Message to ESME",
    0x8F85: "Command not supported by Device",
    0x8F86: "Limit APC Level Command processed",
    0x8F87: "Limit APC Level ended or cancelled",
    0x8F88: "Operational Update",
    0x8F89: "Firmware transfer alert FAIL",
    0x8F8A: "Firmware transfer alert SUCCESS",
    0x8F8B: "Read Firmware version alert",
}

# DLMS numbering: the device_type enum of the CHF Device Log register_device method (CCS01).
# The CHF "shall support the value 254 for GPF".
DLMS_DEVICE_TYPES: dict[int, str] = {
    0: "ESME",
    1: "GSME",
    13: "HCALCS",
    128: "IHD",
    130: "CAD",
    132: "PPMID",
    254: "GPF",
}

# ASN.1 numbering: DeviceType in the join, unjoin and GPF device log use cases (CS03x, CS07,
# GCS59, GCS62). Note that ESME and GSME swap places compared with the DLMS numbering.
ASN1_DEVICE_TYPES: dict[int, str] = {
    0: "GSME",
    1: "ESME",
    2: "CHF",
    3: "GPF",
    4: "HCALCS",
    5: "PPMID",
    6: "Type 2",
}

# RemotePartyRole in the security credential use cases (CS02x).
REMOTE_PARTY_ROLES: dict[int, str] = {
    0: "Root",
    1: "Recovery",
    2: "Supplier",
    3: "Network Operator",
    4: "Access Control Broker",
    5: "Transitional Change of Supplier",
    6: "WAN Provider",
    7: "Issuing Authority",
    127: "Other",
}


# Use cases sent between two HAN devices (a PPMID or HCALCS and a meter), not by a remote party:
# their MAC key is agreed between the two devices rather than with the Access Control Broker.
# PECS01-03 and HECS01 are marked "HAN Only Message" in the duis-templates GBCS mapping table;
# PCS01 and PCS02 go from the PPMID to the GSME in the RTDS.
HAN_ONLY_MESSAGE_CODES: frozenset[int] = frozenset({0x0090, 0x009B, 0x0116, 0x0117, 0x0118, 0x0119})


def use_case(code: int) -> UseCase | None:
    """Return the use case of a message code, or None when the code is not in the table."""
    return MESSAGE_CODES.get(code)


def alert_name(code: int) -> str | None:
    """Return the meaning of an alert code, or None when the code is not in the table."""
    return ALERT_CODES.get(code)


_BY_IDENTIFIER: dict[str, int] = {}
for _code, _case in MESSAGE_CODES.items():
    if _case.identifier is not None:
        _BY_IDENTIFIER.setdefault(_case.identifier.upper(), _code)


def message_code_for(identifier: str) -> int:
    """Return the message code of a use-case identifier such as "CCS01" (case-insensitive).

    Where one identifier has several codes (CS02b, CS02g), the lowest is returned. Raises
    KeyError for an unknown identifier.
    """
    return _BY_IDENTIFIER[identifier.upper()]
