import {describe, expect, it} from 'vitest';
import {chooseRenderer} from '../../../src/ui/tasks.js';

describe('renderer choice', () => {
  it.each([
    [{json: true, verbose: true, interactive: true}, 'silent'],
    [{json: false, verbose: true, interactive: true}, 'verbose'],
    [{json: false, verbose: false, interactive: true}, 'default'],
    [{json: false, verbose: false, interactive: false}, 'simple'],
  ] as const)('Given %j, When the renderer is chosen, Then it is %s', (mode, renderer) => {
    expect(chooseRenderer(mode)).toBe(renderer);
  });
});
