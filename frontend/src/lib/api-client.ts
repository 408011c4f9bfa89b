import { API_BASE } from '@/config/paths';
import type { components } from '@/types/api-schema';

/** The body of every error the API sends (checked at run time all the same: a proxy may answer). */
export type ErrorBody = components['schemas']['ErrorEnvelope'];
export type FieldError = ErrorBody['errors'][number];

/** An answer from the API that was not a success (or no answer at all: status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly fieldErrors: FieldError[];
  readonly body: unknown;

  constructor(status: number, message: string, fieldErrors: FieldError[] = [], body?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.body = body;
  }

  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Keep the request alive while the page unloads (used by delayed deletes). */
  keepalive?: boolean;
  /** A 401 here is an expected answer (sign-in form, session probe), not an expired session. */
  expectUnauthorized?: boolean;
}

export interface ApiResponse<T> {
  status: number;
  /** null for 304 Not Modified (and any empty body). */
  data: T | null;
  headers: Headers;
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => undefined;

/** The one place that decides what a 401 means for the app (set by the app providers). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

function statusMessage(status: number): string {
  if (status === 0) return 'Could not reach the server. Check your connection and try again.';
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'That action is not allowed.';
  if (status === 404) return 'That item no longer exists.';
  if (status === 409) return 'That conflicts with existing data.';
  if (status === 412) return 'Someone else changed this in the meantime.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return 'The server had a problem. Try again in a moment.';
  return `The request failed (HTTP ${status}).`;
}

function parseFieldErrors(body: unknown): FieldError[] {
  if (typeof body !== 'object' || body === null || !('errors' in body)) return [];
  const errors = (body as { errors: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { field, message } = item as { field?: unknown; message?: unknown };
    return typeof message === 'string'
      ? [{ field: typeof field === 'string' ? field : '', message }]
      : [];
  });
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export async function apiRequest<T>(path: string, request: ApiRequest = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(request.body);
  }
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method: request.method ?? 'GET',
      headers,
      body,
      signal: request.signal,
      keepalive: request.keepalive,
      credentials: 'same-origin',
      // We manage If-None-Match ourselves so that a 304 reaches us instead of the HTTP cache.
      cache: 'no-store',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, statusMessage(0));
  }
  if (response.status === 304) {
    return { status: 304, data: null, headers: response.headers };
  }
  const payload = await readJson(response);
  if (!response.ok) throw failure(response.status, payload, request.expectUnauthorized);
  return { status: response.status, data: payload as T, headers: response.headers };
}

/**
 * The error for an answer that was not a success (its JSON body already read); a 401 goes to
 * the one handler unless it was expected. For requests made without `apiRequest` (a file
 * download read as a stream, an upload with progress), so they fail the same way.
 */
export function failure(status: number, payload: unknown, expectUnauthorized = false): ApiError {
  if (status === 401 && !expectUnauthorized) onUnauthorized();
  const serverMessage =
    typeof payload === 'object' && payload !== null && 'message' in payload
      ? (payload as { message: unknown }).message
      : undefined;
  const message =
    typeof serverMessage === 'string' && serverMessage && status !== 401 ? serverMessage : statusMessage(status);
  return new ApiError(status, message, parseFieldErrors(payload), payload);
}

/** A successful answer whose body is read by the caller (a download): errors as for `apiRequest`. */
export async function apiResponse(path: string, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, { credentials: 'same-origin', cache: 'no-store', signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, statusMessage(0));
  }
  if (!response.ok) throw failure(response.status, await readJson(response));
  return response;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
