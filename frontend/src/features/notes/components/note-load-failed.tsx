/**
 * What a page about one note shows when the note could not be loaded: "does not exist" for a
 * 404 (with a way back to the list), otherwise the error and a retry.
 */
import { Link } from 'react-router';
import { StatusPanel } from '@/components/ui/status-panel';
import { paths } from '@/config/paths';
import { ApiError, errorMessage } from '@/lib/api-client';

type Props = {
  error: unknown;
  /** What failed to load, for the title: "The note", "The history". */
  what: string;
  /** Why a note may be missing, said on this page. */
  missingHint: string;
  onRetry: () => void;
};

export function NoteLoadFailed({ error, what, missingHint, onRetry }: Props) {
  const missing = error instanceof ApiError && error.status === 404;
  return (
    <StatusPanel
      tone={missing ? 'neutral' : 'error'}
      title={missing ? 'This note does not exist' : `${what} could not be loaded`}
      action={
        missing ? (
          <Link className="btn" to={paths.home}>
            Go to your notes
          </Link>
        ) : (
          <button type="button" className="btn btn-primary" onClick={onRetry}>
            Try again
          </button>
        )
      }
    >
      <p>{missing ? missingHint : errorMessage(error)}</p>
    </StatusPanel>
  );
}
