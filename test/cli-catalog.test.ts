import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

describe('cli catalog', () => {
  it('lists every control and requirement as JSON with titles and role flags', () => {
    const r = cli(['catalog', 'list', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; title: { en: string; ja: string }; cloudGuidance: { customer: boolean; provider: boolean } }[];
    expect(list).toHaveLength(114 + 7 + 4 + 93);
    const backup = list.find((x) => x.id === '12.3.1')!;
    expect(backup.title).toEqual({ en: 'Information backup', ja: '情報のバックアップ' });
    expect(backup.cloudGuidance).toEqual({ customer: true, provider: true });
    expect(list.find((x) => x.id === 'CLD.9.5.1')!.cloudGuidance).toEqual({ customer: false, provider: true });
  });

  it('shows a card in Japanese for a full-width ID', () => {
    const r = cli(['catalog', 'show', '１２．３．１', '--lang', 'ja']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('12.3.1  情報のバックアップ');
    expect(r.stdout).toContain('クラウドサービスカスタマ');
    expect(r.stdout).toContain('8.13 (same)');
  });

  it('fails on an unknown ID with a suggestion and nothing on stdout', () => {
    const r = cli(['catalog', 'show', 'CLD.9.5.3']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no control CLD\.9\.5\.3 in the catalogue\. Did you mean CLD\.9\.5\.[12]/);
  });
});
