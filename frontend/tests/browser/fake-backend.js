// Installed with page.addInitScript before the app loads: a stand-in for what Wails
// injects (window.go.app.App and window.runtime) that follows the Go contract.
// Test code only — never shipped in src/.
(() => {
  const listeners = new Map();
  const emit = (name, payload) => (listeners.get(name) ?? []).slice().forEach((cb) => cb(payload));
  const fake = {
    calls: [],
    nick: '',
    rooms: [],
    session: null,
    seq: 0,
    holdEcho: false,
    held: [],
    // The current room's whole log, for LoadOlder (session.messages is its tail).
    history: [],
    pageSize: 100,
    holdOlder: false,
    heldOlder: [],
    failOlder: 0, // how many LoadOlder calls to reject first
    hosted: [],
    // Rooms joined before (RecentRooms), the network check's report, and what
    // CopyInviteLink rejects with ('' to copy).
    recent: [],
    network: { interfaces: [], rooms: [], hints: [] },
    networkError: '',
    holdNetwork: false,
    heldNetwork: [],
    inviteError: '',
    emit,
    echo(id, text) {
      const m = { seq: ++fake.seq, id, from: fake.session.you, text, ts: Date.now(), mine: true };
      fake.session.messages.push(m);
      fake.history.push(m);
      emit('room:activity', { messages: [m], changes: [], members: null, skipped: 0, confirmed: [] });
    },
    release() {
      for (const [id, text] of fake.held.splice(0)) fake.echo(id, text);
    },
    releaseNetwork() {
      for (const answer of fake.heldNetwork.splice(0)) answer();
    },
    releaseOlder() {
      for (const answer of fake.heldOlder.splice(0)) answer();
    },
    // The host answers at last: deliver what was pending (restored or typed meanwhile).
    reconnect() {
      fake.session.state = 'connected';
      emit('room:state', { state: 'connected', detail: '' });
      for (const p of fake.session.pending.splice(0)) fake.echo(p.id, p.text);
      fake.release();
      fake.holdEcho = false;
    },
  };
  const later = (ms, v) => new Promise((resolve) => setTimeout(() => resolve(v), ms));
  const reject = (ms, msg) => new Promise((_, rej) => setTimeout(() => rej(msg), ms));
  const sessionFor = (room, hosting) => ({
    room: { id: room.id, name: room.name, host: room.host, address: room.addrs?.[0] ?? '127.0.0.1:7000' },
    you: fake.nick,
    hosting,
    state: 'connected',
    members: [{ nick: fake.nick, host: hosting, legacy: false, you: true }],
    messages: [],
    pending: [],
  });
  window.__fake = fake;
  window.runtime = {
    EventsOn(name, cb) {
      if (!listeners.has(name)) listeners.set(name, []);
      listeners.get(name).push(cb);
      return () => listeners.set(name, listeners.get(name).filter((f) => f !== cb));
    },
  };
  const App = {
    Profile: () => later(5, { nick: fake.nick }),
    SetNick(nick) {
      if (!nick || nick.includes(':') || [...nick].length > 32) return reject(5, 'That nickname isn’t allowed.');
      fake.nick = nick;
      return later(5, { nick });
    },
    Rooms: () => later(5, fake.rooms),
    HostRoom(name) {
      fake.session = sessionFor({ id: 'mine', name, host: fake.nick, addrs: ['192.168.1.10:41234'] }, true);
      return later(20, fake.session);
    },
    JoinRoom(id) {
      const room = fake.rooms.find((r) => r.id === id);
      if (!room) return reject(20, 'That room is gone.');
      fake.session = fake.makeSession ? fake.makeSession(room) : sessionFor(room, false);
      fake.history = fake.makeHistory ? fake.makeHistory(room) : [...fake.session.messages];
      return later(20, fake.session);
    },
    JoinAddress(address) {
      return reject(30, `Couldn’t reach ${address}: connection refused`);
    },
    Send(text) {
      const id = `m-${Math.random().toString(36).slice(2)}`;
      if (fake.holdEcho) fake.held.push([id, text]);
      else setTimeout(() => fake.echo(id, text), 150);
      return later(10, id);
    },
    Leave() {
      fake.session = null;
      return later(5);
    },
    Session: () => later(5, fake.session),
    ActivityShown: () => later(0),
    LoadOlder(before) {
      if (!fake.session) return reject(10, 'You are not in a room.');
      if (fake.failOlder > 0) {
        fake.failOlder--;
        return reject(250, 'The host did not answer.');
      }
      const older = fake.history.filter((m) => m.seq < before);
      const page = { messages: older.slice(-fake.pageSize), more: older.length > fake.pageSize };
      if (!fake.holdOlder) return later(250, page);
      return new Promise((resolve) => fake.heldOlder.push(() => resolve(page)));
    },
    HostedRooms: () => later(30, fake.hosted),
    RecentRooms: () => later(20, fake.recent),
    JoinRecent(id) {
      const room = fake.recent.find((r) => r.id === id);
      if (!room) return reject(20, 'That room isn’t one you joined before.');
      fake.session = fake.makeSession ? fake.makeSession(room) : sessionFor(room, false);
      fake.history = fake.makeHistory ? fake.makeHistory(room) : [...fake.session.messages];
      return later(60, fake.session);
    },
    // The real check takes 2–3 s; this one answers at once unless held.
    Network() {
      const answer = (ok, no) => (fake.networkError ? no(fake.networkError) : ok(fake.network));
      if (!fake.holdNetwork) return new Promise((ok, no) => setTimeout(() => answer(ok, no), 50));
      return new Promise((ok, no) => fake.heldNetwork.push(() => answer(ok, no)));
    },
    CopyInviteLink() {
      if (!fake.session) return reject(10, 'You’re not in a room.');
      if (fake.inviteError) return reject(10, fake.inviteError);
      return later(10, `parley://${fake.session.room.address}/${fake.session.room.id}`);
    },
  };

  // ?restored: the app was closed inside a room with unsent messages; it starts
  // rejoining it ('connecting') and Send holds its echo until fake.reconnect().
  if (new URLSearchParams(location.search).has('restored')) {
    const t = Date.now();
    fake.nick = 'Ada 🌿';
    fake.seq = 3;
    fake.history = [
      { seq: 1, id: 'r1', from: 'Grace', text: 'Shall we move the crit to 3pm?', ts: t - 3_600_000, mine: false },
      { seq: 2, id: 'r2', from: 'Ada 🌿', text: 'Works for me', ts: t - 3_540_000, mine: true },
      { seq: 3, id: 'r3', from: 'Linus', text: 'Same 👍', ts: t - 3_500_000, mine: false },
    ];
    fake.session = {
      room: { id: 'r1', name: 'Design crit', host: 'Grace', address: '192.168.1.23:41000' },
      you: fake.nick,
      hosting: false,
      state: 'connecting',
      members: [{ nick: fake.nick, host: false, legacy: false, you: true }],
      messages: [...fake.history],
      pending: [
        { id: 'p1', text: 'Running 5 minutes late, start without me' },
        { id: 'p2', text: 'Slides are in the shared folder' },
      ],
    };
    fake.holdEcho = true;
  }
  for (const [name, fn] of Object.entries(App)) {
    App[name] = (...args) => {
      fake.calls.push([name, ...args]);
      return fn(...args);
    };
  }
  window.go = { app: { App } };
})();
