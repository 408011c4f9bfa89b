/**
 * The write path (mutations, their toasts and dialogs: `use-note-actions.ts`) loads just
 * after the first paint instead of with it, to keep the first load small. Pages get its
 * actions at once all the same: a call made before it has arrived waits for it, in order.
 */
import { lazy, Suspense, useCallback, useMemo, useState, type ReactNode } from 'react';
import type { NoteActions } from '@/features/notes/components/use-note-actions';
import type { NoteFilters } from '@/features/notes/types';

const NoteActionsHost = lazy(() => import('@/features/notes/components/note-actions-host'));

const NAMES = [
  'create',
  'update',
  'forceUpdate',
  'setStatus',
  'remove',
  'restore',
  'overwrite',
  'saveAsNew',
  'restoreWith',
  'forgetDraft',
] as const satisfies readonly (keyof NoteActions)[];

interface Ready {
  /** The loaded actions, or null until then. */
  get: () => NoteActions | null;
  promise: Promise<NoteActions>;
  set: (actions: NoteActions) => void;
}

function makeReady(): Ready {
  let current: NoteActions | null = null;
  let resolve: (actions: NoteActions) => void = () => undefined;
  const promise = new Promise<NoteActions>((done) => {
    resolve = done;
  });
  return {
    get: () => current,
    promise,
    set: (actions) => {
      current = actions;
      resolve(actions);
    },
  };
}

/** Stable functions that call the loaded actions, now or once they are there. */
function deferredActions(ready: Ready): NoteActions {
  const entries = NAMES.map((name) => {
    const call = (...args: unknown[]) => {
      const run = (actions: NoteActions) => (actions[name] as (...a: unknown[]) => void)(...args);
      const loaded = ready.get();
      if (loaded) run(loaded);
      else void ready.promise.then(run);
    };
    return [name, call] as const;
  });
  return Object.fromEntries(entries) as unknown as NoteActions;
}

/** The page's note actions, and the (invisible) element that loads them: render it once. */
export function useDeferredActions(filters?: NoteFilters): { actions: NoteActions; host: ReactNode } {
  const [ready] = useState(makeReady);
  const actions = useMemo(() => deferredActions(ready), [ready]);
  const onReady = useCallback((loaded: NoteActions) => ready.set(loaded), [ready]);
  const host = (
    <Suspense fallback={null}>
      <NoteActionsHost filters={filters} onReady={onReady} />
    </Suspense>
  );
  return { actions, host };
}
