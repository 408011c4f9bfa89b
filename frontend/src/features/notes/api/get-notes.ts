import { useInfiniteQuery } from '@tanstack/react-query';
import { LIMITS } from '@/config/limits';
import { notesListKey } from '@/features/notes/lib/cache';
import type { NotesData } from '@/features/notes/lib/list-patch';
import type { NoteFilters, NotesPage } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';

interface NotesResponse {
  notes: NotesPage['notes'];
  nextCursor: string | null;
}

/** Last ETag (and the page it validated) per list query and cursor. */
const validators = new Map<string, { etag: string; page: NotesPage }>();

export function clearNotesValidators(): void {
  validators.clear();
}

export function notesSearchParams(filters: NoteFilters, cursor: string | null): URLSearchParams {
  const params = new URLSearchParams({ limit: String(LIMITS.pageSize) });
  if (cursor) params.set('cursor', cursor);
  if (filters.status) params.set('status', filters.status);
  if (filters.priority) params.set('priority', filters.priority);
  const q = filters.q.trim();
  if (q) params.set('q', q);
  return params;
}

export async function getNotesPage(
  filters: NoteFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<NotesPage> {
  const query = notesSearchParams(filters, cursor).toString();
  const cached = validators.get(query);
  const headers: Record<string, string> = cached ? { 'If-None-Match': cached.etag } : {};
  let response = await apiRequest<NotesResponse>(`/note?${query}`, { signal, headers });
  if (response.status === 304) {
    if (cached) return cached.page;
    response = await apiRequest<NotesResponse>(`/note?${query}`, { signal });
  }
  const page: NotesPage = {
    notes: response.data?.notes ?? [],
    nextCursor: response.data?.nextCursor ?? null,
  };
  const etag = response.headers.get('ETag');
  if (etag) validators.set(query, { etag, page });
  else validators.delete(query);
  return page;
}

export function useNotes(filters: NoteFilters) {
  return useInfiniteQuery<
    NotesPage,
    Error,
    NotesData,
    ReturnType<typeof notesListKey>,
    string | null
  >({
    queryKey: notesListKey(filters),
    queryFn: ({ pageParam, signal }) => getNotesPage(filters, pageParam, signal),
    initialPageParam: null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
  });
}
