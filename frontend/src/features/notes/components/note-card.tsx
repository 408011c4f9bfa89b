import { memo } from 'react';
import { excerpt, nextStatus, timeAgo } from '@/features/notes/lib/format';
import { STATUS_LABELS, type DisplayNote, type Note } from '@/features/notes/types';

interface NoteCardProps {
  note: DisplayNote;
  /** The clock the relative times are measured against (ticks once a minute). */
  now?: number;
  onEdit: (note: Note) => void;
  onStatus: (note: Note, status: Note['status']) => void;
  onDelete: (note: Note) => void;
}

export const NoteCard = memo(function NoteCard({ note, now, onEdit, onStatus, onDelete }: NoteCardProps) {
  const titleId = `note-title-${note._id}`;
  const next = nextStatus(note.status);
  // A note still being created has no server id yet: nothing can be done to it until then.
  const unsaved = note._id.startsWith('pending-');
  return (
    <article
      className="note-card"
      aria-labelledby={titleId}
      aria-busy={note.pending ? true : undefined}
      data-pending={note.pending ? 'true' : 'false'}
      data-note-id={note._id}
      data-status={note.status}
      data-priority={note.priority}
    >
      <div className="note-card-head">
        <h3 id={titleId} className="note-title">
          {note.title}
        </h3>
        {note.pending ? <span className="pending-marker">Saving…</span> : null}
      </div>
      {note.description ? <p className="note-excerpt">{excerpt(note.description)}</p> : null}
      <div className="badges">
        <span className={`badge priority-${note.priority.toLowerCase()}`}>
          {note.priority} priority
        </span>
        <span className={`badge status-${note.status.toLowerCase()}`}>
          {STATUS_LABELS[note.status]}
        </span>
      </div>
      <div className="note-card-foot">
        <time dateTime={note.updatedAt} title={new Date(note.updatedAt).toLocaleString()}>
          Updated {timeAgo(note.updatedAt, now)}
        </time>
        <div className="note-actions">
          <button
            type="button"
            className="btn btn-small"
            disabled={unsaved}
            aria-label={`${next.label}: ${note.title}`}
            onClick={() => onStatus(note, next.to)}
          >
            {next.label}
          </button>
          <button
            type="button"
            className="btn btn-small btn-ghost"
            disabled={unsaved}
            aria-label={`Edit: ${note.title}`}
            onClick={() => onEdit(note)}
          >
            Edit
          </button>
          <button
            type="button"
            className="btn btn-small btn-danger"
            disabled={unsaved}
            aria-label={`Delete: ${note.title}`}
            onClick={() => onDelete(note)}
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
