import type { ReactNode } from 'react';
import { StatusPanel } from '@/components/ui/status-panel';
import { errorMessage } from '@/lib/api-client';

/** What a page shows when what it shows could not be loaded: the error, and a retry. */
export function LoadFailed({
  title,
  error,
  onRetry,
  children,
}: {
  title: string;
  error: unknown;
  onRetry: () => void;
  /** More to say under the error (what the person may do, what is safe). */
  children?: ReactNode;
}) {
  return (
    <StatusPanel
      tone="error"
      title={title}
      action={
        <button type="button" className="btn btn-primary" onClick={onRetry}>
          Try again
        </button>
      }
    >
      <p>{errorMessage(error)}</p>
      {children}
    </StatusPanel>
  );
}
