"""The selection inputs every vendor validates alike: id lists (also as rendered template text), the name filter, exactly-one-of."""

from __future__ import annotations

import ast
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.status import CampaignState, CampaignStatus

log = logging.getLogger(__name__)


def name_matches(name: str | None, name_contains: str | None) -> bool:
    """The one name filter: ``name`` contains ``name_contains``, case-insensitively; no filter matches all."""
    return not name_contains or name_contains.casefold() in (name or "").casefold()


def active_matching(statuses: Iterable[CampaignStatus], name_contains: str | None) -> list[CampaignStatus]:
    """The campaigns that are not final and whose name matches, once each, in order.

    A campaign in a status this provider does not know (``unknown``) is kept and logged: it is not
    known to be final, so a kill switch attempts it rather than silently skipping it.
    """
    chosen: dict[str, CampaignStatus] = {}
    for status in statuses:
        if status.is_final or not name_matches(status.name, name_contains):
            continue
        if status.state is CampaignState.UNKNOWN:
            log.warning(
                "%s campaign %s has a status this provider does not know (%r): selecting it anyway.",
                status.vendor,
                status.campaign_id,
                status.vendor_status,
            )
        chosen.setdefault(status.campaign_id, status)
    return list(chosen.values())


def rendered_list(value: Any, parameter: str) -> Any:
    """A list given as rendered template text, read back: JSON (``{{ ids | tojson }}``) or the Python literal
    Jinja renders for ``{{ params.ids }}`` (``['a', 'b']``); anything else is returned as it is.
    """
    if not isinstance(value, str) or not value.strip().startswith("["):
        return value
    try:
        return json.loads(value)
    except ValueError:
        pass
    try:
        return ast.literal_eval(value.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise InvalidInputError(f"{parameter} looks like a list but is neither JSON nor a Python list: {value[:80]!r}.") from None


def id_list(values: Any, parameter: str, validate: Callable[[Any, str], Any]) -> list[Any]:
    """The one id-list validator: a non-empty list (or its rendered text), each item validated, duplicates dropped."""
    values = rendered_list(values, parameter)
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InvalidInputError(f"{parameter} must be a list of ids, not {type(values).__name__} {values!r:.60}.")
    if not values:
        raise InvalidInputError(f"{parameter} is empty: name at least one campaign.")
    return list(dict.fromkeys(validate(value, f"{parameter}[{index}]") for index, value in enumerate(values)))


def exactly_one(owner: str, **given: bool) -> None:
    """The one exactly-one-of check: fails naming the alternatives unless exactly one is given."""
    if sum(given.values()) != 1:
        names = list(given)
        raise InvalidInputError(f"{owner}: give exactly one of {', '.join(names[:-1])} or {names[-1]}.")
