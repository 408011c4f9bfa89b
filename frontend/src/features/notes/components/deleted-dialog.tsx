import { Dialog } from '@/components/ui/dialog';
import { conflictRows } from '@/features/notes/lib/conflicts';
import type { Note, NotePatch } from '@/features/notes/types';

interface DeletedDialogProps {
  note: Note;
  patch: NotePatch;
  onRestore: () => void;
  onSaveAsNew: () => void;
  onDiscard: () => void;
  onClose: () => void;
}

/** A save to a note that was deleted elsewhere: the person's change is kept, never dropped silently. */
export function DeletedDialog({ note, patch, onRestore, onSaveAsNew, onDiscard, onClose }: DeletedDialogProps) {
  const rows = conflictRows(note, patch, []);
  return (
    <Dialog
      title="This note was deleted elsewhere"
      role="alertdialog"
      onClose={onClose}
      description={
        <p>
          “{note.title}” was deleted (perhaps in another tab) while you were changing it, so your change was not
          saved. Bring the note back from the trash with your change, or keep your version as a new note.
        </p>
      }
    >
      <dl className="conflict-mine">
        {rows.map((row) => (
          <div key={row.field}>
            <dt>Your {row.label.toLowerCase()}</dt>
            <dd className="conflict-value">{row.yours || '(empty)'}</dd>
          </div>
        ))}
      </dl>
      <div className="form-actions">
        <button type="button" className="btn btn-danger" onClick={onDiscard}>
          Discard my change
        </button>
        <button type="button" className="btn" onClick={onSaveAsNew}>
          Save as a new note
        </button>
        <button type="button" className="btn btn-primary" onClick={onRestore} data-autofocus>
          Restore it with my change
        </button>
      </div>
    </Dialog>
  );
}
