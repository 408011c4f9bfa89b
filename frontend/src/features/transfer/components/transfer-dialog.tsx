/**
 * Export and import, from the account menu: each with progress while the file moves, and
 * for an import the server's report (how many notes came in, which were already here, and
 * every problem by line or file when the file was refused).
 */
import '@/features/transfer/components/transfer.css';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { exportNotes, saveFile } from '@/features/transfer/api/export-notes';
import { ImportRefused, importNotes } from '@/features/transfer/api/import-notes';
import { formatBytes, progressText } from '@/features/transfer/lib/files';
import type { ExportFormat, ImportReport } from '@/features/transfer/types';
import { errorMessage } from '@/lib/api-client';

export type TransferKind = 'export' | 'import';

type Progress = { done: number; total: number | null; label: string } | null;

function ProgressBar({ progress }: { progress: NonNullable<Progress> }) {
  return (
    <div className="transfer-progress">
      {progress.total ? (
        <progress value={progress.done} max={progress.total} aria-label={progress.label} />
      ) : (
        <progress aria-label={progress.label} />
      )}
      <p role="status">
        {progress.label}: {progressText(progress.done, progress.total)}
      </p>
    </div>
  );
}

/** Cancel whatever is still running when the dialog goes away. */
function useAbortOnUnmount() {
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);
  return () => {
    controller.current?.abort();
    controller.current = new AbortController();
    return controller.current.signal;
  };
}

function ExportForm({ onClose }: { onClose: () => void }) {
  const id = useId();
  const [format, setFormat] = useState<ExportFormat>('json');
  const [trash, setTrash] = useState(false);
  const [history, setHistory] = useState(false);
  const [progress, setProgress] = useState<Progress>(null);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const nextSignal = useAbortOnUnmount();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setResult(null);
    setProgress({ done: 0, total: null, label: 'Downloading' });
    exportNotes(
      { format, trash, history },
      (done, total) => setProgress({ done, total, label: 'Downloading' }),
      nextSignal(),
    )
      .then((file) => {
        saveFile(file);
        setResult(`Saved ${file.name} (${formatBytes(file.blob.size)}) to your downloads.`);
      })
      .catch((reason: unknown) => {
        if (reason instanceof DOMException && reason.name === 'AbortError') return;
        setError(errorMessage(reason));
      })
      .finally(() => setProgress(null));
  };

  return (
    <form className="form" onSubmit={submit}>
      <fieldset className="transfer-choice">
        <legend>Format</legend>
        <label>
          <input type="radio" name={`${id}-format`} checked={format === 'json'} onChange={() => setFormat('json')} />
          JSON: everything, to import here again
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-format`}
            checked={format === 'markdown'}
            onChange={() => setFormat('markdown')}
          />
          Markdown: a zip of one file per note, to read anywhere
        </label>
      </fieldset>
      <label className="transfer-check">
        <input type="checkbox" checked={trash} onChange={(event) => setTrash(event.target.checked)} />
        Include the notes in the trash
      </label>
      <label className="transfer-check">
        <input
          type="checkbox"
          checked={history && format === 'json'}
          disabled={format !== 'json'}
          onChange={(event) => setHistory(event.target.checked)}
        />
        Include earlier versions (JSON only)
      </label>
      {progress ? <ProgressBar progress={progress} /> : null}
      {result ? (
        <p className="form-success" role="status">
          {result}
        </p>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          The export failed: {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          {result ? 'Done' : 'Cancel'}
        </button>
        <button type="submit" className="btn btn-primary" disabled={progress !== null}>
          {progress ? 'Exporting…' : 'Export'}
        </button>
      </div>
    </form>
  );
}

function Report({ report, refused }: { report: ImportReport; refused: boolean }) {
  return (
    <section className="import-report" aria-label="Import report" role={refused ? 'alert' : 'status'}>
      {refused ? (
        <p>
          <strong>Nothing was imported:</strong> the file has {report.errors.length} problem
          {report.errors.length === 1 ? '' : 's'}. Fix {report.errors.length === 1 ? 'it' : 'them'} and import the
          file again.
        </p>
      ) : (
        <p>
          <strong>
            Imported {report.created} note{report.created === 1 ? '' : 's'}
          </strong>
          {report.skipped ? `; ${report.skipped} ${report.skipped === 1 ? 'was' : 'were'} already here` : ''}.
        </p>
      )}
      {report.errors.length > 0 ? (
        <ul className="import-problems">
          {report.errors.map((problem, index) => (
            <li key={index}>
              {problem.file ? <code>{problem.file}</code> : null}
              {problem.line ? `Line ${problem.line}` : null}
              {problem.note ? `Note ${problem.note}` : null}
              {problem.file || problem.line || problem.note ? ': ' : ''}
              {problem.message}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function ImportForm({ onClose }: { onClose: () => void }) {
  const id = useId();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<Progress>(null);
  const [outcome, setOutcome] = useState<{ report: ImportReport; refused: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const nextSignal = useAbortOnUnmount();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setError('Choose a file to import first.');
      return;
    }
    setError(null);
    setOutcome(null);
    setProgress({ done: 0, total: file.size, label: 'Uploading' });
    importNotes(
      file,
      (done, total) => setProgress({ done, total, label: 'Uploading' }),
      () => setProgress({ done: file.size, total: file.size, label: 'Importing' }),
      nextSignal(),
    )
      .then((report) => {
        setOutcome({ report, refused: false });
        if (report.created > 0) void queryClient.invalidateQueries();
      })
      .catch((reason: unknown) => {
        if (reason instanceof DOMException && reason.name === 'AbortError') return;
        if (reason instanceof ImportRefused) setOutcome({ report: reason.report, refused: true });
        else setError(errorMessage(reason));
      })
      .finally(() => setProgress(null));
  };

  return (
    <form className="form" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${id}-file`}>File to import</label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".json,.zip,application/json,application/zip"
          aria-describedby={`${id}-hint`}
          onChange={(event) => {
            setFile(event.target.files?.[0] ?? null);
            setOutcome(null);
            setError(null);
          }}
        />
        <p id={`${id}-hint`} className="field-hint">
          A NoteStack JSON export, a Markdown zip, or the original NoteStack’s notes from <code>mongoexport --jsonArray</code>.
          All or nothing: a file with a bad record imports nothing. Importing the same file twice adds nothing.
        </p>
      </div>
      {progress ? <ProgressBar progress={progress} /> : null}
      {outcome ? <Report report={outcome.report} refused={outcome.refused} /> : null}
      {error ? (
        <p className="form-error" role="alert">
          The import failed: {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          {outcome && !outcome.refused ? 'Done' : 'Cancel'}
        </button>
        <button type="submit" className="btn btn-primary" disabled={progress !== null}>
          {progress ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

export default function TransferDialog({ kind, onClose }: { kind: TransferKind; onClose: () => void }) {
  return (
    <Dialog title={kind === 'export' ? 'Export your notes' : 'Import notes'} onClose={onClose}>
      {kind === 'export' ? <ExportForm onClose={onClose} /> : <ImportForm onClose={onClose} />}
    </Dialog>
  );
}
