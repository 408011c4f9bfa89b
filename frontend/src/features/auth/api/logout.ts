import { apiRequest } from '@/lib/api-client';

export async function logout(): Promise<void> {
  await apiRequest('/auth/logout', { method: 'POST', expectUnauthorized: true });
}
