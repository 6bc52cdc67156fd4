// The only module that touches window.runtime: typed subscriptions to the events the
// Go side emits, each returning an idempotent unsubscribe function.
import type { ConnState, Member, Message, Room } from './api';

/**
 * Presence is the payload of room:presence. members is the full list after the change.
 * kind 'sync' (not in the original contract, but the Go side sends it) only refreshes
 * the member list; nick and ts are then empty.
 */
export interface Presence {
  kind: 'join' | 'leave' | 'sync';
  nick: string;
  ts: number;
  members: Member[];
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
 * MessageBatch is the payload of room:messages: new messages, oldest first. skipped
 * is how many came before them and were left out because the room outpaced the
 * window; the timeline then starts again from these (earlier ones load on demand).
 * confirmed lists the ids of this app's own messages among those left out.
 */
export interface MessageBatch {
  messages: Message[];
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
  'room:messages': MessageBatch;
  'room:presence': Presence;
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
