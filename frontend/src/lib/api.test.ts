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
    expect(s.pending).toEqual([]);
  });

  it('passes the restored pending messages of a session through', async () => {
    const pending = [{ id: 'p1', text: 'still here?' }];
    bind({
      Session: () =>
        Promise.resolve({ room: { id: 'r', name: 'R', host: 'h', address: '' }, you: 'a', hosting: false, state: 'connecting', members: null, messages: null, pending }),
    });
    const s = await api.currentSession();
    expect(s?.state).toBe('connecting');
    expect(s?.pending).toEqual(pending);
  });

  it('loadOlder passes the seq and normalises a null page', async () => {
    const LoadOlder = vi.fn().mockResolvedValueOnce({ messages: null, more: false }).mockResolvedValueOnce(null);
    bind({ LoadOlder });
    expect(await api.loadOlder(42)).toEqual({ messages: [], more: false });
    expect(LoadOlder).toHaveBeenCalledWith(42);
    expect(await api.loadOlder(42)).toEqual({ messages: [], more: false });
  });

  it('loadOlder turns a rejection into an Error', async () => {
    bind({ LoadOlder: () => Promise.reject('The host did not answer.') });
    await expect(api.loadOlder(7)).rejects.toThrow('The host did not answer.');
  });

  it('hostedRooms treats null as no rooms', async () => {
    const rooms = [{ id: 'a', name: 'Book club', lastUsed: 1 }];
    bind({ HostedRooms: vi.fn().mockResolvedValueOnce(null).mockResolvedValueOnce(rooms) });
    expect(await api.hostedRooms()).toEqual([]);
    expect(await api.hostedRooms()).toEqual(rooms);
  });

  it('network normalises null lists in the report', async () => {
    const Network = vi
      .fn()
      .mockResolvedValueOnce({
        interfaces: [{ name: 'eth0', addrs: null, up: true, multicast: true, loopback: false, used: true, skipped: '', selfSeen: true, rooms: 0 }],
        rooms: null,
        hints: null,
      })
      .mockResolvedValueOnce(null);
    bind({ Network });
    const r = await api.network();
    expect(Network).toHaveBeenCalledWith();
    expect(r.interfaces[0].addrs).toEqual([]);
    expect(r.interfaces[0].name).toBe('eth0');
    expect(r.rooms).toEqual([]);
    expect(r.hints).toEqual([]);
    expect(await api.network()).toEqual({ interfaces: [], rooms: [], hints: [] });
  });

  it('recentRooms treats null as no rooms and null addrs as none', async () => {
    const room = { id: 'a', name: 'Crit', host: 'grace', addrs: null, lastJoined: 5 };
    bind({ RecentRooms: vi.fn().mockResolvedValueOnce(null).mockResolvedValueOnce([room]) });
    expect(await api.recentRooms()).toEqual([]);
    expect(await api.recentRooms()).toEqual([{ ...room, addrs: [] }]);
  });

  it('joinRecent passes the room id; copyInviteLink resolves with the link or rejects with Go’s reason', async () => {
    const JoinRecent = vi.fn().mockResolvedValue({
      room: { id: 'r9', name: 'Crit', host: 'grace', address: '10.0.0.2:7000' },
      you: 'ann',
      hosting: false,
      state: 'connected',
      members: null,
      messages: null,
      pending: null,
    });
    bind({
      JoinRecent,
      CopyInviteLink: vi.fn().mockResolvedValueOnce('parley://10.0.0.2:7000/r9').mockRejectedValueOnce('You are not in a room.'),
    });
    expect((await api.joinRecent('r9')).members).toEqual([]);
    expect(JoinRecent).toHaveBeenCalledWith('r9');
    expect(await api.copyInviteLink()).toBe('parley://10.0.0.2:7000/r9');
    await expect(api.copyInviteLink()).rejects.toThrow('You are not in a room.');
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
      [
        'ActivityShown',
        'CopyInviteLink',
        'HostRoom',
        'HostedRooms',
        'JoinAddress',
        'JoinRecent',
        'JoinRoom',
        'Leave',
        'LoadOlder',
        'Network',
        'Profile',
        'RecentRooms',
        'Rooms',
        'Send',
        'Session',
        'SetNick',
      ].sort(),
    );
  });
});
