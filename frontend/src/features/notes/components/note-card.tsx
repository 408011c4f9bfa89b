import { memo, type MouseEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import { noteUrl } from '@/config/paths';
import { Highlighted } from '@/features/notes/components/highlighted';
import { StatusControl } from '@/features/notes/components/status-control';
import { excerpt, timeAgo } from '@/features/notes/lib/format';
import { descriptionHighlights, titleHighlights } from '@/features/notes/lib/highlight';
import { canActOn, isUnsaved } from '@/features/notes/lib/pending-ops';
import type { DisplayNote, Note, NoteStatus } from '@/features/notes/types';

interface NoteCardProps {
  note: DisplayNote;
  /** A card in the grid or on the board, a row in the compact list. */
  variant?: 'card' | 'row';
  /** The board's drag handle, shown in the card's head. */
  handle?: ReactNode;
  /** The clock the relative times are measured against (ticks once a minute). */
  now?: number;
  hasDraft?: boolean;
  /** Where "Back to notes" on the note's page returns to (this list, with its filters). */
  listUrl?: string;
  onOpen: (note: Note) => void;
  onEdit: (note: Note) => void;
  onStatus: (note: Note, status: NoteStatus) => void;
  onDelete: (note: Note, viaKeyboard: boolean) => void;
}

/** A click that came from the keyboard (Enter or Space on a button) has no pointer detail. */
const fromKeyboard = (event: MouseEvent) => event.detail === 0;

export const NoteCard = memo(function NoteCard({
  note,
  variant = 'card',
  handle,
  now,
  hasDraft,
  listUrl,
  onOpen,
  onEdit,
  onStatus,
  onDelete,
}: NoteCardProps) {
  const titleId = `note-title-${note._id}`;
  // A note still being created has no server id yet: it has no page, and nothing can be done
  // to it while its create is in flight (made offline, changes to it wait behind it).
  const unsaved = isUnsaved(note);
  const locked = !canActOn(note);
  const titleMarks = titleHighlights(note);
  const passage = variant === 'card' ? descriptionHighlights(note) : null;
  const title = titleMarks ? <Highlighted segments={titleMarks} /> : note.title;
  return (
    <article
      className={variant === 'row' ? 'note-card note-row' : 'note-card'}
      tabIndex={-1}
      aria-labelledby={titleId}
      aria-busy={note.pending ? true : undefined}
      data-pending={note.pending ? 'true' : 'false'}
      data-note-id={note._id}
      data-status={note.status}
      data-priority={note.priority}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && event.target === event.currentTarget && !unsaved) onOpen(note);
      }}
    >
      <div className="note-card-head">
        {handle}
        <h3 id={titleId} className="note-title">
          {unsaved ? (
            title
          ) : (
            <Link to={noteUrl(note._id)} state={{ back: listUrl }}>
              {title}
            </Link>
          )}
        </h3>
        {/* In flight, or kept on this device until the network is back. */}
        {note.pending ? <span className="pending-marker">{note.queued ? 'Waiting to sync' : 'Saving…'}</span> : null}
        {hasDraft ? <span className="draft-marker">Unsaved draft</span> : null}
      </div>
      {passage ? (
        <p className="note-excerpt">
          {passage.before ? '… ' : null}
          <Highlighted segments={passage.segments} />
          {passage.after ? ' …' : null}
        </p>
      ) : variant === 'card' && note.description ? (
        <p className="note-excerpt">{excerpt(note.description)}</p>
      ) : null}
      <div className="note-card-meta">
        <span className={`badge priority-${note.priority.toLowerCase()}`}>{note.priority} priority</span>
        <time dateTime={note.updatedAt} title={new Date(note.updatedAt).toLocaleString()}>
          Updated {timeAgo(note.updatedAt, now)}
        </time>
      </div>
      <div className="note-card-foot">
        <StatusControl
          title={note.title}
          status={note.status}
          disabled={locked}
          onChange={(status) => onStatus(note, status)}
        />
        <div className="note-actions">
          <button
            type="button"
            className="btn btn-small btn-ghost"
            disabled={locked}
            aria-label={`Edit: ${note.title}`}
            onClick={() => onEdit(note)}
          >
            Edit
          </button>
          <button
            type="button"
            className="btn btn-small btn-danger"
            disabled={locked}
            aria-label={`Delete: ${note.title}`}
            onClick={(event) => onDelete(note, fromKeyboard(event))}
          >
            Delete
          </button>
        </div>
      </div>
    </article>
  );
});

export function NoteCardSkeleton() {
  return (
    <div className="note-card skeleton" aria-hidden="true">
      <div className="skeleton-line skeleton-title" />
      <div className="skeleton-line" />
      <div className="skeleton-line skeleton-short" />
    </div>
  );
}
