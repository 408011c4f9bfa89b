import { ApiError, apiRequest } from '@/lib/api-client';
import type { User } from '@/types/api';

/** The signed-in person, or null when there is no valid session cookie. */
export async function getProfile(signal?: AbortSignal): Promise<User | null> {
  try {
    const response = await apiRequest<{ user: User }>('/auth/profile', {
      signal,
      expectUnauthorized: true,
    });
    return response.data?.user ?? null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}
