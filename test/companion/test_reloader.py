"""The kp_reload companion's reloader (companion/kp_reload/reloader.py) against a model of Home Assistant.

Cases a real Home Assistant cannot produce on demand (a reload that hangs, HA's loader raising, an
unload that leaves an entry failed_unload, a caller cancelled halfway) run here in real CPython
(the real HA image's Python 3.14). ModelPort models what ha_port.HaPort2026 reads and clears in HA
2026.3: config_entries.ConfigEntries.async_unload / async_setup (entry states), loader's
hass.data["components"] / "integrations" caches (current_manifest, supports_unload),
setup.async_setup_component (setup), and config_entries._hass_config (YAML platforms). The real
port itself runs in the real-HA e2e test (test/e2e/commands/ha/real-ha.test.ts).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "companion" / "kp_reload"))

from reloader import EntryInfo, Reloader  # noqa: E402

MANIFEST = {"domain": "kamerplanter", "version": "0.1.0", "requirements": [], "dependencies": [], "zeroconf": ["_kamerplanter._tcp.local."]}


class ModelPort:
    """A model of one custom integration in HA: its entries, its loaded code, its manifest."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.domains = {"kamerplanter", "kp_reload"}
        self.entry_states = {"e1": "loaded"}
        self.has_unload = True
        self.yaml: list[str] = []
        self.old_manifest = dict(MANIFEST)
        self.new_manifest: dict | None = dict(MANIFEST)
        self.unload_result = "not_loaded"
        self.import_error: BaseException | None = None
        self.resolve_error: BaseException | None = None
        self.setup_gate: asyncio.Event | None = None
        self.setup_result = True
        self.other_domain_state = "loaded"

    def known(self, domain: str) -> bool:
        return domain in self.domains

    def entries(self, domain: str) -> list[EntryInfo]:
        return [EntryInfo(entry_id, state, None, f"entry {entry_id}") for entry_id, state in self.entry_states.items()] if domain == "kamerplanter" else []

    def supports_unload(self, domain: str) -> bool | None:
        return self.has_unload

    def yaml_platforms(self, domain: str) -> list[str]:
        return self.yaml

    def current_manifest(self, domain: str) -> dict | None:
        return self.old_manifest

    async def read_manifest(self, domain: str) -> dict | None:
        return self.new_manifest

    def abort_flows(self, domain: str) -> int:
        self.calls.append("abort")
        return 0

    async def unload(self, entry_id: str) -> bool:
        self.calls.append(f"unload {entry_id}")
        self.entry_states[entry_id] = self.unload_result
        return self.unload_result == "not_loaded"

    async def resolve(self, domain: str) -> object:
        self.calls.append("resolve")
        if self.resolve_error:
            raise self.resolve_error
        return object()

    def forget(self, domain: str, integration: object) -> None:
        self.calls.append("forget")

    async def purge_modules(self, domain: str) -> int:
        self.calls.append("purge")
        return 3

    async def import_code(self, integration: object) -> None:
        self.calls.append("import")
        if self.import_error:
            # As loader.Integration._get_component does: the module's own error wrapped in an ImportError.
            raise ImportError("Exception importing custom_components.kamerplanter") from self.import_error

    async def setup(self, domain: str) -> bool:
        self.calls.append("setup")
        if self.setup_gate:
            await self.setup_gate.wait()
        if not self.setup_result:
            return False
        for entry_id in self.entry_states:
            self.entry_states[entry_id] = "setup_error" if self.import_error else "loaded"
        return True

    def start_task(self, coro, name: str) -> asyncio.Task:
        return asyncio.get_running_loop().create_task(coro, name=name)


def reload(port: ModelPort, domain: str = "kamerplanter", timeout: float = 5) -> dict:
    return asyncio.run(Reloader(port, "kp_reload").reload(domain, timeout))


def test_given_a_loaded_entry_when_reloaded_then_the_spec_order_runs_and_the_entry_is_loaded_again():
    port = ModelPort()
    answer = reload(port)
    assert answer["reloaded"] is True and answer["restart_required"] is False and answer["reason"] is None
    assert port.calls == ["abort", "unload e1", "resolve", "forget", "purge", "import", "setup"]
    assert answer["entries"] == [{"entry_id": "e1", "title": "entry e1", "state": "loaded", "reason": None}]


@pytest.mark.parametrize("state", ["failed_unload", "migration_error", "setup_in_progress", "unload_in_progress"])
def test_given_an_entry_only_a_restart_recovers_when_reloaded_then_it_refuses_and_touches_nothing(state):
    port = ModelPort()
    port.entry_states["e1"] = state
    answer = reload(port)
    assert answer["reloaded"] is False and answer["restart_required"] is True
    assert state in answer["reason"]
    assert port.calls == []


def test_given_code_without_async_unload_entry_when_reloaded_then_it_refuses():
    port = ModelPort()
    port.has_unload = False
    answer = reload(port)
    assert answer["restart_required"] is True and "async_unload_entry" in answer["reason"]
    assert port.calls == []


def test_given_a_yaml_platform_setup_when_reloaded_then_it_refuses():
    port = ModelPort()
    port.yaml = ["sensor"]
    answer = reload(port)
    assert answer["restart_required"] is True and "platform: kamerplanter under sensor" in answer["reason"]
    assert port.calls == []


@pytest.mark.parametrize("key,value", [("requirements", ["x==1"]), ("dependencies", ["mqtt"]), ("after_dependencies", ["http"]), ("zeroconf", [])])
def test_given_a_manifest_change_ha_reads_at_start_when_reloaded_then_it_refuses_naming_the_key(key, value):
    port = ModelPort()
    port.new_manifest = {**MANIFEST, key: value}
    answer = reload(port)
    assert answer["restart_required"] is True and f"manifest.json changed in {key}" in answer["reason"]
    assert port.calls == []


def test_given_only_the_manifest_version_changed_when_reloaded_then_it_reloads():
    port = ModelPort()
    port.new_manifest = {**MANIFEST, "version": "0.2.0"}
    assert reload(port)["reloaded"] is True


@pytest.mark.parametrize(
    "domain,restart,words",
    [("kp_reload", True, "the companion itself"), ("hue", True, "not among the custom integrations"), ("../x", False, "not an integration domain")],
)
def test_given_a_domain_it_must_not_reload_when_asked_then_it_refuses_and_touches_nothing(domain, restart, words):
    port = ModelPort()
    answer = reload(port, domain)
    assert answer["reloaded"] is False and answer["restart_required"] is restart and words in answer["reason"]
    assert port.calls == []


def test_given_new_code_with_a_syntax_error_when_reloaded_then_ha_sets_it_up_with_its_own_error_and_the_answer_carries_the_traceback():
    port = ModelPort()
    port.import_error = SyntaxError("invalid syntax", ("sensor.py", 12, 1, "def broken(:"))
    answer = reload(port)
    assert answer["reloaded"] is False and answer["restart_required"] is False
    assert answer["reason"].startswith("the new code of kamerplanter does not import: SyntaxError: invalid syntax")
    assert "SyntaxError" in answer["traceback"]
    # HA's own setup ran: its verdict (the entry's state) is what the round reports.
    assert port.calls[-1] == "setup" and answer["entries"][0]["state"] == "setup_error"


def test_given_an_unload_that_leaves_the_entry_failed_when_reloaded_then_only_a_restart_helps_and_nothing_is_forgotten():
    port = ModelPort()
    port.unload_result = "failed_unload"
    answer = reload(port)
    assert answer["restart_required"] is True and "failed_unload after its unload" in answer["reason"]
    assert "forget" not in port.calls


def test_given_ha_loader_raising_when_reloaded_then_the_failure_is_an_answer_never_an_exception():
    port = ModelPort()
    port.resolve_error = RuntimeError("loader exploded")
    answer = reload(port)
    assert answer["reloaded"] is False and answer["restart_required"] is True
    assert "RuntimeError: loader exploded" in answer["reason"] and "loader exploded" in answer["traceback"]


def test_given_a_setup_that_hangs_when_reloaded_then_it_answers_within_its_bound_and_the_reload_goes_on_to_the_end():
    async def scenario():
        port = ModelPort()
        port.setup_gate = asyncio.Event()
        reloader = Reloader(port, "kp_reload")
        answer = await reloader.reload("kamerplanter", 0.2)
        assert answer["restart_required"] is True and "did not finish within 0.2 s" in answer["reason"]
        assert reloader.running == "kamerplanter"
        port.setup_gate.set()
        for _ in range(50):
            if reloader.running is None:
                break
            await asyncio.sleep(0.01)
        assert reloader.running is None and reloader.last["reloaded"] is True
        assert port.entry_states == {"e1": "loaded"}

    asyncio.run(scenario())


def test_given_the_caller_cancelled_mid_reload_then_ha_still_ends_with_the_new_code_set_up_never_neither():
    async def scenario():
        port = ModelPort()
        port.setup_gate = asyncio.Event()
        reloader = Reloader(port, "kp_reload")
        caller = asyncio.create_task(reloader.reload("kamerplanter", 30))
        await asyncio.sleep(0.05)
        assert port.entry_states == {"e1": "not_loaded"}
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        port.setup_gate.set()
        for _ in range(50):
            if reloader.running is None:
                break
            await asyncio.sleep(0.01)
        assert port.entry_states == {"e1": "loaded"} and reloader.last["reloaded"] is True

    asyncio.run(scenario())


def test_given_two_reloads_at_once_then_the_second_starts_after_the_first_ended():
    async def scenario():
        port = ModelPort()
        reloader = Reloader(port, "kp_reload")
        first, second = await asyncio.gather(reloader.reload("kamerplanter", 5), reloader.reload("kamerplanter", 5))
        assert first["reloaded"] and second["reloaded"]
        one_reload = ["abort", "unload e1", "resolve", "forget", "purge", "import", "setup"]
        assert port.calls == one_reload + one_reload
        assert reloader.reloads == 2

    asyncio.run(scenario())


def test_given_new_code_ha_cannot_set_up_when_reloaded_then_it_is_not_reloaded_and_the_next_edit_may_try_again():
    # setup.async_setup_component returns False (async_setup returned False, invalid config, a dependency failed).
    port = ModelPort()
    port.setup_result = False
    answer = reload(port)
    assert answer["reloaded"] is False and answer["restart_required"] is False
    assert "could not set kamerplanter up with the new code" in answer["reason"]
    assert answer["entries"][0]["state"] == "not_loaded"
