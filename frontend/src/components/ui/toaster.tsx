import { lazy, Suspense, useEffect } from 'react';
import { useToastStore } from '@/stores/toast-store';

/** A toast's body and timer: loaded with the first toast (the live region is there from the start). */
const loadToastItem = () => import('@/components/ui/toast-item');
const ToastItem = lazy(loadToastItem);

export function Toaster() {
  const toasts = useToastStore((state) => state.toasts);
  // Fetched once the page has settled, so the first toast shows without waiting for it.
  useEffect(() => {
    const timer = setTimeout(() => void loadToastItem(), 2000);
    return () => clearTimeout(timer);
  }, []);
  return (
    <section className="toaster" aria-label="Notifications" aria-live="polite" role="status">
      <ol>
        <Suspense fallback={null}>
          {toasts.map((toast) => (
            <ToastItem key={toast.id} toast={toast} />
          ))}
        </Suspense>
      </ol>
    </section>
  );
}
