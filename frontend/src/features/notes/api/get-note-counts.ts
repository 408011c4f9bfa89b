import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { notesKeys } from '@/features/notes/lib/query-keys';
import type { NoteCounts, NoteFilters } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';
import type { QueryParams, ResponseBody } from '@/types/api';

type CountsFilters = Pick<NoteFilters, 'q' | 'status' | 'priority'>;

/** How many notes each status and priority has under the other filters (each facet ignores its own). */
export async function getNoteCounts(filters: CountsFilters, signal?: AbortSignal): Promise<NoteCounts> {
  const query: QueryParams<'/api/v1/note/counts', 'get'> = {};
  if (filters.status) query.status = filters.status;
  if (filters.priority) query.priority = filters.priority;
  if (filters.q.trim()) query.q = filters.q.trim();
  const params = new URLSearchParams(Object.entries(query).map(([name, value]) => [name, String(value)]));
  const response = await apiRequest<ResponseBody<'/api/v1/note/counts', 'get'>>(`/note/counts?${params.toString()}`, {
    signal,
  });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.counts;
}

export function useNoteCounts({ q, status, priority }: CountsFilters) {
  const filters = { q: q.trim(), status, priority };
  return useQuery({
    queryKey: notesKeys.counts(filters),
    queryFn: ({ signal }) => getNoteCounts(filters, signal),
    // While the next filters' counts load, the last ones stay (no flicker to nothing).
    placeholderData: keepPreviousData,
  });
}
