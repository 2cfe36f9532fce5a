"""The companion's config flow: one step, no questions (kp creates the entry through HA's API)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from .const import DOMAIN, TITLE


class KpReloadConfigFlow(ConfigFlow, domain=DOMAIN):
    """Creates the single kp_reload entry at once."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Create the entry (single_config_entry in the manifest refuses a second one)."""
        return self.async_create_entry(title=TITLE, data={})
