"""Hypothesis strategies that generate valid values of every commshub wire format.

A public API: use them in your own tests, e.g. ``given(gbcs_frames())``. Each submodule
covers one codec family and everything it exports is re-exported here.
"""

from commshub.codecs.strategies.dlms import *  # noqa: F403
from commshub.codecs.strategies.gbcs import *  # noqa: F403
from commshub.codecs.strategies.ntp import *  # noqa: F403
from commshub.codecs.strategies.zcl import *  # noqa: F403
from commshub.codecs.strategies.zigbee_stack import *  # noqa: F403
from commshub.codecs.strategies import dlms, gbcs, ntp, zcl, zigbee_stack

__all__ = [*dlms.__all__, *gbcs.__all__, *ntp.__all__, *zcl.__all__, *zigbee_stack.__all__]
