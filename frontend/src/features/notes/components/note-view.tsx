import '@/features/notes/components/note-view.css';
import { Suspense, useCallback, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { FullPageLoading } from '@/components/ui/spinner';
import { StatusPanel } from '@/components/ui/status-panel';
import { noteHistoryUrl, paths } from '@/config/paths';
import { useNote } from '@/features/notes/api/get-note';
import { DiscardDialog } from '@/features/notes/components/discard-dialog';
import { LazyNoteForm, Markdown, NoteDialogs } from '@/features/notes/components/lazy-parts';
import { NoteLoadFailed } from '@/features/notes/components/note-load-failed';
import { useGuardedClose } from '@/features/notes/components/use-guarded-close';
import { useDeferredActions } from '@/features/notes/components/use-deferred-actions';
import { useShortcuts } from '@/features/notes/components/use-shortcuts';
import { StatusControl } from '@/features/notes/components/status-control';
import { draftKey } from '@/features/notes/lib/draft-storage';
import { timeAgo } from '@/features/notes/lib/format';
import { applyOpsToNote } from '@/features/notes/lib/pending-ops';
import { changedFields } from '@/features/notes/lib/note-input';
import { toggleTaskAt } from '@/features/notes/lib/task-list';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import type { DisplayNote, Note } from '@/features/notes/types';
import { useSessionStore } from '@/stores/session-store';
import { toast } from '@/stores/toast-store';

/** A note as the server has it, without what this tab shows on top of it. */
function stripPending({ pending: _pending, queued: _queued, highlights: _highlights, ...note }: DisplayNote): Note {
  return note;
}

/** One note on a page of its own (a shareable URL): Markdown, edit in place, tick tasks. */
export function NoteView({ noteId }: { noteId: string }) {
  const query = useNote(noteId);
  const ops = useNotesStore((state) => state.ops);
  const dialogOpen = useNotesStore((state) => state.dialog.kind !== 'closed');
  const openDialog = useNotesStore((state) => state.openDialog);
  const userId = useSessionStore((state) => state.user?.id ?? '');
  const navigate = useNavigate();
  const location = useLocation();
  const back = (location.state as { back?: string } | null)?.back ?? paths.home;
  const { actions, host } = useDeferredActions();
  // The note as it was when editing began: the change is measured (and merged) from it.
  const [editing, setEditing] = useState<Note | null>(null);
  const key = draftKey(userId, noteId);
  const guard = useGuardedClose(key, () => setEditing(null));
  const note = query.data ? applyOpsToNote(query.data, ops) : null;

  const { update } = actions;
  const onToggleTask = useCallback(
    (offset: number, checked: boolean) => {
      if (!note) return;
      const description = toggleTaskAt(note.description, offset, checked);
      if (description !== null) update(note, { description });
    },
    [note, update],
  );

  const remove = (viaKeyboard: boolean) => {
    if (!note) return;
    actions.remove(note, { viaKeyboard, focusAfter: null });
    navigate(back);
  };

  const startEditing = () => {
    if (note) setEditing((current) => current ?? stripPending(note));
  };

  useShortcuts({
    e: startEditing,
    x: () => note && actions.setStatus(note, note.status === 'Done' ? 'Pending' : 'Done'),
    '#': () => remove(true),
    z: () => void toast.act('Undo'),
    '?': () => openDialog({ kind: 'shortcuts' }),
  });

  if (query.isPending) return <FullPageLoading label="Loading the note…" />;
  if (!query.data) {
    return (
      <NoteLoadFailed
        error={query.error}
        what="The note"
        missingHint="It may have been deleted, or the link may be mistyped."
        onRetry={() => void query.refetch()}
      />
    );
  }
  if (!note) {
    return (
      <StatusPanel title="This note is being deleted" action={<Link to={back}>Back to your notes</Link>}>
        <p>Undo is in the notification.</p>
      </StatusPanel>
    );
  }

  return (
    <article className="note-view" aria-labelledby="note-view-title" data-status={note.status} data-pending={note.pending ? 'true' : 'false'}>
      <title>{`${note.title} · NoteStack`}</title>
      <p className="note-view-back">
        <Link to={back}>← Back to your notes</Link>
      </p>
      <header className="note-view-head">
        <h1 id="note-view-title">{note.title}</h1>
        {note.pending ? <span className="pending-marker">{note.queued ? 'Waiting to sync' : 'Saving…'}</span> : null}
      </header>
      <div className="note-card-meta">
        <span className={`badge priority-${note.priority.toLowerCase()}`}>{note.priority} priority</span>
        <time dateTime={note.updatedAt} title={new Date(note.updatedAt).toLocaleString()}>
          Updated {timeAgo(note.updatedAt)}
        </time>
        <time dateTime={note.createdAt} title={new Date(note.createdAt).toLocaleString()}>
          Created {timeAgo(note.createdAt)}
        </time>
      </div>
      <div className="note-view-actions">
        <StatusControl title={note.title} status={note.status} onChange={(status) => actions.setStatus(note, status)} />
        <div className="note-actions">
          {editing ? null : (
            <button type="button" className="btn btn-small" aria-keyshortcuts="e" onClick={startEditing}>
              Edit
            </button>
          )}
          <Link className="btn btn-small btn-ghost" to={noteHistoryUrl(note._id)} state={{ back }}>
            History
          </Link>
          <button
            type="button"
            className="btn btn-small btn-danger"
            aria-keyshortcuts="#"
            onClick={(event) => remove(event.detail === 0)}
          >
            Delete
          </button>
        </div>
      </div>
      {editing ? (
        <section className="note-view-editor" aria-label="Edit note">
          <Suspense fallback={<FullPageLoading label="Opening the editor…" />}>
            <LazyNoteForm
              note={editing}
              draftKey={key}
              submitLabel="Save changes"
              focusTitle
              onCancel={guard.requestClose}
              onDirtyChange={guard.onDirtyChange}
              onSubmit={(values) => {
                setEditing(null);
                const patch = changedFields(editing, values);
                if (Object.keys(patch).length > 0) update(editing, patch, { draft: values });
              }}
            />
          </Suspense>
          {guard.confirming ? <DiscardDialog onKeepEditing={guard.keepEditing} onDiscard={guard.discard} /> : null}
        </section>
      ) : (
        <section className="markdown-body" aria-label="Description">
          {note.description ? (
            <Suspense fallback={<p className="markdown-fallback">{note.description}</p>}>
              <Markdown source={note.description} onToggleTask={onToggleTask} />
            </Suspense>
          ) : (
            <p className="muted">No description.</p>
          )}
        </section>
      )}
      {host}
      {dialogOpen ? (
        <Suspense fallback={null}>
          <NoteDialogs actions={actions} />
        </Suspense>
      ) : null}
    </article>
  );
}
