import { describe, expect, it } from 'vitest';
import { clock, hue, initial, lastUsed } from './format';
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

  it('lastUsed is short and relative', () => {
    const now = new Date(2026, 10, 25, 15, 0).getTime();
    expect(lastUsed(now - 5_000, now)).toBe('just now');
    expect(lastUsed(now - 12 * 60_000, now)).toBe('12 min ago');
    expect(lastUsed(new Date(2026, 10, 25, 9, 7).getTime(), now)).toBe('today, 09:07');
    expect(lastUsed(new Date(2026, 10, 24, 23, 0).getTime(), now)).toBe('yesterday');
    expect(lastUsed(new Date(2026, 10, 20, 12, 0).getTime(), now)).not.toMatch(/ago|today|yesterday/);
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
