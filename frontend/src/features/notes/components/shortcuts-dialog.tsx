import '@/features/notes/components/shortcuts-dialog.css';
import { Dialog } from '@/components/ui/dialog';
import { SHORTCUTS } from '@/features/notes/lib/shortcuts';

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <p className="muted">Shortcuts work anywhere outside a text field.</p>
      <dl className="shortcuts">
        {SHORTCUTS.map(({ key, label }) => (
          <div key={key} className="shortcut">
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{label}</dd>
          </div>
        ))}
      </dl>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} data-autofocus>
          Done
        </button>
      </div>
    </Dialog>
  );
}
