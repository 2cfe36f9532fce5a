"""Reload one custom integration's code inside a running Home Assistant.

The order is kp's spec (shared/spec/ha-hot-reload.md): refuse what only a restart fixes, abort the
domain's flows, unload its entries, forget every cache that holds it, purge its modules and
bytecode, import it again in the executor, set it up again. The HA side is a port (ha_port.py binds
it to HA 2026.3), so this order and every failure path run in pytest against a model of HA. Nothing
here raises into HA's event loop: every outcome is an answer.
"""

from __future__ import annotations

import asyncio
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

DOMAIN_PATTERN = re.compile(r"^[a-z0-9_]+$")
# config_entries.ConfigEntryState: failed_unload and migration_error are not recoverable (neither
# unload nor setup is allowed), only a restart helps.
ONLY_A_RESTART_HELPS = ("failed_unload", "migration_error")
# Not recoverable either while they last (ConfigEntries.async_unload raises OperationNotAllowed).
BUSY = ("setup_in_progress", "unload_in_progress")
# What HA reads once at start (requirements installed, dependencies set up first, discovery
# matchers compiled into its generated tables): a change there needs a restart.
RESTART_MANIFEST_KEYS = (
    "requirements",
    "dependencies",
    "after_dependencies",
    "zeroconf",
    "ssdp",
    "dhcp",
    "usb",
    "bluetooth",
    "homekit",
    "mqtt",
)


@dataclass
class EntryInfo:
    """One config entry of the domain as HA holds it."""

    entry_id: str
    state: str
    reason: str | None = None
    title: str = ""


class HaPort(Protocol):
    """What the reloader needs from Home Assistant (ha_port.HaPort2026 is the real one)."""

    def known(self, domain: str) -> bool: ...
    def entries(self, domain: str) -> list[EntryInfo]: ...
    def supports_unload(self, domain: str) -> bool | None: ...
    def yaml_platforms(self, domain: str) -> list[str]: ...
    def current_manifest(self, domain: str) -> dict[str, Any] | None: ...
    async def read_manifest(self, domain: str) -> dict[str, Any] | None: ...
    def abort_flows(self, domain: str) -> int: ...
    async def unload(self, entry_id: str) -> bool: ...
    async def resolve(self, domain: str) -> Any: ...
    def forget(self, domain: str, integration: Any) -> None: ...
    async def purge_modules(self, domain: str) -> int: ...
    async def import_code(self, integration: Any) -> None: ...
    async def setup(self, domain: str) -> bool: ...
    def start_task(self, coro: Any, name: str) -> asyncio.Task[Any]: ...


class _Stop(Exception):
    """Ends a reload early with an answer: refused, or only a restart can finish it."""

    def __init__(self, reason: str, *, restart_required: bool, trace: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.restart_required = restart_required
        self.trace = trace


@dataclass
class _Run:
    """One reload as it goes: its domain, start and the steps it took."""

    domain: str
    started: float
    steps: list[str] = field(default_factory=list)


class Reloader:
    """Reloads one domain at a time; answers dicts, never raises."""

    def __init__(self, port: HaPort, own_domain: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._port = port
        self._own_domain = own_domain
        self._clock = clock
        # One reload at a time: a second waits for the first (two kp runs are kept apart by kp's locks too).
        self._lock = asyncio.Lock()
        self.reloads = 0
        self.last: dict[str, Any] | None = None
        self.running: str | None = None

    async def reload(self, domain: Any, timeout: float) -> dict[str, Any]:
        """Reload `domain`; answer within `timeout` seconds even when HA does not finish (it goes on)."""
        run = _Run(str(domain), self._clock())
        invalid = self._invalid(domain)
        if invalid:
            return self._answer(run, reloaded=False, restart_required=invalid[1], reason=invalid[0])
        # Its own task: a closed websocket or a cancelled caller never stops a reload halfway, so HA
        # always ends with the old code or the new one set up (or says that only a restart helps).
        task = self._port.start_task(self._locked(run), f"kp_reload {domain}")
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            reason = f"the reload of {domain} did not finish within {timeout:g} s (it goes on inside HA; a restart settles it)"
            return self._answer(run, reloaded=False, restart_required=True, reason=reason)

    def _invalid(self, domain: Any) -> tuple[str, bool] | None:
        """Why this domain is refused before anything is touched, and whether a restart would help."""
        if not isinstance(domain, str) or not DOMAIN_PATTERN.match(domain):
            return (f"{domain!r} is not an integration domain", False)
        if domain == self._own_domain:
            return ("the companion itself changed: only a restart loads its new code", True)
        if not self._port.known(domain):
            return (f"{domain} is not among the custom integrations HA found at its start (it scans custom_components/ only then)", True)
        return None

    async def _locked(self, run: _Run) -> dict[str, Any]:
        async with self._lock:
            self.running = run.domain
            try:
                answer = await self._reload(run)
            except _Stop as stop:
                answer = self._answer(run, reloaded=False, restart_required=stop.restart_required, reason=stop.reason, trace=stop.trace)
            except BaseException as err:  # noqa: BLE001 - every failure is an answer, never an exception in HA's loop
                # HA cancelling its background tasks (shutdown) ends the reload as HA asks.
                if isinstance(err, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                    raise
                reason = f"the reload failed in HA: {type(err).__name__}: {err}"
                answer = self._answer(run, reloaded=False, restart_required=True, reason=reason, trace=traceback.format_exc())
            finally:
                self.running = None
            self.reloads += 1
            self.last = answer
            return answer

    async def _reload(self, run: _Run) -> dict[str, Any]:
        port, domain = self._port, run.domain
        await self._refuse_what_needs_a_restart(run)
        run.steps.append(f"aborted {port.abort_flows(domain)} flows")
        await self._unload_entries(run)
        integration = await port.resolve(domain)
        if integration is None:
            raise _Stop(f"HA cannot read {domain}'s manifest.json any more", restart_required=True)
        port.forget(domain, integration)
        run.steps.append("forgot the domain's caches and services")
        run.steps.append(f"purged {await port.purge_modules(domain)} modules and their bytecode")
        import_failure = await self._import(run, integration)
        try:
            set_up = await port.setup(domain)
        except Exception as err:  # noqa: BLE001 - HA's setup raising is HA's verdict, answered
            raise _Stop(f"setting {domain} up again raised {type(err).__name__}: {err}", restart_required=False, trace=traceback.format_exc()) from err
        run.steps.append(f"set up again: {'ok' if set_up else 'failed'}")
        if import_failure:
            reason = f"the new code of {domain} does not import: {import_failure[0]}"
            return self._answer(run, reloaded=False, restart_required=False, reason=reason, trace=import_failure[1])
        if not set_up:
            # HA's own verdict on the new code (as a restart with it would give): the next edit reloads again.
            return self._answer(run, reloaded=False, restart_required=False, reason=f"HA could not set {domain} up with the new code (its log says why)")
        return self._answer(run, reloaded=True, restart_required=False, reason=None)

    async def _refuse_what_needs_a_restart(self, run: _Run) -> None:
        port, domain = self._port, run.domain
        entries = port.entries(domain)
        stuck = [e for e in entries if e.state in ONLY_A_RESTART_HELPS]
        if stuck:
            raise _Stop(f"entry {stuck[0].title or stuck[0].entry_id} is {stuck[0].state}: HA allows neither unload nor setup", restart_required=True)
        busy = [e for e in entries if e.state in BUSY]
        if busy:
            raise _Stop(f"entry {busy[0].title or busy[0].entry_id} is {busy[0].state}: HA is still at work on it", restart_required=True)
        if any(e.state == "loaded" for e in entries) and port.supports_unload(domain) is False:
            raise _Stop(f"{domain} has no async_unload_entry: its entries cannot be unloaded", restart_required=True)
        yaml = port.yaml_platforms(domain)
        if yaml:
            raise _Stop(f"{domain} is set up from YAML (platform: {domain} under {', '.join(yaml)})", restart_required=True)
        new = await port.read_manifest(domain)
        if new is None:
            raise _Stop(f"{domain}'s manifest.json is missing or not JSON", restart_required=True)
        if new.get("domain") != domain:
            raise _Stop(f"manifest.json names domain {new.get('domain')!r}, the folder is {domain}", restart_required=True)
        old = port.current_manifest(domain) or {}
        changed = [key for key in RESTART_MANIFEST_KEYS if old.get(key) != new.get(key)]
        if changed:
            raise _Stop(f"manifest.json changed in {', '.join(changed)}: HA reads those at start", restart_required=True)
        run.steps.append("nothing needs a restart")

    async def _unload_entries(self, run: _Run) -> None:
        port, domain = self._port, run.domain
        unloaded = 0
        for entry in port.entries(domain):
            if entry.state == "not_loaded":
                continue
            try:
                await port.unload(entry.entry_id)
            except Exception as err:  # noqa: BLE001
                raise _Stop(
                    f"unloading {entry.title or entry.entry_id} raised {type(err).__name__}: {err}", restart_required=True, trace=traceback.format_exc()
                ) from err
            unloaded += 1
        left = [e for e in port.entries(domain) if e.state != "not_loaded"]
        if left:
            raise _Stop(f"entry {left[0].title or left[0].entry_id} is {left[0].state} after its unload", restart_required=True)
        run.steps.append(f"unloaded {unloaded} entries")

    async def _import(self, run: _Run, integration: Any) -> tuple[str, str] | None:
        """Import the component and its platforms again; the error and its traceback when the new code does not import."""
        try:
            await self._port.import_code(integration)
        except Exception as err:  # noqa: BLE001 - the developer's code failing to import is the answer
            run.steps.append("imported: failed")
            # HA wraps what the module raised in an ImportError (loader.Integration._get_component): name the cause.
            cause = err.__cause__ or err
            return (f"{type(cause).__name__}: {cause}", traceback.format_exc())
        run.steps.append("imported the new code")
        return None

    def _answer(self, run: _Run, *, reloaded: bool, restart_required: bool, reason: str | None, trace: str | None = None) -> dict[str, Any]:
        entries = [] if not DOMAIN_PATTERN.match(run.domain) or run.domain == self._own_domain else self._port.entries(run.domain)
        return {
            "domain": run.domain,
            "reloaded": reloaded,
            "restart_required": restart_required,
            "reason": reason,
            "entries": [{"entry_id": e.entry_id, "title": e.title, "state": e.state, "reason": e.reason} for e in entries],
            "steps": list(run.steps),
            "traceback": trace,
            "ms": round((self._clock() - run.started) * 1000),
            # When it ended (epoch seconds): HA's log before it is the old code's (kp ha status reads from here).
            "at": time.time(),
        }
