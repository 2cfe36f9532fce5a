/**
 * Read Home Assistant's log (since a restart) and decide whether one custom integration loaded.
 * Pure. The patterns are the lines HA really prints (shared/spec/kamerplanter-workflow.md):
 * HA's default level is WARNING, so the best the log says on its own is "found": the loader's
 * custom-integration warning was printed and no failure line names the domain. That warning comes
 * from reading the manifest (loader.py Integration.resolve_from_root), not from importing the code:
 * only a config entry's state (or a setup failure) says whether the Python code loaded.
 */

/** The kinds of failure evidence kp recognises. */
export type FailureKind = 'setup-failed' | 'entry-setup-failed' | 'import-failed' | 'integration-error' | 'traceback';

/** One piece of failure evidence from the log. */
export interface LogFailure {
  kind: FailureKind;
  /** The log line (or, for a traceback, the whole block). */
  text: string;
}

/** What the log says about one integration. */
export interface LogVerdict {
  /** `found`: loader line (manifest read) and no failure; `failed`: any failure line; `not-seen`: neither yet. */
  status: 'found' | 'failed' | 'not-seen';
  /** The loader's custom-integration line, when present. */
  loaderLine: string | undefined;
  failures: LogFailure[];
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const LOG_LINE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\s+([A-Z]+)\s+(?:\(([^)]*)\)\s+)?\[([^\]]+)\]\s?(.*)$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Split log text into lines without ANSI colour codes (HA colours its console output). */
export function cleanLogLines(text: string): string[] {
  return text.replace(ANSI, '').replace(/\r\n?/g, '\n').split('\n');
}

/** Parse HA log text for `domain`. */
export function parseLogVerdict(text: string, domain: string): LogVerdict {
  const d = escapeRegExp(domain);
  // `(?![\w])` keeps `kamerplanter` from matching `kamerplanter_extra`.
  const loader = new RegExp(
    `(?:We found a custom integration ${d}(?![\\w]) which has not been tested|You are using a custom integration for ${d}(?![\\w]) which has not been tested)`,
  );
  const setupFailed = new RegExp(`Setup failed for (?:custom integration )?'?${d}'?(?![\\w])`);
  const entryFailed = new RegExp(`Error setting up entry .* for ${d}(?![\\w])`);
  const importFailed = new RegExp(`Error loading custom_components\\.${d}(?![\\w])`);
  const ownLogger = new RegExp(`^custom_components\\.${d}(?:\\.[\\w.]+)?$`);
  const framePath = new RegExp(`custom_components/${d}/`);

  const lines = cleanLogLines(text);
  const failures: LogFailure[] = [];
  let loaderLine: string | undefined;

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (line.startsWith('Traceback (most recent call last):')) {
      // A traceback runs until the next timestamped log line.
      const block = [line];
      while (index + 1 < lines.length && !LOG_LINE.test(lines[index + 1] ?? '')) {
        index += 1;
        block.push(lines[index] ?? '');
      }
      while (block.length > 0 && block.at(-1)?.trim() === '') block.pop();
      const blockText = block.join('\n');
      if (framePath.test(blockText)) failures.push({kind: 'traceback', text: blockText});
      continue;
    }
    const parsed = LOG_LINE.exec(line);
    const level = parsed?.[1];
    const logger = parsed?.[3] ?? '';
    if (loader.test(line)) {
      loaderLine ??= line;
      continue;
    }
    if (setupFailed.test(line)) failures.push({kind: 'setup-failed', text: line});
    else if (entryFailed.test(line)) failures.push({kind: 'entry-setup-failed', text: line});
    else if (importFailed.test(line)) failures.push({kind: 'import-failed', text: line});
    else if ((level === 'ERROR' || level === 'CRITICAL') && ownLogger.test(logger)) {
      failures.push({kind: 'integration-error', text: line});
    }
  }
  const status = failures.length > 0 ? 'failed' : loaderLine ? 'found' : 'not-seen';
  return {status, loaderLine, failures};
}
