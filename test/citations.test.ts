// The LLM citation check (src/answer/citations.ts) on its own: what stays cited, what is removed, what is left as text.
import { describe, expect, it } from 'vitest';
import { checkCitations } from '../src/answer/citations.js';

describe('citation check', () => {
  it('keeps a 2022 number the context shows as a label, without citing it', () => {
    const c = checkCitations('Log events [12.4.1] (ISO/IEC 27001:2022 A.8.15).', new Set(['12.4.1']), new Set(['8.15']));
    expect(c).toEqual({ text: 'Log events [12.4.1] (ISO/IEC 27001:2022 A.8.15).', cited: ['12.4.1'], removed: [] });
  });

  it('removes IDs outside the context and leaves no empty brackets behind', () => {
    const c = checkCitations('Keep logs [12.4.9] and review access (CLD.9.9.9). See 12.3.1 (2022: 8.13).', new Set(['12.3.1']));
    expect(c.cited).toEqual(['12.3.1']);
    expect(c.removed).toEqual(['12.4.9', 'CLD.9.9.9']);
    expect(c.text).toContain('Keep logs and review access');
    expect(c.text).toContain('See 12.3.1 (2022: 8.13).');
    expect(c.text).not.toMatch(/\(\s*\)|\[\s*\]/);
  });
});
