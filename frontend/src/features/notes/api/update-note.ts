import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { queueOnNetworkFailure, queueOp, shouldQueue } from '@/features/notes/api/outbox-queue';
import { forgetNote, revalidateNotes, writeNote } from '@/features/notes/lib/cache';
import { newIdempotencyKey, nextSeq, rebaseOps } from '@/features/notes/lib/outbox';
import { findOp, newOpId, useNotesStore } from '@/features/notes/stores/notes-store';
import type { ConflictBody, Note, NoteChange, NoteInput, NoteUpdateBody } from '@/features/notes/types';
import { ApiError, apiRequest } from '@/lib/api-client';
import type { ResponseBody } from '@/types/api';

/**
 * PATCH a note. `version` is the one the change was made from: when the note has moved on
 * since, the server merges the change if the fields it sets were not changed meanwhile (or
 * were set to the same values), and answers 412 with the conflicting fields otherwise. `key`:
 * the Idempotency-Key (sent again with it, the change is made once).
 */
export async function updateNote(noteId: string, patch: NoteChange, version: number, key?: string): Promise<Note> {
  const headers: Record<string, string> = { 'If-Match': `"${version}"` };
  if (key) headers['Idempotency-Key'] = key;
  const response = await apiRequest<ResponseBody<'/api/v1/note/{note_id}/edit', 'patch'>>(
    `/note/${encodeURIComponent(noteId)}/edit`,
    { method: 'PATCH', body: patch satisfies NoteUpdateBody, headers },
  );
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.note;
}

function conflictBody(error: unknown): ConflictBody | null {
  if (!(error instanceof ApiError) || error.status !== 412) return null;
  const body = error.body;
  if (typeof body !== 'object' || body === null || !('note' in body)) return null;
  const { note } = body as { note: unknown };
  return typeof note === 'object' && note !== null && '_id' in note ? (body as ConflictBody) : null;
}

/** The server's current note from a 412 answer, if it sent one. */
export function conflictNote(error: unknown): Note | null {
  return conflictBody(error)?.note ?? null;
}

/** The fields a 412 says were changed elsewhere to other values (none: the version alone). */
export function conflictFields(error: unknown): string[] {
  const conflicts = conflictBody(error)?.conflicts;
  return Array.isArray(conflicts) ? conflicts.filter((field) => typeof field === 'string') : [];
}

export interface UpdateVariables {
  note: Note;
  patch: NoteChange;
  opId: string;
  /** The full form contents when the change came from a form. */
  draft?: NoteInput;
  /** Send exactly this version (overwrite after a conflict). */
  forceVersion?: number;
}

interface UseUpdateNoteOptions {
  onSuccess?: (saved: Note, variables: UpdateVariables) => void;
  /** After the rollback; `conflictNote(error)` is the server's copy on a 412. */
  onError?: (error: unknown, variables: UpdateVariables) => void;
  /** Kept in the outbox (offline, or no answer came): it is sent when the network is back. */
  onQueued?: (variables: UpdateVariables) => void;
}

/**
 * Edit: shown at once (pending), confirmed by the server's answer or rolled back. Offline (or
 * when no answer comes) it waits in the outbox instead, still shown.
 */
export function useUpdateNote({ onSuccess, onError, onQueued }: UseUpdateNoteOptions = {}) {
  const queryClient = useQueryClient();
  const { mutate } = useMutation({
    // A tab's note writes are sent one after another, in the order they were made.
    scope: { id: 'notes-write' },
    mutationFn: ({ note, patch, forceVersion, opId }: UpdateVariables) => {
      const op = findOp(opId);
      const base = op?.kind === 'update' ? op.baseVersion : note.version;
      return updateNote(note._id, patch, forceVersion ?? base, op?.kind === 'update' ? op.key : undefined);
    },
    onSuccess: (saved, variables) => {
      writeNote(queryClient, saved);
      // Changes to it still waiting were made on top of this one: they are based on it now.
      useNotesStore.setState((state) => ({
        ops: rebaseOps(
          state.ops.filter((op) => op.opId !== variables.opId),
          saved._id,
          saved.version,
        ),
      }));
      void revalidateNotes(queryClient);
      onSuccess?.(saved, variables);
    },
    onError: (error, variables) => {
      if (queueOnNetworkFailure(variables.opId, error)) {
        onQueued?.(variables);
        return;
      }
      useNotesStore.getState().removeOp(variables.opId);
      const theirs = conflictNote(error);
      if (theirs) writeNote(queryClient, theirs);
      if (error instanceof ApiError && error.status === 404) forgetNote(queryClient, variables.note._id);
      void revalidateNotes(queryClient);
      onError?.(error, variables);
    },
  });

  return useCallback(
    (note: Note, patch: NoteChange, options: { draft?: NoteInput; forceVersion?: number } = {}) => {
      const opId = newOpId('update');
      const {
        pending: _pending,
        queued: _queued,
        highlights: _highlights,
        ...base
      } = note as Note & { pending?: boolean; queued?: boolean; highlights?: unknown };
      useNotesStore.getState().addOp({
        opId,
        kind: 'update',
        noteId: note._id,
        patch,
        base,
        baseVersion: options.forceVersion ?? note.version,
        key: newIdempotencyKey(),
        seq: nextSeq(),
      });
      const variables = { note: base, patch, opId, ...options };
      if (shouldQueue()) {
        queueOp(opId);
        onQueued?.(variables);
        return;
      }
      mutate(variables);
    },
    [mutate, onQueued],
  );
}
