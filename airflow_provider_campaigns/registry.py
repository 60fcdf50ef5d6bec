"""The one registry of vendors: what shared code needs to know of each vendor, declared once.

A vendor is its facts module (``<package>.vendors.<key>``: the API contract as pure code), three thin
Airflow classes (``hooks``, ``operators`` and ``sensors`` modules of the same name) and one
:class:`VendorEntry` in :data:`REGISTRY`. The kill switch, the status trigger, the provider info,
the connection forms, the trigger form, the result's neutral times and the fire drill all derive
from here; none of them names a vendor. Another package (or a test) adds a vendor with
:func:`register`. Nothing here imports a hook or a facts module until it is asked for one, so
reading the registry stays cheap at DAG-parse time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from airflow_provider_campaigns.connection_forms import ConnectionForm, http_form
from airflow_provider_campaigns.trigger_form_sections import VendorForm

if TYPE_CHECKING:
    from airflow_provider_campaigns.hooks.base import CampaignHook
    from airflow_provider_campaigns.vendors.base import VendorSpec

PACKAGE = "airflow_provider_campaigns"


@dataclass(frozen=True)
class VendorEntry:
    """One vendor as shared code sees it.

    :param key: the vendor key, also its connection type and its modules' name (``bsg``).
    :param name: the display name (``BSG``).
    :param doc_url: the vendor's API documentation (the provider info's integration link).
    :param form: its connection form (Airflow's Admin > Connections).
    :param trigger_form: its section of the kill switch's trigger form.
    :param hook_options: keys of a kill switch target that configure its hook rather than select
        campaigns (besides ``conn_id`` and ``status_map``, which every vendor takes).
    :param package: the package holding its ``vendors``, ``hooks``, ``operators`` and ``sensors`` modules.
    :param contracts_title: the title of its section of ``docs/vendor-contracts.md`` (default: its name).
    """

    key: str
    name: str
    doc_url: str
    form: ConnectionForm
    trigger_form: VendorForm
    hook_options: tuple[str, ...] = ()
    package: str = PACKAGE
    contracts_title: str = ""

    @property
    def contracts_section(self) -> str:
        """The title of its section of ``docs/vendor-contracts.md`` (where the fire drill's facts are written)."""
        return self.contracts_title or self.name

    def module_name(self, kind: str) -> str:
        """The dotted name of its ``kind`` module (``vendors``, ``hooks``, ``operators``, ``sensors``)."""
        return f"{self.package}.{kind}.{self.key}"

    def facts(self) -> ModuleType:
        """Its facts module (imported on first use)."""
        return import_module(self.module_name("vendors"))

    def spec(self) -> VendorSpec[Any]:
        """Its :class:`~airflow_provider_campaigns.vendors.base.VendorSpec` (the facts module's ``SPEC``)."""
        spec: VendorSpec[Any] = self.facts().SPEC
        return spec

    def hook_class(self) -> type[CampaignHook[Any]]:
        """Its hook class (imported on first use)."""
        module_name, _, class_name = self.form.hook_class.rpartition(".")
        hook_class: type[CampaignHook[Any]] = getattr(import_module(module_name), class_name)
        return hook_class

    def make_hook(
        self, conn_id: str, request_timeout: Any, pool_size: int, status_map: Any = None, **options: Any
    ) -> CampaignHook[Any]:
        """A hook on ``conn_id``; ``options`` are its :attr:`hook_options` a target gave."""
        build: Any = self.hook_class()  # each vendor's hook takes these keywords (and its own options)
        hook: CampaignHook[Any] = build(conn_id, request_timeout=request_timeout, pool_size=pool_size, status_map=status_map, **options)
        return hook

    @property
    def target_hook_keys(self) -> tuple[str, ...]:
        """Every key of a kill switch target that configures the hook (sorted; listed in input errors)."""
        return tuple(sorted({"conn_id", "status_map", *self.hook_options}))


#: vendor key → entry, in the order the vendors are shown and acted on
REGISTRY: dict[str, VendorEntry] = {}


def register(entry: VendorEntry) -> VendorEntry:
    """Add (or replace) a vendor; its connection form and trigger form must carry its key."""
    if entry.form.conn_type != entry.key or entry.trigger_form.vendor != entry.key:
        raise ValueError(f"vendor {entry.key!r}: its connection form and trigger form must be for {entry.key!r}")
    REGISTRY[entry.key] = entry
    return entry


def unregister(key: str) -> None:
    """Remove a vendor (tests that registered one clean up with this)."""
    REGISTRY.pop(key, None)


def vendor(key: str) -> VendorEntry:
    """The entry of a vendor key (``bsg``); an unknown key is a ``ValueError`` naming the known ones."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise ValueError(f"unknown vendor {key!r}; known: {', '.join(REGISTRY)}") from None


def vendor_spec(key: str) -> VendorSpec[Any]:
    """The :class:`~airflow_provider_campaigns.vendors.base.VendorSpec` of a registered vendor key such as ``bsg``."""
    return vendor(key).spec()


def vendor_keys() -> tuple[str, ...]:
    """Every registered vendor key, in registry order."""
    return tuple(REGISTRY)


def entries() -> Iterator[VendorEntry]:
    """Every registered vendor, in registry order."""
    return iter(list(REGISTRY.values()))


def key_of(vendor_key_or_name: str) -> str | None:
    """The vendor key of a key (``bsg``) or a display name (``BSG``); ``None`` if no vendor has it."""
    if vendor_key_or_name in REGISTRY:
        return vendor_key_or_name
    return next((entry.key for entry in REGISTRY.values() if entry.name == vendor_key_or_name), None)


# The built-in vendors: one entry each.
register(
    VendorEntry(
        "bsg",
        "BSG",
        "https://one-api.bsg.world",
        http_form("bsg", "BsgHook", "BSG (SMS, RCS campaigns)", "API key", "live_... or test_...", "https://one-api.bsg.world"),
        VendorForm(
            "bsg",
            "campaign_ids",
            "BSG campaign ids",
            "One BSG campaign id per line (a positive number, as in the BSG console).",
            ["1001", "1002"],
            r"^\s*[0-9]+\s*$",
            channel=("channel", ["sms", "rcs"], "sms"),
            channel_title="Channel",
        ),
        contracts_title="BSG (One-API v2)",
    )
)
register(
    VendorEntry(
        "cellcast",
        "Cellcast",
        "https://developer.cellcast.com",
        http_form("cellcast", "CellcastHook", "Cellcast (SMS, MMS)", "API key", "Cellcast API key", "https://api.cellcast.com"),
        VendorForm(
            "cellcast",
            "message_ids",
            "Cellcast message ids",
            "One Cellcast message id per line (24 hex digits). Or give the campaign tag below.",
            ["65f1c0a2b3c4d5e6f7a8b9c0"],
            r"^\s*[0-9A-Fa-f]{24}\s*$",
            all_active=False,
            filter_key="custom_string",
            filter_title="Campaign tag (custom_string)",
            filter_description="Every scheduled message sent with this custom_string (the tag given when the campaign was sent).",
            channel=("message_type", ["sms", "mms"], "sms"),
        ),
    )
)
register(
    VendorEntry(
        "comm",
        "comm.com",
        "https://api.comm.com",
        http_form(
            "comm",
            "CommHook",
            "comm.com (SMS)",
            "API token",
            "comm.com bearer token",
            "https://api.comm.com",
            extras={
                "final_statuses": (
                    "Final send statuses",
                    "string",
                    "Comma-separated send statuses that are final (added to the defaults).",
                ),
                "send_status_path": (
                    "Send status path",
                    "string",
                    "Dotted path to the sends in the campaign read (default: data.sends).",
                ),
            },
        ),
        VendorForm(
            "comm",
            "campaign_sends",
            "comm.com campaign sends",
            "One '<campaign uuid>/<send uuid>' per line.",
            ["0f8fad5b-d9cb-469f-a165-70867728950e/7c9e6679-7425-40de-944b-e07fc1f90ae7"],
            r"^\s*[^/\s]+/[^/\s]+\s*$",
        ),
        hook_options=("send_status_path",),
    )
)
register(
    VendorEntry(
        "kore",
        "Kore.ai",
        "https://developer.kore.ai",
        ConnectionForm(
            conn_type="kore",
            hook_class=f"{PACKAGE}.hooks.kore.KoreHook",
            hook_name="Kore.ai (SMS campaigns)",
            hidden_fields=("schema", "port"),
            relabeling={"login": "Client ID", "password": "Client Secret", "host": "Environment URL"},
            placeholders={"login": "cs-...", "host": "https://platform.kore.ai"},
            extras={
                "account_id": ("Account ID (required)", "string", "The Kore.ai account id (sent as the accountid header)."),
                "stream_id": ("Stream / bot ID", "string", "Default bot or stream id (st-...)."),
                "stop_path": ("Stop path template", "string", "Override of the documented stop path."),
                "status_path": ("Status path template", "string", "Override of the documented status path."),
            },
            required_extras=frozenset({"account_id"}),
        ),
        VendorForm("kore", "campaign_ids", "Kore.ai campaign ids", "One Kore.ai campaign id per line.", ["cmp-7f3a9c"], r"^\s*\S+\s*$"),
    )
)
