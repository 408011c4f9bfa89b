/**
 * Keyboard shortcuts: which key a keydown means, and never while the person is typing.
 */
/** The keys the notes pages answer (what each does: the help sheet, `shortcuts-dialog.tsx`). */
export const SHORTCUT_KEYS = ['n', '/', 'j', 'k', 'Enter', 'e', 'x', '#', 'z', '?'] as const;

export type ShortcutKey = (typeof SHORTCUT_KEYS)[number];

const KEYS = new Set<string>(SHORTCUT_KEYS);
const NOT_TYPED_INTO = new Set(['button', 'checkbox', 'radio', 'submit', 'reset', 'image', 'file', 'color', 'range']);

/** True when keys pressed now are text going into a field (or a control that uses them). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const element = target as HTMLElement;
  if (element.isContentEditable || element.closest('[contenteditable=""], [contenteditable="true"]')) return true;
  const tag = element.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NOT_TYPED_INTO.has((element as HTMLInputElement).type);
  return false;
}

interface KeyEventLike {
  key: string;
  target: EventTarget | null;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  isComposing?: boolean;
  defaultPrevented: boolean;
}

/**
 * The shortcut a keydown is, or null: not while typing in a field, composing text, holding
 * Ctrl/⌘/Alt (the browser's own shortcuts), nor while a modal dialog is open.
 */
export function shortcutFor(event: KeyEventLike, modalOpen: boolean): ShortcutKey | null {
  if (event.defaultPrevented || event.isComposing) return null;
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (modalOpen || isTypingTarget(event.target)) return null;
  return KEYS.has(event.key) ? (event.key as ShortcutKey) : null;
}
