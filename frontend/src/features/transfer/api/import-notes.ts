import { API_BASE } from '@/config/paths';
import { importContentType } from '@/features/transfer/lib/files';
import type { ImportProblem, ImportReport } from '@/features/transfer/types';
import { ApiError, failure } from '@/lib/api-client';

/** A file refused because of bad records (422): nothing was imported; the report says why. */
export class ImportRefused extends Error {
  readonly report: ImportReport;

  constructor(message: string, report: ImportReport) {
    super(message);
    this.name = 'ImportRefused';
    this.report = report;
  }
}

function asProblem(value: unknown): ImportProblem | null {
  if (typeof value !== 'object' || value === null) return null;
  const { line, file, note, message } = value as Record<string, unknown>;
  if (typeof message !== 'string') return null;
  return {
    message,
    line: typeof line === 'number' ? line : null,
    file: typeof file === 'string' ? file : null,
    note: typeof note === 'number' ? note : null,
  };
}

/** The report in an answer's body, checked (an answer may come from a proxy). */
export function readReport(body: unknown): ImportReport | null {
  if (typeof body !== 'object' || body === null || !('report' in body)) return null;
  const report = (body as { report: unknown }).report;
  if (typeof report !== 'object' || report === null) return null;
  const { created, skipped, errors } = report as Record<string, unknown>;
  return {
    created: typeof created === 'number' ? created : 0,
    skipped: typeof skipped === 'number' ? skipped : 0,
    errors: Array.isArray(errors) ? errors.flatMap((item) => asProblem(item) ?? []) : [],
  };
}

/**
 * Send a file to import as the request body, reporting upload progress (an XMLHttpRequest:
 * fetch cannot tell how much of a body has gone). `onSent` fires once the file is all sent
 * and the server is working on it.
 */
export function importNotes(
  file: File,
  onProgress: (sent: number, total: number) => void,
  onSent: () => void,
  signal?: AbortSignal,
): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}/import`);
    xhr.setRequestHeader('Content-Type', importContentType(file));
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.upload.onload = () => onSent();
    xhr.onerror = () => reject(new ApiError(0, 'Could not reach the server. Check your connection and try again.'));
    xhr.onabort = () => reject(new DOMException('The import was cancelled.', 'AbortError'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : null;
      } catch {
        body = null;
      }
      const report = readReport(body);
      if (xhr.status >= 200 && xhr.status < 300 && report) resolve(report);
      else if (xhr.status === 422 && report) reject(new ImportRefused(failure(422, body).message, report));
      else reject(failure(xhr.status, body));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
