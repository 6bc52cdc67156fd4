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
    emit,
    echo(id, text) {
      const m = { seq: ++fake.seq, id, from: fake.session.you, text, ts: Date.now(), mine: true };
      fake.session.messages.push(m);
      emit('room:message', m);
    },
    release() {
      for (const [id, text] of fake.held.splice(0)) fake.echo(id, text);
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
  };
  for (const [name, fn] of Object.entries(App)) {
    App[name] = (...args) => {
      fake.calls.push([name, ...args]);
      return fn(...args);
    };
  }
  window.go = { app: { App } };
})();
