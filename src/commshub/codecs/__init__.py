"""Wire formats: GBCS, DLMS/COSEM and the ZigBee stack, declared with construct.

Codecs are pure: no I/O and no logging. They raise :class:`commshub.errors.CodecError`.
"""
