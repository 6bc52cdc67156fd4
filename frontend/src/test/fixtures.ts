import type { Member, Message, NetIface, NetworkReport, RecentRoom, Room, Session } from '$lib/api';

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

export function recentRoom(over: Partial<RecentRoom> = {}): RecentRoom {
  return { id: 'old1', name: 'Book club', host: 'linus', addrs: ['192.168.1.40:41001'], lastJoined: Date.now() - 86_400_000, ...over };
}

export function iface(over: Partial<NetIface> = {}): NetIface {
  return {
    name: 'eth0',
    addrs: ['192.168.1.20/24'],
    up: true,
    multicast: true,
    loopback: false,
    used: true,
    skipped: '',
    selfSeen: true,
    rooms: 1,
    ...over,
  };
}

/** networkReport: one used interface that hears itself, a skipped docker0, one room. */
export function networkReport(over: Partial<NetworkReport> = {}): NetworkReport {
  return {
    interfaces: [
      iface({ name: 'docker0', addrs: ['172.17.0.1/16'], used: false, skipped: 'A virtual network for containers', selfSeen: false, rooms: 0 }),
      iface(),
    ],
    rooms: [{ id: 'r1', name: 'Design crit', host: 'grace', interface: 'eth0' }],
    hints: ['Discovery works on eth0: 1 room answered.', 'docker0 is skipped: it only reaches containers on this computer.'],
    ...over,
  };
}
