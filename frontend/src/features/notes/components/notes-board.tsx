import { useCallback, useEffect, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { useCreateNote } from '@/features/notes/api/create-note';
import { useDeleteNote } from '@/features/notes/api/delete-note';
import { getNote } from '@/features/notes/api/get-note';
import { useUpdateNote } from '@/features/notes/api/update-note';
import { ConflictDialog } from '@/features/notes/components/conflict-dialog';
import { NoteFormDialog } from '@/features/notes/components/note-form-dialog';
import { NotesFilters } from '@/features/notes/components/notes-filters';
import { NotesList } from '@/features/notes/components/notes-list';
import { writeNoteToLists } from '@/features/notes/lib/cache';
import { installDeleteFlushOnHide } from '@/features/notes/lib/delete-scheduler';
import { useNoteDialogStore } from '@/features/notes/stores/note-dialog-store';
import {
  isNotePriority,
  isNoteStatus,
  type Note,
  type NoteFilters,
} from '@/features/notes/types';
import { useQueryClient } from '@tanstack/react-query';

/** Filters live in the URL so that a search is bookmarkable and survives a reload. */
function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const statusParam = params.get('status');
  const priorityParam = params.get('priority');
  const filters = useMemo<NoteFilters>(
    () => ({
      q,
      status: isNoteStatus(statusParam) ? statusParam : '',
      priority: isNotePriority(priorityParam) ? priorityParam : '',
    }),
    [q, statusParam, priorityParam],
  );
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

export function NotesBoard() {
  const [filters, setFilters] = useUrlFilters();
  const hasFilters = Boolean(filters.q || filters.status || filters.priority);
  const dialog = useNoteDialogStore((state) => state.dialog);
  const openDialog = useNoteDialogStore((state) => state.open);
  const closeDialog = useNoteDialogStore((state) => state.close);
  const queryClient = useQueryClient();
  const createNote = useCreateNote();
  const updateNote = useUpdateNote();
  const deleteNote = useDeleteNote();

  useEffect(() => installDeleteFlushOnHide(), []);

  const onEdit = useCallback((note: Note) => openDialog({ kind: 'edit', note }), [openDialog]);
  const onStatus = useCallback(
    (note: Note, status: Note['status']) => updateNote(note, { status }),
    [updateNote],
  );
  const onCreate = useCallback(() => openDialog({ kind: 'create' }), [openDialog]);
  const clearFilters = useCallback(
    () => setFilters({ q: '', status: '', priority: '' }),
    [setFilters],
  );

  return (
    <>
      <div className="board-toolbar">
        <h1>Your notes</h1>
        <button type="button" className="btn btn-primary" onClick={onCreate}>
          New note
        </button>
      </div>
      <NotesFilters filters={filters} onChange={setFilters} />
      <NotesList
        filters={filters}
        hasFilters={hasFilters}
        onClearFilters={clearFilters}
        onCreate={onCreate}
        onEdit={onEdit}
        onStatus={onStatus}
        onDelete={deleteNote}
      />
      {dialog.kind === 'create' || dialog.kind === 'edit' ? (
        <NoteFormDialog
          key={dialog.kind === 'edit' ? `edit-${dialog.note._id}` : 'create'}
          note={dialog.kind === 'edit' ? dialog.note : undefined}
          draft={dialog.draft}
          serverError={dialog.serverError}
          onCreate={createNote}
          onUpdate={(note, patch, draft) => updateNote(note, patch, { draft })}
          onClose={closeDialog}
        />
      ) : null}
      {dialog.kind === 'conflict' ? (
        <ConflictDialog
          theirs={dialog.theirs}
          patch={dialog.patch}
          onClose={closeDialog}
          onReloadTheirs={() => {
            closeDialog();
            getNote(dialog.theirs._id)
              .then((note) => writeNoteToLists(queryClient, note))
              .catch(() => undefined);
          }}
          onOverwrite={() => {
            closeDialog();
            updateNote(dialog.theirs, dialog.patch, { forceVersion: dialog.theirs.version });
          }}
        />
      ) : null}
    </>
  );
}
