import { Dialog } from '@/components/ui/dialog';
import { STATUS_LABELS, type Note, type NotePatch } from '@/features/notes/types';

interface ConflictDialogProps {
  theirs: Note;
  patch: NotePatch;
  onReloadTheirs: () => void;
  onOverwrite: () => void;
  onClose: () => void;
}

/** A save was refused with 412: someone else changed the note since this tab loaded it. */
export function ConflictDialog({ theirs, patch, onReloadTheirs, onOverwrite, onClose }: ConflictDialogProps) {
  return (
    <Dialog
      title="This note was changed elsewhere"
      role="alertdialog"
      onClose={onClose}
      description={
        <p>
          Someone (perhaps you, in another tab) saved a newer version of “{theirs.title}” while you
          were editing. Your changes were <strong>not</strong> saved. Keep their version, or
          overwrite it with yours.
        </p>
      }
    >
      <div className="conflict-compare">
        <section aria-label="Their version">
          <h3>Theirs (now on the server)</h3>
          <dl>
            <dt>Title</dt>
            <dd>{theirs.title}</dd>
            <dt>Status</dt>
            <dd>{STATUS_LABELS[theirs.status]}</dd>
            <dt>Priority</dt>
            <dd>{theirs.priority}</dd>
          </dl>
        </section>
        <section aria-label="Your changes">
          <h3>Your changes</h3>
          <dl>
            {patch.title !== undefined ? (
              <>
                <dt>Title</dt>
                <dd>{patch.title}</dd>
              </>
            ) : null}
            {patch.status !== undefined ? (
              <>
                <dt>Status</dt>
                <dd>{STATUS_LABELS[patch.status]}</dd>
              </>
            ) : null}
            {patch.priority !== undefined ? (
              <>
                <dt>Priority</dt>
                <dd>{patch.priority}</dd>
              </>
            ) : null}
            {patch.description !== undefined ? (
              <>
                <dt>Description</dt>
                <dd className="conflict-description">{patch.description || '(empty)'}</dd>
              </>
            ) : null}
          </dl>
        </section>
      </div>
      <div className="form-actions">
        <button type="button" className="btn" onClick={onReloadTheirs}>
          Reload theirs
        </button>
        <button type="button" className="btn btn-primary" onClick={onOverwrite}>
          Overwrite
        </button>
      </div>
    </Dialog>
  );
}
