/**
 * What a page about one note shows when the note could not be loaded: "does not exist" for a
 * 404 (with a way back to the list), otherwise the error and a retry (LoadFailed).
 */
import { Link } from 'react-router';
import { LoadFailed } from '@/components/ui/load-failed';
import { StatusPanel } from '@/components/ui/status-panel';
import { paths } from '@/config/paths';
import { ApiError } from '@/lib/api-client';

type Props = {
  error: unknown;
  /** What failed to load, for the title: "The note", "The history". */
  what: string;
  /** Why a note may be missing, said on this page. */
  missingHint: string;
  onRetry: () => void;
};

export function NoteLoadFailed({ error, what, missingHint, onRetry }: Props) {
  if (!(error instanceof ApiError && error.status === 404)) {
    return <LoadFailed title={`${what} could not be loaded`} error={error} onRetry={onRetry} />;
  }
  return (
    <StatusPanel
      tone="neutral"
      title="This note does not exist"
      action={
        <Link className="btn" to={paths.home}>
          Go to your notes
        </Link>
      }
    >
      <p>{missingHint}</p>
    </StatusPanel>
  );
}
