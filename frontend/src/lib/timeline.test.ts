import { describe, expect, it } from 'vitest';
import { buildTimeline, changeRuns, GROUP_GAP_MS, keepUnchanged, names, type Entry, type Outgoing } from './timeline';
import type { Message } from './api';

const NOW = new Date(2026, 10, 25, 15, 0).getTime();
let n = 0;
const msg = (from: string, ts: number, over: Partial<Message> = {}): Entry => {
  n++;
  return { kind: 'message', key: `m:${n}`, message: { seq: n, id: `${n}`, from, text: `t${n}`, ts, mine: false, ...over } };
};
const out = (localId: string, ts: number, error = ''): Outgoing => ({ localId, id: null, text: localId, ts, error });

describe('buildTimeline', () => {
  it('groups runs by author and breaks on author, presence and long gaps', () => {
    const items = buildTimeline(
      [
        msg('ann', NOW - 10_000),
        msg('ann', NOW - 9_000),
        msg('bob', NOW - 8_000),
        { kind: 'presence', key: 'p1', change: 'join', nicks: ['cy'], ts: NOW - 7_000 },
        msg('bob', NOW - 6_000),
        msg('bob', NOW - 6_000 + GROUP_GAP_MS + 1),
      ],
      [],
      'me',
      NOW,
    );
    expect(items.map((i) => (i.type === 'message' ? `${i.from}:${i.first ? 'F' : ''}${i.last ? 'L' : ''}` : i.type))).toEqual([
      'ann:F',
      'ann:L',
      'bob:FL',
      'presence',
      'bob:FL',
      'bob:FL',
    ]);
  });

  it('appends outgoing messages as mine, sending or failed, grouped with my echoed ones', () => {
    const items = buildTimeline(
      [msg('me', NOW - 1000, { mine: true })],
      [out('a', NOW - 500), out('b', NOW - 100, 'too long')],
      'me',
      NOW,
    );
    expect(items.map((i) => i.type === 'message' && [i.status, i.mine, i.first, i.last])).toEqual([
      ['sent', true, true, false],
      ['sending', true, false, false],
      ['failed', true, false, true],
    ]);
  });

  it('adds a day divider when the day changes, and none for a today-only timeline', () => {
    expect(buildTimeline([msg('a', NOW - 1000), msg('b', NOW)], [], 'me', NOW).some((i) => i.type === 'day')).toBe(false);
    const items = buildTimeline([msg('a', NOW - 86_400_000), msg('a', NOW)], [], 'me', NOW);
    expect(items.filter((i) => i.type === 'day').map((i) => i.type === 'day' && i.label)).toEqual(['Yesterday', 'Today']);
    // A new day also starts a new group.
    expect(items.filter((i) => i.type === 'message').every((i) => i.type === 'message' && i.first)).toBe(true);
  });

  it('marks my own presence lines', () => {
    const [p] = buildTimeline([{ kind: 'presence', key: 'p', change: 'join', nicks: ['me'], ts: NOW }], [], 'me', NOW);
    expect(p).toMatchObject({ type: 'presence', who: 'You' });
  });
});

describe('keepUnchanged', () => {
  it('keeps the earlier object of every unchanged item, and takes the changed and new ones', () => {
    const entries = [msg('ann', NOW - 3_000), msg('ann', NOW - 2_000)];
    const before = buildTimeline(entries, [], 'me', NOW);
    const after = keepUnchanged(before, buildTimeline([...entries, msg('ann', NOW - 1_000)], [], 'me', NOW));
    expect(after).toHaveLength(3);
    expect(after[0]).toBe(before[0]); // still first of the run, still not last: unchanged
    expect(after[1]).not.toBe(before[1]); // no longer the last of the run
    expect(after[1]).toMatchObject({ first: false, last: false });
    expect(after[2]).toMatchObject({ first: false, last: true });
  });
});

describe('names and changeRuns', () => {
  it('names one, two, or a crowd', () => {
    expect(names(['bob'], 'me')).toBe('bob');
    expect(names(['me'], 'me')).toBe('You');
    expect(names(['bob', 'cy'], 'me')).toBe('bob and cy');
    expect(names(['bob', 'cy', 'dee'], 'me')).toBe('bob, cy and 1 other');
    expect(names(['bob', 'cy', 'dee', 'eve'], 'me')).toBe('bob, cy and 2 others');
  });

  it('groups changes of one kind at one place, and no others', () => {
    const c = (kind: 'join' | 'leave', nick: string, at: number) => ({ kind, nick, ts: at, at });
    const runs = changeRuns([c('join', 'a', 0), c('join', 'b', 0), c('leave', 'c', 0), c('leave', 'd', 2), c('leave', 'e', 2)]);
    expect(runs.map((r) => `${r.kind}@${r.at}:${r.nicks.join(',')}`)).toEqual(['join@0:a,b', 'leave@0:c', 'leave@2:d,e']);
  });
});
