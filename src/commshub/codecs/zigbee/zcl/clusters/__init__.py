"""The clusters commshub declares. Importing this package registers every one of them in
:data:`commshub.codecs.zigbee.zcl.schema.CLUSTERS`."""

from commshub.codecs.zigbee.zcl.clusters import (
    calendar,
    device_management,
    general,
    key_establishment,
    messaging,
    metering,
    ota,
    prepayment,
    price,
    tunneling,
)
from commshub.codecs.zigbee.zcl.clusters.calendar import CALENDAR
from commshub.codecs.zigbee.zcl.clusters.device_management import DEVICE_MANAGEMENT, EVENTS
from commshub.codecs.zigbee.zcl.clusters.general import BASIC, IDENTIFY, TIME
from commshub.codecs.zigbee.zcl.clusters.key_establishment import KEY_ESTABLISHMENT
from commshub.codecs.zigbee.zcl.clusters.messaging import MESSAGING
from commshub.codecs.zigbee.zcl.clusters.metering import METERING
from commshub.codecs.zigbee.zcl.clusters.ota import OTA_UPGRADE
from commshub.codecs.zigbee.zcl.clusters.prepayment import PREPAYMENT
from commshub.codecs.zigbee.zcl.clusters.price import PRICE
from commshub.codecs.zigbee.zcl.clusters.tunneling import TUNNELING

__all__ = [
    "BASIC",
    "CALENDAR",
    "DEVICE_MANAGEMENT",
    "EVENTS",
    "IDENTIFY",
    "KEY_ESTABLISHMENT",
    "MESSAGING",
    "METERING",
    "OTA_UPGRADE",
    "PREPAYMENT",
    "PRICE",
    "TIME",
    "TUNNELING",
    "calendar",
    "device_management",
    "general",
    "key_establishment",
    "messaging",
    "metering",
    "ota",
    "prepayment",
    "price",
    "tunneling",
]
