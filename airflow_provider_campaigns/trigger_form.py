"""The kill switch's trigger form: typed fields per vendor, and the one mapping from those fields to ``targets``.

A person in a hurry fills in Airflow's trigger form — which vendors, campaign ids one per line,
"every active campaign", a name filter, the channel, the connection — without typing JSON.
:func:`kill_switch_params` gives the DAG those params (JSON-schema types, descriptions, examples,
one section per vendor; the form validates them); :func:`targets_for_run` turns a run's params into
the kill switch's ``targets``. The JSON conf an alerting system sends over REST
(``{"bsg": {"campaign_ids": [...]}, ...}``) keeps working as documented: when the conf names
vendors that way, it is used exactly as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_campaigns.exceptions import InvalidInputError
from airflow_provider_campaigns.trigger_form_sections import VendorForm

VENDORS_PARAM = "vendors"
CONN_ID_PATTERN = r"^[A-Za-z0-9_.-]+$"


def _forms() -> list[VendorForm]:
    """Every registered vendor's section, in registry order."""
    from airflow_provider_campaigns.registry import entries

    return [entry.trigger_form for entry in entries()]


def _names() -> dict[str, str]:
    """Vendor key → display name, for every registered vendor."""
    from airflow_provider_campaigns.registry import entries

    return {entry.key: entry.name for entry in entries()}


def kill_switch_params() -> dict[str, Any]:
    """The trigger form's params: a vendor picker, then one section of typed fields per vendor (all optional)."""
    from airflow.providers.common.compat.sdk import Param

    names = _names()
    params: dict[str, Any] = {
        VENDORS_PARAM: Param(
            None,
            type=["null", "array"],
            items={"type": "string", "enum": list(names)},
            examples=list(names),
            values_display=names,
            uniqueItems=True,
            title="Vendors to stop",
            description="Pick every vendor to stop campaigns at, then fill in its section below. Vendors not picked are left alone.",
        )
    }
    for form in _forms():
        name = names[form.vendor]
        params[form.key(form.ids_key)] = Param(
            None,
            type=["null", "array"],
            items={"type": "string", "pattern": form.ids_pattern},
            title=form.ids_title,
            # the example goes in the description: `examples` on an array makes Airflow's form a pick-list of them
            description=f"{form.ids_description} Example: {', '.join(form.ids_examples)}. Leave empty to select by the fields below.",
            section=form.section,
        )
        if form.all_active:
            params[form.key("all_active")] = Param(
                False,
                type="boolean",
                title="Every active campaign",
                description=f"Stop every {name} campaign that is still sending or scheduled (instead of naming ids).",
                section=form.section,
            )
        params[form.key(form.filter_key)] = Param(
            None,
            type=["null", "string"],
            minLength=1,
            maxLength=200,
            title=form.filter_title,
            description=form.filter_description,
            examples=["black friday"] if form.all_active else ["black-friday"],
            section=form.section,
        )
        if form.channel is not None:
            key, values, default = form.channel
            params[form.key(key)] = Param(
                default,
                type="string",
                enum=values,
                title=form.channel_title,
                description=f"Which {name} channel the campaigns are on ({', '.join(values)}).",
                section=form.section,
            )
        params[form.key("conn_id")] = Param(
            None,
            type=["null", "string"],
            pattern=CONN_ID_PATTERN,
            title="Connection id",
            description=f"The Airflow connection to {name} (default: {form.vendor}_default).",
            examples=[f"{form.vendor}_default"],
            section=form.section,
        )
    return params


def _ids(value: Any, title: str) -> list[str]:
    """The form's id list without blank lines (a textarea gives one item per line, a trailing newline an empty one)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)):
        raise InvalidInputError(f"{title}: give one id per line, not {value!r:.60}.")
    return [str(item).strip() for item in value if str(item).strip()]


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _target(form: VendorForm, params: Mapping[str, Any]) -> dict[str, Any] | None:
    """One vendor's target from its fields, or ``None`` when none of them is filled in."""
    name = form.section
    ids = _ids(params.get(form.key(form.ids_key)), form.ids_title)
    every = form.all_active and params.get(form.key("all_active")) is True
    text = _text(params.get(form.key(form.filter_key)))
    conn_id = _text(params.get(form.key("conn_id")))
    if not ids and not every and text is None:
        return None
    target: dict[str, Any] = {}
    if form.all_active:
        if ids and every:
            raise InvalidInputError(f"{name}: give campaign ids or switch on 'Every active campaign', not both.")
        if text is not None and not every:
            raise InvalidInputError(f"{name}: '{form.filter_title}' filters 'Every active campaign': switch that on, or clear the filter.")
        if every:
            target["all_active"] = True
    if ids:
        target[form.ids_key] = ids
    if text is not None:
        target[form.filter_key] = text
    if form.channel is not None:
        key, _, default = form.channel
        target[key] = params.get(form.key(key)) or default
    if conn_id is not None:
        target["conn_id"] = conn_id
    return target


def targets_from_form(params: Mapping[str, Any]) -> dict[str, Any]:
    """The kill switch's ``targets`` from the form's fields; a picked vendor with nothing filled in, or a
    filled-in vendor that was not picked, fails (naming the vendor) before any request is sent.
    """
    picked = params.get(VENDORS_PARAM) or []
    if isinstance(picked, str):
        picked = [picked]
    names = _names()
    unknown = sorted(set(picked) - set(names))
    if unknown:
        raise InvalidInputError(
            f"Vendors to stop: unknown vendor(s) {', '.join(map(repr, unknown))}; the vendors are {', '.join(names)}."
        )
    targets: dict[str, Any] = {}
    for form in _forms():
        target = _target(form, params)
        name = names[form.vendor]
        if form.vendor in picked and target is None:
            raise InvalidInputError(
                f"{name} is picked but its section names nothing to stop: give ids"
                + (", or switch on 'Every active campaign'" if form.all_active else f", or '{form.filter_title}'")
                + "."
            )
        if form.vendor not in picked and target is not None:
            raise InvalidInputError(
                f"{name}'s section is filled in but {name} is not among 'Vendors to stop': pick it, or clear its section."
            )
        if target is not None:
            targets[form.vendor] = target
    return targets


def targets_for_run(params: Mapping[str, Any], conf: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``targets`` of a run: the REST conf's vendor keys as given, else the trigger form's fields.

    A conf that names vendors (``{"bsg": {...}}``) and also picks vendors in the form's fields is
    ambiguous and fails.
    """
    conf = conf or {}
    given = {vendor: conf[vendor] for vendor in conf if vendor in _names() or not _is_form_key(vendor)}
    given = {vendor: target for vendor, target in given.items() if target not in (None, {}, [])}
    if given:
        if conf.get(VENDORS_PARAM):
            raise InvalidInputError(
                f"The conf names targets per vendor ({', '.join(sorted(given))}) and picks 'Vendors to stop' too: use one of the two."
            )
        return dict(given)
    return targets_from_form(params)


def _is_form_key(name: str) -> bool:
    """A param of the form (``vendors`` or ``<vendor>_<field>``), as the UI submits them in the conf."""
    return name == VENDORS_PARAM or any(name.startswith(f"{vendor}_") for vendor in _names())
