import { Suspense, useCallback, useEffect, useMemo, useRef } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { noteUrl } from '@/config/paths';
import { focusedNoteId, focusNote, shownNoteIds } from '@/features/notes/components/focus';
import { FullPageLoading } from '@/components/ui/spinner';
import { NoteDialogs, NotesBoard, preloadNoteParts } from '@/features/notes/components/lazy-parts';
import { NotesFilters } from '@/features/notes/components/notes-filters';
import { NotesList } from '@/features/notes/components/notes-list';
import { useDeferredActions } from '@/features/notes/components/use-deferred-actions';
import { useShortcuts } from '@/features/notes/components/use-shortcuts';
import { latestNote } from '@/features/notes/lib/versions';
import { filtersFromSearchParams, NO_FILTERS } from '@/features/notes/lib/filters';
import { applyOpsToNote } from '@/features/notes/lib/pending-ops';
import { useNotesStore, type NotesView } from '@/features/notes/stores/notes-store';
import type { Note, NoteFilters } from '@/features/notes/types';
import { toast } from '@/stores/toast-store';
import { useQueryClient } from '@tanstack/react-query';

/** Filters live in the URL so that a search is bookmarkable and survives a reload. */
function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const filters = useMemo(() => filtersFromSearchParams(params), [query]);
  const setFilters = useCallback(
    (next: Partial<NoteFilters>, options?: { replace?: boolean }) => {
      setParams(
        (current) => {
          const updated = new URLSearchParams(current);
          for (const [key, value] of Object.entries(next)) {
            if (value) updated.set(key, value);
            else updated.delete(key);
          }
          return updated;
        },
        { replace: options?.replace ?? false },
      );
    },
    [setParams],
  );
  return [filters, setFilters] as const;
}

const VIEWS: { value: NotesView; label: string }[] = [
  { value: 'grid', label: 'Cards' },
  { value: 'list', label: 'List' },
  { value: 'board', label: 'Board' },
];

export function NotesPage() {
  const [filters, setFilters] = useUrlFilters();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const dialogOpen = useNotesStore((state) => state.dialog.kind !== 'closed');
  const openDialog = useNotesStore((state) => state.openDialog);
  const view = useNotesStore((state) => state.view);
  const setView = useNotesStore((state) => state.setView);
  const { actions, host } = useDeferredActions(filters);
  const { setStatus, remove } = actions;
  const searchRef = useRef<HTMLInputElement>(null);
  const listUrl = `${location.pathname}${location.search}`;

  useEffect(() => preloadNoteParts(), []);

  const onOpen = useCallback(
    (note: Note) => navigate(noteUrl(note._id), { state: { back: listUrl } }),
    [navigate, listUrl],
  );
  const onEdit = useCallback((note: Note) => openDialog({ kind: 'edit', note }), [openDialog]);
  const onCreate = useCallback(() => openDialog({ kind: 'create' }), [openDialog]);
  const onDelete = useCallback((note: Note, viaKeyboard: boolean) => remove(note, { viaKeyboard }), [remove]);
  const clearFilters = useCallback(() => setFilters(NO_FILTERS), [setFilters]);

  /** The note whose card has the focus, as it is shown now (unconfirmed changes included). */
  const current = (): Note | undefined => {
    const id = focusedNoteId();
    const note = id ? latestNote(queryClient, id) : undefined;
    return (note && applyOpsToNote(note, useNotesStore.getState().ops)) ?? undefined;
  };
  const move = (step: number) => {
    const ids = shownNoteIds();
    if (ids.length === 0) return;
    const index = ids.indexOf(focusedNoteId() ?? '');
    const next = index < 0 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, index + step));
    focusNote(ids[next] ?? null);
    document.activeElement?.scrollIntoView({ block: 'nearest' });
  };

  useShortcuts({
    n: onCreate,
    '/': () => searchRef.current?.focus(),
    j: () => move(1),
    k: () => move(-1),
    e: () => {
      const note = current();
      if (note) onEdit(note);
    },
    x: () => {
      const note = current();
      if (note) setStatus(note, note.status === 'Done' ? 'Pending' : 'Done');
    },
    '#': () => {
      const note = current();
      if (note) remove(note, { viaKeyboard: true });
    },
    z: () => void toast.act('Undo'),
    '?': () => openDialog({ kind: 'shortcuts' }),
  });

  return (
    <>
      <div className="board-toolbar">
        <h1>Your notes</h1>
        <div className="toolbar-actions">
          <div className="segmented" role="group" aria-label="View">
            {VIEWS.map(({ value, label }) => (
              <button
                key={value}
                type="button"
                className="segment"
                aria-pressed={view === value}
                onClick={() => setView(value)}
              >
                {label}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="btn btn-ghost"
            aria-keyshortcuts="?"
            onClick={() => openDialog({ kind: 'shortcuts' })}
          >
            Shortcuts
          </button>
          <button type="button" className="btn btn-primary" aria-keyshortcuts="n" onClick={onCreate}>
            New note
          </button>
        </div>
      </div>
      <NotesFilters filters={filters} onChange={setFilters} searchRef={searchRef} sortable={view !== 'board'} />
      {view === 'board' ? (
        <Suspense fallback={<FullPageLoading label="Loading the board…" />}>
          <NotesBoard
            filters={filters}
            listUrl={listUrl}
            onOpen={onOpen}
            onEdit={onEdit}
            onStatus={setStatus}
            onDelete={onDelete}
            onMove={actions.update}
          />
        </Suspense>
      ) : (
        <NotesList
          filters={filters}
          listUrl={listUrl}
          onClearFilters={clearFilters}
          onCreate={onCreate}
          onOpen={onOpen}
          onEdit={onEdit}
          onStatus={setStatus}
          onDelete={onDelete}
        />
      )}
      {host}
      {dialogOpen ? (
        <Suspense fallback={null}>
          <NoteDialogs actions={actions} />
        </Suspense>
      ) : null}
    </>
  );
}
