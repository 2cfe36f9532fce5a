/**
 * Host-port probes, for every feature that publishes or forwards a port: is it free, and if
 * not, who holds it. Pure Node (a bind attempt, a connect, /proc), plus one engine call to name a
 * container that publishes it.
 */
import {connect, createServer, isIP} from 'node:net';
import {readdirSync, readFileSync, readlinkSync} from 'node:fs';
import {fail} from '../../core/errors.js';
import type {Engine} from '../../tools/docker.js';

/** Is something listening on host:port? (A connect probe: for ports an unprivileged user may not bind, and for services that speak no HTTP.) */
export function isListening(port: number, host: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({port, host});
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Can `host:port` be published right now? A bind attempt answers exactly what Docker or Skaffold
 * will meet; where this user may not bind at all (ports below 1024 for non-root), a connect
 * probe tells whether something already listens there.
 */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  const address = host === '0.0.0.0' || host === '' ? undefined : host;
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EACCES' || error.code === 'EPERM') {
        void isListening(port, address ?? '127.0.0.1').then((listening) => resolve(!listening));
      } else resolve(error.code !== 'EADDRINUSE');
    });
    server.listen({port, host: address, exclusive: true}, () => {
      server.close(() => resolve(true));
    });
  });
}

/** The ports of `wanted` that are not free (each host:port probed once, in sequence, so probes never race each other). */
export async function busyPorts(wanted: ReadonlyArray<{port: number; host?: string}>): Promise<number[]> {
  const busy: number[] = [];
  const seen = new Set<string>();
  for (const {port, host} of wanted) {
    const key = `${host ?? ''}:${port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!(await isPortFree(port, host)) && !busy.includes(port)) busy.push(port);
  }
  return busy;
}

/** A process that listens on a port, as far as /proc tells (Linux only). */
export interface PortHolder {
  pid: number;
  command: string;
}

/** Parse /proc/net/tcp{,6} text: the socket inodes listening on `port`. */
export function listeningInodes(procNetTcp: string, port: number): string[] {
  const inodes: string[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    const inode = fields[9];
    if (!local || state !== '0A' || !inode) continue; // 0A = LISTEN
    const hexPort = local.split(':').pop();
    if (hexPort && Number.parseInt(hexPort, 16) === port) inodes.push(inode);
  }
  return inodes;
}

/** Find the process listening on `port` (undefined when /proc does not tell, e.g. not Linux or not ours to see). */
export function findPortHolder(port: number): PortHolder | undefined {
  let inodes: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      inodes = inodes.concat(listeningInodes(readFileSync(table, 'utf8'), port));
    } catch {
      // not Linux, or no IPv6: nothing to read
    }
  }
  if (inodes.length === 0) return undefined;
  const wanted = new Set(inodes.map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          return {pid: Number(pid), command: cmdline || readFileSync(`/proc/${pid}/comm`, 'utf8').trim()};
        }
      } catch {
        // the process went away meanwhile
      }
    }
  }
  return undefined;
}

/** The TCP ports the processes whose command line matches `wanted` listen on (Linux /proc; empty elsewhere). */
export function listeningPortsOfProcesses(wanted: (commandLine: string) => boolean): number[] {
  const byInode = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A' || !fields[1] || !fields[9]) continue; // 0A = LISTEN
      byInode.set(`socket:[${fields[9]}]`, Number.parseInt(fields[1].split(':').pop() ?? '', 16));
    }
  }
  const ports = new Set<number>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  for (const pid of pids) {
    try {
      if (!wanted(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '))) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const port = byInode.get(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (port !== undefined) ports.add(port);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Who holds `port`, for an error message: another container publishing it, else the process from /proc. */
export async function describePortHolder(port: number, engine?: Engine): Promise<string | undefined> {
  if (engine) {
    try {
      const [name] = await engine.containersPublishing(port);
      if (name) return `container ${name}`;
    } catch {
      // fall back to /proc
    }
  }
  const holder = findPortHolder(port);
  return holder ? `pid ${holder.pid} (${holder.command.slice(0, 80)})` : undefined;
}

/** Is this host address reachable only from this machine (127.0.0.0/8, ::1)? */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address === 'localhost' || /^127\./.test(address);
}

/** Where kp publishes what it starts, unless the user asks for more. */
export const DEFAULT_BIND_ADDRESS = '127.0.0.1';

/**
 * The address kp publishes host ports on: `--bind-address` (or KP_BIND_ADDRESS), else 127.0.0.1.
 * Anything but an IP address is bad input (exit 2).
 */
export function validateBindAddress(value: string | undefined): string {
  const address = (value ?? '').trim() || DEFAULT_BIND_ADDRESS;
  if (isIP(address) === 0)
    throw fail.usage(
      `--bind-address ${JSON.stringify(value)} is not an IP address.`,
      'Give an address of this machine, e.g. 127.0.0.1 (the default) or 0.0.0.0 for every interface.',
    );
  return address;
}
