"""The bench client: a remote party that sends GBCS commands through the gateway and checks
what comes back (:class:`BenchClient`), and the use cases it builds (:data:`USE_CASES`)."""

from commshub.benchclient.client import BenchClient, Exchange, Opened, open_frame
from commshub.benchclient.usecases import USE_CASES, BuildContext, UseCaseSpec, use_case_spec

__all__ = [
    "USE_CASES",
    "BenchClient",
    "BuildContext",
    "Exchange",
    "Opened",
    "UseCaseSpec",
    "open_frame",
    "use_case_spec",
]
