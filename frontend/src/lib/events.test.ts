import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { on, subscribe } from './events';

// A tiny stand-in for the Wails runtime's event bus.
function fakeRuntime() {
  const listeners = new Map<string, Set<(...data: unknown[]) => void>>();
  const offCalls = vi.fn();
  window.runtime = {
    EventsOn(name, cb) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(cb);
      return () => {
        offCalls(name);
        listeners.get(name)!.delete(cb);
      };
    },
  };
  return {
    emit: (name: string, ...data: unknown[]) => listeners.get(name)?.forEach((cb) => cb(...data)),
    count: (name: string) => listeners.get(name)?.size ?? 0,
    offCalls,
  };
}

let rt: ReturnType<typeof fakeRuntime>;
beforeEach(() => {
  rt = fakeRuntime();
});
afterEach(() => {
  delete window.runtime;
});

describe('events', () => {
  it('delivers the payload to a subscriber and stops after unsubscribe', () => {
    const cb = vi.fn();
    const off = on('room:state', cb);
    rt.emit('room:state', { state: 'reconnecting', detail: 'network down' });
    expect(cb).toHaveBeenCalledWith({ state: 'reconnecting', detail: 'network down' });

    off();
    rt.emit('room:state', { state: 'connected', detail: '' });
    expect(cb).toHaveBeenCalledTimes(1);
    expect(rt.count('room:state')).toBe(0);
  });

  it('unsubscribing twice is harmless', () => {
    const off = on('lobby:rooms', () => {});
    off();
    off();
    expect(rt.offCalls).toHaveBeenCalledTimes(1);
  });

  it('subscribe returns one cleanup that removes every listener', () => {
    const rooms = vi.fn();
    const closed = vi.fn();
    const off = subscribe({ 'lobby:rooms': rooms, 'room:closed': closed });
    expect(rt.count('lobby:rooms')).toBe(1);
    expect(rt.count('room:closed')).toBe(1);
    rt.emit('room:closed', { reason: 'host left' });
    expect(closed).toHaveBeenCalledWith({ reason: 'host left' });

    off();
    expect(rt.count('lobby:rooms')).toBe(0);
    expect(rt.count('room:closed')).toBe(0);
    rt.emit('lobby:rooms', []);
    expect(rooms).not.toHaveBeenCalled();
  });

  it('is a no-op without the Wails runtime', () => {
    delete window.runtime;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const off = on('room:activity', () => {});
    expect(() => off()).not.toThrow();
    expect(warn).toHaveBeenCalled();
  });
});
