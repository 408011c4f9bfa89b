import { useInfiniteQuery, type InfiniteData } from '@tanstack/react-query';
import { PAGE_SIZE } from '@/config/limits';
import { notesKeys } from '@/features/notes/lib/query-keys';
import type { TrashResponse } from '@/features/notes/types';
import { apiRequest } from '@/lib/api-client';

export type TrashPage = Pick<TrashResponse, 'notes' | 'nextCursor'>;

/** One page of the trash, most recently deleted first. */
export async function getTrashPage(cursor: string | null, signal?: AbortSignal): Promise<TrashPage> {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor) params.set('cursor', cursor);
  const response = await apiRequest<TrashResponse>(`/note/trash?${params.toString()}`, { signal });
  return { notes: response.data?.notes ?? [], nextCursor: response.data?.nextCursor ?? null };
}

export function useTrash() {
  return useInfiniteQuery<TrashPage, Error, InfiniteData<TrashPage, string | null>, readonly string[], string | null>({
    queryKey: notesKeys.trash(),
    queryFn: ({ pageParam, signal }) => getTrashPage(pageParam, signal),
    initialPageParam: null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
