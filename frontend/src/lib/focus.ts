import type { Attachment } from 'svelte/attachments';

/** autofocus focuses an element as soon as it is mounted ({@attach autofocus}). */
export const autofocus: Attachment<HTMLElement> = (node) => {
  node.focus();
};

/** autoselect focuses an input and selects its text, so typing replaces a suggestion. */
export const autoselect: Attachment<HTMLInputElement> = (node) => {
  node.focus();
  node.select();
};

/** isEditable says whether keys typed into el are text input (so shortcuts should stand back). */
export function isEditable(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

/** isKey matches a letter shortcut by key or, for non-Latin layouts, by physical key. */
export function isKey(e: KeyboardEvent, letter: string): boolean {
  return e.key.toLowerCase() === letter || e.code === `Key${letter.toUpperCase()}`;
}
