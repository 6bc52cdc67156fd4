// Parley is the app's shared state: which screen is showing, the lobby's rooms and
// the current session with its timeline. Components read its $state fields and call
// its methods; it talks to Go only through $lib/api and $lib/events.
import * as api from '$lib/api';
import type { HostedRoom, Message, NetworkReport, RecentRoom, Room, Session } from '$lib/api';
import { subscribe, type Activity, type Closed, type Refused, type StateChange } from '$lib/events';
import { changeRuns, type Entry, type Outgoing } from '$lib/timeline';

export type View = 'loading' | 'failed' | 'nick' | 'lobby' | 'room';

/**
 * TIMELINE_MAX is how many entries the timeline keeps while the reader follows the
 * newest messages. A busy room would otherwise grow the page without end and slow
 * every update; the oldest go, and scrolling up loads them again from the host.
 * TIMELINE_READING_MAX is the limit while the reader is scrolled up, so that what
 * they read, or just loaded, does not go from under them unless the room is flooded.
 */
export const TIMELINE_MAX = 1000;
export const TIMELINE_READING_MAX = 5000;

/**
 * History is what the top of the timeline says about earlier messages: 'none' (no
 * messages yet), 'more' (older ones can be loaded), 'loading', 'failed' (LoadOlder
 * rejected; retry by hand) or 'start' (the first message of the room is shown).
 */
export type History = 'none' | 'more' | 'loading' | 'failed' | 'start';

/** Notice is a message for the lobby: a short title and the detail (e.g. Go's reason). */
export interface Notice {
  title: string;
  body: string;
}

/**
 * NetworkCheck is where the network check is: not run yet, running (it takes a few
 * seconds), done with its report, or failed with Go's reason.
 */
export type NetworkCheck =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'done'; report: NetworkReport }
  | { state: 'failed'; error: string };

export class Parley {
  /** view is the screen being shown. */
  view = $state<View>('loading');
  /** nick is the saved nickname ("" until chosen). */
  nick = $state('');
  /** rooms is the live lobby list. */
  rooms = $state<Room[]>([]);
  /** session is the room this app is in, or null. */
  session = $state<Session | null>(null);
  /** stateDetail is the latest room:state detail (e.g. why it is reconnecting). */
  stateDetail = $state('');
  /**
   * entries is the current room's timeline in arrival order. It is replaced, never
   * changed in place ($state.raw): a busy room adds hundreds of entries a batch, and
   * deep reactivity would wrap every one of them for nothing.
   */
  entries = $state.raw<Entry[]>([]);
  /** outgoing holds sent messages that have not come back in room:activity yet. */
  outgoing = $state<Outgoing[]>([]);
  /** notice is shown in the lobby, e.g. why the last room closed. */
  notice = $state<Notice | null>(null);
  /** failure is why the app could not start. */
  failure = $state('');
  /** hostedRooms lists rooms this app hosted before, most recent first (for the host dialog). */
  hostedRooms = $state<HostedRoom[]>([]);
  /** recentRooms lists rooms this app joined before, most recent first. */
  recentRooms = $state<RecentRoom[]>([]);
  /** network is the state of the network check. */
  network = $state<NetworkCheck>({ state: 'idle' });
  /** following is whether the reader is at the newest message (set by the timeline). */
  following = true;
  /** olderError is why the last LoadOlder failed ("" otherwise). */
  olderError = $state('');

  // How loading earlier messages went: 'idle' until it is tried, 'done' once the
  // host said there is nothing older.
  #older = $state<'idle' | 'loading' | 'failed' | 'done'>('idle');

  /** oldestSeq is the seq of the first message shown, 0 when there is none. */
  readonly oldestSeq = $derived.by(() => {
    for (const e of this.entries) if (e.kind === 'message') return e.message.seq;
    return 0;
  });

  /** history is what the top of the timeline shows; see History. */
  readonly history: History = $derived.by(() => {
    if (this.oldestSeq === 0) return 'none';
    if (this.oldestSeq <= 1 || this.#older === 'done') return 'start';
    return this.#older === 'idle' ? 'more' : this.#older;
  });

  /** recent is the rooms joined before that are not in the live lobby list right now. */
  readonly recent = $derived.by(() => {
    const live = new Set(this.rooms.map((r) => r.id));
    return this.recentRooms.filter((r) => !live.has(r.id));
  });

  // Not reactive: ids already in entries, for de-duplication, and refusals that
  // arrived before Send told us the id.
  #seen = new Set<string>();
  #refused = new Map<string, string>();
  #nextLocal = 0;
  #nextPresence = 0;
  // Bumped whenever the session changes, so a late LoadOlder answer for an old
  // session is dropped.
  #epoch = 0;

  /** start subscribes to the Go events and loads the profile; the result undoes the subscriptions. */
  start(): () => void {
    const off = subscribe({
      'lobby:rooms': (rooms) => this.#onRooms(rooms),
      'room:activity': (a) => this.#onActivity(a),
      'room:state': (s) => this.#onState(s),
      'room:closed': (c) => this.#onClosed(c),
      'room:refused': (r) => this.#onRefused(r),
    });
    void this.load();
    return off;
  }

  /** load decides the first screen: nickname, the running session, or the lobby. */
  async load(): Promise<void> {
    this.view = 'loading';
    try {
      const profile = await api.getProfile();
      this.nick = profile.nick;
      if (!profile.nick) {
        this.view = 'nick';
        return;
      }
      const session = await api.currentSession();
      if (session) this.#enter(session);
      else this.showLobby();
    } catch (e) {
      this.failure = api.toError(e).message;
      this.view = 'failed';
    }
  }

  /** saveNick saves the nickname (rejecting with Go's message) and moves on. */
  async saveNick(nick: string): Promise<void> {
    const profile = await api.setNick(nick);
    this.nick = profile.nick;
    if (this.session) this.view = 'room';
    else this.showLobby();
  }

  /** editNick shows the nickname screen from the lobby. */
  editNick(): void {
    this.view = 'nick';
  }

  /** showLobby shows the lobby and refreshes its list and the rooms joined before. */
  showLobby(): void {
    this.view = 'lobby';
    api.listRooms().then(
      (rooms) => this.#onRooms(rooms),
      (e) => console.warn('parley: Rooms failed:', e),
    );
    void this.refreshRecentRooms();
  }

  /** host starts hosting a room and enters it. */
  async host(name: string): Promise<void> {
    this.#enter(await api.hostRoom(name));
  }

  /** join enters a room from the lobby list. */
  async join(room: Room): Promise<void> {
    this.#enter(await api.joinRoom(room.id));
  }

  /** joinRecent enters a room joined before, at its last known addresses. */
  async joinRecent(room: RecentRoom): Promise<void> {
    this.#enter(await api.joinRecent(room.id));
  }

  /** joinAddress enters a room by host:port or an invite link. */
  async joinAddress(address: string): Promise<void> {
    this.#enter(await api.joinAddress(address));
  }

  /** leave leaves the room and returns to the lobby straight away. */
  async leave(): Promise<void> {
    if (!this.session) return;
    const name = this.session.room.name;
    this.#exit();
    this.showLobby();
    try {
      await api.leave();
    } catch (e) {
      this.notice = { title: `Trouble leaving “${name}”`, body: api.toError(e).message };
    }
  }

  /** dismissNotice hides the lobby notice. */
  dismissNotice(): void {
    this.notice = null;
  }

  /** refreshHostedRooms reloads the rooms this app hosted before; failures leave the list empty. */
  async refreshHostedRooms(): Promise<void> {
    try {
      this.hostedRooms = await api.hostedRooms();
    } catch (e) {
      console.warn('parley: HostedRooms failed:', e);
      this.hostedRooms = [];
    }
  }

  /** refreshRecentRooms reloads the rooms joined before; a failure keeps the list it had. */
  async refreshRecentRooms(): Promise<void> {
    try {
      this.recentRooms = (await api.recentRooms()) ?? [];
    } catch (e) {
      console.warn('parley: RecentRooms failed:', e);
    }
  }

  /**
   * checkNetwork runs the network check unless one is already running (then its
   * answer will do); the report, or why it failed, lands in network.
   */
  async checkNetwork(): Promise<void> {
    if (this.network.state === 'checking') return;
    this.network = { state: 'checking' };
    try {
      this.network = { state: 'done', report: await api.network() };
    } catch (e) {
      this.network = { state: 'failed', error: api.toError(e).message };
    }
  }

  /** copyInviteLink copies an invite link for the current room and returns it; rejects with Go's reason. */
  copyInviteLink(): Promise<string> {
    return api.copyInviteLink();
  }

  /**
   * loadOlder asks the host for the messages before the first one shown and puts
   * them in front, one request at a time. It does nothing when there is nothing
   * to load, while a request is running, or after a failure unless retry is set
   * (a failure waits for the user).
   */
  async loadOlder(retry = false): Promise<void> {
    const h = this.history;
    if (h === 'none' || h === 'start' || h === 'loading' || (h === 'failed' && !retry)) return;
    const before = this.oldestSeq;
    const epoch = this.#epoch;
    this.#older = 'loading';
    this.olderError = '';
    try {
      const page = await api.loadOlder(before);
      if (epoch !== this.#epoch) return;
      const added = this.#prepend(page.messages, before);
      if (!page.more) this.#older = 'done';
      else if (added === 0) this.#fail('The host sent no earlier messages.');
      else this.#older = 'idle';
    } catch (e) {
      if (epoch === this.#epoch) this.#fail(api.toError(e).message);
    }
  }

  /** send shows text as pending at once and sends it; room:activity confirms it. */
  async send(text: string): Promise<void> {
    const localId = `l${++this.#nextLocal}`;
    this.outgoing.push({ localId, id: null, text, ts: Date.now(), error: '' });
    try {
      const id = await api.send(text);
      const out = this.outgoing.find((o) => o.localId === localId);
      if (!out) return;
      if (this.#seen.has(id)) {
        this.#dropOutgoing(localId);
        return;
      }
      out.id = id;
      const refusal = this.#refused.get(id);
      if (refusal !== undefined) {
        this.#refused.delete(id);
        out.error = refusal;
      }
    } catch (e) {
      const out = this.outgoing.find((o) => o.localId === localId);
      if (out) out.error = api.toError(e).message;
    }
  }

  /** retry sends a failed message again. */
  retry(localId: string): void {
    const out = this.outgoing.find((o) => o.localId === localId);
    if (!out) return;
    this.#dropOutgoing(localId);
    void this.send(out.text);
  }

  /** discard forgets a failed message. */
  discard(localId: string): void {
    this.#dropOutgoing(localId);
  }

  #enter(session: Session): void {
    this.#reset();
    this.session = session;
    this.notice = null;
    const entries: Entry[] = [];
    for (const m of session.messages) this.#addMessage(m, entries);
    this.entries = entries;
    // Sent in an earlier run (or before a reload) and not acknowledged yet: shown as
    // pending until room:activity brings the same id.
    const now = Date.now();
    for (const p of session.pending ?? []) {
      if (this.#seen.has(p.id) || this.outgoing.some((o) => o.id === p.id)) continue;
      this.outgoing.push({ localId: `l${++this.#nextLocal}`, id: p.id, text: p.text, ts: p.ts || now, error: '' });
    }
    this.view = 'room';
  }

  #exit(): void {
    this.#reset();
    this.session = null;
  }

  #reset(): void {
    this.#restartTimeline();
    this.stateDetail = '';
    this.outgoing = [];
    this.#refused.clear();
    this.following = true; // a new timeline opens at its newest message
  }

  #fail(reason: string): void {
    this.#older = 'failed';
    this.olderError = reason;
  }

  // Messages normally arrive in seq order; one that is older than the last shown
  // (e.g. replayed after a reconnect) goes where its seq says.
  #addMessage(m: Message, entries: Entry[]): void {
    if (this.#seen.has(m.id)) return;
    this.#seen.add(m.id);
    let at = entries.length;
    for (let i = at - 1; i >= 0; i--) {
      const e = entries[i];
      if (e.kind !== 'message') continue;
      if (e.message.seq < m.seq) break;
      at = i;
    }
    entries.splice(at, 0, { kind: 'message', key: `m:${m.id}`, message: m });
  }

  // #prepend puts a page of earlier messages in front, skipping any already shown
  // or not actually older than before; it returns how many it added.
  #prepend(messages: Message[], before: number): number {
    const fresh: Entry[] = [];
    let last = 0;
    for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
      if (m.seq >= before || m.seq === last || this.#seen.has(m.id)) continue;
      this.#seen.add(m.id);
      last = m.seq;
      fresh.push({ kind: 'message', key: `m:${m.id}`, message: m });
    }
    if (fresh.length > 0) this.entries = [...fresh, ...this.entries];
    return fresh.length;
  }

  #dropOutgoing(localId: string): void {
    const i = this.outgoing.findIndex((o) => o.localId === localId);
    if (i >= 0) this.outgoing.splice(i, 1);
  }

  #onRooms(rooms: Room[] | null): void {
    this.rooms = rooms ?? [];
  }

  #onActivity(a: Activity): void {
    this.#ackShown();
    if (!this.session) return;
    if (a.members) this.session.members = a.members;
    if (a.skipped > 0) this.#restartTimeline();
    const entries = [...this.entries];
    let next = 0;
    const messagesUpTo = (n: number) => {
      for (; next < Math.min(n, a.messages.length); next++) this.#addMessage(a.messages[next], entries);
    };
    for (const run of changeRuns(a.changes)) {
      messagesUpTo(run.at);
      entries.push({ kind: 'presence', key: `p:${++this.#nextPresence}`, change: run.kind, nicks: run.nicks, ts: run.ts });
    }
    messagesUpTo(a.messages.length);
    this.entries = this.#trimmed(entries);
    for (const id of a.confirmed) this.#seen.add(id);
    const arrived = (o: Outgoing) => o.id !== null && this.#seen.has(o.id);
    if (this.outgoing.some(arrived)) this.outgoing = this.outgoing.filter((o) => !arrived(o));
  }

  // #ackShown tells Go once this batch is on screen (after the next frame): Go sends
  // the next only then, so a window slower than the room skips to the newest
  // messages instead of falling ever further behind.
  #ackShown(): void {
    const ack = () => void api.activityShown().catch(() => {});
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => setTimeout(ack, 0));
    else setTimeout(ack, 0);
  }

  // #restartTimeline empties the timeline when messages were left out between what
  // it shows and what comes next: the new ones start it again, and the ones left
  // out are the next page of history. A LoadOlder still running is for the old one.
  #restartTimeline(): void {
    this.#epoch++;
    this.entries = [];
    this.#seen.clear();
    this.#older = 'idle';
    this.olderError = '';
  }

  // #trimmed drops the oldest entries beyond the limit (not while a page of history
  // is on its way: it goes in front of what is shown now).
  #trimmed(entries: Entry[]): Entry[] {
    const over = entries.length - (this.following ? TIMELINE_MAX : TIMELINE_READING_MAX);
    if (over <= 0 || this.#older === 'loading') return entries;
    for (const e of entries.slice(0, over)) if (e.kind === 'message') this.#seen.delete(e.message.id);
    this.#older = 'idle';
    return entries.slice(over);
  }

  #onState(s: StateChange): void {
    if (!this.session) return;
    this.session.state = s.state;
    this.stateDetail = s.detail;
  }

  #onRefused(r: Refused): void {
    if (!this.session) return;
    const reason = r.reason || 'the host refused it';
    const out = this.outgoing.find((o) => o.id === r.id);
    if (out) out.error = reason;
    else this.#refused.set(r.id, reason);
  }

  #onClosed(c: Closed): void {
    if (!this.session) return;
    const name = this.session.room.name;
    this.#exit();
    this.notice = { title: `You’re no longer in “${name}”`, body: c.reason || 'The room was closed.' };
    this.showLobby();
  }
}
