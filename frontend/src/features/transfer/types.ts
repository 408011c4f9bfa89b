/**
 * Export and import (GET /api/v1/export, POST /api/v1/import).
 * TODO(after rebase on main): derive these from the generated types once the lead's
 * export/import endpoints are in openapi.json; until then they restate the agreed contract.
 */
export type ExportFormat = 'json' | 'markdown';

export interface ExportOptions {
  format: ExportFormat;
  trash: boolean;
  history: boolean;
}

export interface ImportProblem {
  line?: number | null;
  file?: string | null;
  message: string;
}

export interface ImportReport {
  created: number;
  skipped: number;
  errors: ImportProblem[];
}
