/**
 * Export and import (GET /api/v1/export, POST /api/v1/import). The export's options come
 * from the generated API types. The import's report does not: the OpenAPI document gives
 * its 200 no schema and its 422 only the plain error envelope, so the report is read and
 * checked at run time (`readReport` in `api/import-notes.ts`) into the shape below.
 */
import type { QueryParams } from '@/types/api';
import type { components } from '@/types/api-schema';

export type ExportFormat = components['schemas']['ExportFormat'];

export type ExportOptions = Required<Pick<QueryParams<'/api/v1/export', 'get'>, 'format' | 'trash' | 'history'>>;

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
