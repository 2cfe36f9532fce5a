import {createServer} from 'node:net';
import {describe, expect, it} from 'vitest';
import {busyPorts, isPortFree, listeningInodes} from '../../../../src/workflows/shared/host-ports.js';

describe('port holder lookup', () => {
  it('Given /proc/net/tcp with a LISTEN and an ESTABLISHED socket on 8080, When searched, Then only the listening inode is found', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 999 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(listeningInodes(table, 8080)).toEqual(['12345']);
    expect(listeningInodes(table, 8000)).toEqual([]);
  });
});

describe('free-port probes', () => {
  it('Given a port held by a listening socket, When probed, Then it is busy, and free again once closed', async () => {
    // Given
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({port: 0, host: '127.0.0.1'}, resolve));
    const {port} = server.address() as {port: number};
    try {
      // When / Then
      expect(await isPortFree(port, '127.0.0.1')).toBe(false);
      expect(
        await busyPorts([
          {port, host: '127.0.0.1'},
          {port, host: '127.0.0.1'},
        ]),
      ).toEqual([port]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await isPortFree(port, '127.0.0.1')).toBe(true);
  });
});
