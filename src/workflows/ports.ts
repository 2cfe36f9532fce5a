/**
 * Host-port probes: is a port free to publish, and if not, who holds it. Pure Node
 * (a bind attempt and /proc), so they cost no process.
 */
import {createServer} from 'node:net';
import {readdirSync, readFileSync, readlinkSync} from 'node:fs';

/** Can we bind `host:port` right now? */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({port, host: host === '0.0.0.0' ? undefined : host, exclusive: true}, () => {
      server.close(() => resolve(true));
    });
  });
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
