"""End-to-end support: `commshub run` as a real process, and the commands a user types.

:class:`ServiceProcess` starts ``commshub run --serve`` on 127.0.0.1 with a virtual clock in a
run folder, waits for its port, and stops it (SIGTERM) or kills it (SIGKILL). Every wait is
bounded in time.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

# Real seconds a service gets to start (key generation on a loaded 2-core machine included).
START_TIMEOUT_S = 120.0
# Real seconds a SIGTERMed or SIGKILLed service gets to exit; a hang guard, never a pass condition.
STOP_TIMEOUT_S = 120.0


def commshub_command() -> list[str]:
    """The `commshub` console script of this environment."""
    script = Path(sys.executable).parent / "commshub"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from commshub.cli import main; main()"]


def run_commshub(*arguments: str, cwd: Path | None = None, timeout: float = 600.0,
                 env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*commshub_command(), *arguments], cwd=cwd, capture_output=True,
                          check=False, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


class ServiceProcess:
    """`commshub run --serve` in a run folder, as a separate process, on the clock ``clock``
    names (virtual by default)."""

    def __init__(self, out: Path, *extra: str, clock: str = "virtual") -> None:
        self.out = out
        self.extra = extra
        self.clock = clock
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    def start(self) -> int:
        self.out.mkdir(parents=True, exist_ok=True)
        port_file = self.out / "gateway.port"
        port_file.unlink(missing_ok=True)
        self.starts += 1
        log = (self.out / f"service-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [*commshub_command(), "run", "--serve", "--clock", self.clock, "--out", str(self.out),
             *self.extra], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"commshub run exited with {self.process.returncode}:\n"
                                     f"{self.log()}")
            if port_file.exists() and port_file.read_text().strip():
                self.port = int(port_file.read_text())
                with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                    return self.port
            time.sleep(0.1)
        raise AssertionError(f"commshub run did not start within {START_TIMEOUT_S} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT_S)

    def stop(self) -> int:
        """SIGTERM and wait; return the exit status."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)
            raise

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-4000:]
                         for path in sorted(self.out.glob("service-*.log")))
