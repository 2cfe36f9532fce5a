/**
 * Why HA refused kp's config flow: HA answers "Invalid handler specified" both for an integration it
 * does not know and for one whose config_flow.py does not import; its log says which, but HA writes
 * its log from a queue thread, so the line may come just after the answer.
 */
import {describe, expect, it} from 'vitest';
import {flowLoadError, flowLoadErrorLogged} from '../../../../src/workflows/ha/wire.js';

const importFailure =
  "2026-12-07 01:20:11.123 ERROR (MainThread) [homeassistant.config_entries] Error occurred loading flow for integration kamerplanter: cannot import name 'ZeroconfServiceInfo' from 'homeassistant.components.zeroconf'";

describe("HA's reason for refusing the config flow", () => {
  it('Given the log line, When it is read, Then the reason is the text after the domain', () => {
    expect(flowLoadError(`other line\n${importFailure}\n`, 'kamerplanter')).toBe(
      "cannot import name 'ZeroconfServiceInfo' from 'homeassistant.components.zeroconf'",
    );
    expect(flowLoadError(importFailure, 'other')).toBeUndefined();
  });

  it('Given a log that shows the import error only on the third read, When kp looks for it, Then it finds it (it does not call it a missing component)', async () => {
    let reads = 0;
    const target = {logsSince: async () => (++reads >= 3 ? `${importFailure}\n` : 'Setting up kamerplanter\n')};
    expect(await flowLoadErrorLogged(target)).toMatch(/^cannot import name 'ZeroconfServiceInfo'/);
    expect(reads).toBe(3);
  });

  it('Given a log that never shows it (HA does not know the integration), When kp looks, Then it gives up after the lag HA may have (looking more than twice)', async () => {
    let reads = 0;
    const target = {logsSince: async () => (reads++, 'nothing about it\n')};
    expect(await flowLoadErrorLogged(target)).toBeUndefined();
    expect(reads).toBeGreaterThan(2);
  });
});
