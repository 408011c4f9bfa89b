/**
 * The trash: notes deleted in the last weeks, each with how long until it is deleted for
 * good; restore one, delete one forever, or empty the trash (both asked first).
 */
import '@/features/notes/components/pages.css';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Dialog } from '@/components/ui/dialog';
import { FullPageLoading } from '@/components/ui/spinner';
import { LoadFailed } from '@/components/ui/load-failed';
import { StatusPanel } from '@/components/ui/status-panel';
import { paths } from '@/config/paths';
import { useEmptyTrash } from '@/features/notes/api/empty-trash';
import { useTrash } from '@/features/notes/api/get-trash';
import { usePurgeNote } from '@/features/notes/api/purge-note';
import { useRestoreNote } from '@/features/notes/api/restore-note';
import { excerpt, timeAgo, timeUntil } from '@/features/notes/lib/format';
import { applyTrashOps } from '@/features/notes/lib/pending-ops';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import { STATUS_LABELS, type TrashedNote } from '@/features/notes/types';
import { errorMessage } from '@/lib/api-client';
import { toast } from '@/stores/toast-store';

type Confirming = { kind: 'purge'; note: TrashedNote } | { kind: 'empty'; count: number } | null;

export function TrashPage() {
  const query = useTrash();
  const ops = useNotesStore((state) => state.ops);
  const notes = useMemo(() => applyTrashOps(query.data?.pages.flatMap((page) => page.notes) ?? [], ops), [query.data, ops]);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);

  const restore = useRestoreNote({
    onSuccess: (note) =>
      toast.success(`Restored “${note.title}”. It is back in your notes.`),
    onError: (error, note) => toast.error(`Could not restore “${note.title}”: ${errorMessage(error)}`),
  });
  const purge = usePurgeNote({
    onSuccess: (note) => toast.info(`Deleted “${note.title}” for good.`),
    onError: (error, note) => toast.error(`Could not delete “${note.title}”: ${errorMessage(error)} It is still in the trash.`),
  });
  const empty = useEmptyTrash({
    onSuccess: (purged) => toast.info(`Emptied the trash: ${purged} note${purged === 1 ? '' : 's'} deleted for good.`),
    onError: (error) => toast.error(`Could not empty the trash: ${errorMessage(error)}`),
  });

  let body;
  if (query.isPending) body = <FullPageLoading label="Loading the trash…" />;
  else if (query.isError && notes.length === 0) {
    body = (
      <LoadFailed title="The trash could not be loaded" error={query.error} onRetry={() => void query.refetch()} />
    );
  } else if (notes.length === 0) {
    body = (
      <StatusPanel title="The trash is empty" action={<Link to={paths.home}>Back to your notes</Link>}>
        <p>Notes you delete stay here for a while, so you can bring them back.</p>
      </StatusPanel>
    );
  } else {
    body = (
      <>
        <ul className="trash-list" aria-label="Deleted notes">
          {notes.map((note) => (
            <li key={note._id}>
              <article className="trash-item" aria-labelledby={`trash-${note._id}`}>
                <h2 id={`trash-${note._id}`} className="note-title">
                  {note.title}
                </h2>
                {note.description ? <p className="note-excerpt">{excerpt(note.description, 200)}</p> : null}
                <p className="muted trash-meta">
                  {STATUS_LABELS[note.status]} · {note.priority} priority · Deleted{' '}
                  <time dateTime={note.deletedAt} title={new Date(note.deletedAt).toLocaleString()}>
                    {timeAgo(note.deletedAt, now)}
                  </time>{' '}
                  · <strong>Deleted for good {timeUntil(note.purgeAt, now)}</strong>
                </p>
                <div className="note-actions">
                  <button
                    type="button"
                    className="btn btn-small btn-primary"
                    aria-label={`Restore: ${note.title}`}
                    onClick={() => restore(note)}
                  >
                    Restore
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    aria-label={`Delete forever: ${note.title}`}
                    onClick={() => setConfirming({ kind: 'purge', note })}
                  >
                    Delete forever
                  </button>
                </div>
              </article>
            </li>
          ))}
        </ul>
        {query.hasNextPage ? (
          <div className="list-end">
            <button type="button" className="btn" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {query.isFetchingNextPage ? 'Loading more…' : 'Load more'}
            </button>
          </div>
        ) : null}
      </>
    );
  }

  return (
    <section className="trash-page" aria-labelledby="trash-title">
      <p className="note-view-back">
        <Link to={paths.home}>← Back to your notes</Link>
      </p>
      <div className="board-toolbar">
        <h1 id="trash-title">Trash</h1>
        {notes.length > 0 ? (
          <button type="button" className="btn btn-danger" onClick={() => setConfirming({ kind: 'empty', count: notes.length })}>
            Empty trash
          </button>
        ) : null}
      </div>
      <p className="muted">
        Deleted notes wait here, then are deleted for good on the date shown. Restored notes go back to the top of their
        column.
      </p>
      {body}
      {confirming ? (
        <Dialog
          title={confirming.kind === 'empty' ? 'Empty the trash?' : 'Delete this note forever?'}
          role="alertdialog"
          onClose={() => setConfirming(null)}
          description={
            <p>
              {confirming.kind === 'empty'
                ? `Every note in the trash${query.hasNextPage ? '' : ` (${confirming.count})`} will be deleted for good, with its history.`
                : `“${confirming.note.title}” and its history will be deleted for good.`}{' '}
              This cannot be undone.
            </p>
          }
        >
          <div className="form-actions">
            <button type="button" className="btn" onClick={() => setConfirming(null)} data-autofocus>
              Keep
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => {
                if (confirming.kind === 'empty') empty();
                else purge(confirming.note);
                setConfirming(null);
              }}
            >
              {confirming.kind === 'empty' ? 'Empty trash' : 'Delete forever'}
            </button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}

