import { describe, expect, it } from 'vitest';
import { keepTabInside } from './focus';

function panel() {
  const box = document.createElement('div');
  box.tabIndex = -1;
  box.innerHTML = '<button>a</button><button disabled>b</button><button>c</button>';
  document.body.replaceChildren(box);
  const [a, , c] = [...box.querySelectorAll('button')];
  return { box, a, c };
}

function tab(box: HTMLElement, shiftKey = false) {
  const e = new KeyboardEvent('keydown', { key: 'Tab', shiftKey, cancelable: true });
  keepTabInside(e, box, 'button:not(:disabled)');
  return e.defaultPrevented;
}

describe('keepTabInside', () => {
  it('wraps Tab from the last element to the first', () => {
    const { box, a, c } = panel();
    c.focus();
    expect(tab(box)).toBe(true);
    expect(document.activeElement).toBe(a);
  });

  it('wraps Shift+Tab from the first element, or from the box, to the last', () => {
    const { box, a, c } = panel();
    a.focus();
    expect(tab(box, true)).toBe(true);
    expect(document.activeElement).toBe(c);
    box.focus();
    expect(tab(box, true)).toBe(true);
    expect(document.activeElement).toBe(c);
  });

  it('leaves Tab between elements and other keys to the browser', () => {
    const { box, a } = panel();
    a.focus();
    expect(tab(box)).toBe(false);
    const e = new KeyboardEvent('keydown', { key: 'Enter', cancelable: true });
    keepTabInside(e, box, 'button:not(:disabled)');
    expect(e.defaultPrevented).toBe(false);
    expect(document.activeElement).toBe(a);
  });
});
