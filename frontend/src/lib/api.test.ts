import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from './api';

function bind(methods: Record<string, (...args: unknown[]) => Promise<unknown>>) {
  window.go = { app: { App: methods as never } };
}

afterEach(() => {
  delete window.go;
});

describe('api', () => {
  it('turns a string rejection into an Error carrying that message', async () => {
    bind({ SetNick: () => Promise.reject('nickname already taken') });
    const err = await api.setNick('bob').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('nickname already taken');
  });

  it('passes arguments through and resolves with the Go value', async () => {
    const HostRoom = vi.fn().mockResolvedValue({
      room: { id: 'r1', name: 'Lunch', host: 'ann', address: '10.0.0.2:7000' },
      you: 'ann',
      hosting: true,
      state: 'connected',
      members: null,
      messages: null,
    });
    bind({ HostRoom });
    const s = await api.hostRoom('Lunch');
    expect(HostRoom).toHaveBeenCalledWith('Lunch');
    expect(s.room.name).toBe('Lunch');
    // Go's nil slices arrive as null; the api normalises them.
    expect(s.members).toEqual([]);
    expect(s.messages).toEqual([]);
  });

  it('keeps Error rejections and wraps other values', async () => {
    const boom = new Error('boom');
    bind({ Leave: () => Promise.reject(boom), Send: () => Promise.reject({ message: 'too long' }) });
    await expect(api.leave()).rejects.toBe(boom);
    await expect(api.send('x')).rejects.toThrow('too long');
  });

  it('rejects with an Error when the binding is missing', async () => {
    await expect(api.listRooms()).rejects.toThrow(/not available \(Rooms\)/);
  });

  it('treats a null room list and a null session as empty', async () => {
    bind({ Rooms: () => Promise.resolve(null), Session: () => Promise.resolve(null) });
    expect(await api.listRooms()).toEqual([]);
    expect(await api.currentSession()).toBeNull();
  });

  it('uses the literal call form for every bound method', async () => {
    // The Go side parses api.ts for call('Name' and compares the names with the bound methods.
    const src = (await import('./api.ts?raw')).default;
    const names = [...src.matchAll(/call\('(\w+)'/g)].map((m) => m[1]).sort();
    expect(names).toEqual(
      ['HostRoom', 'JoinAddress', 'JoinRoom', 'Leave', 'Profile', 'Rooms', 'Send', 'Session', 'SetNick'].sort(),
    );
  });
});
