import '@/components/ui/dialog.css';
import { useEffect, useId, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Shown under the title and announced with it. */
  description?: ReactNode;
  role?: 'dialog' | 'alertdialog';
}

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page inert (focus stays
 * inside), Escape closes it, and focus goes back to where it was when it closes. The first
 * element marked `data-autofocus` gets the focus when it opens.
 */
export function Dialog({ title, onClose, children, description, role }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const onCloseRef = useRef(onClose);

  useEffect(() => {
    onCloseRef.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const dialog = ref.current;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) {
      dialog.showModal();
      // React handles autoFocus itself (before showModal, so in vain): mark the field instead.
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    return () => {
      if (dialog?.open) dialog.close();
      if (previous && previous.isConnected) previous.focus();
      else if (!document.activeElement || document.activeElement === document.body) {
        // What opened it is gone (a card that was deleted): never leave the focus on the body.
        document.querySelector<HTMLElement>('main')?.focus();
      }
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className="dialog"
      role={role}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      // Escape is handled here rather than by the browser's cancel event: Chromium groups the
      // close requests of dialogs opened without a click between them (a confirmation over a
      // form), and would then close both at once. The innermost dialog takes the key.
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        event.stopPropagation();
        onCloseRef.current();
      }}
      onCancel={(event) => {
        event.preventDefault();
        onCloseRef.current();
      }}
    >
      <div className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="btn btn-ghost" onClick={() => onCloseRef.current()}>
          Close
        </button>
      </div>
      {description ? (
        <div id={descriptionId} className="dialog-description">
          {description}
        </div>
      ) : null}
      {children}
    </dialog>
  );
}
