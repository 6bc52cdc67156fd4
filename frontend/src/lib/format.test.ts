import { describe, expect, it } from 'vitest';
import { clock, hue, initial } from './format';
import { checkNick } from './nick';

describe('format', () => {
  it('clock shows local 24-hour HH:MM', () => {
    expect(clock(new Date(2026, 0, 2, 9, 5).getTime())).toBe('09:05');
    expect(clock(new Date(2026, 0, 2, 23, 59).getTime())).toBe('23:59');
  });

  it('initial takes the first character, not half a surrogate pair', () => {
    expect(initial('ada')).toBe('A');
    expect(initial('😀 party')).toBe('😀');
    expect(initial('  σοφία')).toBe('Σ');
    expect(initial('')).toBe('?');
  });

  it('hue is stable and in range', () => {
    expect(hue('grace')).toBe(hue('grace'));
    expect(hue('grace')).toBeGreaterThanOrEqual(0);
    expect(hue('grace')).toBeLessThan(360);
  });
});

describe('checkNick', () => {
  it.each([
    ['ada', ''],
    ['Δημήτρης', ''],
    ['😀'.repeat(32), ''],
    ['', 'Pick a nickname'],
    ['a'.repeat(33), '32 characters'],
    ['a:b', '“:”'],
    ['tab\there', 'control characters'],
  ])('%j → %j', (nick, want) => {
    const got = checkNick(nick);
    if (want === '') expect(got).toBe('');
    else expect(got).toContain(want);
  });
});
