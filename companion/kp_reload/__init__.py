"""kp_reload: kp's development-only companion. It reloads a custom integration's Python code in the
running Home Assistant without a restart, over one admin-only websocket command. kp installs it only
in a Home Assistant it provisioned (`kp ha up`) and owns.
"""

from __future__ import annotations

import logging
from typing import Any

import voluptuous as vol
from homeassistant.components import websocket_api
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from .const import DOMAIN, VERSION
from .ha_port import HaPort2026
from .reloader import Reloader

_LOGGER = logging.getLogger(__name__)


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Register the commands (registering again overwrites: websocket_api.async_register_command)."""
    hass.data[DOMAIN] = Reloader(HaPort2026(hass), DOMAIN)
    websocket_api.async_register_command(hass, ws_reload)
    websocket_api.async_register_command(hass, ws_info)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """The commands cannot be unregistered: they answer `not_loaded` from now on."""
    hass.data.pop(DOMAIN, None)
    return True


def _reloader_or_error(hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]) -> Reloader | None:
    """The loaded entry's reloader; without one, the command is answered `not_loaded`."""
    reloader: Reloader | None = hass.data.get(DOMAIN)
    if reloader is None:
        connection.send_error(msg["id"], "not_loaded", f"the {DOMAIN} entry is not loaded")
    return reloader


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/reload",
        vol.Required("domain"): str,
        vol.Optional("timeout", default=60): vol.All(vol.Coerce(float), vol.Range(min=1, max=900)),
    }
)
@websocket_api.require_admin
@websocket_api.async_response
async def ws_reload(hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]) -> None:
    """Reload one custom integration's code; the answer says what happened (never an exception)."""
    reloader = _reloader_or_error(hass, connection, msg)
    if reloader is None:
        return
    answer = await reloader.reload(msg["domain"], msg["timeout"])
    level = logging.INFO if answer["reloaded"] else logging.WARNING
    _LOGGER.log(
        level,
        "%s %s in %d ms%s",
        "Reloaded" if answer["reloaded"] else "Did not reload",
        answer["domain"],
        answer["ms"],
        f": {answer['reason']}" if answer["reason"] else "",
    )
    connection.send_result(msg["id"], answer)


@websocket_api.websocket_command({vol.Required("type"): f"{DOMAIN}/info"})
@websocket_api.require_admin
@websocket_api.async_response
async def ws_info(hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]) -> None:
    """The companion's version, whether a reload runs now, and the last answer."""
    reloader = _reloader_or_error(hass, connection, msg)
    if reloader is None:
        return
    connection.send_result(msg["id"], {"version": VERSION, "running": reloader.running, "reloads": reloader.reloads, "last": reloader.last})
