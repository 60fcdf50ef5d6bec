"""The kill switch: stop campaigns at every vendor at once, in one task."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.operators.base import StopTaskOperator

if TYPE_CHECKING:
    from airflow_provider_campaigns.engine.stop_batch import Part
    from airflow_provider_campaigns.hooks.base import CampaignHook


def _decoded(value: Any, parameter: str) -> Any:
    """A dict as given, or JSON text of one (``"{{ dag_run.conf | tojson }}"``); ``None`` and ``""`` are nothing."""
    if isinstance(value, str):
        if not value.strip() or value.strip() == "None":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise InvalidInputError(f"{parameter} must be a dict or its JSON text, not {value[:80]!r}.") from None
    return value


def make_hook(vendor: str, conn_id: str, request_timeout: Any, max_concurrency: int, **hook_options: Any) -> CampaignHook[Any]:
    """The registered vendor's hook (imported only when the task runs)."""
    from airflow_provider_campaigns.registry import vendor as registered

    return registered(vendor).make_hook(conn_id, request_timeout, max_concurrency, **hook_options)


class CampaignKillSwitchOperator(StopTaskOperator):
    """Stop campaigns at BSG, Cellcast, comm.com and Kore.ai concurrently, in one task, and report them all.

    :param targets: what to stop per vendor (templated; a dict, or its JSON text so that
        ``"{{ dag_run.conf | tojson }}"`` works): ``{"bsg": {...}, "cellcast": {...}, "comm": {...},
        "kore": {...}}``, each taking the same keys as that vendor's stop operator (``campaign_ids``,
        ``all_active``, ``name_contains``, ``channel``, ``message_ids``, ``custom_string``,
        ``campaign_sends``, ``stream_id``, ...) plus ``conn_id`` (default ``<vendor>_default``),
        ``status_map`` and, for comm.com, ``send_status_path``. A vendor may take a list of such dicts
        (e.g. BSG SMS and RCS: ``[{"all_active": true}, {"all_active": true, "channel": "rcs"}]``), each
        stopped like a target of its own. A vendor left out (or empty) is skipped.
        The whole plan is validated before any request: an unknown vendor or key, or a bad id, fails
        the task and nothing is sent.
    :param plan: instead of ``targets``, a dry run's result (templated, e.g. pulled from XCom): stop
        exactly the campaigns it lists — nothing selected since. Campaigns it saw already final are
        reported as such without a request; an empty plan is a successful no-op.

    With ``dry_run=True`` it reads every targeted campaign and returns the plan (``would_stop`` /
    ``already_final`` entries). Also takes the stop parameters every stop operator takes (see
    :class:`~airflow_provider_campaigns.operators.base.StopTaskOperator`): ``dry_run``,
    ``fail_if_already_final``, ``max_concurrency`` (per vendor), ``stop_timeout``,
    ``wait_for_completion``, ``deferrable``, ``poll_interval``, ``timeout``, ``request_timeout``, and ``order``
    (``"loudest_first"``, the default, or ``"as_given"``; templated, e.g. ``"{{ params.order }}"``).
    Returns the one result shape (see :mod:`airflow_provider_campaigns.engine.results`).
    """

    template_fields: Sequence[str] = ("targets", "plan", "order")
    ui_color = "#e57373"

    def __init__(
        self, *, targets: Mapping[str, Any] | str | None = None, plan: Mapping[str, Any] | str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.targets = targets
        self.plan = plan

    def parts(self) -> list[Part]:
        """Every vendor's part, validated before any request is sent."""
        targets, plan = _decoded(self.targets, "targets"), _decoded(self.plan, "plan")
        if (targets is None) == (plan is None):
            raise InvalidInputError(
                "CampaignKillSwitchOperator: give exactly one of targets (what to select) or plan (a dry run's result)."
            )
        if plan is not None:
            if self.list_only:
                raise InvalidInputError("CampaignKillSwitchOperator: a plan is already a dry run's result; dry_run=True takes targets.")
            return self._plan_parts(plan)
        return self._target_parts(targets)

    def _target_parts(self, targets: Any) -> list[Part]:
        from airflow_provider_campaigns.engine.stop_batch import Part
        from airflow_provider_campaigns.registry import entries, vendor_keys

        vendors = vendor_keys()
        if not isinstance(targets, Mapping):
            raise InvalidInputError(f"targets must map vendors ({', '.join(vendors)}) to what to stop, not {targets!r:.80}.")
        unknown = sorted(set(targets) - set(vendors))
        if unknown:
            raise InvalidInputError(f"targets: unknown vendor(s) {', '.join(map(repr, unknown))}; the vendors are {', '.join(vendors)}.")
        parts = []
        for entry in entries():
            vendor = entry.key
            given = targets.get(vendor)
            if not given:
                continue
            several = isinstance(given, (list, tuple))
            for index, target in enumerate(given if several else [given]):
                where = f"targets[{vendor!r}][{index}]" if several else f"targets[{vendor!r}]"
                if not isinstance(target, Mapping):
                    raise InvalidInputError(
                        f"{where} must be a dict of that vendor's stop parameters (or a list of such dicts), not {target!r:.80}."
                    )
                for key in sorted(set(target) - set(entry.target_hook_keys)):
                    owners = [other.name for other in entries() if key in other.hook_options]
                    if owners:
                        raise InvalidInputError(f"{where}: {key} is a {' and '.join(owners)} option, not a {entry.name} one.")
                hook_keys = {key: target[key] for key in entry.target_hook_keys if key in target}
                conn_id = hook_keys.pop("conn_id", f"{vendor}_default")
                hook = entry.make_hook(conn_id, self.request_timeout, self.max_concurrency, **hook_keys)
                hook.owner_keys = entry.target_hook_keys
                params = {key: value for key, value in target.items() if key not in entry.target_hook_keys}
                parts.append(Part(hook, hook.selection(where, **params), target=where, asked=params))
        return parts

    def _plan_parts(self, plan: Any) -> list[Part]:
        from airflow_provider_campaigns.engine.results import ALREADY_FINAL, entries_of
        from airflow_provider_campaigns.engine.stop_batch import Part
        from airflow_provider_campaigns.registry import vendor_keys

        groups: dict[tuple[str, str], list[Any]] = {}
        for item in entries_of(plan):
            if item["vendor"] not in vendor_keys():
                raise InvalidInputError(f"plan: unknown vendor {item['vendor']!r} in campaign {item['campaign_id']!r}.")
            groups.setdefault((item["vendor"], item["conn_id"]), []).append(item)
        parts = []
        for (vendor, conn_id), items in groups.items():
            hook = make_hook(vendor, conn_id, self.request_timeout, self.max_concurrency)
            known = [item for item in items if item["outcome"] == ALREADY_FINAL]
            refs = [hook.ref_from_entry(item["campaign_id"], item["ref"]) for item in items if item["outcome"] != ALREADY_FINAL]
            names = {item["campaign_id"]: item["name"] for item in items if item.get("name")}
            parts.append(Part(hook, refs=refs, known=known, order=[item["campaign_id"] for item in items], names=names))
        return parts
