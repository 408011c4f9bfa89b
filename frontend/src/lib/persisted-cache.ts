/**
 * TanStack Query's cache kept in IndexedDB, with the person it belongs to, so that a reload
 * (offline too) shows what was loaded before. Written as it changes; dropped at sign-out, and
 * never restored for anyone else.
 */
import type { Query, QueryClient, QueryKey } from '@tanstack/react-query';
import { createStore, del, get, set, type UseStore } from 'idb-keyval';

/** Raised whenever what is stored changes shape: older copies are then ignored. */
const FORMAT = 1;
const KEY = 'cache';
/** Older than this, a copy is more likely to mislead than to help. */
const MAX_AGE_MS = 14 * 24 * 3600 * 1000;

/** One query's data and when the server sent it. */
export interface SavedQuery {
  queryKey: QueryKey;
  data: unknown;
  updatedAt: number;
}

export interface PersistedCache<U> {
  format: number;
  user: U;
  savedAt: number;
  queries: SavedQuery[];
}

let idb: UseStore | null = null;
function database(): UseStore {
  idb ??= createStore('notestack-cache', 'queries');
  return idb;
}

/** The stored copy, if there is a usable one. */
export async function loadPersisted<U extends { id: string }>(now: number = Date.now()): Promise<PersistedCache<U> | null> {
  const value = await get<Partial<PersistedCache<U>>>(KEY, database());
  if (!value || value.format !== FORMAT || typeof value.user?.id !== 'string') return null;
  if (typeof value.savedAt !== 'number' || now - value.savedAt > MAX_AGE_MS || !Array.isArray(value.queries)) return null;
  return value as PersistedCache<U>;
}

/**
 * Put a stored copy into the cache: a query the cache already holds newer data for keeps it.
 * (Written with `setQueryData` rather than TanStack's hydrate(), which would come with the
 * first page's code.)
 */
export function restorePersisted(queryClient: QueryClient, saved: PersistedCache<unknown>): void {
  for (const { queryKey, data, updatedAt } of saved.queries) {
    const held = queryClient.getQueryState(queryKey);
    if (data === undefined || (held?.data !== undefined && held.dataUpdatedAt >= updatedAt)) continue;
    queryClient.setQueryData(queryKey, data, { updatedAt });
  }
}

function snapshot(queryClient: QueryClient, keep: (query: Query) => boolean): SavedQuery[] {
  return queryClient
    .getQueryCache()
    .getAll()
    .filter((query) => query.state.status === 'success' && query.state.data !== undefined && keep(query))
    .map((query) => ({ queryKey: query.queryKey, data: query.state.data, updatedAt: query.state.dataUpdatedAt }));
}

/**
 * Keep the cache stored for `user` until the function returned is called (nothing more is
 * written then). A burst of changes is one write, and one write at a time: no timer, which a
 * browser may hold back for seconds in a page it deems in the background.
 */
export function persistQueries<U>(queryClient: QueryClient, user: U, keep: (query: Query) => boolean): () => void {
  let stopped = false;
  let dirty = false;
  let busy = false;
  const write = async () => {
    busy = true;
    while (dirty && !stopped) {
      dirty = false;
      const value: PersistedCache<U> = { format: FORMAT, user, savedAt: Date.now(), queries: snapshot(queryClient, keep) };
      await set(KEY, value, database()).catch(() => undefined); // storage refused: the page works, unsaved
    }
    busy = false;
  };
  const changed = () => {
    dirty = true;
    // After the current task (the rest of a burst), unless a write is on its way (it loops).
    if (!busy) queueMicrotask(() => void (busy ? undefined : write()));
  };
  const unsubscribe = queryClient.getQueryCache().subscribe((event) => {
    if (event.type === 'updated' && event.action.type !== 'success' && event.action.type !== 'setState') return;
    if (event.type === 'updated' || event.type === 'removed' || event.type === 'added') changed();
  });
  changed();
  return () => {
    stopped = true;
    unsubscribe();
  };
}

/** Sign-out: the stored copy goes. */
export async function clearPersisted(): Promise<void> {
  await del(KEY, database());
}
