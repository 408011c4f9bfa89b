import { Dialog } from '@/components/ui/dialog';

interface DiscardDialogProps {
  onKeepEditing: () => void;
  onDiscard: () => void;
}

/** Asked before unsaved text is thrown away. Escape keeps editing. */
export function DiscardDialog({ onKeepEditing, onDiscard }: DiscardDialogProps) {
  return (
    <Dialog
      title="Discard unsaved changes?"
      role="alertdialog"
      onClose={onKeepEditing}
      description={<p>What you typed has not been saved. Discarding it cannot be undone.</p>}
    >
      <div className="form-actions">
        <button type="button" className="btn btn-danger" onClick={onDiscard}>
          Discard
        </button>
        <button type="button" className="btn btn-primary" onClick={onKeepEditing} data-autofocus>
          Keep editing
        </button>
      </div>
    </Dialog>
  );
}
