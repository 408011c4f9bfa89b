import { useEffect, useMemo, useRef, useState } from 'react';
import { LoadFailed } from '@/components/ui/load-failed';
import { StatusPanel } from '@/components/ui/status-panel';
import { useNotes } from '@/features/notes/api/get-notes';
import { NoteCard, NoteCardSkeleton } from '@/features/notes/components/note-card';
import { draftNoteIds } from '@/features/notes/lib/draft-storage';
import { hasFilters } from '@/features/notes/lib/filters';
import { applyPendingOps } from '@/features/notes/lib/pending-ops';
import { flattenPages } from '@/features/notes/lib/versions';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import type { Note, NoteFilters, NoteStatus } from '@/features/notes/types';
import { errorMessage } from '@/lib/api-client';
import { useSessionStore } from '@/stores/session-store';

interface NotesListProps {
  filters: NoteFilters;
  listUrl: string;
  onClearFilters: () => void;
  onCreate: () => void;
  onOpen: (note: Note) => void;
  onEdit: (note: Note) => void;
  onStatus: (note: Note, status: NoteStatus) => void;
  onDelete: (note: Note, viaKeyboard: boolean) => void;
}

export function NotesList({
  filters,
  listUrl,
  onClearFilters,
  onCreate,
  onOpen,
  onEdit,
  onStatus,
  onDelete,
}: NotesListProps) {
  const query = useNotes(filters);
  const ops = useNotesStore((state) => state.ops);
  const view = useNotesStore((state) => state.view);
  const dialog = useNotesStore((state) => state.dialog);
  const userId = useSessionStore((state) => state.user?.id ?? '');
  const notes = useMemo(() => applyPendingOps(flattenPages(query.data), ops, filters), [query.data, ops, filters]);
  // Re-read when a dialog closes or a save is confirmed: that is when a draft is kept or dropped.
  const drafts = useMemo(
    () => (dialog.kind === 'closed' ? draftNoteIds(userId) : new Set<string>()),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dialog, ops, userId],
  );
  const sentinel = useRef<HTMLDivElement>(null);
  // "Updated 3 minutes ago" stays true while the page is open.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const filtered = hasFilters(filters);

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: '400px 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (query.isPending) {
    return (
      <div className="notes-grid" aria-busy="true">
        <p className="visually-hidden" role="status">
          Loading your notes…
        </p>
        {Array.from({ length: 6 }, (_, index) => (
          <NoteCardSkeleton key={index} />
        ))}
      </div>
    );
  }

  if (query.isError && notes.length === 0) {
    return (
      <LoadFailed title="Your notes could not be loaded" error={query.error} onRetry={() => void query.refetch()}>
        <p>Check your connection, then try again. Nothing you saved has been lost.</p>
      </LoadFailed>
    );
  }

  if (notes.length === 0) {
    return filtered ? (
      <StatusPanel
        title="No notes match"
        action={
          <button type="button" className="btn" onClick={onClearFilters}>
            Clear search and filters
          </button>
        }
      >
        <p>No note matches this search or these filters. Try other words, or clear them.</p>
      </StatusPanel>
    ) : (
      <StatusPanel
        title="No notes yet"
        action={
          <button type="button" className="btn btn-primary" onClick={onCreate}>
            Create your first note
          </button>
        }
      >
        <p>Notes you create appear here, newest first.</p>
      </StatusPanel>
    );
  }

  return (
    <>
      {query.isError ? (
        <p className="inline-alert" role="alert">
          Could not refresh your notes ({errorMessage(query.error)}). Showing what was loaded before; it will
          retry on its own.
        </p>
      ) : null}
      <ul className={view === 'list' ? 'notes-rows' : 'notes-grid'} aria-label="Notes">
        {notes.map((note) => (
          <li key={note._id}>
            <NoteCard
              note={note}
              variant={view === 'list' ? 'row' : 'card'}
              now={now}
              hasDraft={drafts.has(note._id)}
              listUrl={listUrl}
              onOpen={onOpen}
              onEdit={onEdit}
              onStatus={onStatus}
              onDelete={onDelete}
            />
          </li>
        ))}
      </ul>
      <div ref={sentinel} className="list-end">
        {hasNextPage ? (
          <button type="button" className="btn" disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
            {isFetchingNextPage ? 'Loading more…' : 'Load more'}
          </button>
        ) : (
          <p className="muted">That is all your notes{filtered ? ' matching these filters' : ''}.</p>
        )}
      </div>
    </>
  );
}
