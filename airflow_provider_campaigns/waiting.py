"""Waiting for campaigns to settle: polling in the worker, or deferring to the status trigger."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.exceptions import PermanentError, TransientError, UnacceptedStateError
from airflow_provider_campaigns.outcomes import Verdict, judge
from airflow_provider_campaigns.status import CampaignState, CampaignStatus

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.triggers.status import CampaignStatusTrigger
    from airflow_provider_campaigns.vendors.base import CampaignRef


def read_all(hook: CampaignHook, refs: Sequence[CampaignRef]) -> list[CampaignStatus]:
    """The current status of every campaign (sequential reads through one session)."""
    return [hook.status(ref) for ref in refs]


def raise_if_rejected(verdict: Verdict, vendor: str) -> None:
    """A settled wait that ended in a state the user did not accept fails the task for good."""
    if verdict.done and not verdict.accepted:
        raise UnacceptedStateError(verdict.message, vendor=vendor)


def poll_until_settled(
    hook: CampaignHook,
    refs: Sequence[CampaignRef],
    targets: frozenset[CampaignState],
    poll_interval: float,
    timeout: float,
) -> list[CampaignStatus]:
    """Poll in the worker until every campaign settles; a transient read error is retried until ``timeout``."""
    deadline = time.monotonic() + timeout
    last = "no status read yet"
    while True:
        try:
            statuses = read_all(hook, refs)
            verdict = judge(statuses, targets)
            raise_if_rejected(verdict, hook.vendor_name)
            if verdict.done:
                return statuses
            last = verdict.message
        except TransientError as error:
            last = str(error)
            hook.log.warning("Status read failed; polling again: %s", error)
        if time.monotonic() + poll_interval > deadline:
            raise TransientError(f"{hook.vendor_name}: campaigns not final after {timeout:g} s; last seen: {last}", vendor=hook.vendor_name)
        time.sleep(poll_interval)


def status_trigger(
    hook: CampaignHook,
    refs: Sequence[CampaignRef],
    targets: frozenset[CampaignState],
    poll_interval: float,
    timeout: float,
) -> tuple[CampaignStatusTrigger, timedelta]:
    """The trigger (and Airflow defer timeout) that continues a wait in the triggerer."""
    from airflow_provider_campaigns.triggers.status import DEADLINE_GRACE, CampaignStatusTrigger

    trigger = CampaignStatusTrigger(
        vendor_key=hook.vendor_key,
        conn_id=hook.conn_id,
        refs=[dict(ref) for ref in refs],
        target_states=sorted(state.value for state in targets),
        poll_interval=poll_interval,
        deadline=time.time() + timeout,
        request_timeout=list(hook.settings.timeout),
        status_map=dict(hook.status_map) if hook.status_map else None,
        api_options=dict(hook.api_options) or None,
    )
    # Airflow's defer timeout is a backstop: the trigger's own deadline (plus one bounded poll) ends first.
    backstop = timeout + hook.settings.retry.total_timeout + poll_interval + DEADLINE_GRACE + 60
    return trigger, timedelta(seconds=backstop)


def result_from_event(event: Mapping[str, Any], sensor: bool = True) -> dict[str, Any]:
    """Turn a trigger event into the task result, or the matching exception.

    A ``timeout`` is a sensor timeout for sensors; for an operator waiting after its stop it is a
    transient error (a task retry finds the campaigns already stopped and waits again).
    """
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    status = event.get("status")
    vendor = str(event.get("vendor"))
    message = str(event.get("message"))
    if status == "success":
        return dict(event.get("result") or {})
    if status == "failure":
        raise UnacceptedStateError(message, vendor=vendor)
    if status == "timeout":
        raise AirflowSensorTimeout(message) if sensor else TransientError(message, vendor=vendor)
    raise PermanentError(message or f"{vendor}: status trigger ended with {status!r}", vendor=vendor)
