import { useLayoutEffect, useRef } from 'react';
import { shortcutFor, type ShortcutKey } from '@/features/notes/lib/shortcuts';

type Handlers = Partial<Record<ShortcutKey, (event: KeyboardEvent) => void>>;

/**
 * Page-wide keyboard shortcuts; a key with a handler is taken (default prevented). Attached
 * (and kept current) before the page is painted, so a key pressed as soon as it shows works.
 */
export function useShortcuts(handlers: Handlers): void {
  const latest = useRef(handlers);
  useLayoutEffect(() => {
    latest.current = handlers;
  });
  useLayoutEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const key = shortcutFor(event, document.querySelector('dialog[open]') !== null);
      const handler = key ? latest.current[key] : undefined;
      if (!handler) return;
      event.preventDefault();
      handler(event);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
