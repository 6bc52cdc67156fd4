// The only module that touches window.go: typed wrappers around the Go methods that
// Wails binds on app.App. Every call goes through call(), which turns a rejection
// (Wails rejects with a plain string) into an Error whose message is that string.
//
// Keep every wrapper in the literal form: call, an opening parenthesis, then the Go
// method name in single quotes. A Go test parses this file for exactly that pattern
// and compares the names with the bound methods, so don't write it anywhere else.

/** Profile is this app's saved identity; nick is "" until one has been chosen. */
export interface Profile {
  nick: string;
}

/** Room is one room announced on the LAN. mine: hosted by this app. */
export interface Room {
  id: string;
  name: string;
  host: string;
  addrs: string[];
  mine: boolean;
}

/** Member is one person in the current room. legacy: a plain-text (unencrypted) client. */
export interface Member {
  nick: string;
  host: boolean;
  legacy: boolean;
  you: boolean;
}

/** Message is one chat message; ts is unix milliseconds; text may contain newlines. */
export interface Message {
  seq: number;
  id: string;
  from: string;
  text: string;
  ts: number;
  mine: boolean;
}

export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/**
 * Unsent is a message sent but not yet acknowledged by the host (Go's Outgoing),
 * e.g. restored from disk after the app was closed; it is confirmed by a
 * room:activity with the same id.
 */
export interface Unsent {
  id: string;
  text: string;
  /** When it was written, unix ms; 0 when not known. */
  ts: number;
}

/**
 * Session is the room this app is in right now. state is 'connecting' when the app
 * rejoins, at startup, the room it was in when it was closed; messages may then be
 * empty and pending holds what had not been delivered yet.
 */
export interface Session {
  room: { id: string; name: string; host: string; address: string };
  you: string;
  hosting: boolean;
  state: ConnState;
  members: Member[];
  messages: Message[];
  pending: Unsent[];
}

/** OlderPage is a page of earlier messages (ascending); more: still older ones exist. */
export interface OlderPage {
  messages: Message[];
  more: boolean;
}

/** HostedRoom is a room this app hosted before; lastUsed is unix milliseconds. */
export interface HostedRoom {
  id: string;
  name: string;
  lastUsed: number;
}

/** RecentRoom is a room this app joined before; lastJoined is unix milliseconds. */
export interface RecentRoom {
  id: string;
  name: string;
  host: string;
  /** Its last known addresses ("host:port"). */
  addrs: string[];
  lastJoined: number;
}

/** NetIface is one network interface as the network check saw it. */
export interface NetIface {
  name: string;
  /** Its addresses in CIDR form. */
  addrs: string[];
  up: boolean;
  multicast: boolean;
  loopback: boolean;
  /** Discovery runs on it. */
  used: boolean;
  /** Why it is not used; "" when used. */
  skipped: string;
  /** This machine heard its own test announcement on it. */
  selfSeen: boolean;
  /** How many rooms answered on it. */
  rooms: number;
}

/** SeenRoom is a room that answered the network check, and on which interface. */
export interface SeenRoom {
  id: string;
  name: string;
  host: string;
  interface: string;
}

/** NetworkReport is the result of a network check; hints are plain sentences, most important first. */
export interface NetworkReport {
  interfaces: NetIface[];
  rooms: SeenRoom[];
  hints: string[];
}

/** Methods lists every bound Go method with its parameters and resolved value. */
interface Methods {
  Profile(): Profile;
  SetNick(nick: string): Profile;
  Rooms(): Room[];
  HostRoom(name: string): Session;
  JoinRoom(roomID: string): Session;
  JoinAddress(address: string): Session;
  Send(text: string): string;
  Leave(): void;
  Session(): Session | null;
  LoadOlder(before: number): OlderPage;
  ActivityShown(): void;
  HostedRooms(): HostedRoom[];
  Network(): NetworkReport;
  RecentRooms(): RecentRoom[];
  JoinRecent(roomID: string): Session;
  CopyInviteLink(): string;
}

type MethodName = keyof Methods;
type Bound = { [M in MethodName]?: (...args: Parameters<Methods[M]>) => Promise<ReturnType<Methods[M]>> };

declare global {
  interface Window {
    go?: { app?: { App?: Bound } };
  }
}

/** toError turns whatever a binding rejected with into an Error. */
export function toError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  if (typeof reason === 'string') return new Error(reason);
  if (reason && typeof reason === 'object' && 'message' in reason && typeof reason.message === 'string') {
    return new Error(reason.message);
  }
  return new Error(reason === undefined ? 'Something went wrong' : String(reason));
}

async function call<M extends MethodName>(method: M, ...args: Parameters<Methods[M]>): Promise<ReturnType<Methods[M]>> {
  const fn = window.go?.app?.App?.[method] as ((...a: unknown[]) => Promise<ReturnType<Methods[M]>>) | undefined;
  if (typeof fn !== 'function') {
    throw new Error(`Parley's backend is not available (${method})`);
  }
  try {
    return await fn(...args);
  } catch (reason) {
    throw toError(reason);
  }
}

// Go encodes nil slices as null; the UI always wants arrays.
function sessionOrNull(s: Session | null): Session | null {
  if (!s) return null;
  return { ...s, members: s.members ?? [], messages: s.messages ?? [], pending: s.pending ?? [] };
}
async function session(p: Promise<Session | null>): Promise<Session> {
  const s = sessionOrNull(await p);
  if (!s) throw new Error('No session was returned');
  return s;
}

/** getProfile returns the saved profile (nick "" when none yet). */
export const getProfile = (): Promise<Profile> => call('Profile');

/** setNick saves a nickname; rejects with a user-facing message if it is invalid. */
export const setNick = (nick: string): Promise<Profile> => call('SetNick', nick);

/** listRooms returns the rooms currently announced on the LAN. */
export const listRooms = async (): Promise<Room[]> => (await call('Rooms')) ?? [];

/** hostRoom starts hosting a room with the given name and enters it. */
export const hostRoom = (name: string): Promise<Session> => session(call('HostRoom', name));

/** joinRoom joins a room from the lobby list by its id. */
export const joinRoom = (roomID: string): Promise<Session> => session(call('JoinRoom', roomID));

/** joinAddress joins a room by "host:port" or an invite link (parley://host:port/roomid). */
export const joinAddress = (address: string): Promise<Session> => session(call('JoinAddress', address));

/** send queues a message and returns its id; the message itself arrives in room:activity. */
export const send = (text: string): Promise<string> => call('Send', text);

/** leave leaves the current room (closing it for everyone when hosting). */
export const leave = (): Promise<void> => call('Leave');

/** currentSession returns the session in progress, if any (e.g. after a reload). */
export const currentSession = async (): Promise<Session | null> => sessionOrNull(await call('Session'));

/** loadOlder returns up to a page of the current room's messages with seq < before, ascending. */
export const loadOlder = async (before: number): Promise<OlderPage> => {
  const page = await call('LoadOlder', before);
  return { messages: page?.messages ?? [], more: page?.more === true };
};

/** activityShown tells Go the last room:activity batch is on screen, so the next may come. */
export const activityShown = (): Promise<void> => call('ActivityShown');

/** hostedRooms lists the rooms this app hosted before, most recent first. */
export const hostedRooms = async (): Promise<HostedRoom[]> => (await call('HostedRooms')) ?? [];

/** network runs a network check (it takes a few seconds) and reports what it found. */
export const network = async (): Promise<NetworkReport> => {
  const r = await call('Network');
  return {
    interfaces: (r?.interfaces ?? []).map((i) => ({ ...i, addrs: i.addrs ?? [] })),
    rooms: r?.rooms ?? [],
    hints: r?.hints ?? [],
  };
};

/** recentRooms lists the rooms this app joined before, most recent first. */
export const recentRooms = async (): Promise<RecentRoom[]> =>
  ((await call('RecentRooms')) ?? []).map((r) => ({ ...r, addrs: r.addrs ?? [] }));

/** joinRecent joins a room joined before, at its last known addresses (or wherever it is seen now). */
export const joinRecent = (roomID: string): Promise<Session> => session(call('JoinRecent', roomID));

/** copyInviteLink puts an invite link for the current room on the clipboard and returns it. */
export const copyInviteLink = (): Promise<string> => call('CopyInviteLink');
