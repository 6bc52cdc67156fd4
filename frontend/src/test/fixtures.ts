import type { Member, Message, Room, Session } from '$lib/api';

export function room(over: Partial<Room> = {}): Room {
  return { id: 'r1', name: 'Design crit', host: 'grace', addrs: ['192.168.1.23:41000'], mine: false, ...over };
}

export function member(over: Partial<Member> = {}): Member {
  return { nick: 'grace', host: false, legacy: false, you: false, ...over };
}

let seq = 0;
export function message(over: Partial<Message> = {}): Message {
  seq++;
  return { seq, id: `id-${seq}`, from: 'grace', text: `message ${seq}`, ts: Date.now(), mine: false, ...over };
}

export function session(over: Partial<Session> = {}): Session {
  return {
    room: { id: 'r1', name: 'Design crit', host: 'grace', address: '192.168.1.23:41000' },
    you: 'ada',
    hosting: false,
    state: 'connected',
    members: [member({ nick: 'grace', host: true }), member({ nick: 'ada', you: true })],
    messages: [],
    pending: [],
    ...over,
  };
}
