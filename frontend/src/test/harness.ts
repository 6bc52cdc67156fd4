// Shared wiring for component tests: $lib/api and $lib/events are mocked in each
// test file with vi.mock; this module gives typed access to those mocks and an
// emit() that delivers an event the way the Wails runtime would.
import { onTestFinished, vi } from 'vitest';
import { act, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import * as api from '$lib/api';
import * as events from '$lib/events';
import type { EventMap, Handlers } from '$lib/events';
import App from '../App.svelte';

export const mockedApi = vi.mocked(api);
export const mockedEvents = vi.mocked(events);

/** handlers holds what the app passed to subscribe(); emit() calls them. */
export const handlers: Handlers = {};

export function installEventBus() {
  for (const k of Object.keys(handlers)) delete handlers[k as keyof Handlers];
  mockedEvents.subscribe.mockImplementation((h) => {
    Object.assign(handlers, h);
    return () => {
      for (const k of Object.keys(h)) delete handlers[k as keyof Handlers];
    };
  });
}

export async function emit<K extends keyof EventMap>(name: K, payload: EventMap[K]) {
  const h = handlers[name] as ((p: EventMap[K]) => void) | undefined;
  if (!h) throw new Error(`nobody subscribed to ${name}`);
  await act(() => h(payload));
}

/** renderApp renders the whole app and waits for its first screen. */
export async function renderApp() {
  const user = userEvent.setup();
  const result = render(App);
  await waitFor(() => {
    if (result.container.querySelector('[data-loading]')) throw new Error('still loading');
  });
  return { user, ...result };
}

export { screen };

/**
 * fakeLayout gives the timeline the layout jsdom lacks, for the rest of the test:
 * every <li> in a .scroller is one line of lineHeight px, the scroller shows view px,
 * scrollTop is kept (and clamped), and getBoundingClientRect puts each line where it
 * would be on screen. Setting scrollTop fires no scroll event; use fireEvent.scroll.
 */
export function fakeLayout(lineHeight = 40, view = 400) {
  const tops = new WeakMap<Element, number>();
  const isScroller = (el: Element) => el.classList.contains('scroller');
  const lines = (el: Element) => el.querySelectorAll('li').length;
  const content = (el: Element) => Math.max(view, lines(el) * lineHeight);
  const props: Record<string, PropertyDescriptor> = {
    scrollHeight: {
      get(this: Element) {
        return isScroller(this) ? content(this) : 0;
      },
    },
    clientHeight: {
      get(this: Element) {
        return isScroller(this) ? view : 0;
      },
    },
    scrollTop: {
      get(this: Element) {
        return tops.get(this) ?? 0;
      },
      set(this: Element, v: number) {
        tops.set(this, isScroller(this) ? Math.min(Math.max(0, v), content(this) - view) : 0);
      },
    },
    getBoundingClientRect: {
      value(this: Element) {
        const scroller = this.closest('.scroller');
        if (!scroller || this.tagName !== 'LI') return new DOMRect();
        const i = [...scroller.querySelectorAll('li')].indexOf(this as HTMLLIElement);
        return new DOMRect(0, i * lineHeight - scroller.scrollTop, 600, lineHeight);
      },
    },
  };
  const saved = Object.keys(props).map((k) => [k, Object.getOwnPropertyDescriptor(Element.prototype, k)!] as const);
  for (const [k, d] of Object.entries(props)) Object.defineProperty(Element.prototype, k, { ...d, configurable: true });
  onTestFinished(() => {
    for (const [k, d] of saved) Object.defineProperty(Element.prototype, k, d);
  });
}
