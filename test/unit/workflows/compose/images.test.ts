import {describe, expect, it} from 'vitest';
import {normaliseImageRef, pullFailureReason} from '../../../../src/workflows/compose/images.js';

describe('image references as the engine lists them', () => {
  it.each([
    ['arangodb:3.12.4', 'arangodb:3.12.4'],
    ['docker.io/library/arangodb:3.12.4', 'arangodb:3.12.4'],
    ['docker.io/valkey/valkey:9.0.0-alpine', 'valkey/valkey:9.0.0-alpine'],
    ['ghcr.io/nolte/kamerplanter-backend:0.0.12', 'ghcr.io/nolte/kamerplanter-backend:0.0.12'],
    ['localhost:5000/thing', 'localhost:5000/thing:latest'],
    ['busybox', 'busybox:latest'],
  ])('Given %s, When normalised, Then it is %s', (ref, listed) => {
    expect(normaliseImageRef(ref)).toBe(listed);
  });
});

describe("why a pull failed (the engine's own messages)", () => {
  it.each([
    [
      'Error response from daemon: manifest for ghcr.io/nolte/kamerplanter-backend:9.9.9 not found: manifest unknown: manifest unknown',
      'not found: no such image or tag',
    ],
    [
      "Error response from daemon: pull access denied for kp-e2e-missing, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      'not found, or the registry wants a login',
    ],
    [
      'Error response from daemon: Head "https://ghcr.io/v2/nolte/kamerplanter-backend/manifests/0.0.12": unauthorized',
      'unauthorized: the registry wants a login',
    ],
    [
      'Error response from daemon: Get "https://ghcr.io/v2/": dial tcp: lookup ghcr.io on 127.0.0.53:53: no such host',
      'no network: the registry is not reachable',
    ],
    [
      'Error response from daemon: Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
      'no network: the registry is not reachable',
    ],
    ['something else entirely\nlast line says it', 'last line says it'],
  ])('Given %j, When explained, Then %s', (message, reason) => {
    expect(pullFailureReason(message)).toBe(reason);
  });
});
