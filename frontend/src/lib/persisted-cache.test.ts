import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { restorePersisted, type PersistedCache } from '@/lib/persisted-cache';

function saved(queries: PersistedCache<unknown>['queries']): PersistedCache<unknown> {
  return { format: 1, user: { id: 'u1' }, savedAt: 1_000, queries };
}

describe('restorePersisted', () => {
  it('fills the cache from the saved copy, with the time the server sent each answer', () => {
    const client = new QueryClient();
    restorePersisted(client, saved([{ queryKey: ['notes', 'detail', 'a'], data: { title: 'Saved' }, updatedAt: 500 }]));
    expect(client.getQueryData(['notes', 'detail', 'a'])).toEqual({ title: 'Saved' });
    expect(client.getQueryState(['notes', 'detail', 'a'])?.dataUpdatedAt).toBe(500);
  });

  it('keeps what the cache already has that is newer (an answer that came first)', () => {
    const client = new QueryClient();
    client.setQueryData(['notes', 'detail', 'a'], { title: 'Fresh' }, { updatedAt: 900 });
    restorePersisted(
      client,
      saved([
        { queryKey: ['notes', 'detail', 'a'], data: { title: 'Saved' }, updatedAt: 500 },
        { queryKey: ['notes', 'detail', 'b'], data: undefined, updatedAt: 500 },
      ]),
    );
    expect(client.getQueryData(['notes', 'detail', 'a'])).toEqual({ title: 'Fresh' });
    expect(client.getQueryState(['notes', 'detail', 'b'])).toBeUndefined();
  });
});
