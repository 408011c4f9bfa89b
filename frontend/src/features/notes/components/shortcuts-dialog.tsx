import '@/features/notes/components/shortcuts-dialog.css';
import { Dialog } from '@/components/ui/dialog';
import { SHORTCUT_KEYS, type ShortcutKey } from '@/features/notes/lib/shortcuts';

const LABELS: Record<ShortcutKey, string> = {
  n: 'New note',
  '/': 'Search',
  j: 'Next note',
  k: 'Previous note',
  Enter: 'Open the selected note',
  e: 'Edit the selected (or open) note',
  x: 'Mark the selected note done, or reopen it',
  '#': 'Delete the selected note',
  z: 'Undo the last delete or status change',
  '?': 'Show these shortcuts',
};

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <p className="muted">Shortcuts work anywhere outside a text field.</p>
      <dl className="shortcuts">
        {SHORTCUT_KEYS.map((key) => ({ key, label: LABELS[key] })).map(({ key, label }) => (
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
