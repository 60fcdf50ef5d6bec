"""Connection forms as plain data, declared once and rendered both ways Airflow reads them.

Airflow ≥ 3.2 reads ``ui-field-behaviour`` and ``conn-fields`` from ``get_provider_info()``
without importing hooks; Airflow 2.11 calls the hooks' ``get_ui_field_behaviour()`` and
``get_connection_form_widgets()``. Both are generated from the registry's forms (:func:`forms`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_COMMON_EXTRAS: dict[str, tuple[str, str, str]] = {
    # name: (label, JSON type, description)
    "timeout": ("Request timeout (s)", "string", "Seconds for connect and read, e.g. 10 or [5, 15] (the default)."),
    "max_retries": (
        "Max retries",
        "integer",
        "Optional cap on retries of timeouts, 429 and 5xx (default: none, retries end at the stop's time budget; 0 = never retry).",
    ),
    "requests_per_second": (
        "Requests per second",
        "number",
        "The vendor's rate limit for these credentials, kept by every task and trigger of this process (default: Kore.ai 1, "
        "its documented 60/min; others none: learned from 429 answers; 0 = learn).",
    ),
    "allow_insecure": ("Allow plain http", "boolean", "Only for local simulators and test rigs."),
    "ca_bundle": ("CA bundle path", "string", "Custom CA bundle; certificates are always verified."),
}


@dataclass(frozen=True)
class ConnectionForm:
    """One connection type's form: hidden fields, relabelled fields, placeholders, extra fields."""

    conn_type: str
    hook_class: str
    hook_name: str
    hidden_fields: tuple[str, ...]
    relabeling: dict[str, str]
    placeholders: dict[str, str]
    extras: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    secret_extras: frozenset[str] = frozenset()
    #: extras the hook cannot work without: no ``null`` in their schema (Airflow 3 marks them required)
    required_extras: frozenset[str] = frozenset()

    def all_extras(self) -> dict[str, tuple[str, str, str]]:
        """Vendor extras followed by the transport extras every vendor shares."""
        return {**self.extras, **_COMMON_EXTRAS}

    def ui_field_behaviour(self) -> dict[str, Any]:
        """The hook-method form of the behaviour (Airflow 2.11)."""
        return {"hidden_fields": list(self.hidden_fields), "relabeling": dict(self.relabeling), "placeholders": dict(self.placeholders)}

    def provider_entry(self) -> dict[str, Any]:
        """The ``connection-types`` entry of ``get_provider_info()`` (Airflow ≥ 3.2)."""
        conn_fields = {}
        for name, (label, json_type, description) in self.all_extras().items():
            schema: dict[str, Any] = {"type": json_type, "minLength": 1} if name in self.required_extras else {"type": [json_type, "null"]}
            if name in self.secret_extras:
                schema["format"] = "password"
            conn_fields[name] = {"label": label, "schema": schema, "description": description}
        return {
            "connection-type": self.conn_type,
            "hook-class-name": self.hook_class,
            "hook-name": self.hook_name,
            "ui-field-behaviour": {
                "hidden-fields": list(self.hidden_fields),
                "relabeling": dict(self.relabeling),
                "placeholders": dict(self.placeholders),
            },
            "conn-fields": conn_fields,
        }

    def form_widgets(self) -> dict[str, Any]:
        """WTForms widgets for the extras (Airflow 2.11); imported only when Airflow asks."""
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
        from wtforms import BooleanField, PasswordField, StringField

        widgets: dict[str, Any] = {}
        for name, (label, json_type, description) in self.all_extras().items():
            if json_type == "boolean":
                widgets[name] = BooleanField(label, description=description)
            elif name in self.secret_extras:
                widgets[name] = PasswordField(label, widget=BS3PasswordFieldWidget(), description=description)
            else:
                widgets[name] = StringField(label, widget=BS3TextFieldWidget(), description=description)
        return widgets


_HTTP_HIDDEN = ("schema", "port")


def http_form(
    conn_type: str,
    hook_class_name: str,
    hook_name: str,
    key_label: str,
    key_placeholder: str,
    host: str,
    extras: dict[str, tuple[str, str, str]] | None = None,
    package: str = "airflow_provider_campaigns",
) -> ConnectionForm:
    """The form of a vendor that takes one secret key and a base URL (no login): the common case."""
    return ConnectionForm(
        conn_type=conn_type,
        hook_class=f"{package}.hooks.{conn_type}.{hook_class_name}",
        hook_name=hook_name,
        hidden_fields=(*_HTTP_HIDDEN, "login"),
        relabeling={"password": key_label, "host": "Base URL"},
        placeholders={"password": key_placeholder, "host": host},
        extras=extras or {},
    )


def forms() -> dict[str, ConnectionForm]:
    """Every registered vendor's connection form, by connection type (from :mod:`~airflow_provider_campaigns.registry`)."""
    from airflow_provider_campaigns.registry import entries

    return {entry.key: entry.form for entry in entries()}
