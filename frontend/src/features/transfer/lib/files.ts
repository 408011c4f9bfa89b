/** Files going out (exports) and in (imports): names, types, sizes. Pure. */

/** The file name a Content-Disposition header gives, or the fallback. */
export function attachmentName(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  const name = plain?.[1]?.trim().replace(/[/\\]/g, '_');
  return name || fallback;
}

/** The Content-Type an import is sent as: a zip of Markdown files, or JSON (ours or mongoexport). */
export function importContentType(file: Pick<File, 'name' | 'type'>): 'application/zip' | 'application/json' {
  if (/\.zip$/i.test(file.name) || /zip/i.test(file.type)) return 'application/zip';
  return 'application/json';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "45%" when the total is known, else how much so far. */
export function progressText(done: number, total: number | null): string {
  if (total && total > 0) return `${Math.min(100, Math.round((done / total) * 100))}% of ${formatBytes(total)}`;
  return `${formatBytes(done)} so far`;
}
