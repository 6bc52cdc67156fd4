// The only module that touches window.runtime: typed subscriptions to the events the
// Go side emits, each returning an idempotent unsubscribe function.
import type { ConnState, Member, Message, Room } from './api';

/** Change is someone joining or leaving; at is how many of the activity's messages came before it. */
export interface Change {
  kind: 'join' | 'leave';
  nick: string;
  ts: number;
  at: number;
}

/** StateChange is the payload of room:state. */
export interface StateChange {
  state: ConnState;
  detail: string;
}

/** Closed is the payload of room:closed: the session is over. */
export interface Closed {
  reason: string;
}

/**
 * Activity is the payload of room:activity: what happened in the room since the last
 * one, in order — messages (oldest first), joins and leaves placed among them by their
 * at, and the member list after all of it (null when it did not change). skipped is
 * how many messages came before these and were left out because the room outpaced
 * the window; the timeline then starts again from these (earlier ones load on
 * demand). confirmed lists the ids of this app's own messages among those left out.
 */
export interface Activity {
  messages: Message[];
  changes: Change[];
  members: Member[] | null;
  skipped: number;
  confirmed: string[];
}

/** Refused is the payload of room:refused: the host refused the message with this id. */
export interface Refused {
  id: string;
  reason: string;
}

/** EventMap maps each event name to its payload. */
export interface EventMap {
  'lobby:rooms': Room[];
  'room:activity': Activity;
  'room:state': StateChange;
  'room:closed': Closed;
  'room:refused': Refused;
}

export type EventName = keyof EventMap;
export type Handlers = { [K in EventName]?: (payload: EventMap[K]) => void };

declare global {
  interface Window {
    runtime?: {
      EventsOn(name: string, callback: (...data: unknown[]) => void): () => void;
    };
  }
}

/** on subscribes to one event; the returned function unsubscribes (calling it twice is harmless). */
export function on<K extends EventName>(name: K, callback: (payload: EventMap[K]) => void): () => void {
  const runtime = window.runtime;
  if (typeof runtime?.EventsOn !== 'function') {
    console.warn(`parley: Wails runtime not available; not listening for ${name}`);
    return () => {};
  }
  let off: (() => void) | undefined = runtime.EventsOn(name, (...data) => callback(data[0] as EventMap[K]));
  return () => {
    const f = off;
    off = undefined;
    if (typeof f === 'function') f();
  };
}

/** subscribe subscribes to several events at once and returns one function that undoes them all. */
export function subscribe(handlers: Handlers): () => void {
  const offs: (() => void)[] = [];
  for (const name of Object.keys(handlers) as EventName[]) {
    const handler = handlers[name];
    if (handler) offs.push(on(name, handler as (payload: EventMap[typeof name]) => void));
  }
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
