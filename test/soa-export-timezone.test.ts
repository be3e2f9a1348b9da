// Export dates are in ISMS_TIMEZONE, whatever the host's time zone (a container runs in UTC).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { closeEngines, engines, engineStore } from './helpers/stores.js';

afterAll(closeEngines);

it.each(engines)('writes decision dates in the configured time zone and says which (%s)', async (engine) => {
  for (const [timezone, expected] of [['Asia/Tokyo', '2025-04-01 09:0'], ['America/New_York', '2025-03-31 20:0']] as const) {
    const { store, dir } = engineStore(engine, { approvers: ['carol'], timezone });
    await store.soa.set({ control: '12.3.1', applicable: true, status: 'implemented', by: 'carol' }); // fake clock: 2025-04-01T00:0xZ
    const file = join(dir, 'soa.csv');
    await store.exportSoa('csv', file);
    const md = join(dir, 'soa.md');
    await store.exportSoa('md', md);
    await store.close();
    const row = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('"12.3.1"') || l.startsWith('12.3.1'))!;
    expect(row).toContain(expected);
    expect(readFileSync(md, 'utf8')).toContain(`(${timezone}; every date in this file is in this time zone)`);
  }
});
