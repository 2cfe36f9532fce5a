import {defineConfig} from 'vitest/config';

// Three layers, one run: unit and integration in parallel; e2e (one real Docker engine,
// fixed host ports) one file at a time.
export default defineConfig({
  test: {
    projects: [
      {test: {name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000}},
      {test: {name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000}},
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
          sequence: {concurrent: false},
        },
      },
    ],
  },
});
