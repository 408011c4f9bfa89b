import { useEffect } from 'react';
import { useToastStore, type Toast } from '@/stores/toast-store';

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToastStore((state) => state.dismiss);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), toast.durationMs);
    return () => clearTimeout(timer);
  }, [dismiss, toast.id, toast.durationMs]);

  return (
    <li className={`toast toast-${toast.tone}`} data-testid="toast">
      <p className="toast-message">{toast.message}</p>
      <div className="toast-actions">
        {toast.action ? (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              toast.action?.onClick();
              dismiss(toast.id);
            }}
          >
            {toast.action.label}
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn-small btn-ghost"
          aria-label="Dismiss notification"
          onClick={() => dismiss(toast.id)}
        >
          ×
        </button>
      </div>
    </li>
  );
}

export function Toaster() {
  const toasts = useToastStore((state) => state.toasts);
  return (
    <section className="toaster" aria-label="Notifications" aria-live="polite" role="status">
      <ol>
        {toasts.map((toast) => (
          <ToastItem key={toast.id} toast={toast} />
        ))}
      </ol>
    </section>
  );
}
