// Pure helpers that turn the session's raw entries into what the timeline renders:
// day dividers, grouped messages, presence lines and not-yet-echoed sends.
import type { Message } from './api';
import type { Change } from './events';
import { dayKey, dayLabel } from './format';

/** Entry is one thing that happened in the room, in arrival order. */
export type Entry =
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'presence'; key: string; change: 'join' | 'leave'; nicks: string[]; ts: number };

/** Outgoing is a message this app sent that the host has not echoed back yet. */
export interface Outgoing {
  localId: string;
  /** id is the message id Send returned; null while Send is still in flight. */
  id: string | null;
  text: string;
  ts: number;
  /** error is why sending failed; "" while still trying. */
  error: string;
}

export type MessageItem = {
  type: 'message';
  key: string;
  from: string;
  text: string;
  ts: number;
  mine: boolean;
  status: 'sent' | 'sending' | 'failed';
  error: string;
  localId: string;
  /** first and last mark the start and end of a run of messages by the same author. */
  first: boolean;
  last: boolean;
};
export type Item =
  | MessageItem
  | { type: 'presence'; key: string; change: 'join' | 'leave'; who: string; ts: number }
  | { type: 'day'; key: string; label: string };

/**
 * names says who joined or left in a presence line: "You", "bob", "bob and cy", or,
 * for a crowd arriving together, "bob, cy and 498 others".
 */
export function names(nicks: string[], you: string): string {
  const [a, b] = nicks.slice(0, 2).map((n) => (n === you ? 'You' : n));
  if (nicks.length <= 1) return a ?? '';
  if (nicks.length === 2) return `${a} and ${b}`;
  const others = nicks.length - 2;
  return `${a}, ${b} and ${others} ${others === 1 ? 'other' : 'others'}`;
}

/** ChangeRun is joins or leaves that happened together: who, when the last was, and where. */
export type ChangeRun = Omit<Change, 'nick'> & { nicks: string[] };

/**
 * changeRuns groups joins and leaves that happened together (the same kind, at the
 * same place among the messages) so that a crowd makes one presence line.
 */
export function changeRuns(changes: Change[]): ChangeRun[] {
  const runs: ChangeRun[] = [];
  for (const c of changes) {
    const last = runs.at(-1);
    if (last && last.kind === c.kind && last.at === c.at) {
      last.nicks.push(c.nick);
      last.ts = c.ts;
    } else runs.push({ kind: c.kind, nicks: [c.nick], ts: c.ts, at: c.at });
  }
  return runs;
}

/** GROUP_GAP_MS is how far apart two messages by one author may be and still group. */
export const GROUP_GAP_MS = 5 * 60_000;

/**
 * keepUnchanged returns next with every item that equals, field by field, the item
 * of the same key in prev replaced by that earlier object. The timeline redraws an
 * item whose object changed, so without this every new message would redraw every
 * line shown.
 */
export function keepUnchanged(prev: Item[], next: Item[]): Item[] {
  const old = new Map(prev.map((it) => [it.key, it]));
  return next.map((it) => {
    const was = old.get(it.key);
    return was && sameFields(was, it) ? was : it;
  });
}

function sameFields(a: Item, b: Item): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
}

/** buildTimeline lays out entries followed by outgoing messages, grouping runs by author. */
export function buildTimeline(entries: Entry[], outgoing: Outgoing[], you: string, now: number): Item[] {
  const items: Item[] = [];
  let lastDay = '';
  let prev: MessageItem | null = null;

  const dayBreak = (ts: number) => {
    const day = dayKey(ts);
    if (day !== lastDay && (lastDay !== '' || day !== dayKey(now))) {
      items.push({ type: 'day', key: `day:${day}`, label: dayLabel(ts, now) });
      prev = null;
    }
    lastDay = day;
  };
  const pushMessage = (m: Omit<MessageItem, 'first' | 'last' | 'type'>) => {
    dayBreak(m.ts);
    const p = prev as MessageItem | null;
    const grouped = p !== null && p.from === m.from && p.mine === m.mine && m.ts - p.ts <= GROUP_GAP_MS;
    if (p && grouped) p.last = false;
    const item: MessageItem = { type: 'message', ...m, first: !grouped, last: true };
    items.push(item);
    prev = item;
  };

  for (const e of entries) {
    if (e.kind === 'message') {
      const m = e.message;
      pushMessage({ key: e.key, from: m.from, text: m.text, ts: m.ts, mine: m.mine, status: 'sent', error: '', localId: '' });
    } else {
      dayBreak(e.ts);
      items.push({ type: 'presence', key: e.key, change: e.change, who: names(e.nicks, you), ts: e.ts });
      prev = null;
    }
  }
  for (const o of outgoing) {
    pushMessage({
      key: `out:${o.localId}`,
      from: you,
      text: o.text,
      ts: o.ts,
      mine: true,
      status: o.error ? 'failed' : 'sending',
      error: o.error,
      localId: o.localId,
    });
  }
  return items;
}
