/**
 * A note's history: its earlier versions, newest first; the one chosen is compared with the
 * current version (what restoring it would change), and can be restored (a new version: the
 * current one stays in the history too).
 */
import '@/features/notes/components/pages.css';
import { useState } from 'react';
import { Link, useLocation } from 'react-router';
import { FullPageLoading } from '@/components/ui/spinner';
import { StatusPanel } from '@/components/ui/status-panel';
import { noteUrl } from '@/config/paths';
import { useHistory } from '@/features/notes/api/get-history';
import { useRevertNote } from '@/features/notes/api/revert-note';
import { NoteLoadFailed } from '@/features/notes/components/note-load-failed';
import { FIELD_LABELS } from '@/features/notes/lib/conflicts';
import { diffLines, hasChanges } from '@/features/notes/lib/diff';
import { timeAgo } from '@/features/notes/lib/format';
import { applyOpsToNote } from '@/features/notes/lib/pending-ops';
import { useNotesStore } from '@/features/notes/stores/notes-store';
import { STATUS_LABELS, type DisplayNote, type Note, type Revision } from '@/features/notes/types';
import { ApiError, errorMessage } from '@/lib/api-client';
import { toast } from '@/stores/toast-store';

function FieldChange({ label, from, to }: { label: string; from: string; to: string }) {
  if (from === to) return null;
  return (
    <div className="history-field">
      <dt>{label}</dt>
      <dd>
        <del aria-label={`now: ${from}`}>{from || '(empty)'}</del> → <ins aria-label={`then: ${to}`}>{to || '(empty)'}</ins>
      </dd>
    </div>
  );
}

function Comparison({ current, revision }: { current: Note; revision: Revision }) {
  const lines = diffLines(current.description, revision.description);
  const changed =
    hasChanges(lines) ||
    current.title !== revision.title ||
    current.status !== revision.status ||
    current.priority !== revision.priority;
  if (!changed) return <p className="muted">This version has the same content as the current one.</p>;
  return (
    <>
      <dl className="history-fields">
        <FieldChange label={FIELD_LABELS.title} from={current.title} to={revision.title} />
        <FieldChange label={FIELD_LABELS.status} from={STATUS_LABELS[current.status]} to={STATUS_LABELS[revision.status]} />
        <FieldChange label={FIELD_LABELS.priority} from={current.priority} to={revision.priority} />
      </dl>
      {hasChanges(lines) ? (
        <figure className="history-diff">
          <figcaption>Description: lines the current version has (-) and this version had (+)</figcaption>
          <pre>
            {lines.map((line, index) => {
              const mark = line.kind === 'added' ? '+' : line.kind === 'removed' ? '-' : ' ';
              const text = `${mark} ${line.text}\n`;
              if (line.kind === 'added') return <ins key={index}>{text}</ins>;
              if (line.kind === 'removed') return <del key={index}>{text}</del>;
              return <span key={index}>{text}</span>;
            })}
          </pre>
        </figure>
      ) : null}
    </>
  );
}

export function HistoryView({ noteId }: { noteId: string }) {
  const query = useHistory(noteId);
  const ops = useNotesStore((state) => state.ops);
  const location = useLocation();
  const back = (location.state as { back?: string } | null)?.back;
  const [chosen, setChosen] = useState<number | null>(null);
  const revert = useRevertNote({
    onSuccess: (saved, revision) => {
      setChosen(null);
      toast.success(`Restored version ${revision.version} of “${saved.title}” (now version ${saved.version}).`);
    },
    onError: (error, revision) => {
      const changed = error instanceof ApiError && error.status === 412;
      toast.error(
        changed
          ? `The note changed while you were looking: nothing was restored. Here is its history as it is now.`
          : `Could not restore version ${revision.version}: ${errorMessage(error)}`,
      );
    },
  });

  if (query.isPending) return <FullPageLoading label="Loading the history…" />;
  if (!query.data) {
    return (
      <NoteLoadFailed
        error={query.error}
        what="The history"
        missingHint="It may have been deleted: look in the trash."
        onRetry={() => void query.refetch()}
      />
    );
  }

  const current: DisplayNote = applyOpsToNote(query.data.note, ops) ?? query.data.note;
  const revisions = query.data.revisions;
  const selected = revisions.find((revision) => revision.version === chosen) ?? revisions[0];

  return (
    <section className="history-page" aria-labelledby="history-title">
      <title>{`History of ${current.title} · NoteStack`}</title>
      <p className="note-view-back">
        <Link to={noteUrl(noteId)} state={back ? { back } : undefined}>
          ← Back to the note
        </Link>
      </p>
      <h1 id="history-title">History of “{current.title}”</h1>
      <p className="muted">
        Version {current.version}, changed {timeAgo(current.updatedAt)}, is the current one.
        {current.pending ? ' Saving…' : ''}
      </p>
      {revisions.length === 0 || !selected ? (
        <StatusPanel title="No earlier versions">
          <p>Each time the note is changed, the version before is kept here.</p>
        </StatusPanel>
      ) : (
        <div className="history-layout">
          <nav aria-label="Earlier versions">
            <ol className="history-versions">
              {revisions.map((revision) => (
                <li key={revision.version}>
                  <button
                    type="button"
                    className="history-version"
                    aria-pressed={revision.version === selected.version}
                    onClick={() => setChosen(revision.version)}
                  >
                    <span className="history-version-name">Version {revision.version}</span>
                    <span className="muted">
                      <time dateTime={revision.changedAt}>{timeAgo(revision.changedAt)}</time> · {revision.title}
                    </span>
                  </button>
                </li>
              ))}
            </ol>
          </nav>
          <section className="history-detail" aria-labelledby="history-detail-title">
            <h2 id="history-detail-title">
              Version {selected.version} compared with the current one
            </h2>
            <Comparison current={current} revision={selected} />
            <div className="form-actions">
              <button
                type="button"
                className="btn btn-primary"
                disabled={current.pending}
                onClick={() => revert(query.data.note, selected)}
              >
                Restore version {selected.version}
              </button>
            </div>
          </section>
        </div>
      )}
    </section>
  );
}
