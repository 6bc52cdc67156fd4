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

/**
 * keepTabInside keeps Tab and Shift+Tab cycling through the elements of box
 * that match selector, as a modal should: past the last comes the first,
 * and before the first (or the box itself, when it has focus) the last.
 */
export function keepTabInside(e: KeyboardEvent, box: HTMLElement, selector: string): void {
  if (e.key !== 'Tab') return;
  const focusable = [...box.querySelectorAll<HTMLElement>(selector)];
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (e.shiftKey && (document.activeElement === first || document.activeElement === box)) {
    e.preventDefault();
    last?.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first?.focus();
  }
}
