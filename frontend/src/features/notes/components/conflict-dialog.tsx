import { Dialog } from '@/components/ui/dialog';
import { conflictRows } from '@/features/notes/lib/conflicts';
import type { Note, NotePatch } from '@/features/notes/types';

interface ConflictDialogProps {
  theirs: Note;
  patch: NotePatch;
  conflicts: readonly string[];
  /** The person's text is kept as a draft of the note, whatever they choose. */
  copyKept: boolean;
  onKeepTheirs: () => void;
  onUseMine: () => void;
  onClose: () => void;
}

/**
 * A save refused with 412: the same fields were changed elsewhere to other values. Each one
 * side by side; whichever is kept, the person's text stays in a draft of the note.
 */
export function ConflictDialog({ theirs, patch, conflicts, copyKept, onKeepTheirs, onUseMine, onClose }: ConflictDialogProps) {
  const rows = conflictRows(theirs, patch, conflicts);
  const clashing = rows.filter((row) => row.conflicting).map((row) => row.label.toLowerCase());
  return (
    <Dialog
      title="This note was changed elsewhere"
      role="alertdialog"
      onClose={onClose}
      description={
        <p>
          Someone (perhaps you, in another tab) changed the {clashing.join(' and ') || 'same fields'} of “
          {theirs.title}” while you were editing. Your changes were <strong>not</strong> saved yet. Choose which
          version to keep.
          {copyKept ? ' Either way, your text stays saved as a draft of this note until you discard it.' : ''}
        </p>
      }
    >
      <table className="conflict-table">
        <caption className="visually-hidden">Their version and yours, field by field</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Theirs (saved)</th>
            <th scope="col">Yours (not saved)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.field} data-conflicting={row.conflicting ? 'true' : 'false'}>
              <th scope="row">
                {row.label}
                {row.conflicting ? null : <span className="muted"> (no clash)</span>}
              </th>
              <td className="conflict-value">{row.theirs || '(empty)'}</td>
              <td className="conflict-value">{row.yours || '(empty)'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-actions">
        <button type="button" className="btn" onClick={onKeepTheirs}>
          Keep theirs
        </button>
        <button type="button" className="btn btn-primary" onClick={onUseMine}>
          Use mine
        </button>
      </div>
    </Dialog>
  );
}
