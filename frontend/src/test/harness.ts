// Shared wiring for component tests: $lib/api and $lib/events are mocked in each
// test file with vi.mock; this module gives typed access to those mocks and an
// emit() that delivers an event the way the Wails runtime would.
import { vi } from 'vitest';
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
