"""The reloader's port onto Home Assistant 2026.3: every cache the spec names, read from HA's source.

Each method cites the HA file and function whose state it reads or clears (homeassistant 2026.3.4,
site-packages/homeassistant/). Private names are HA's own keys; they are looked up defensively so a
missing one is skipped, never an exception in HA's event loop.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from homeassistant import config_entries, loader
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import icon, integration_platform, service, translation
from homeassistant.setup import async_setup_component

from .reloader import EntryInfo

# setup.py _DATA_SETUP ("setup_tasks"): a failed setup leaves its future here, so a second
# async_setup_component would answer the old False without trying.
SETUP_TASKS = "setup_tasks"
# ConfigEntry attributes that cache what the old code offered (config_entries.py ConfigEntry.__init__).
ENTRY_CACHES = (
    "_integration_for_domain",
    "supports_unload",
    "supports_remove_device",
    "_supports_options",
    "_supports_reconfigure",
    "_supported_subentry_types",
)


class HaPort2026:
    """HaPort for a running Home Assistant 2026.3."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass

    def known(self, domain: str) -> bool:
        # loader.async_get_custom_components: the scan of custom_components/, a dict once done.
        found = self.hass.data.get(loader.DATA_CUSTOM_COMPONENTS)
        return isinstance(found, dict) and domain in found

    def entries(self, domain: str) -> list[EntryInfo]:
        return [EntryInfo(e.entry_id, e.state.value, e.reason, e.title) for e in self.hass.config_entries.async_entries(domain)]

    def supports_unload(self, domain: str) -> bool | None:
        # loader.Integration._get_component stores the imported module in hass.data["components"][domain].
        component = self.hass.data.get(loader.DATA_COMPONENTS, {}).get(domain)
        return None if component is None else hasattr(component, "async_unload_entry")

    def _hass_config(self) -> dict[str, Any]:
        # config_entries.ConfigEntries.__init__ keeps the processed YAML config it sets domains up with.
        return getattr(self.hass.config_entries, "_hass_config", None) or {}

    def yaml_platforms(self, domain: str) -> list[str]:
        used = []
        for key, value in self._hass_config().items():
            items = value if isinstance(value, list) else [value]
            if any(isinstance(item, dict) and item.get("platform") == domain for item in items):
                used.append(str(key))
        return sorted(used)

    def current_manifest(self, domain: str) -> dict[str, Any] | None:
        # loader.async_get_integrations caches domain -> Integration in hass.data["integrations"]; before
        # anything asked for it, the start's scan of custom_components/ holds the manifest HA read.
        for key in (loader.DATA_INTEGRATIONS, loader.DATA_CUSTOM_COMPONENTS):
            found = self.hass.data.get(key)
            integration = found.get(domain) if isinstance(found, dict) else None
            if isinstance(integration, loader.Integration):
                return dict(integration.manifest)
        return None

    def _component_dir(self, domain: str) -> Path:
        return Path(self.hass.config.path("custom_components", domain))

    async def read_manifest(self, domain: str) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            try:
                manifest = json.loads((self._component_dir(domain) / "manifest.json").read_text())
            except OSError, ValueError:
                return None
            return manifest if isinstance(manifest, dict) else None

        return await self.hass.async_add_executor_job(read)

    def abort_flows(self, domain: str) -> int:
        # data_entry_flow.FlowManager.async_progress_by_handler / async_abort; options flows are
        # keyed by the entry id (config_entries.OptionsFlowManager).
        flows = self.hass.config_entries.flow
        aborted = 0
        for flow in flows.async_progress_by_handler(domain, include_uninitialized=True):
            flows.async_abort(flow["flow_id"])
            aborted += 1
        entry_ids = {e.entry_id for e in self.hass.config_entries.async_entries(domain)}
        options = self.hass.config_entries.options
        for flow in options.async_progress(include_uninitialized=True):
            if flow["handler"] in entry_ids:
                options.async_abort(flow["flow_id"])
                aborted += 1
        # Subentry flows (config_entries.ConfigSubentryFlowManager): handler (entry_id, subentry type).
        subentries = getattr(self.hass.config_entries, "subentries", None)
        for flow in subentries.async_progress(include_uninitialized=True) if subentries else []:
            handler = flow["handler"]
            if isinstance(handler, tuple) and handler[0] in entry_ids:
                subentries.async_abort(flow["flow_id"])
                aborted += 1
        return aborted

    async def unload(self, entry_id: str) -> bool:
        # config_entries.ConfigEntries.async_unload: takes the entry's setup lock, calls the OLD code's async_unload_entry.
        return await self.hass.config_entries.async_unload(entry_id)

    async def resolve(self, domain: str) -> loader.Integration | None:
        # loader.Integration.resolve_from_root reads manifest.json and lists the folder (file I/O: executor).
        import custom_components  # noqa: PLC0415 - mounted by HA at start (loader._async_mount_config_dir)

        return await self.hass.async_add_executor_job(loader.Integration.resolve_from_root, self.hass, custom_components, domain)

    def forget(self, domain: str, integration: loader.Integration) -> None:
        """Every cache that holds the domain after its first load, in one event-loop callback."""
        hass, data = self.hass, self.hass.data
        prefix = f"{domain}."
        # core.ServiceRegistry: entity services are registered once per platform (has_service), so
        # the old callables would stay; the Kamerplanter integration registers its own with the same guard.
        for name in list(hass.services.async_services_for_domain(domain)):
            hass.services.async_remove(domain, name)
        # core_config._ComponentSet.remove accepts top-level names only.
        if domain in hass.config.components:
            hass.config.components.remove(domain)
        data.get(SETUP_TASKS, {}).pop(domain, None)
        components = data.get(loader.DATA_COMPONENTS, {})
        for key in [k for k in components if k == domain or k.startswith(prefix)]:
            del components[key]
        missing = data.get(loader.DATA_MISSING_PLATFORMS, {})
        for key in [k for k in missing if k.startswith(prefix)]:
            del missing[key]
        # The new Integration (fresh _cache views, _top_level_files, manifest) for both lookups.
        data[loader.DATA_INTEGRATIONS][domain] = integration
        custom = data.get(loader.DATA_CUSTOM_COMPONENTS)
        if isinstance(custom, dict):
            custom[domain] = integration
        # config_entries.HANDLERS: importing config_flow.py registers the class again (__init_subclass__).
        config_entries.HANDLERS.pop(domain, None)
        for entry in hass.config_entries.async_entries(domain):
            for attribute in ENTRY_CACHES:
                setattr(entry, attribute, None)
        # helpers/integration_platform.py: processed platforms remember the component in seen_components.
        for platform in data.get(integration_platform.DATA_INTEGRATION_PLATFORMS, []):
            platform.seen_components.discard(domain)
        self._forget_strings(domain)

    def _forget_strings(self, domain: str) -> None:
        """Translations, icons and service descriptions are never unloaded by HA itself."""
        data = self.hass.data
        # helpers/translation.py _TranslationCache (singleton under TRANSLATION_FLATTEN_CACHE).
        cache = data.get(translation.TRANSLATION_FLATTEN_CACHE)
        if cache is not None:
            for loaded in cache.cache_data.loaded.values():
                loaded.discard(domain)
            for categories in cache.cache_data.cache.values():
                for by_component in categories.values():
                    by_component.pop(domain, None)
        # helpers/icon.py _IconsCache under ICON_CACHE.
        icons = data.get(icon.ICON_CACHE)
        if icons is not None:
            icons._loaded.discard(domain)  # noqa: SLF001 - HA's own cache, no public way to drop one domain
            for by_component in icons._cache.values():  # noqa: SLF001
                by_component.pop(domain, None)
        # helpers/service.py SERVICE_DESCRIPTION_CACHE ((domain, service) keys) and the all-services cache.
        descriptions = data.get(service.SERVICE_DESCRIPTION_CACHE, {})
        for key in [k for k in descriptions if k[0] == domain]:
            del descriptions[key]
        data.pop(service.ALL_SERVICE_DESCRIPTIONS_CACHE, None)

    async def purge_modules(self, domain: str) -> int:
        """Delete the domain's bytecode and forget its modules (CPython trusts a .pyc by mtime seconds and size)."""
        package = f"custom_components.{domain}"
        folder = self._component_dir(domain)

        def purge() -> int:
            for cache in folder.rglob("__pycache__"):
                shutil.rmtree(cache, ignore_errors=True)
            names = [name for name in list(sys.modules) if name == package or name.startswith(f"{package}.")]
            for name in names:
                sys.modules.pop(name, None)
            importlib.invalidate_caches()
            return len(names)

        return await self.hass.async_add_executor_job(purge)

    async def import_code(self, integration: loader.Integration) -> None:
        """The component and its platform modules, in the executor (loader.Integration.async_get_component, async_get_platforms)."""
        await integration.async_get_component()
        # Entity platforms only (homeassistant.const.Platform): a helper module is imported by the code that uses it.
        platforms = integration.platforms_exists([platform.value for platform in Platform])
        if platforms:
            await integration.async_get_platforms(platforms)

    async def setup(self, domain: str) -> bool:
        # setup.async_setup_component runs async_setup and sets every entry up (entry.async_setup_locked).
        return await async_setup_component(self.hass, domain, self._hass_config())

    def start_task(self, coro: Any, name: str) -> asyncio.Task[Any]:
        return self.hass.async_create_background_task(coro, name)
