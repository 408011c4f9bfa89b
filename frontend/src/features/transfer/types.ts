/**
 * Export and import (GET /api/v1/export, POST /api/v1/import), typed from the generated API
 * types. An import's report is still checked at run time (`readReport` in
 * `api/import-notes.ts`): an answer may come from a proxy, and a 422 may be about something
 * other than the file's records (a quota), without a report.
 */
import type { QueryParams } from '@/types/api';
import type { components } from '@/types/api-schema';

export type ExportFormat = components['schemas']['ExportFormat'];

export type ExportOptions = Required<Pick<QueryParams<'/api/v1/export', 'get'>, 'format' | 'trash' | 'history'>>;

/** A record of the file that is not a note: its line, its file in a zip, or its place (1, 2…) in an export. */
export type ImportProblem = components['schemas']['ImportProblem'];

export type ImportReport = components['schemas']['ImportReport'];
