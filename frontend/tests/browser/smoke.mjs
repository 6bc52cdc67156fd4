// Real-browser smoke test: serves the built dist/ on 127.0.0.1, fakes the Wails
// bindings per the Go contract, and drives the app with the keyboard in Debian's
// Chromium: nickname → lobby → a room appears → ArrowDown, Enter → send → confirmed;
// the network check; copying an invite link; recent rooms; quick picks in the host
// dialog; scrolling back through a long history; a session restored at startup with
// unsent messages. Screenshots (light and dark) go to
// test-results/.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = resolve(here, '../../dist');
const shots = resolve(here, '../../test-results');
const fakeBackend = readFileSync(join(here, 'fake-backend.js'), 'utf8');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function serve() {
  if (!existsSync(join(dist, 'index.html'))) throw new Error('dist/index.html missing: run npm run build');
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(dist, path));
    if (!file.startsWith(dist)) return void res.writeHead(403).end();
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

const steps = [];
async function step(name, fn) {
  const t = Date.now();
  await fn();
  steps.push(name);
  console.log(`  ✓ ${name} (${Date.now() - t} ms)`);
}

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}/`;
const profile = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
mkdirSync(shots, { recursive: true });

const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1024, height: 700 },
  colorScheme: 'light',
});

const errors = [];
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) errors.push(`unexpected request: ${r.url()}`);
  });
  await page.addInitScript({ content: fakeBackend });

  const fake = (fn, arg) => page.evaluate(fn, arg);
  const calls = (name) => fake((n) => window.__fake.calls.filter((c) => c[0] === n), name);
  const shot = async (name) => {
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(400); // let colour transitions settle
      await page.screenshot({ path: join(shots, `${name}-${scheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  await page.goto(base);

  await step('nickname screen: input is focused; Enter with an invalid nick shows an inline error', async () => {
    const input = page.getByLabel('Nickname');
    await input.waitFor();
    assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'nickname input not focused');
    await shot('1-nickname');
    await page.keyboard.type('a:b');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: '“:”' }).waitFor();
    assert.equal((await calls('SetNick')).length, 0, 'invalid nick reached SetNick');
  });

  await step('nickname screen: type a nick, Enter → lobby', async () => {
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Ada 🌿');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Rooms on this network' }).waitFor();
    assert.deepEqual(await calls('SetNick'), [['SetNick', 'Ada 🌿']]);
    await page.getByText('No rooms on this network yet — host one, or join by address').waitFor();
    await shot('2-lobby-empty');
  });

  await step('lobby: rooms arrive via lobby:rooms and render live', async () => {
    await fake(() =>
      window.__fake.emit(
        'lobby:rooms',
        (window.__fake.rooms = [
          { id: 'r1', name: 'Design crit', host: 'Grace', addrs: ['192.168.1.23:41000'], mine: false },
          { id: 'r2', name: 'Friday lunch 🍜', host: 'Linus', addrs: ['192.168.1.40:41001'], mine: false },
          { id: 'r3', name: 'Σύσκεψη · 会议室', host: 'Δημήτρης', addrs: ['192.168.1.77:41002'], mine: false },
        ]),
      ),
    );
    const rows = page.getByRole('list', { name: 'Rooms on this network' }).getByRole('button');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    assert.match(await rows.first().innerText(), /Design crit[\s\S]*hosted by Grace/);
  });

  await step('lobby: ArrowDown focuses the first room', async () => {
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    assert.match(focused, /Design crit/);
    await page.keyboard.press('ArrowDown');
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Friday lunch/);
    await page.keyboard.press('Home');
    await shot('3-lobby-rooms');
  });

  await step('lobby: Ctrl+N opens the host dialog with focus in the name; rooms hosted before are quick picks; Escape cancels', async () => {
    await fake(() => {
      const t = Date.now();
      window.__fake.hosted = [
        { id: 'h1', name: 'Book club', lastUsed: t - 20 * 60_000 },
        { id: 'h2', name: 'Ada’s standup', lastUsed: t - 86_400_000 },
        { id: 'h3', name: 'Σύσκεψη · 会议室 — the long-running planning room for the autumn release', lastUsed: t - 9 * 86_400_000 },
      ];
    });
    await page.keyboard.press('Control+N');
    const dialog = page.getByRole('dialog', { name: 'Host a room' });
    await dialog.waitFor();
    const focusedInput = () => page.evaluate(() => document.activeElement?.id.endsWith('-input'));
    assert.equal(await focusedInput(), true);
    const picks = dialog.getByRole('list', { name: 'Your rooms' }).getByRole('button');
    await picks.nth(2).waitFor();
    assert.equal(await picks.count(), 3);
    assert.equal(await focusedInput(), true, 'the quick picks took focus from the name');
    await page.keyboard.press('ArrowDown');
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Book club/);
    await page.keyboard.press('ArrowUp');
    assert.equal(await focusedInput(), true);
    await shot('4-host-dialog');
    await page.setViewportSize({ width: 800, height: 600 });
    const box = await dialog.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 600, 'host dialog does not fit 800×600');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
    await shot('4-host-dialog-800x600');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await calls('HostRoom')).length, 0);
  });

  await step('lobby: Ctrl+J join by address shows the rejection inline', async () => {
    await page.keyboard.press('Control+J');
    const dialog = page.getByRole('dialog', { name: 'Join by address' });
    await dialog.waitFor();
    await page.keyboard.type('10.9.9.9:7000');
    await page.keyboard.press('Enter');
    await dialog.getByRole('alert').filter({ hasText: 'connection refused' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await step('lobby: Ctrl+I opens the network check: checking, then hints, connections (a skipped docker0) and the room that answered; Esc closes', async () => {
    await fake(() => {
      window.__fake.holdNetwork = true;
      window.__fake.network = {
        hints: [
          'Discovery works on Wi-Fi (wlp2s0): this computer hears itself and 1 room answered.',
          'A room you expect isn’t there? Its host may be on another network or a guest Wi-Fi — ask them for an invite link and use Join by address.',
        ],
        interfaces: [
          { name: 'lo', addrs: ['127.0.0.1/8', '::1/128'], up: true, multicast: false, loopback: true, used: false, skipped: 'Loopback: it only reaches this computer.', selfSeen: false, rooms: 0 },
          { name: 'wlp2s0', addrs: ['192.168.1.20/24', 'fe80::8e1f:64ff:fe2a:11b3/64'], up: true, multicast: true, loopback: false, used: true, skipped: '', selfSeen: true, rooms: 1 },
          { name: 'docker0', addrs: ['172.17.0.1/16'], up: true, multicast: true, loopback: false, used: false, skipped: 'A virtual network for containers on this computer; it doesn’t reach other computers.', selfSeen: false, rooms: 0 },
        ],
        rooms: [{ id: 'r1', name: 'Design crit', host: 'Grace', interface: 'wlp2s0' }],
      };
    });
    await page.keyboard.press('Control+I');
    const panel = page.getByRole('dialog', { name: 'Network check' });
    await panel.waitFor();
    assert.equal(await panel.evaluate((el) => el === document.activeElement), true, 'the panel did not take focus');
    await panel.getByRole('status').filter({ hasText: 'Checking the network…' }).waitFor();
    assert.equal((await calls('Network')).length, 1);
    await shot('14-network-checking');

    await fake(() => window.__fake.releaseNetwork());
    const found = panel.getByRole('status', { name: 'What Parley found' });
    await found.waitFor();
    assert.match(await found.locator('.headline').innerText(), /^Discovery works on Wi-Fi \(wlp2s0\)/);
    const ifaces = panel.getByRole('region', { name: /Network connections/ }).locator('li.iface');
    assert.deepEqual(await ifaces.locator('.iface-name').allInnerTexts(), ['wlp2s0', 'lo', 'docker0']);
    assert.match(await ifaces.first().innerText(), /used for discovery[\s\S]*192\.168\.1\.20\/24[\s\S]*Hears itself[\s\S]*1 room answered/);
    const docker = ifaces.filter({ hasText: 'docker0' });
    assert.match(await docker.innerText(), /not used[\s\S]*doesn’t reach other computers/);
    // Skipped connections are greyed.
    const colour = (loc) => loc.locator('.iface-name').evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(await colour(docker), await colour(ifaces.first()), 'docker0 is not greyed');
    assert.match(await panel.getByRole('region', { name: /Rooms that answered/ }).innerText(), /Design crit[\s\S]*hosted by Grace[\s\S]*via wlp2s0/);
    await shot('15-network-report');
    // The panel has focus: End scrolls the report down to the rooms that answered.
    await panel.focus();
    await page.keyboard.press('End');
    const content = panel.locator('.content');
    assert.ok(await content.evaluate((el) => el.scrollTop > 0 && Math.abs(el.scrollTop + el.clientHeight - el.scrollHeight) <= 1), 'End did not scroll the report');
    await shot('15-network-report-end');

    // The panel scrolls, not the page, at 800×600; Check again can fail, inline.
    await page.setViewportSize({ width: 800, height: 600 });
    const box = await panel.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 600, 'network panel does not fit 800×600');
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
    await shot('15-network-report-800x600');
    await fake(() => {
      window.__fake.holdNetwork = false;
      window.__fake.networkError = 'Couldn’t list this computer’s network interfaces.';
    });
    await panel.getByRole('button', { name: 'Check again' }).click();
    await panel.getByRole('alert').filter({ hasText: 'Couldn’t check the network: Couldn’t list' }).waitFor();
    assert.equal((await calls('Network')).length, 2);
    await shot('16-network-failed-800x600');
    await page.setViewportSize({ width: 1024, height: 700 });
    await fake(() => (window.__fake.networkError = ''));

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  await step('lobby: ArrowDown, Enter joins the first room; composer is focused', async () => {
    await fake(() => {
      const t = Date.now();
      window.__fake.makeSession = (room) => ({
        room: { id: room.id, name: room.name, host: room.host, address: room.addrs[0] },
        you: window.__fake.nick,
        hosting: false,
        state: 'connected',
        members: [
          { nick: 'Grace', host: true, legacy: false, you: false },
          { nick: window.__fake.nick, host: false, legacy: false, you: true },
          { nick: 'Linus', host: false, legacy: false, you: false },
          { nick: 'tutorial-bot', host: false, legacy: true, you: false },
        ],
        messages: [
          { seq: 1, id: 'h1', from: 'Grace', text: 'Morning! Crit starts in 10 minutes ☕', ts: t - 600000, mine: false },
          { seq: 2, id: 'h2', from: 'Grace', text: 'Agenda:\n1. onboarding flow\n2. empty states\n3. dark mode', ts: t - 590000, mine: false },
          { seq: 3, id: 'h3', from: 'Linus', text: 'Ich bin dabei — 我也来 👍', ts: t - 400000, mine: false },
          { seq: 4, id: 'h4', from: 'tutorial-bot', text: '<img src=x onerror=alert(1)>', ts: t - 300000, mine: false },
          { seq: 5, id: 'h5', from: 'Linus', text: 'https://example.invalid/a/very/long/link/that/should/wrap/instead/of/overflowing/the/bubble/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', ts: t - 200000, mine: false },
        ],
      });
      window.__fake.seq = 5;
    });
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Design crit' }).waitFor();
    assert.deepEqual(await calls('JoinRoom'), [['JoinRoom', 'r1']]);
    const composer = page.getByRole('textbox', { name: 'Message' });
    assert.equal(await composer.evaluate((el) => el === document.activeElement), true, 'composer not focused');
    // Peer text is text: the img tag shows literally and creates no element.
    await page.getByText('<img src=x onerror=alert(1)>').waitFor();
    assert.equal(await page.locator('.items img').count(), 0);
  });

  await step('room: Shift+Enter adds a line, Enter sends; pending until echoed, then confirmed', async () => {
    await fake(() => (window.__fake.holdEcho = true));
    const composerHeight = () => page.getByRole('textbox', { name: 'Message' }).evaluate((el) => el.getBoundingClientRect().height);
    const oneLine = await composerHeight();
    await page.keyboard.type('On my way');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('bringing the prototype 🚀');
    assert.equal((await calls('Send')).length, 0, 'Shift+Enter sent');
    assert.ok((await composerHeight()) > oneLine + 10, 'composer did not grow for a second line');
    await page.keyboard.press('Enter');
    const pending = page.locator('li.msg[data-status="sending"]');
    await pending.waitFor();
    assert.match(await pending.innerText(), /sending…/);
    assert.deepEqual(await calls('Send'), [['Send', 'On my way\nbringing the prototype 🚀']]);
    assert.equal(await page.getByRole('textbox', { name: 'Message' }).inputValue(), '');
    assert.ok(Math.abs((await composerHeight()) - oneLine) <= 1, 'composer did not shrink back after sending');
    await fake(() =>
      window.__fake.emit('room:activity', {
        messages: [],
        changes: [{ kind: 'join', nick: 'Margaret', ts: Date.now(), at: 0 }],
        members: [...window.__fake.makeSession(window.__fake.rooms[0]).members, { nick: 'Margaret', host: false, legacy: false, you: false }],
        skipped: 0,
        confirmed: [],
      }),
    );
    await page.getByText('Margaret joined').waitFor();
    await shot('5-room-pending');
    await fake(() => window.__fake.release());
    await pending.waitFor({ state: 'detached' });
    const mine = page.locator('li.msg.mine');
    assert.equal(await mine.count(), 1);
    assert.equal(await mine.locator('.bubble').innerText(), 'On my way\nbringing the prototype 🚀');
    assert.equal(await mine.getAttribute('data-status'), 'sent');
    await shot('6-room-confirmed');
  });

  await step('room: layout holds at 800×600', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, 'horizontal overflow at 800×600');
    await shot('7-room-800x600');
    await page.setViewportSize({ width: 1024, height: 700 });
  });

  await step('room: Copy invite link shows “Link copied” with the link, or why not', async () => {
    const button = page.getByRole('button', { name: 'Copy invite link' });
    await button.focus();
    await page.keyboard.press('Enter');
    const copied = page.getByRole('status').filter({ hasText: 'Link copied' });
    await copied.waitFor();
    assert.equal(await copied.locator('.link').innerText(), 'parley://192.168.1.23:41000/r1');
    assert.equal(await copied.locator('.link').evaluate((el) => getComputedStyle(el).userSelect), 'all');
    assert.deepEqual(await calls('CopyInviteLink'), [['CopyInviteLink']]);
    await shot('19-room-invite-copied');
    await page.setViewportSize({ width: 800, height: 600 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
    const pop = await copied.boundingBox();
    assert.ok(pop && pop.x >= 0 && pop.x + pop.width <= 800, 'the confirmation does not fit 800 wide');
    await shot('19-room-invite-copied-800x600');
    await page.setViewportSize({ width: 1024, height: 700 });

    await fake(() => (window.__fake.inviteError = 'No LAN address is known for this room yet.'));
    await button.click();
    await page.getByRole('alert').filter({ hasText: 'No LAN address is known for this room yet.' }).waitFor();
    await copied.waitFor({ state: 'detached' });
    await shot('20-room-invite-failed');
    await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
    await fake(() => (window.__fake.inviteError = ''));
    await page.getByRole('textbox', { name: 'Message' }).focus();
  });

  await step('room: a crowd and a flood: one line for the crowd, at most 1,000 lines, the newest shown, the composer still sends', async () => {
    await fake(() => {
      const f = window.__fake;
      const members = [...f.session.members];
      const changes = [];
      for (let i = 0; i < 300; i++) {
        members.push({ nick: `guest${i}`, host: false, legacy: false, you: false });
        changes.push({ kind: 'join', nick: `guest${i}`, ts: Date.now(), at: 0 });
      }
      f.emit('room:activity', { messages: [], changes, members, skipped: 0, confirmed: [] });
    });
    await page.getByText('guest0, guest1 and 298 others joined').waitFor();
    await fake(() => {
      const f = window.__fake;
      for (let b = 0; b < 6; b++) {
        const messages = [];
        for (let i = 0; i < 500; i++) {
          const n = b * 500 + i;
          messages.push({ seq: ++f.seq, id: `flood-${n}`, from: `guest${n % 300}`, text: `flood ${n}`, ts: Date.now(), mine: false });
        }
        f.emit('room:activity', { messages, changes: [], members: null, skipped: 0, confirmed: [] });
      }
    });
    await page.locator('li.msg .bubble', { hasText: /^flood 2999$/ }).waitFor();
    const shown = await page.locator('li.msg').count();
    assert.ok(shown <= 1000, `${shown} message lines shown`);
    const sidebar = page.getByRole('complementary');
    await sidebar.getByText('guest299', { exact: true }).waitFor();
    assert.ok((await calls('ActivityShown')).length >= 1, 'the window never said it had drawn a batch');
    await shot('21-room-busy');
    await page.getByRole('textbox', { name: 'Message' }).focus();
    await page.keyboard.type('still here');
    await page.keyboard.press('Enter');
    await page.locator('li.msg.mine .bubble', { hasText: /^still here$/ }).waitFor();
  });

  await step('room: room:closed returns to the lobby with the reason', async () => {
    await fake(() => window.__fake.emit('room:closed', { reason: 'Grace closed the room.' }));
    await page.getByRole('heading', { name: 'Rooms on this network' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Grace closed the room.' }).waitFor();
    await shot('8-lobby-closed-notice');
    await page.setViewportSize({ width: 800, height: 600 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
    await shot('9-lobby-800x600');
    await page.setViewportSize({ width: 1024, height: 700 });
  });

  // Rooms joined before; the lobby asks for them whenever it shows (next: after leaving).
  await fake(() => {
    const t = Date.now();
    const yesterday = new Date();
    yesterday.setDate(yesterday.getDate() - 1);
    yesterday.setHours(12, 0, 0, 0);
    window.__fake.recent = [
      { id: 'r1', name: 'Design crit', host: 'Grace', addrs: ['192.168.1.23:41000'], lastJoined: t - 60_000 },
      { id: 'old1', name: 'Book club', host: 'Margaret', addrs: ['192.168.1.52:41000'], lastJoined: yesterday.getTime() },
      { id: 'old2', name: 'Ops war room — incident review for the storage migration', host: 'Linus', addrs: ['10.20.0.7:41000', '192.168.7.7:41000'], lastJoined: t - 9 * 86_400_000 },
    ];
  });

  await step('room: Ctrl+Shift+L leaves', async () => {
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Design crit' }).waitFor();
    await page.keyboard.press('Control+Shift+L');
    await page.getByRole('heading', { name: 'Rooms on this network' }).waitFor();
    assert.equal((await calls('Leave')).length, 1);
  });

  await step('lobby: recent rooms not seen right now are listed under the live ones; ↓ goes on into them; Enter joins with JoinRecent', async () => {
    const recent = page.getByRole('list', { name: 'Recent rooms' }).getByRole('button');
    await recent.nth(1).waitFor();
    assert.equal(await recent.count(), 2, 'a live room is listed as recent too');
    assert.match(await recent.first().innerText(), /Book club[\s\S]*hosted by Margaret · last joined yesterday · 192\.168\.1\.52:41000/);
    await page.keyboard.press('ArrowDown');
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Design crit/);
    await page.keyboard.press('End');
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Ops war room/);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Σύσκεψη/);
    await page.keyboard.press('ArrowDown');
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Book club/);
    await shot('17-lobby-recent');
    await page.setViewportSize({ width: 800, height: 600 });
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
    await shot('17-lobby-recent-800x600');

    // Discovery finds nothing: the empty state points at the recent rooms.
    await fake(() => window.__fake.emit('lobby:rooms', []));
    await page.getByText('No rooms found on this network right now').waitFor();
    assert.equal(await recent.count(), 3);
    await shot('18-lobby-empty-recent-800x600');
    await page.setViewportSize({ width: 1024, height: 700 });
    await fake(() => window.__fake.emit('lobby:rooms', window.__fake.rooms));
    await page.getByRole('list', { name: 'Rooms on this network' }).waitFor();

    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Book club' }).waitFor();
    assert.deepEqual(await calls('JoinRecent'), [['JoinRecent', 'old1']]);
    await page.keyboard.press('Control+Shift+L');
    await page.getByRole('heading', { name: 'Rooms on this network' }).waitFor();
  });

  await step('lobby: Ctrl+N, ↓, Enter hosts a room from the quick picks', async () => {
    await page.keyboard.press('Control+N');
    const dialog = page.getByRole('dialog', { name: 'Host a room' });
    await dialog.getByRole('list', { name: 'Your rooms' }).getByRole('button').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Ada’s standup' }).waitFor();
    assert.deepEqual(await calls('HostRoom'), [['HostRoom', 'Ada’s standup']]);
    await page.keyboard.press('Control+Shift+L');
    await page.getByRole('heading', { name: 'Rooms on this network' }).waitFor();
  });

  // A room with 250 messages of which the session carries the last 40.
  const log = page.getByRole('log', { name: 'Messages' });
  const msgTop = (seq) => page.locator(`li[data-key="m:s${seq}"]`).evaluate((el) => el.getBoundingClientRect().top);
  const shownSeqs = () => page.locator('li.msg').evaluateAll((els) => els.map((el) => Number(el.dataset.key.slice(3))));

  await step('history: scrolling up loads earlier messages (retry after a failure), shown while loading, without moving the view', async () => {
    await fake(() => {
      const t = Date.now() - 26 * 3_600_000;
      const who = ['Grace', 'Linus', 'Margaret', window.__fake.nick];
      const lines = ['Sounds good', 'Can we look at the empty states again?', 'I pushed a new build 🚀', 'Agreed — ship it\nafter lunch', 'Σωστά', 'Which branch?', 'The dark theme needs more contrast on the borders, especially the member list'];
      const all = Array.from({ length: 250 }, (_, i) => {
        const seq = i + 1;
        const from = who[Math.floor(i / 3) % who.length];
        // Runs of three by one author a minute apart, ten minutes between runs.
        const ts = t + Math.floor(i / 3) * 12 * 60_000 + (i % 3) * 60_000;
        return { seq, id: `s${seq}`, from, text: `${lines[i % lines.length]} (#${seq})`, ts, mine: from === window.__fake.nick };
      });
      window.__fake.seq = 250;
      window.__fake.makeHistory = () => all;
      window.__fake.makeSession = (room) => ({
        room: { id: room.id, name: room.name, host: room.host, address: room.addrs[0] },
        you: window.__fake.nick,
        hosting: false,
        state: 'connected',
        members: [{ nick: 'Grace', host: true, legacy: false, you: false }, { nick: window.__fake.nick, host: false, legacy: false, you: true }],
        messages: all.slice(-40),
        pending: [],
      });
      window.__fake.failOlder = 1;
    });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Design crit' }).waitFor();
    await page.getByText('(#250)').waitFor();
    assert.deepEqual(await calls('LoadOlder'), [], 'loaded older before the reader scrolled');
    assert.ok(await log.evaluate((el) => el.scrollTop > 0), 'did not start at the bottom');

    await log.hover();
    await page.mouse.wheel(0, -20000);
    const retry = log.getByRole('button', { name: 'Retry' });
    await retry.waitFor();
    assert.match(await retry.locator('..').innerText(), /Couldn’t load earlier messages: The host did not answer\./);
    await shot('10-history-failed');
    await page.mouse.wheel(0, -500);
    await page.waitForTimeout(300);
    assert.deepEqual(await calls('LoadOlder'), [['LoadOlder', 211]], 'a failure was retried without being asked');

    await fake(() => (window.__fake.holdOlder = true));
    await retry.focus();
    await page.keyboard.press('Enter');
    assert.equal(await log.evaluate((el) => el === document.activeElement), true, 'Retry dropped focus');
    const loading = page.getByText('Loading earlier messages…');
    await loading.waitFor();
    assert.deepEqual(await calls('LoadOlder'), [['LoadOlder', 211], ['LoadOlder', 211]]);
    await log.evaluate((el) => (el.scrollTop = 0));
    await shot('10-history-loading');
    await page.mouse.wheel(0, -500);
    assert.equal((await calls('LoadOlder')).length, 2, 'a second LoadOlder while one is running');

    const before = await msgTop(211);
    await fake(() => window.__fake.releaseOlder());
    await page.locator('li[data-key="m:s111"]').waitFor({ state: 'attached' });
    const after = await msgTop(211);
    assert.ok(Math.abs(after - before) <= 1, `the first message moved from ${before} to ${after}`);
    await loading.waitFor({ state: 'detached' });
    const seqs = await shownSeqs();
    assert.deepEqual(seqs, Array.from({ length: 140 }, (_, i) => 111 + i));
  });

  await step('history: PageUp from the composer reads back to the beginning of the room', async () => {
    await fake(() => (window.__fake.holdOlder = false));
    // Retry left focus on the log; the reader goes back to the composer.
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.focus();
    for (let i = 0; i < 200 && !(await page.getByText('Beginning of the room').isVisible()); i++) {
      await page.keyboard.press('PageUp');
      await page.waitForTimeout(30);
    }
    await page.getByText('Beginning of the room').waitFor();
    assert.deepEqual(await calls('LoadOlder'), [['LoadOlder', 211], ['LoadOlder', 211], ['LoadOlder', 111], ['LoadOlder', 11]]);
    assert.deepEqual(await shownSeqs(), Array.from({ length: 250 }, (_, i) => i + 1));
    await page.setViewportSize({ width: 800, height: 600 });
    await log.evaluate((el) => (el.scrollTop = 0));
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
    await shot('11-history-start-800x600');
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.keyboard.press('Control+Shift+L');
    await page.getByRole('heading', { name: 'Rooms on this network' }).waitFor();
  });

  await step('restored session: starts connecting with unsent messages pending; the composer still sends', async () => {
    await page.goto(`${base}?restored`);
    await page.getByRole('heading', { name: 'Design crit' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'connecting…' }).waitFor();
    await page.getByText('Not connected — messages will be sent when the room is back').waitFor();
    const pending = page.locator('li.msg[data-status="sending"]');
    assert.deepEqual(await pending.locator('.bubble').allInnerTexts(), ['Running 5 minutes late, start without me', 'Slides are in the shared folder']);
    assert.deepEqual(await page.locator('li.msg').evaluateAll((els) => els.map((el) => el.dataset.status)), ['sent', 'sent', 'sent', 'sending', 'sending']);
    const composer = page.getByRole('textbox', { name: 'Message' });
    assert.equal(await composer.evaluate((el) => el === document.activeElement), true, 'composer not focused');
    await page.keyboard.type('Back online soon');
    await page.keyboard.press('Enter');
    await pending.nth(2).waitFor();
    assert.deepEqual(await calls('Send'), [['Send', 'Back online soon']]);
    await shot('12-restored-connecting');
  });

  await step('restored session: the host answers; every pending message is confirmed', async () => {
    await fake(() => window.__fake.reconnect());
    await page.locator('li.msg[data-status="sending"]').first().waitFor({ state: 'detached' });
    await page.getByText('Not connected').waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: /^\s*connected\s*$/ }).waitFor();
    assert.deepEqual(await page.locator('li.msg.mine .bubble').allInnerTexts(), [
      'Works for me',
      'Running 5 minutes late, start without me',
      'Slides are in the shared folder',
      'Back online soon',
    ]);
    assert.equal(await page.locator('li.msg[data-status="sent"]').count(), 6);
    await shot('13-restored-confirmed');
  });

  assert.deepEqual(errors, [], 'page errors or stray requests');
  console.log(`browser smoke: ${steps.length} steps passed; screenshots in ${shots}`);
} catch (e) {
  failed = true;
  console.error(e);
  if (errors.length) console.error(errors.join('\n'));
  try {
    await context.pages()[0]?.screenshot({ path: join(shots, 'failure.png') });
  } catch {}
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
