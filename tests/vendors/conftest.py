"""What the vendor-module tests share: the documented bodies, and a scripted transport for flows.

Flows are driven here exactly as a transport drives them (``Send`` → a :class:`Reply`, ``NeedToken``
→ a token, ``Sleep`` → the fake clock advances), with every answer taken from a script: no
sockets, no real waiting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_campaigns.core.flow import Budget, Flow, NeedToken, Send, Sleep, TransportFailure
from airflow_provider_campaigns.core.retry import RetryPolicy
from airflow_provider_campaigns.core.wire import ApiRequest, Reply

DOCUMENTED = Path(__file__).parent / "documented"
JSON_HEADERS = {"content-type": "application/json"}


def as_bytes(body: Any) -> bytes:
    """A body as sent on the wire: bytes unchanged, ``None`` empty, anything else as JSON."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return json.dumps(body).encode()


class Script:
    """Drives a flow like a transport, answering its requests in order from ``answers``.

    An answer is ``(status, body)``, ``(status, body, headers)`` or a :class:`TransportFailure`.
    A request beyond the script fails the test; :attr:`sent` keeps every ``Send`` in order.
    """

    def __init__(self, vendor: str, answers: Sequence[Any], clock: Any) -> None:
        self.vendor = vendor
        self.answers = list(answers)
        self.clock = clock
        self.sent: list[Send] = []
        self.token_asks: list[NeedToken] = []
        self.sleeps: list[float] = []

    def run(self, flow: Flow[Any]) -> Any:
        outcome: Any = None
        while True:
            try:
                action = flow.send(outcome)
            except StopIteration as done:
                return done.value
            if isinstance(action, NeedToken):
                self.token_asks.append(action)
                outcome = f"token-{len(self.token_asks)}"
            elif isinstance(action, Sleep):
                self.sleeps.append(action.seconds)
                self.clock.sleep(action.seconds)
                outcome = None
            else:
                assert isinstance(action, Send), action
                self.sent.append(action)
                assert self.answers, f"unscripted request: {action.request.describe()} {dict(action.request.params)}"
                outcome = self.reply(action.request, self.answers.pop(0))

    def reply(self, request: ApiRequest[Any], answer: Any) -> Reply | TransportFailure:
        if isinstance(answer, TransportFailure):
            return answer
        status, body, *headers = answer
        return Reply(self.vendor, request, status, headers[0] if headers else JSON_HEADERS, as_bytes(body))

    @property
    def requests(self) -> list[ApiRequest[Any]]:
        return [send.request for send in self.sent]

    @property
    def calls(self) -> list[str]:
        """``METHOD path`` of every request sent, in order."""
        return [request.describe() for request in self.requests]


@pytest.fixture
def budget(clock: Any) -> Budget:
    """Real retry code with millisecond back-off on the fake clock (at most 3 retries per call)."""
    return Budget(RetryPolicy(max_retries=3, backoff_base=0.001, backoff_max=0.005, retry_after_max=5, total_timeout=60), clock)


@pytest.fixture
def script(clock: Any) -> Callable[..., Script]:
    """``script(vendor, *answers)``: a :class:`Script` on the fake clock."""
    return lambda vendor, *answers: Script(vendor, answers, clock)
