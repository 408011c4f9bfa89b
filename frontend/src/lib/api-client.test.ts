import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiRequest, setUnauthorizedHandler } from '@/lib/api-client';
import { shouldRetry } from '@/lib/query-client';

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

afterEach(() => {
  setUnauthorizedHandler(() => undefined);
});

describe('apiRequest', () => {
  it('sends same-origin credentials, no HTTP cache, and JSON', async () => {
    const fetchMock = vi.fn(() => Promise.resolve(jsonResponse(201, { success: true, note: {} })));
    vi.stubGlobal('fetch', fetchMock);
    await apiRequest('/note/create', { method: 'POST', body: { title: 'x' } });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/note/create');
    expect(init.credentials).toBe('same-origin');
    expect(init.cache).toBe('no-store');
    expect(init.body).toBe('{"title":"x"}');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('turns an error envelope into an ApiError with field errors', async () => {
    vi.stubGlobal('fetch', () =>
      Promise.resolve(
        jsonResponse(422, {
          success: false,
          message: 'Invalid input',
          errors: [{ field: 'title', message: 'Too long' }],
        }),
      ),
    );
    const error = await apiRequest('/note/create', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).message).toBe('Invalid input');
    expect((error as ApiError).fieldErrors).toEqual([{ field: 'title', message: 'Too long' }]);
  });

  it('hands every unexpected 401 to the one handler, but not an expected one', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    vi.stubGlobal('fetch', () => Promise.resolve(jsonResponse(401, { success: false, message: 'no' })));
    await expect(apiRequest('/note')).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledTimes(1);
    await expect(apiRequest('/auth/login', { expectUnauthorized: true })).rejects.toBeInstanceOf(ApiError);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('reports 304 as data-less success and a network failure as status 0', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(null, { status: 304 })));
    expect((await apiRequest('/note')).status).toBe(304);
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const error = await apiRequest('/note').catch((e: unknown) => e);
    expect((error as ApiError).status).toBe(0);
  });
});

describe('shouldRetry', () => {
  it('never retries a 4xx, retries network and server errors up to 3 times', () => {
    expect(shouldRetry(0, new ApiError(404, 'x'))).toBe(false);
    expect(shouldRetry(0, new ApiError(412, 'x'))).toBe(false);
    expect(shouldRetry(0, new ApiError(500, 'x'))).toBe(true);
    expect(shouldRetry(2, new ApiError(0, 'x'))).toBe(true);
    expect(shouldRetry(3, new ApiError(503, 'x'))).toBe(false);
  });
});
