"""One vendor's section of the kill switch's trigger form, as plain data (a leaf: the registry declares one per vendor)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class VendorForm:
    """What a vendor's section of the form asks, and the target keys its fields become."""

    vendor: str
    #: the target key the id list becomes (``campaign_ids``, ``message_ids``, ``campaign_sends``)
    ids_key: str
    ids_title: str
    ids_description: str
    ids_examples: list[str]
    ids_pattern: str
    #: "every active campaign" and the name filter (Cellcast: no listing of campaigns, a tag instead)
    all_active: bool = True
    #: the name filter's target key and wording
    filter_key: str = "name_contains"
    filter_title: str = "Name contains"
    filter_description: str = (
        "With 'Every active campaign': only campaigns whose name contains this text (case-insensitive, e.g. 'black friday')."
    )
    #: (target key, allowed values, default) of the channel field, if the vendor has channels
    channel: tuple[str, list[str], str] | None = None
    channel_title: str = "Message type"
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self, name: str) -> str:
        """The param name of one of this vendor's fields (``bsg_campaign_ids``, ...)."""
        return f"{self.vendor}_{name}"

    @property
    def section(self) -> str:
        """The form section of this vendor's fields (the vendor's name)."""
        from airflow_provider_campaigns.registry import vendor

        return vendor(self.vendor).name
