"""A process that runs one hub on SQLite NVM, for the SIGKILL crash test.

It plays driver and remote parties on a virtual clock and prints one JSON line for every
message that leaves the hub, after carrying out the action list it belongs to (PersistState
first). The parent kills it at random moments, restarts it and checks that NVM holds
everything the printed lines acknowledged.

Usage: crash_worker.py NVM_PATH KEYS_DIR SCENARIO RUN ARGUMENT

SCENARIO is ``firmware`` (Category 1 ingestion of the OTA file named by ARGUMENT),
``device_log`` (CCS01 for 16 devices) or ``outage`` (mains cut and restored ARGUMENT more
times). RUN numbers the restarts; it moves the virtual clock on so that it never goes back,
and an odd RUN restarts a hub that was in an outage with mains still off.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from helpers import ACB, CHF, GPF, START, SUPPLIER  # this script's folder is on sys.path

from commshub.codecs.dlms import Data, DataType, build_apdu
from commshub.codecs.dlms.xdlms import (
    AccessRequest,
    AccessRequestAction,
    AccessRequestSet,
    AttributeDescriptor,
    MethodDescriptor,
)
from commshub.codecs.gbcs import crypto
from commshub.codecs.gbcs.frame import GbcsFrame
from commshub.codecs.gbcs.keystore import KeyStore, KeyUsage
from commshub.hub import events as ev
from commshub.hub.actions import Action, CancelTimer, PersistState, SendCsp, SendWan, StartTimer
from commshub.hub.gbcs_io import invoke_id_for, key_pem
from commshub.hub.hub import Hub
from commshub.hub.settings import HubIdentity, RemoteParty, Role
from commshub.hub.transitions import PowerState
from commshub.store.nvm import Nvm

RUN_SPACING = 100_000  # virtual seconds between runs, so the clock never goes back
DEVICE_LOG = bytes([0, 0, 30, 3, 0, 255])
DEVICES = 16
CHUNK = 64


def identity(keys: KeyStore) -> HubIdentity:
    def private(eui: bytes, usage: KeyUsage) -> bytes:
        key = keys.private_key(eui, usage)
        assert key is not None
        return key_pem(key)

    def public(eui: bytes, usage: KeyUsage) -> bytes:
        certificate = keys.certificate(eui, usage)
        assert certificate is not None
        return certificate.public_bytes(serialization.Encoding.PEM)

    parties = tuple(
        RemoteParty(eui, role, public(eui, KeyUsage.KEY_AGREEMENT), public(eui, KeyUsage.DIGITAL_SIGNATURE))
        for eui, role in ((ACB, Role.ACCESS_CONTROL_BROKER), (SUPPLIER, Role.SUPPLIER))
    )
    return HubIdentity(
        chf_id=CHF, gpf_id=GPF,
        chf_ka_private=private(CHF, KeyUsage.KEY_AGREEMENT), chf_ds_private=private(CHF, KeyUsage.DIGITAL_SIGNATURE),
        gpf_ka_private=private(GPF, KeyUsage.KEY_AGREEMENT), gpf_ds_private=private(GPF, KeyUsage.DIGITAL_SIGNATURE),
        remote_parties=parties,
    )


class Worker:
    def __init__(self, nvm_path: str, keys: KeyStore, run: int) -> None:
        self.keys = keys
        self.run = run
        self.nvm = Nvm(nvm_path)
        self.now = START + run * RUN_SPACING
        image = self.nvm.load()
        self.hub = Hub.restore(image) if image else Hub.create(identity(keys))
        self.timers: dict[str, int] = {}

    def feed(self, event: ev.Event) -> list[Action]:
        actions = self.hub.handle(event)
        for item in actions:
            if isinstance(item, PersistState):
                self.nvm.apply(item)
            elif isinstance(item, StartTimer):
                self.timers[item.name] = item.deadline
            elif isinstance(item, CancelTimer):
                self.timers.pop(item.name, None)
            elif isinstance(item, (SendWan, SendCsp)):
                self.emit(item)
        return actions

    def emit(self, item: SendWan | SendCsp) -> None:
        if isinstance(item, SendWan):
            line: dict[str, Any] = {"id": item.message_id, "kind": item.kind.value, "code": item.message_code,
                                    "alert": item.alert_code, "data": item.data.hex()}
        else:
            message = item.message
            line = {"id": item.message_id, "kind": type(message).__name__,
                    **{k: getattr(message, k) for k in message.__dataclass_fields__
                       if isinstance(getattr(message, k), (int, str, bool, type(None)))}}
        print(json.dumps(line), flush=True)

    def tick(self, seconds: int = 1) -> None:
        target = self.now + seconds
        while True:
            due = sorted((d, n) for n, d in self.timers.items() if d <= target)
            if not due:
                break
            deadline, name = due[0]
            del self.timers[name]
            self.now = max(self.now, deadline)
            self.feed(ev.TimerExpired(at=self.now, name=name))
        self.now = target

    def start(self, *, mains: bool = True) -> None:
        self.feed(ev.Started(at=self.now, mains_present=mains, wan_up=True))
        state = self.hub.state
        if state.lifecycle.network_address is None:
            self.feed(ev.Installed(at=self.now, network_address="2001:db8::a2"))
            self.feed(ev.ActivationConfirmed(at=self.now))

    def command(self, counter: int, device: bytes) -> bytes:
        specs = (AccessRequestAction(MethodDescriptor(104, DEVICE_LOG, 1)),
                 AccessRequestSet(AttributeDescriptor(104, DEVICE_LOG, 3)),
                 AccessRequestSet(AttributeDescriptor(104, DEVICE_LOG, 2)))
        data = (Data(DataType.STRUCTURE, (Data(DataType.OCTET_STRING, device), Data(DataType.ENUM, 1),
                                          Data(DataType.OCTET_STRING, b"0123456789ABCDEF"), Data(DataType.ENUM, 0))),
                Data(DataType.LONG_UNSIGNED, 60), Data(DataType.BOOLEAN, True))
        content = build_apdu(AccessRequest(invoke_id_for(counter), None, specs, data))
        frame = GbcsFrame.command(originator=ACB, recipient=CHF, originator_counter=counter, message_code=0x0001,
                                  content=content, supplementary_remote_party_id=SUPPLIER,
                                  supplementary_remote_party_counter=1)
        return crypto.mac_frame(frame, self.keys, acb=ACB).to_bytes()

    # --- scenarios -------------------------------------------------------------------------

    def firmware(self, image_path: str) -> None:
        self.start()
        image = Path(image_path).read_bytes()
        offset = 0
        while True:
            actions = self.feed(ev.FirmwareChunkReceived(at=self.now, image_id="image", offset=offset,
                                                         total_size=len(image), data=image[offset:offset + CHUNK]))
            ack = [a.message for a in actions if isinstance(a, SendCsp)][-1]
            if ack.verified is not None:  # type: ignore[attr-defined]
                break
            offset = ack.next_offset  # type: ignore[attr-defined]
            self.tick()

    def device_log(self, _argument: str) -> None:
        self.start()
        log = self.hub.state.device_log
        counter = self.hub.state.counters.get(ACB, 0x1000)
        for n in range(DEVICES):
            device = bytes.fromhex("00DB1234567800") + bytes([n])
            if device in log:
                continue
            counter += 1
            actions = self.feed(ev.WanFrameReceived(at=self.now, data=self.command(counter, device)))
            if any(isinstance(a, SendWan) and a.kind.value == "response" for a in actions):
                print(json.dumps({"acknowledged": device.hex()}), flush=True)
            self.tick()

    def outage(self, remaining: str) -> None:
        in_outage = self.hub.state.power.state is not PowerState.MAINS_ON
        self.start(mains=not (in_outage and self.run % 2 == 1))
        for _ in range(int(remaining)):
            if self.hub.state.power.state is PowerState.MAINS_ON:
                self.feed(ev.MainsLost(at=self.now))
            self.tick(200)
            self.feed(ev.MainsRestored(at=self.now))
            self.tick()


def main() -> None:
    nvm_path, keys_dir, scenario, run, argument = sys.argv[1:6]
    keys = KeyStore.load(Path(keys_dir))
    worker = Worker(nvm_path, keys, int(run))
    getattr(worker, scenario)(argument)
    print(json.dumps({"done": True}), flush=True)


if __name__ == "__main__":
    main()
