/**
 * One HTTP probe for every "does it answer?" question kp asks (the compose stack's endpoints,
 * Skaffold's forwarded ports): Node's fetch with a timeout that Ctrl-C cuts short, never throwing.
 */
import {interruption} from '../../core/interruption.js';

/** What one GET answered: the HTTP status, or the connection error's code when there was none. */
export interface HttpAnswer {
  /** The HTTP status code; undefined when no response arrived. */
  status: number | undefined;
  /** `HTTP 200`, or the error code (`ECONNREFUSED`, `TimeoutError`, ...). */
  detail: string;
}

/** GET `url` (redirects followed) and report what came back within `timeoutMs`. */
export async function probeHttp(url: string, timeoutMs = 3000): Promise<HttpAnswer> {
  try {
    const response = await fetch(url, {signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), interruption.signal]), redirect: 'follow'});
    await response.body?.cancel();
    return {status: response.status, detail: `HTTP ${response.status}`};
  } catch (error) {
    const code = (error as {cause?: {code?: string}}).cause?.code;
    return {status: undefined, detail: code ?? (error as Error).name};
  }
}
