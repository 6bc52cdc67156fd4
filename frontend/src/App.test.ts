import { beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, waitFor, within } from '@testing-library/svelte';
import { emit, fakeLayout, installEventBus, mockedApi, renderApp, screen, handlers } from './test/harness';
import { iface, member, message, networkReport, recentRoom, room, session } from './test/fixtures';
import { TIMELINE_MAX } from './lib/state/parley.svelte';

vi.mock('$lib/api', async (importOriginal) => {
  const real = await importOriginal<typeof import('$lib/api')>();
  return {
    ...real,
    getProfile: vi.fn(),
    setNick: vi.fn(),
    listRooms: vi.fn(),
    hostRoom: vi.fn(),
    joinRoom: vi.fn(),
    joinAddress: vi.fn(),
    send: vi.fn(),
    leave: vi.fn(),
    currentSession: vi.fn(),
    loadOlder: vi.fn(),
    hostedRooms: vi.fn(),
    network: vi.fn(),
    recentRooms: vi.fn(),
    joinRecent: vi.fn(),
    copyInviteLink: vi.fn(),
    activityShown: vi.fn(),
  };
});
vi.mock('$lib/events', () => ({ subscribe: vi.fn(), on: vi.fn() }));

beforeEach(() => {
  installEventBus();
  mockedApi.getProfile.mockResolvedValue({ nick: 'ada' });
  mockedApi.currentSession.mockResolvedValue(null);
  mockedApi.listRooms.mockResolvedValue([]);
  mockedApi.leave.mockResolvedValue(undefined);
  mockedApi.loadOlder.mockResolvedValue({ messages: [], more: false });
  mockedApi.hostedRooms.mockResolvedValue([]);
  mockedApi.recentRooms.mockResolvedValue([]);
  mockedApi.activityShown.mockResolvedValue(undefined);
});

const lobbyHeading = () => screen.getByRole('heading', { name: 'Rooms on this network' });
const roomButtons = () => within(screen.getByRole('list', { name: 'Rooms on this network' })).getAllByRole('button');

async function inRoom(s = session()) {
  mockedApi.currentSession.mockResolvedValue(s);
  const r = await renderApp();
  await screen.findByRole('heading', { name: s.room.name });
  return r;
}

describe('nickname screen', () => {
  beforeEach(() => {
    mockedApi.getProfile.mockResolvedValue({ nick: '' });
  });

  it('is shown when no nickname is saved, with the input focused', async () => {
    await renderApp();
    const input = screen.getByLabelText('Nickname');
    expect(input).toHaveFocus();
    expect(screen.queryByRole('heading', { name: 'Rooms on this network' })).toBeNull();
  });

  it('checks the nickname locally before asking Go', async () => {
    const { user } = await renderApp();
    const input = screen.getByLabelText('Nickname');

    await user.keyboard('{Enter}');
    expect(screen.getByRole('alert')).toHaveTextContent('Pick a nickname');

    await user.type(input, 'bob:builder{Enter}');
    expect(screen.getByRole('alert')).toHaveTextContent('can’t contain “:”');
    expect(input).toHaveAttribute('aria-invalid', 'true');

    await user.clear(input);
    await user.type(input, `${'x'.repeat(33)}{Enter}`);
    expect(screen.getByRole('alert')).toHaveTextContent('32 characters or fewer');

    expect(mockedApi.setNick).not.toHaveBeenCalled();
  });

  it('shows Go’s rejection inline, then moves to the lobby once accepted', async () => {
    mockedApi.setNick.mockRejectedValueOnce(new Error('That nickname is reserved.'));
    mockedApi.setNick.mockResolvedValueOnce({ nick: 'Ada' });
    const { user } = await renderApp();
    const input = screen.getByLabelText('Nickname');

    await user.type(input, '  admin {Enter}');
    expect(mockedApi.setNick).toHaveBeenLastCalledWith('admin');
    expect(await screen.findByRole('alert')).toHaveTextContent('That nickname is reserved.');
    expect(input).toHaveFocus();

    await user.clear(input);
    await user.type(input, 'Ada{Enter}');
    expect(mockedApi.setNick).toHaveBeenLastCalledWith('Ada');
    expect(await screen.findByRole('heading', { name: 'Rooms on this network' })).toBeInTheDocument();
    expect(screen.getByText('Ada')).toBeInTheDocument();
  });

  it('can be reopened from the lobby to change the nickname, and Escape goes back', async () => {
    mockedApi.getProfile.mockResolvedValue({ nick: 'ada' });
    const { user } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Change nickname' }));
    const input = screen.getByLabelText('Nickname');
    expect(input).toHaveValue('ada');
    expect(input).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(lobbyHeading()).toBeInTheDocument();
    expect(mockedApi.setNick).not.toHaveBeenCalled();
  });
});

describe('lobby', () => {
  it('loads the rooms on entry and shows a calm empty state', async () => {
    await renderApp();
    expect(mockedApi.listRooms).toHaveBeenCalled();
    expect(
      screen.getByText('No rooms on this network yet — host one, or join by address'),
    ).toBeInTheDocument();
  });

  it('renders rooms from lobby:rooms and updates live as they come and go', async () => {
    await renderApp();
    await emit('lobby:rooms', [
      room({ id: 'r1', name: 'Design crit', host: 'grace' }),
      room({ id: 'r2', name: 'Lunch 🍜', host: 'linus', mine: true }),
    ]);
    let rows = roomButtons();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Design crit');
    expect(rows[0]).toHaveTextContent('hosted by grace');
    expect(rows[1]).toHaveTextContent('yours');
    expect(rows[0]).not.toHaveTextContent('yours');

    await emit('lobby:rooms', [room({ id: 'r2', name: 'Lunch 🍜', host: 'linus', mine: true }), room({ id: 'r3', name: 'Σύσκεψη', host: 'δημήτρης' })]);
    rows = roomButtons();
    expect(rows.map((r) => r.querySelector('.name')?.textContent?.trim())).toEqual(['Lunch 🍜 yours', 'Σύσκεψη']);
    expect(screen.queryByText('Design crit')).toBeNull();

    await emit('lobby:rooms', []);
    expect(screen.getByText(/No rooms on this network yet/)).toBeInTheDocument();
  });

  it('Ctrl+N opens Host room with the name focused; Enter hosts it', async () => {
    mockedApi.hostRoom.mockResolvedValue(session({ hosting: true, room: { id: 'm', name: 'Book club', host: 'ada', address: '10.0.0.5:4000' } }));
    const { user } = await renderApp();
    await user.keyboard('{Control>}n{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'Host a room' });
    const input = within(dialog).getByLabelText('Room name');
    expect(input).toHaveFocus();
    await user.keyboard('Book club{Enter}');
    expect(mockedApi.hostRoom).toHaveBeenCalledWith('Book club');
    expect(await screen.findByRole('heading', { name: 'Book club' })).toBeInTheDocument();
    expect(screen.getByText('You’re hosting')).toBeInTheDocument();
  });

  it('Escape cancels the Host room dialog without hosting', async () => {
    const { user } = await renderApp();
    const button = screen.getByRole('button', { name: /Host room/ });
    await user.click(button);
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(button).toHaveFocus();
    expect(mockedApi.hostRoom).not.toHaveBeenCalled();
  });

  it('keeps the Host room dialog open with Go’s message when hosting fails', async () => {
    mockedApi.hostRoom.mockRejectedValue(new Error('No network interface to announce on.'));
    const { user } = await renderApp();
    await user.keyboard('{Control>}n{/Control}Team{Enter}');
    const dialog = screen.getByRole('dialog', { name: 'Host a room' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('No network interface to announce on.');
  });

  it('Ctrl+J opens Join by address; Enter joins; a rejection shows in the dialog', async () => {
    mockedApi.joinAddress.mockRejectedValueOnce(new Error('Couldn’t reach 10.0.0.9:7000: connection refused'));
    mockedApi.joinAddress.mockResolvedValueOnce(session());
    const { user } = await renderApp();
    await user.keyboard('{Control>}j{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'Join by address' });
    expect(within(dialog).getByRole('textbox')).toHaveFocus();
    await user.keyboard('10.0.0.9:7000{Enter}');
    expect(mockedApi.joinAddress).toHaveBeenCalledWith('10.0.0.9:7000');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('connection refused');

    await user.clear(within(dialog).getByRole('textbox'));
    await user.keyboard('10.0.0.9:7001{Enter}');
    expect(await screen.findByRole('heading', { name: 'Design crit' })).toBeInTheDocument();
  });

  it('Join by address takes an invite link too', async () => {
    mockedApi.joinAddress.mockResolvedValue(session());
    const { user } = await renderApp();
    await user.keyboard('{Control>}j{/Control}');
    const dialog = screen.getByRole('dialog', { name: 'Join by address' });
    const input = within(dialog).getByLabelText('host:port or a parley:// link');
    expect(input).toHaveFocus();
    expect(input).toHaveAttribute('placeholder', expect.stringContaining('parley://'));
    await user.keyboard('{Enter}');
    expect(within(dialog).getByRole('alert')).toHaveTextContent('or paste an invite link');
    await user.keyboard('  parley://192.168.1.20:41000/0123456789abcdef {Enter}');
    expect(mockedApi.joinAddress).toHaveBeenCalledExactlyOnceWith('parley://192.168.1.20:41000/0123456789abcdef');
    expect(await screen.findByRole('heading', { name: 'Design crit' })).toBeInTheDocument();
  });

  it('ArrowDown focuses the first room, arrows/Home/End move, Enter joins', async () => {
    mockedApi.joinRoom.mockResolvedValue(session());
    const { user } = await renderApp();
    await emit('lobby:rooms', [room({ id: 'r1' }), room({ id: 'r2', name: 'Lunch' }), room({ id: 'r3', name: 'Games' })]);
    const rows = roomButtons();
    expect(document.activeElement).toBe(document.body);

    await user.keyboard('{ArrowDown}');
    expect(rows[0]).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}');
    expect(rows[2]).toHaveFocus();
    await user.keyboard('{Home}');
    expect(rows[0]).toHaveFocus();
    await user.keyboard('{End}{ArrowUp}');
    expect(rows[1]).toHaveFocus();
    // Only the active row is in the Tab order.
    expect(rows.map((r) => r.tabIndex)).toEqual([-1, 0, -1]);

    await user.keyboard('{Home}{Enter}');
    expect(mockedApi.joinRoom).toHaveBeenCalledWith('r1');
    expect(await screen.findByRole('heading', { name: 'Design crit' })).toBeInTheDocument();
  });

  it('shows a JoinRoom rejection in the lobby', async () => {
    mockedApi.joinRoom.mockRejectedValue(new Error('The room is full.'));
    const { user } = await renderApp();
    await emit('lobby:rooms', [room({ name: 'Crowded' })]);
    await user.keyboard('{ArrowDown}{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Couldn’t join “Crowded”: The room is full.');
    expect(lobbyHeading()).toBeInTheDocument();
  });
});

describe('room view', () => {
  it('focuses the composer and shows the header, members and history', async () => {
    await inRoom(
      session({
        members: [
          member({ nick: 'grace', host: true }),
          member({ nick: 'ada', you: true }),
          member({ nick: 'oldtimer', legacy: true }),
        ],
        messages: [message({ from: 'grace', text: 'hello' })],
      }),
    );
    expect(screen.getByRole('textbox', { name: 'Message' })).toHaveFocus();
    expect(screen.getByRole('status')).toHaveTextContent('connected');
    expect(screen.getByText('grace', { selector: '.sub strong' })).toBeInTheDocument();
    const members = screen.getByRole('complementary', { name: /In this room/ });
    expect(within(members).getAllByRole('listitem').map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'G grace host',
      'A ada you',
      'O oldtimer plain text',
    ]);
    expect(within(members).getByText('plain text')).toHaveAttribute('title', 'connected with a plain-text client — not encrypted');
    expect(screen.getByText('hello')).toBeInTheDocument();
  });

  it('Enter sends, Shift+Enter adds a newline and does not send', async () => {
    mockedApi.send.mockResolvedValue('m1');
    const { user } = await inRoom();
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.keyboard('first line{Shift>}{Enter}{/Shift}second line');
    expect(mockedApi.send).not.toHaveBeenCalled();
    expect(box).toHaveValue('first line\nsecond line');

    await user.keyboard('{Enter}');
    expect(mockedApi.send).toHaveBeenCalledWith('first line\nsecond line');
    expect(box).toHaveValue('');
    expect(box).toHaveFocus();

    // Blank input sends nothing.
    await user.keyboard('   {Enter}');
    expect(mockedApi.send).toHaveBeenCalledTimes(1);
  });

  it('shows a sent message as pending until room:activity brings the same id', async () => {
    mockedApi.send.mockResolvedValue('m-42');
    const { user } = await inRoom();
    await user.keyboard('on my way{Enter}');

    const pending = screen.getByText('on my way').closest('li')!;
    expect(pending).toHaveAttribute('data-status', 'sending');
    expect(within(pending).getByText('sending…')).toBeInTheDocument();

    await emit('room:activity', batch(message({ id: 'other', from: 'grace', text: 'cool' })));
    expect(screen.getByText('on my way').closest('li')).toHaveAttribute('data-status', 'sending');

    await emit('room:activity', batch(message({ id: 'm-42', from: 'ada', text: 'on my way', mine: true })));
    const sent = screen.getAllByText('on my way');
    expect(sent).toHaveLength(1);
    expect(sent[0].closest('li')).toHaveAttribute('data-status', 'sent');
    expect(sent[0].closest('li')).toHaveClass('mine');
    expect(screen.queryByText('sending…')).toBeNull();
  });

  it('confirms a message whose echo arrives before Send resolves', async () => {
    let resolveSend!: (id: string) => void;
    mockedApi.send.mockReturnValue(new Promise((r) => (resolveSend = r)));
    const { user } = await inRoom();
    await user.keyboard('quick{Enter}');
    await emit('room:activity', batch(message({ id: 'fast', from: 'ada', text: 'quick', mine: true })));
    resolveSend('fast');
    await waitFor(() => expect(screen.getAllByText('quick')).toHaveLength(1));
    expect(screen.queryByText('sending…')).toBeNull();
  });

  it('marks a message that could not be sent and can retry it', async () => {
    mockedApi.send.mockRejectedValueOnce(new Error('message too long')).mockResolvedValueOnce('ok-1');
    const { user } = await inRoom();
    await user.keyboard('hello{Enter}');
    expect(await screen.findByText(/Not sent: message too long/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(mockedApi.send).toHaveBeenCalledTimes(2);
    await waitFor(() => expect(screen.queryByText(/Not sent/)).toBeNull());
  });

  it('shows join and leave lines and updates the member list', async () => {
    await inRoom();
    const grace = member({ nick: 'grace', host: true });
    const ada = member({ nick: 'ada', you: true });
    await emit('room:activity', {
      ...batch(),
      changes: [{ kind: 'join', nick: 'bob', ts: Date.now(), at: 0 }],
      members: [grace, ada, member({ nick: 'bob' })],
    });
    expect(screen.getByText('bob joined')).toBeInTheDocument();
    expect(within(screen.getByRole('complementary')).getByText('bob')).toBeInTheDocument();

    await emit('room:activity', { ...batch(), changes: [{ kind: 'leave', nick: 'bob', ts: Date.now(), at: 0 }], members: [grace, ada] });
    expect(screen.getByText('bob left')).toBeInTheDocument();
    expect(within(screen.getByRole('complementary')).queryByText('bob')).toBeNull();
    expect(screen.getByText('bob left').closest('li')).toHaveClass('presence');
  });

  it('places joins and leaves among the messages where they happened; a crowd makes one line', async () => {
    await inRoom(session({ messages: run(1, 1) }));
    const crowd = ['bob', 'cy', 'dee', 'eve'].map((nick) => ({ kind: 'join' as const, nick, ts: Date.now(), at: 1 }));
    await emit('room:activity', {
      ...batch(...run(2, 3)),
      changes: [{ kind: 'leave', nick: 'zoe', ts: Date.now(), at: 0 }, ...crowd],
      members: null,
    });
    const lines = [...log().querySelectorAll('li.msg .bubble, li.presence .presence-text')].map((l) => l.textContent?.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual(['m1', 'zoe left', 'm2', 'bob, cy and 2 others joined', 'm3']);
  });

  it('lists the host, then you, then everyone by name, numbers by value', async () => {
    await inRoom();
    const nicks = ['b10', 'Ann', 'b2', 'grace', 'ada', 'b1'];
    await emit('room:activity', {
      ...batch(),
      members: nicks.map((nick) => member({ nick, host: nick === 'grace', you: nick === 'ada' })),
    });
    const shown = [...within(screen.getByRole('complementary')).getAllByRole('listitem')].map((li) => li.querySelector('.nick')?.textContent);
    expect(shown).toEqual(['grace', 'ada', 'Ann', 'b1', 'b2', 'b10']);
  });

  it('a members-only activity updates the list without a timeline line', async () => {
    await inRoom();
    await emit('room:activity', {
      ...batch(),
      members: [member({ nick: 'grace', host: true }), member({ nick: 'ada', you: true }), member({ nick: 'zoe' })],
    });
    expect(within(screen.getByRole('complementary')).getByText('zoe')).toBeInTheDocument();
    expect(document.querySelector('li.presence')).toBeNull();
  });

  it('room:refused marks the pending message as not sent, even if it beats Send', async () => {
    let resolveSend!: (id: string) => void;
    mockedApi.send.mockResolvedValueOnce('a1').mockReturnValueOnce(new Promise((r) => (resolveSend = r)));
    const { user } = await inRoom();
    await user.keyboard('first{Enter}');
    await emit('room:refused', { id: 'a1', reason: 'message too long' });
    expect(await screen.findByText(/Not sent: message too long/)).toBeInTheDocument();

    await user.keyboard('second{Enter}');
    await emit('room:refused', { id: 'a2', reason: 'slow down' });
    resolveSend('a2');
    expect(await screen.findByText(/Not sent: slow down/)).toBeInTheDocument();
    await user.click(screen.getAllByRole('button', { name: 'Discard' })[0]);
    expect(screen.queryByText('first')).toBeNull();
  });

  it('shows the connection state from room:state', async () => {
    await inRoom();
    await emit('room:state', { state: 'reconnecting', detail: 'connection lost; retrying' });
    const status = screen.getByRole('status');
    expect(status).toHaveTextContent('reconnecting…');
    expect(status).toHaveAttribute('title', 'connection lost; retrying');
    await emit('room:state', { state: 'connected', detail: '' });
    expect(status).toHaveTextContent('connected');
  });

  it('room:closed returns to the lobby and shows the reason', async () => {
    await inRoom();
    await emit('room:closed', { reason: 'The host left the room.' });
    expect(lobbyHeading()).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('The host left the room.');
    expect(mockedApi.listRooms).toHaveBeenCalled();
    // Late events for the old room are ignored.
    await emit('room:activity', batch(message({ text: 'ghost' })));
    expect(screen.queryByText('ghost')).toBeNull();
  });

  it('Ctrl+Shift+L leaves the room', async () => {
    const { user } = await inRoom();
    await user.keyboard('{Control>}{Shift>}L{/Shift}{/Control}');
    expect(mockedApi.leave).toHaveBeenCalledTimes(1);
    expect(lobbyHeading()).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('renders peer text as literal text, never HTML', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const { container } = await inRoom(session({ messages: [message({ from: '<b>x</b>', text: evil })] }));
    await emit('room:activity', batch(message({ text: `${evil}\n<script>alert(2)</script>` })));
    expect(screen.getByText(evil)).toBeInTheDocument();
    expect(screen.getByText('<b>x</b>')).toBeInTheDocument();
    expect(container.querySelector('.items img, .items script, .items b')).toBeNull();
  });

  it('groups consecutive messages from one author and preserves line breaks', async () => {
    const t = Date.now();
    await inRoom(
      session({
        messages: [
          message({ from: 'grace', text: 'one', ts: t - 3000 }),
          message({ from: 'grace', text: 'two\nlines', ts: t - 2000 }),
          message({ from: 'linus', text: 'three', ts: t - 1000 }),
        ],
      }),
    );
    expect(screen.getAllByText('grace', { selector: '.author' })).toHaveLength(1);
    expect(screen.getAllByText('linus', { selector: '.author' })).toHaveLength(1);
    expect(screen.getByText(/two/).textContent).toBe('two\nlines');
  });
});

describe('startup', () => {
  it('resumes the running session after a reload', async () => {
    await inRoom(session({ room: { id: 'x', name: 'Already here', host: 'grace', address: '' } }));
    expect(screen.getByRole('heading', { name: 'Already here' })).toBeInTheDocument();
  });

  it('unsubscribes from every event when the app is destroyed', async () => {
    const { unmount } = await renderApp();
    expect(Object.keys(handlers).sort()).toEqual([
      'lobby:rooms',
      'room:activity',
      'room:closed',
      'room:refused',
      'room:state',
    ]);
    unmount();
    expect(Object.keys(handlers)).toEqual([]);
  });
});

// Messages with seq from..to (inclusive), ids s<seq>, texts "m<seq>", one author per run.
/** batch wraps messages in a room:activity payload with nothing else in it. */
function batch(...messages: ReturnType<typeof message>[]) {
  return { messages, changes: [], members: null, skipped: 0, confirmed: [] as string[] };
}

function run(from: number, to: number, over: Partial<ReturnType<typeof message>> = {}) {
  const t = Date.now() - 3_600_000;
  return Array.from({ length: to - from + 1 }, (_, i) =>
    message({ seq: from + i, id: `s${from + i}`, text: `m${from + i}`, ts: t + (from + i) * 1000, ...over }),
  );
}
const log = () => screen.getByRole('log', { name: 'Messages' });
const bubbles = () => [...log().querySelectorAll('li.msg .bubble')].map((b) => b.textContent);
const top = (text: string) => screen.getByText(text).closest('li')!.getBoundingClientRect().top;

describe('scroll-back', () => {
  it('loads earlier messages near the top, once at a time, without moving what is shown', async () => {
    fakeLayout();
    let answer!: (page: { messages: ReturnType<typeof run>; more: boolean }) => void;
    mockedApi.loadOlder.mockReturnValue(new Promise((r) => (answer = r)));
    await inRoom(session({ messages: run(101, 140) }));
    // Entered at the bottom: nothing is asked for yet.
    expect(log().scrollTop).toBeGreaterThan(0);
    expect(mockedApi.loadOlder).not.toHaveBeenCalled();
    expect(screen.queryByText('Beginning of the room')).toBeNull();

    log().scrollTop = 0;
    await fireEvent.scroll(log());
    await fireEvent.scroll(log());
    expect(mockedApi.loadOlder).toHaveBeenCalledTimes(1);
    expect(mockedApi.loadOlder).toHaveBeenCalledWith(101);
    expect(screen.getByText('Loading earlier messages…')).toBeInTheDocument();
    const before = top('m101');

    // The page overlaps what is shown (s101 again) and repeats a message: neither doubles.
    answer({ messages: [...run(41, 101), run(60, 60)[0]], more: true });
    await waitFor(() => expect(screen.queryByText('Loading earlier messages…')).toBeNull());
    expect(bubbles()).toEqual([...run(41, 140)].map((m) => m.text));
    expect(top('m101')).toBe(before);
    expect(screen.queryByText('Beginning of the room')).toBeNull();

    // Scrolling up again asks for what is before the new first message.
    mockedApi.loadOlder.mockResolvedValue({ messages: run(21, 40), more: false });
    log().scrollTop = 0;
    await fireEvent.scroll(log());
    expect(mockedApi.loadOlder).toHaveBeenLastCalledWith(41);
    expect(await screen.findByText('Beginning of the room')).toBeInTheDocument();
    expect(bubbles()[0]).toBe('m21');
    // Nothing more is asked for once the host said there is nothing older.
    log().scrollTop = 0;
    await fireEvent.scroll(log());
    expect(mockedApi.loadOlder).toHaveBeenCalledTimes(2);
  });

  it('PageUp or Home on the conversation at the top loads earlier messages; PageUp in the composer scrolls it', async () => {
    fakeLayout();
    mockedApi.loadOlder.mockResolvedValue({ messages: run(81, 99), more: true });
    const { user } = await inRoom(session({ messages: run(100, 140) }));
    const composer = screen.getByRole('textbox', { name: 'Message' });
    expect(composer).toHaveFocus();

    const start = log().scrollTop;
    await user.keyboard('{PageUp}');
    expect(log().scrollTop).toBeLessThan(start);
    expect(composer).toHaveFocus();
    while (log().scrollTop > 0) await user.keyboard('{PageUp}');
    expect(mockedApi.loadOlder).not.toHaveBeenCalled();
    await user.keyboard('{PageUp}');
    expect(mockedApi.loadOlder).toHaveBeenCalledWith(100);
    await waitFor(() => expect(bubbles()[0]).toBe('m81'));

    // With the conversation focused: Home away from the top does nothing, at the top it loads.
    mockedApi.loadOlder.mockResolvedValue({ messages: run(1, 80), more: false });
    log().focus();
    log().scrollTop = 200;
    await user.keyboard('{Home}');
    expect(mockedApi.loadOlder).toHaveBeenCalledTimes(1);
    log().scrollTop = 0;
    await user.keyboard('{Home}');
    expect(mockedApi.loadOlder).toHaveBeenLastCalledWith(81);
    expect(await screen.findByText('Beginning of the room')).toBeInTheDocument();
  });

  it('fills a short conversation from the start; nothing to load when seq 1 is shown', async () => {
    mockedApi.loadOlder.mockResolvedValue({ messages: run(1, 4), more: false });
    await inRoom(session({ messages: run(5, 7) }));
    // jsdom has no layout, so the top is always in view: the room asks straight away.
    await waitFor(() => expect(bubbles()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']));
    expect(mockedApi.loadOlder).toHaveBeenCalledExactlyOnceWith(5);
    expect(screen.getByText('Beginning of the room')).toBeInTheDocument();
  });

  it('asks for nothing when the first message shown is seq 1, or when there are none', async () => {
    const { unmount } = await inRoom(session({ messages: run(1, 3) }));
    expect(screen.getByText('Beginning of the room')).toBeInTheDocument();
    unmount();
    await inRoom(session({ messages: [] }));
    expect(screen.queryByText('Beginning of the room')).toBeNull();
    expect(mockedApi.loadOlder).not.toHaveBeenCalled();
  });

  it('shows a retry link when LoadOlder fails, and waits for it', async () => {
    mockedApi.loadOlder.mockRejectedValueOnce(new Error('The host did not answer.'));
    const { user } = await inRoom(session({ messages: run(50, 52) }));
    const retry = await screen.findByRole('button', { name: 'Retry' });
    expect(retry.closest('li')).toHaveTextContent('Couldn’t load earlier messages: The host did not answer.');
    expect(screen.queryByText('Loading earlier messages…')).toBeNull();
    // A failure is not retried by itself.
    await new Promise((r) => setTimeout(r, 50));
    expect(mockedApi.loadOlder).toHaveBeenCalledTimes(1);

    mockedApi.loadOlder.mockResolvedValueOnce({ messages: run(30, 49), more: false });
    await user.click(retry);
    expect(log()).toHaveFocus();
    expect(mockedApi.loadOlder).toHaveBeenCalledTimes(2);
    expect(mockedApi.loadOlder).toHaveBeenLastCalledWith(50);
    expect(await screen.findByText('Beginning of the room')).toBeInTheDocument();
    expect(bubbles()[0]).toBe('m30');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('treats a page with nothing new (but more=true) as a failure instead of asking forever', async () => {
    mockedApi.loadOlder.mockResolvedValue({ messages: run(50, 51), more: true });
    await inRoom(session({ messages: run(50, 52) }));
    expect(await screen.findByRole('button', { name: 'Retry' })).toBeInTheDocument();
    expect(mockedApi.loadOlder).toHaveBeenCalledTimes(1);
  });

  it('drops a LoadOlder answer that arrives after leaving the room', async () => {
    let answer!: (page: { messages: ReturnType<typeof run>; more: boolean }) => void;
    mockedApi.loadOlder.mockReturnValue(new Promise((r) => (answer = r)));
    mockedApi.joinRoom.mockResolvedValue(session({ room: { id: 'r2', name: 'Other', host: 'linus', address: '' }, messages: [] }));
    const { user } = await inRoom(session({ messages: run(10, 12) }));
    await screen.findByText('Loading earlier messages…');
    await user.keyboard('{Control>}{Shift>}L{/Shift}{/Control}');
    await emit('lobby:rooms', [room({ id: 'r2', name: 'Other' })]);
    await user.keyboard('{ArrowDown}{Enter}');
    await screen.findByRole('heading', { name: 'Other' });
    answer({ messages: run(1, 9), more: false });
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByText('m1')).toBeNull();
    expect(screen.getByText('No messages yet')).toBeInTheDocument();
  });

  it('keeps the newest TIMELINE_MAX messages of a busy room; the older ones are a page away', async () => {
    mockedApi.loadOlder.mockReturnValue(new Promise(() => {}));
    await inRoom(session({ messages: run(1, 2) }));
    await emit('room:activity', batch(...run(3, TIMELINE_MAX + 52)));
    const shown = bubbles();
    expect(shown).toHaveLength(TIMELINE_MAX);
    expect(shown[0]).toBe('m53');
    expect(shown.at(-1)).toBe(`m${TIMELINE_MAX + 52}`);
    await screen.findByText('Loading earlier messages…');
    expect(mockedApi.loadOlder).toHaveBeenLastCalledWith(53);
  });

  it('starts again from a batch that follows messages left out, and confirms our own among them', async () => {
    mockedApi.send.mockResolvedValue('mine-1');
    const { user } = await inRoom(session({ messages: run(1, 3) }));
    await user.keyboard('on my way{Enter}');
    expect(screen.getByText('on my way').closest('li')).toHaveAttribute('data-status', 'sending');
    await emit('room:activity', { ...batch(...run(600, 602)), skipped: 596, confirmed: ['mine-1'] });
    expect(bubbles()).toEqual(['m600', 'm601', 'm602']);
    expect(screen.queryByText('on my way')).toBeNull();
  });

  it('tells Go when a batch of messages is on screen, so the next may come', async () => {
    await inRoom(session({ messages: run(1, 2) }));
    await new Promise((r) => setTimeout(r, 50)); // acks still due from earlier tests arrive first
    mockedApi.activityShown.mockClear();
    await emit('room:activity', batch(...run(3, 4)));
    await waitFor(() => expect(mockedApi.activityShown).toHaveBeenCalledTimes(1));
    expect(bubbles()).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('puts a message replayed out of order where its seq says', async () => {
    await inRoom(session({ messages: [...run(1, 2), ...run(4, 4)] }));
    await emit('room:activity', batch(run(3, 3)[0]));
    await emit('room:activity', batch(run(5, 5)[0]));
    expect(bubbles()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });
});

describe('restored session', () => {
  const restored = (over = {}) =>
    session({
      state: 'connecting',
      messages: run(1, 2),
      pending: [
        { id: 'p1', text: 'sorry, running late', ts: new Date(2026, 10, 24, 9, 41).getTime() },
        { id: 'p2', text: 'start without me', ts: 0 },
      ],
      ...over,
    });

  it('shows pending messages after the history as sending, confirmed by room:activity', async () => {
    await inRoom(restored());
    const rows = [...log().querySelectorAll('li.msg')];
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['sent', 'sent', 'sending', 'sending']);
    expect(rows[2]).toHaveTextContent('sorry, running late');
    expect(rows[2]).toHaveTextContent('sending…');
    expect(rows[2]).toHaveTextContent('09:41'); // when it was typed, not when the app reopened
    expect(rows[2]).toHaveClass('mine');
    expect(screen.getByRole('status')).toHaveTextContent('connecting…');
    expect(screen.getByText('Not connected — messages will be sent when the room is back')).toBeInTheDocument();

    await emit('room:state', { state: 'connected', detail: '' });
    expect(screen.queryByText(/Not connected/)).toBeNull();
    await emit('room:activity', batch(message({ seq: 3, id: 'p1', from: 'ada', text: 'sorry, running late', mine: true })));
    expect(screen.getAllByText('sorry, running late')).toHaveLength(1);
    expect(screen.getByText('sorry, running late').closest('li')).toHaveAttribute('data-status', 'sent');
    expect(screen.getByText('start without me').closest('li')).toHaveAttribute('data-status', 'sending');
  });

  it('a refused restored message can be retried with a new Send', async () => {
    mockedApi.send.mockResolvedValue('n1');
    const { user } = await inRoom(restored({ state: 'connected' }));
    await emit('room:refused', { id: 'p2', reason: 'The host could not save your message (its disk is full).' });
    expect(await screen.findByText(/Not sent: The host could not save your message \(its disk is full\)\./)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(mockedApi.send).toHaveBeenCalledWith('start without me');
    await emit('room:activity', batch(message({ seq: 3, id: 'n1', from: 'ada', text: 'start without me', mine: true })));
    expect(screen.getByText('start without me').closest('li')).toHaveAttribute('data-status', 'sent');
    expect(screen.queryByText(/Not sent/)).toBeNull();
  });

  it('does not show a pending message twice when the history already has it', async () => {
    await inRoom(restored({ messages: [...run(1, 2), message({ seq: 3, id: 'p1', from: 'ada', text: 'sorry, running late', mine: true })] }));
    expect(screen.getAllByText('sorry, running late')).toHaveLength(1);
    expect(screen.getByText('sorry, running late').closest('li')).toHaveAttribute('data-status', 'sent');
    expect(log().querySelectorAll('li[data-status="sending"]')).toHaveLength(1);
  });

  it('while connecting with no history: says so, and the composer still sends (pending)', async () => {
    mockedApi.send.mockResolvedValue('q1');
    const { user } = await inRoom(restored({ messages: [], pending: [] }));
    expect(screen.getByText('Waiting for the room')).toBeInTheDocument();
    expect(screen.queryByText('No messages yet')).toBeNull();
    const box = screen.getByRole('textbox', { name: 'Message' });
    expect(box).toBeEnabled();
    await user.keyboard('hello from the train{Enter}');
    expect(mockedApi.send).toHaveBeenCalledWith('hello from the train');
    expect(screen.getByText('hello from the train').closest('li')).toHaveAttribute('data-status', 'sending');
    expect(screen.getByText(/Not connected/)).toBeInTheDocument();
    // Leaving works while connecting.
    await user.keyboard('{Control>}{Shift>}L{/Shift}{/Control}');
    expect(mockedApi.leave).toHaveBeenCalled();
    expect(lobbyHeading()).toBeInTheDocument();
  });

  it('says messages wait while reconnecting, and the composer stays enabled', async () => {
    await inRoom();
    await emit('room:state', { state: 'reconnecting', detail: 'connection lost; retrying' });
    expect(screen.getByText('Not connected — messages will be sent when the room is back')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeEnabled();
    await emit('room:state', { state: 'closed', detail: '' });
    expect(screen.queryByText(/Not connected/)).toBeNull();
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeDisabled();
  });
});

describe('host dialog quick picks', () => {
  const day = 86_400_000;
  beforeEach(() => {
    mockedApi.hostedRooms.mockResolvedValue([
      { id: 'h1', name: 'Book club', lastUsed: Date.now() - 5 * 60_000 },
      { id: 'h2', name: 'Standup', lastUsed: Date.now() - day },
      { id: 'h3', name: 'Σύσκεψη', lastUsed: Date.now() - 9 * day },
    ]);
    mockedApi.hostRoom.mockImplementation(async (name) => session({ hosting: true, room: { id: 'm', name, host: 'ada', address: '10.0.0.5:4000' } }));
  });
  const picks = async () => {
    const dialog = screen.getByRole('dialog', { name: 'Host a room' });
    return within(await within(dialog).findByRole('list', { name: 'Your rooms' })).getAllByRole('button');
  };

  it('lists rooms hosted before, most recent first; a click hosts that one', async () => {
    const { user } = await renderApp();
    await user.keyboard('{Control>}n{/Control}');
    const rows = await picks();
    expect(rows.map((r) => r.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'B Book club 5 min ago',
      'S Standup yesterday',
      expect.stringMatching(/^Σ Σύσκεψη \S/),
    ]);
    expect(screen.getByLabelText('Room name')).toHaveFocus();
    await user.click(rows[1]);
    expect(mockedApi.hostRoom).toHaveBeenCalledExactlyOnceWith('Standup');
    expect(await screen.findByRole('heading', { name: 'Standup' })).toBeInTheDocument();
  });

  it('↓ moves into the list, ↑ back to the input, Enter on a pick hosts it', async () => {
    const { user } = await renderApp();
    await user.keyboard('{Control>}n{/Control}');
    const rows = await picks();
    const input = screen.getByLabelText('Room name');
    await user.keyboard('{ArrowDown}');
    expect(rows[0]).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}');
    expect(rows[2]).toHaveFocus();
    await user.keyboard('{Home}{ArrowUp}');
    expect(input).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(mockedApi.hostRoom).toHaveBeenCalledExactlyOnceWith('Standup');
    expect(await screen.findByRole('heading', { name: 'Standup' })).toBeInTheDocument();
  });

  it('Enter on the input still hosts what is typed', async () => {
    const { user } = await renderApp();
    await user.keyboard('{Control>}n{/Control}');
    await picks();
    await user.keyboard('Book club 2{Enter}');
    expect(mockedApi.hostRoom).toHaveBeenCalledExactlyOnceWith('Book club 2');
  });

  it('shows a failure to host a picked room in the dialog', async () => {
    mockedApi.hostRoom.mockRejectedValue(new Error('The room’s history could not be read.'));
    const { user } = await renderApp();
    await user.keyboard('{Control>}n{/Control}');
    await user.click((await picks())[0]);
    const dialog = screen.getByRole('dialog', { name: 'Host a room' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The room’s history could not be read.');
    expect(screen.getByLabelText('Room name')).toHaveValue('Book club');
  });

  it('shows no list when there are no rooms hosted before, or HostedRooms fails', async () => {
    mockedApi.hostedRooms.mockResolvedValueOnce([]).mockRejectedValueOnce(new Error('disk'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { user } = await renderApp();
    for (let i = 0; i < 2; i++) {
      await user.keyboard('{Control>}n{/Control}');
      await waitFor(() => expect(mockedApi.hostedRooms).toHaveBeenCalledTimes(i + 1));
      expect(screen.queryByRole('list', { name: 'Your rooms' })).toBeNull();
      await user.keyboard('{Escape}');
    }
    expect(warn).toHaveBeenCalled();
  });
});

describe('recent rooms', () => {
  const recentList = () => screen.getByRole('list', { name: 'Recent rooms' });
  const recentButtons = () => within(recentList()).getAllByRole('button');
  beforeEach(() => {
    mockedApi.recentRooms.mockResolvedValue([
      recentRoom({ id: 'r1', name: 'Design crit', host: 'grace' }),
      recentRoom({ id: 'old1', name: 'Book club', host: 'linus', addrs: ['192.168.1.40:41001'], lastJoined: Date.now() - 86_400_000 }),
      recentRoom({ id: 'old2', name: 'Σύσκεψη', host: 'δημήτρης', addrs: [], lastJoined: Date.now() - 5 * 60_000 }),
    ]);
    mockedApi.joinRecent.mockImplementation(async (id) => session({ room: { id, name: id === 'old1' ? 'Book club' : 'Σύσκεψη', host: 'linus', address: '192.168.1.40:41001' } }));
    mockedApi.joinRoom.mockResolvedValue(session());
  });

  it('lists only the rooms joined before that are not live now, with when and where', async () => {
    await renderApp();
    await emit('lobby:rooms', [room({ id: 'r1', name: 'Design crit' })]);
    expect(roomButtons().map((b) => b.querySelector('.name')?.textContent?.trim())).toEqual(['Design crit']);
    const rows = recentButtons();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Book club');
    expect(rows[0]).toHaveTextContent('hosted by linus');
    expect(rows[0]).toHaveTextContent('last joined yesterday');
    expect(rows[0]).toHaveTextContent('192.168.1.40:41001');
    expect(rows[1].querySelector('.host')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('hosted by δημήτρης · last joined 5 min ago');
    expect(within(recentList()).queryByText('Design crit')).toBeNull();

    // The live room goes away: it is a recent room again.
    await emit('lobby:rooms', []);
    expect(recentButtons().map((b) => b.querySelector('.name')?.textContent?.trim())).toEqual(['Design crit', 'Book club', 'Σύσκεψη']);
  });

  it('with no live rooms, the empty state points at the recent rooms and Join by address', async () => {
    await renderApp();
    expect(await screen.findByText('No rooms found on this network right now')).toBeInTheDocument();
    expect(screen.getByText(/A room you joined before may still be there: try it below\. Or join by address/)).toBeInTheDocument();
    expect(screen.queryByText(/No rooms on this network yet/)).toBeNull();
    expect(recentButtons()).toHaveLength(3);
  });

  it('a click joins with JoinRecent and the id', async () => {
    const { user } = await renderApp();
    await emit('lobby:rooms', [room({ id: 'r1' })]);
    await user.click(recentButtons()[0]);
    expect(mockedApi.joinRecent).toHaveBeenCalledExactlyOnceWith('old1');
    expect(mockedApi.joinRoom).not.toHaveBeenCalled();
    expect(await screen.findByRole('heading', { name: 'Book club' })).toBeInTheDocument();
  });

  it('the arrow keys go on from the live rooms into the recent ones; Enter joins with JoinRecent', async () => {
    const { user } = await renderApp();
    await emit('lobby:rooms', [room({ id: 'r1' }), room({ id: 'r2', name: 'Lunch' })]);
    const live = roomButtons();
    const recent = recentButtons();
    await user.keyboard('{ArrowDown}');
    expect(live[0]).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(recent[0]).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(live[1]).toHaveFocus();
    await user.keyboard('{End}');
    expect(recent[1]).toHaveFocus();
    await user.keyboard('{Home}');
    expect(live[0]).toHaveFocus();
    // Each list keeps one row in the Tab order.
    await user.keyboard('{End}');
    expect(live.map((b) => b.tabIndex)).toEqual([0, -1]);
    expect(recent.map((b) => b.tabIndex)).toEqual([-1, 0]);
    await user.keyboard('{Enter}');
    expect(mockedApi.joinRecent).toHaveBeenCalledExactlyOnceWith('old2');
    expect(mockedApi.joinRoom).not.toHaveBeenCalled();
    expect(await screen.findByRole('heading', { name: 'Σύσκεψη' })).toBeInTheDocument();
  });

  it('with recent rooms listed, ArrowDown still focuses the first live room and Enter joins it', async () => {
    const { user } = await renderApp();
    await waitFor(() => expect(recentButtons()).toHaveLength(3));
    await emit('lobby:rooms', [room({ id: 'r1', name: 'Design crit' })]);
    await user.keyboard('{ArrowDown}');
    expect(roomButtons()[0]).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(mockedApi.joinRoom).toHaveBeenCalledExactlyOnceWith('r1');
    expect(mockedApi.joinRecent).not.toHaveBeenCalled();
    expect(await screen.findByRole('heading', { name: 'Design crit' })).toBeInTheDocument();
  });

  it('shows a JoinRecent rejection in the lobby, and reloads the list on coming back', async () => {
    mockedApi.joinRecent.mockRejectedValueOnce(new Error('Nobody answered at 192.168.1.40:41001.'));
    const { user } = await renderApp();
    await user.click((await screen.findAllByRole('button', { name: /Book club/ }))[0]);
    expect(await screen.findByRole('alert')).toHaveTextContent('Couldn’t join “Book club”: Nobody answered at 192.168.1.40:41001.');
    expect(lobbyHeading()).toBeInTheDocument();

    expect(mockedApi.recentRooms).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: /Book club/ }));
    await screen.findByRole('heading', { name: 'Book club' });
    await user.keyboard('{Control>}{Shift>}L{/Shift}{/Control}');
    expect(lobbyHeading()).toBeInTheDocument();
    expect(mockedApi.recentRooms).toHaveBeenCalledTimes(2);
  });

  it('a RecentRooms failure leaves the lobby working', async () => {
    mockedApi.recentRooms.mockRejectedValue(new Error('disk'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await renderApp();
    await waitFor(() => expect(warn).toHaveBeenCalled());
    expect(screen.getByText('No rooms on this network yet — host one, or join by address')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Recent rooms' })).toBeNull();
  });
});

describe('network check', () => {
  const panel = () => screen.getByRole('dialog', { name: 'Network check' });
  function held() {
    let resolve!: (r: ReturnType<typeof networkReport>) => void;
    let reject!: (e: Error) => void;
    mockedApi.network.mockReturnValueOnce(new Promise((ok, no) => ((resolve = ok), (reject = no))));
    return { resolve: (r = networkReport()) => act(() => resolve(r)), reject: (e: Error) => act(() => reject(e)) };
  }

  it('Ctrl+I opens it; it says it is checking, then shows the hints, the connections and the rooms; Esc closes', async () => {
    const check = held();
    const { user } = await renderApp();
    await user.keyboard('{Control>}i{/Control}');
    expect(panel()).toHaveFocus();
    expect(mockedApi.network).toHaveBeenCalledTimes(1);
    expect(within(panel()).getByRole('status')).toHaveTextContent('Checking the network…');
    expect(panel()).toHaveAttribute('aria-busy', 'true');

    await check.resolve();
    expect(within(panel()).queryByText('Checking the network…')).toBeNull();
    const found = within(panel()).getByRole('status', { name: 'What Parley found' });
    expect(found.querySelector('.headline')).toHaveTextContent('Discovery works on eth0: 1 room answered.');
    expect(within(found).getByText('docker0 is skipped: it only reaches containers on this computer.')).toBeInTheDocument();

    const conns = within(panel()).getByRole('region', { name: /Network connections/ });
    expect(conns).toHaveTextContent('1 used, 1 skipped');
    const items = within(conns).getAllByRole('listitem');
    // Used connections come first.
    expect(items[0]).toHaveTextContent('eth0');
    expect(items[0]).toHaveTextContent('used for discovery');
    expect(items[0]).toHaveTextContent('192.168.1.20/24');
    expect(items[0]).toHaveTextContent('Hears itself');
    expect(items[0]).toHaveTextContent('1 room answered');
    expect(items[0]).not.toHaveClass('skipped');
    expect(items[1]).toHaveTextContent('docker0');
    expect(items[1]).toHaveTextContent('not used');
    expect(items[1]).toHaveTextContent('A virtual network for containers');
    expect(items[1]).not.toHaveTextContent('Hears itself');
    expect(items[1]).toHaveClass('skipped');

    const rooms = within(panel()).getByRole('region', { name: /Rooms that answered/ });
    expect(within(rooms).getByRole('listitem')).toHaveTextContent('Design crit hosted by grace via eth0');

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(lobbyHeading()).toBeInTheDocument();
  });

  it('says so when an interface does not hear itself and nothing answered', async () => {
    mockedApi.network.mockResolvedValue(
      networkReport({
        interfaces: [iface({ name: 'wlan0', selfSeen: false, rooms: 0 })],
        rooms: [],
        hints: ['Multicast seems blocked on wlan0: this computer did not hear its own test.'],
      }),
    );
    const { user } = await renderApp();
    await user.keyboard('{Control>}i{/Control}');
    const found = await within(panel()).findByRole('status', { name: 'What Parley found' });
    expect(found).toHaveTextContent('Multicast seems blocked on wlan0');
    expect(within(panel()).getByText(/Doesn’t hear itself/)).toBeInTheDocument();
    expect(within(panel()).getByText('No rooms answered')).toBeInTheDocument();
    expect(within(panel()).getByText('None answered during the check.')).toBeInTheDocument();
  });

  it('shows a failure inline; Check again runs it again; it runs once at a time', async () => {
    const first = held();
    const { user } = await renderApp();
    await user.click(screen.getByRole('button', { name: /Network/ }));
    const again = within(panel()).getByRole('button', { name: 'Checking…' });
    await user.click(again);
    expect(mockedApi.network).toHaveBeenCalledTimes(1);

    await first.reject(new Error('No network interfaces could be read.'));
    expect(within(panel()).getByRole('alert')).toHaveTextContent('Couldn’t check the network: No network interfaces could be read.');

    const second = held();
    await user.click(within(panel()).getByRole('button', { name: 'Check again' }));
    expect(mockedApi.network).toHaveBeenCalledTimes(2);
    expect(within(panel()).queryByRole('alert')).toBeNull();
    expect(within(panel()).getByText('Checking the network…')).toBeInTheDocument();
    await second.resolve();
    expect(within(panel()).getByRole('status', { name: 'What Parley found' })).toHaveTextContent('Discovery works on eth0');

    await user.click(within(panel()).getByRole('button', { name: /Close/ }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('button', { name: /Network/ })).toHaveFocus();
  });

  it('runs a fresh check each time it opens; the empty lobby links to it', async () => {
    mockedApi.network.mockResolvedValue(networkReport());
    const { user } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Check the network' }));
    await within(panel()).findByRole('status', { name: 'What Parley found' });
    await user.keyboard('{Escape}');
    await user.keyboard('{Control>}i{/Control}');
    expect(mockedApi.network).toHaveBeenCalledTimes(2);
    await user.keyboard('{Escape}');
  });

  it('keeps Tab inside the panel', async () => {
    mockedApi.network.mockResolvedValue(networkReport());
    const { user } = await renderApp();
    await user.keyboard('{Control>}i{/Control}');
    await within(panel()).findByRole('status', { name: 'What Parley found' });
    const buttons = within(panel()).getAllByRole('button');
    await user.tab();
    expect(buttons[0]).toHaveFocus();
    for (let i = 1; i < buttons.length; i++) await user.tab();
    expect(buttons[buttons.length - 1]).toHaveFocus();
    await user.tab();
    expect(buttons[0]).toHaveFocus();
  });
});

describe('invite link', () => {
  const copy = () => screen.getByRole('button', { name: 'Copy invite link' });

  it('copies the link and shows it, selectable, for a host', async () => {
    mockedApi.copyInviteLink.mockResolvedValue('parley://192.168.1.20:41000/0123456789abcdef');
    const { user } = await inRoom(session({ hosting: true }));
    await user.click(copy());
    expect(mockedApi.copyInviteLink).toHaveBeenCalledTimes(1);
    const note = screen.getAllByRole('status').find((el) => el.textContent?.includes('Link copied'))!;
    expect(note).toBeDefined();
    expect(within(note).getByText('parley://192.168.1.20:41000/0123456789abcdef')).toHaveClass('link');
    await user.click(within(note).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('Link copied')).toBeNull();
  });

  it('is there for members too, works from the keyboard, and shows a rejection', async () => {
    mockedApi.copyInviteLink.mockRejectedValueOnce(new Error('No LAN address is known for this room yet.'));
    mockedApi.copyInviteLink.mockResolvedValueOnce('parley://192.168.1.23:41000/r1');
    const { user } = await inRoom(session({ hosting: false }));
    copy().focus();
    await user.keyboard('{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Couldn’t copy an invite link');
    expect(alert).toHaveTextContent('No LAN address is known for this room yet.');
    expect(screen.queryByText('Link copied')).toBeNull();

    await user.keyboard('{Enter}');
    expect(await screen.findByText('parley://192.168.1.23:41000/r1')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(copy()).toHaveFocus();
  });

  it('the confirmation goes by itself', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      mockedApi.copyInviteLink.mockResolvedValue('parley://192.168.1.23:41000/r1');
      const { user } = await inRoom();
      await user.click(copy());
      expect(await screen.findByText('Link copied')).toBeInTheDocument();
      await act(() => vi.advanceTimersByTime(9_000));
      expect(screen.queryByText('Link copied')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
