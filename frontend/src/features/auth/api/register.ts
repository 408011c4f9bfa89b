import { z } from 'zod/mini';
import { LIMITS } from '@/config/limits';
import { emailField } from '@/features/auth/lib/fields';
import { apiRequest } from '@/lib/api-client';
import type { User } from '@/types/api';

export const registerInputSchema = z.object({
  username: z
    .string()
    .check(
      z.trim(),
      z.minLength(LIMITS.usernameMin, `At least ${LIMITS.usernameMin} characters.`),
      z.maxLength(LIMITS.usernameMax, `At most ${LIMITS.usernameMax} characters.`),
      z.regex(
        /^[a-z0-9][a-z0-9_.-]*$/,
        'Start with a letter or digit, then use lowercase letters, digits, “_”, “.” or “-”.',
      ),
    ),
  email: emailField,
  password: z
    .string()
    .check(
      z.minLength(LIMITS.passwordMin, `At least ${LIMITS.passwordMin} characters.`),
      z.maxLength(LIMITS.passwordMax, `At most ${LIMITS.passwordMax} characters.`),
    ),
});

export type RegisterInput = z.infer<typeof registerInputSchema>;

export async function register(input: RegisterInput): Promise<User> {
  const response = await apiRequest<{ user: User }>('/auth/register', { method: 'POST', body: input });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.user;
}
