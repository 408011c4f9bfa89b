/**
 * Delayed deletes: the card disappears at once, the DELETE request is sent only when the
 * undo window ends (or the page is hidden or unloaded); undo cancels it before it is sent.
 */
type Run = () => Promise<void>;

const scheduled = new Map<string, { timer: ReturnType<typeof setTimeout>; run: Run }>();

export function scheduleDelete(key: string, run: Run, delayMs: number): void {
  cancelDelete(key);
  const timer = setTimeout(() => {
    scheduled.delete(key);
    void run();
  }, delayMs);
  scheduled.set(key, { timer, run });
}

/** Returns true if the delete had not been sent yet (and now never will be). */
export function cancelDelete(key: string): boolean {
  const entry = scheduled.get(key);
  if (!entry) return false;
  clearTimeout(entry.timer);
  scheduled.delete(key);
  return true;
}

/** Send every scheduled delete now (page hidden, unloading, or signing out). */
export function flushDeletes(): Promise<void> {
  const runs = [...scheduled.values()];
  scheduled.clear();
  return Promise.all(
    runs.map(({ timer, run }) => {
      clearTimeout(timer);
      return run();
    }),
  ).then(() => undefined);
}

export function isDeleteScheduled(key: string): boolean {
  return scheduled.has(key);
}

let installed = false;

/** Make sure a hidden or closing page still sends the deletes it promised. */
export function installDeleteFlushOnHide(): void {
  if (installed || typeof window === 'undefined') return;
  installed = true;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void flushDeletes();
  });
  window.addEventListener('pagehide', () => void flushDeletes());
}
