import type { ExportOptions } from '@/features/transfer/types';
import { attachmentName } from '@/features/transfer/lib/files';
import { apiResponse } from '@/lib/api-client';

export interface ExportedFile {
  blob: Blob;
  name: string;
}

export function exportPath({ format, trash, history }: ExportOptions): string {
  const query: ExportOptions = { format, trash, history: history && format === 'json' };
  const params = new URLSearchParams(Object.entries(query).map(([name, value]) => [name, String(value)]));
  return `/export?${params.toString()}`;
}

/** Download an export, reporting bytes received as they arrive. */
export async function exportNotes(
  options: ExportOptions,
  onProgress: (received: number, total: number | null) => void,
  signal?: AbortSignal,
): Promise<ExportedFile> {
  const response = await apiResponse(exportPath(options), signal);
  const total = Number(response.headers.get('Content-Length')) || null;
  const fallback = `notestack.${options.format === 'markdown' ? 'zip' : 'json'}`;
  const name = attachmentName(response.headers.get('Content-Disposition'), fallback);
  const type = response.headers.get('Content-Type') ?? 'application/octet-stream';
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  const reader = response.body?.getReader();
  if (!reader) return { blob: await response.blob(), name };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress(received, total);
  }
  return { blob: new Blob(chunks, { type }), name };
}

/** Hand a file to the browser's downloads (a temporary object URL, clicked then revoked). */
export function saveFile({ blob, name }: ExportedFile): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
