import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { PAGE_SIZE } from '@/config/limits';
import { notesKeys } from '@/features/notes/lib/query-keys';
import { mergeFetchedNotes, type NotesData } from '@/features/notes/lib/versions';
import type { NoteFilters, NotesPage, NotesQuery, NotesResponse } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';

export function notesSearchParams(
  filters: NoteFilters,
  cursor: string | null,
  limit: number = PAGE_SIZE,
): URLSearchParams {
  const query: NotesQuery = { limit };
  if (cursor) query.cursor = cursor;
  if (filters.status) query.status = filters.status;
  if (filters.priority) query.priority = filters.priority;
  const q = filters.q.trim();
  if (q) query.q = q;
  if (filters.sort) query.sort = filters.sort;
  if (filters.order) query.order = filters.order;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.set(name, String(value));
  }
  return params;
}

/**
 * One page of a list. The copy the cache holds (`held`) validates the request: its ETag goes
 * into If-None-Match, and a 304 keeps it as it is.
 */
export async function getNotesPage(
  filters: NoteFilters,
  cursor: string | null,
  held?: NotesPage,
  signal?: AbortSignal,
  limit?: number,
): Promise<NotesPage> {
  const url = `/note?${notesSearchParams(filters, cursor, limit).toString()}`;
  const headers: Record<string, string> = held?.etag ? { 'If-None-Match': held.etag } : {};
  let response = await apiRequest<NotesResponse>(url, { signal, headers });
  if (response.status === 304) {
    if (held) return held;
    response = await apiRequest<NotesResponse>(url, { signal });
  }
  return {
    notes: mergeFetchedNotes(held?.notes, response.data?.notes ?? []),
    nextCursor: response.data?.nextCursor ?? null,
    etag: response.headers.get('ETag') ?? undefined,
  };
}

/** A list by its filters and sort; `limit`: notes a page (the board asks for the most). */
export function notesQueryOptions(filters: NoteFilters, limit?: number) {
  return infiniteQueryOptions<NotesPage, Error, NotesData, ReturnType<typeof notesKeys.list>, string | null>({
    queryKey: notesKeys.list(filters),
    queryFn: ({ pageParam, signal, client, queryKey }) => {
      const data = client.getQueryData<NotesData>(queryKey);
      const index = data ? data.pageParams.indexOf(pageParam) : -1;
      return getNotesPage(filters, pageParam, data?.pages[index], signal, limit);
    },
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
}

export function useNotes(filters: NoteFilters, limit?: number, enabled = true) {
  return useInfiniteQuery({ ...notesQueryOptions(filters, limit), enabled });
}
