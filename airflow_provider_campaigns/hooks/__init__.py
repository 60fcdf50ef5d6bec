"""Hooks of the campaigns provider: one per vendor, on :class:`~.base.CampaignHook`."""
