import { describe, expect, it } from 'vitest';
import { isTypingTarget, shortcutFor } from '@/features/notes/lib/shortcuts';

function key(keyName: string, target: EventTarget | null = document.body, extra: object = {}) {
  return { key: keyName, target, ctrlKey: false, metaKey: false, altKey: false, defaultPrevented: false, ...extra };
}

function element(html: string): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = html;
  document.body.append(host);
  return host.firstElementChild as HTMLElement;
}

describe('shortcuts guard', () => {
  it('knows fields that take typing from controls that do not', () => {
    expect(isTypingTarget(element('<input type="text">'))).toBe(true);
    expect(isTypingTarget(element('<input type="search">'))).toBe(true);
    expect(isTypingTarget(element('<input>'))).toBe(true);
    expect(isTypingTarget(element('<textarea></textarea>'))).toBe(true);
    expect(isTypingTarget(element('<select><option>a</option></select>'))).toBe(true);
    expect(isTypingTarget(element('<div contenteditable="true"><b>x</b></div>').firstElementChild)).toBe(true);
    expect(isTypingTarget(element('<input type="checkbox">'))).toBe(false);
    expect(isTypingTarget(element('<button>b</button>'))).toBe(false);
    expect(isTypingTarget(element('<article tabindex="-1"></article>'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });

  it('maps keys to shortcuts, never while typing, with modifiers, or under a dialog', () => {
    expect(shortcutFor(key('n'), false)).toBe('n');
    expect(shortcutFor(key('#'), false)).toBe('#');
    expect(shortcutFor(key('?'), false)).toBe('?');
    expect(shortcutFor(key('Enter'), false)).toBe('Enter');
    expect(shortcutFor(key('q'), false)).toBeNull();
    expect(shortcutFor(key('N'), false)).toBeNull();
    expect(shortcutFor(key('n', element('<input type="text">')), false)).toBeNull();
    expect(shortcutFor(key('/', element('<textarea></textarea>')), false)).toBeNull();
    expect(shortcutFor(key('n', document.body, { ctrlKey: true }), false)).toBeNull();
    expect(shortcutFor(key('k', document.body, { metaKey: true }), false)).toBeNull();
    expect(shortcutFor(key('j', document.body, { isComposing: true }), false)).toBeNull();
    expect(shortcutFor(key('j', document.body, { defaultPrevented: true }), false)).toBeNull();
    expect(shortcutFor(key('n'), true)).toBeNull();
  });
});
