/**
 * Adapter for Ruff's WebAssembly build (`@astral-sh/ruff-wasm-nodejs`, pinned in package.json to the
 * ruff binary the tests run): kp's in-process ruff when no `ruff` is on PATH. It is kp's one
 * runtime dependency, kept outside the bundle (wasm-bindgen's nodejs target reads
 * `ruff_wasm_bg.wasm` beside its JS through `__dirname`) and resolved from the bundle's place, so
 * loaded only here, on the first lint: ~10 MB of WebAssembly that no other command pays for.
 *
 * The API (ruff_wasm.d.ts, crates/ruff_wasm/src/lib.rs at 0.15):
 * - `new Workspace(options, PositionEncoding)`: `options` is ruff's `Options`, the TOML schema with
 *   its kebab-case keys (`line-length`, `lint.select`); an unknown key or a bad value throws
 *   (`unknown field \`bogus\``, `Unknown rule selector \`XYZ\``).
 * - `check(source)`: diagnostics `{code, message, start_location: {row, column}, fix}`, a syntax
 *   error with the code `invalid-syntax` (`null` in older builds). Every text is linted as
 *   `<filename>`: kp resolves the settings that depend on the path (config/ruff-config.ts).
 * - `format(source)`: the formatted text; throws on a syntax error.
 * - `Workspace.version()`: the ruff version it was built from.
 * Columns: with `PositionEncoding.Utf32` a column counts characters, as the ruff CLI prints them.
 * What it cannot tell: whether a fix is safe. The CLI marks `[*]` only for fixes `ruff check --fix`
 * applies without `--unsafe-fixes`; the wasm build returns every fix alike, so kp marks none.
 */
import {createRequire} from 'node:module';
import type {RuffFinding} from './ruff.js';

/** The npm package of Ruff's WebAssembly build for Node.js. */
export const RUFF_WASM_PACKAGE = '@astral-sh/ruff-wasm-nodejs';

interface WasmDiagnostic {
  code: string | null;
  message: string;
  start_location: {row: number; column: number};
}

interface WasmWorkspace {
  check(source: string): WasmDiagnostic[];
  format(source: string): string;
}

interface WasmModule {
  Workspace: {new (options: unknown, positionEncoding: number): WasmWorkspace; version(): string};
  PositionEncoding: {Utf32: number};
}

/** Settings ruff's wasm build refused (an unknown key, a bad value): its own message. */
export class RuffWasmSettingsError extends Error {}

const requireHere = createRequire(import.meta.url);

/** Is the package installed (resolved without loading the WebAssembly)? */
export function ruffWasmInstalled(pkg = RUFF_WASM_PACKAGE): boolean {
  try {
    requireHere.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const loaded = new Map<string, RuffWasm>();

/** Load the WebAssembly build once per process (a watch lints many rounds); undefined when not installed. */
export function loadRuffWasm(pkg = RUFF_WASM_PACKAGE): RuffWasm | undefined {
  if (!ruffWasmInstalled(pkg)) return undefined;
  let wasm = loaded.get(pkg);
  if (!wasm) {
    wasm = new RuffWasm(requireHere(pkg) as WasmModule);
    loaded.set(pkg, wasm);
  }
  return wasm;
}

/** Ruff in-process: check and format one file's text with given settings. */
export class RuffWasm {
  private readonly workspaces = new Map<string, WasmWorkspace>();

  constructor(private readonly module: WasmModule) {}

  /** The ruff version the build comes from (`0.15.22`). */
  get version(): string {
    return this.module.Workspace.version();
  }

  /** A workspace per distinct settings (throws RuffWasmSettingsError when ruff refuses them). */
  private workspace(options: Record<string, unknown>): WasmWorkspace {
    const key = JSON.stringify(options);
    let workspace = this.workspaces.get(key);
    if (!workspace) {
      try {
        workspace = new this.module.Workspace(options, this.module.PositionEncoding.Utf32);
      } catch (error) {
        throw new RuffWasmSettingsError(String((error as Error).message ?? error).replace(/^Error: /, ''));
      }
      this.workspaces.set(key, workspace);
    }
    return workspace;
  }

  /** `ruff check` of one file's text, as findings of `file` (syntax errors as `invalid-syntax`). */
  check(file: string, source: string, options: Record<string, unknown>): RuffFinding[] {
    return (
      this.workspace(options)
        .check(source)
        .map((d) => ({file, line: d.start_location.row, col: d.start_location.column, code: d.code ?? 'invalid-syntax', message: d.message, fixable: false}))
        // By position, ties in ruff's own order, as the CLI prints them (a stable sort).
        .sort((a, b) => a.line - b.line || a.col - b.col)
    );
  }

  /**
   * `ruff format --check` of one file's text: true when the formatter would change it, undefined
   * when the text does not parse (the check reports that as invalid-syntax; the CLI skips the file).
   */
  wouldReformat(source: string, options: Record<string, unknown>): boolean | undefined {
    const workspace = this.workspace(options);
    let formatted: string;
    try {
      formatted = workspace.format(source);
    } catch {
      return undefined;
    }
    return formatted !== source;
  }
}
