import { z } from 'zod/mini';
import { LIMITS } from '@/config/limits';
import { emailField } from '@/features/auth/lib/fields';
import { apiRequest } from '@/lib/api-client';
import type { User } from '@/types/api';

export const loginInputSchema = z.object({
  email: emailField,
  password: z
    .string()
    .check(
      z.minLength(1, 'Enter your password.'),
      z.maxLength(LIMITS.passwordMax, `At most ${LIMITS.passwordMax} characters.`),
    ),
});

export type LoginInput = z.infer<typeof loginInputSchema>;

/** Sets the HttpOnly session cookie; the token in the body is deliberately ignored. */
export async function login(input: LoginInput): Promise<User> {
  const response = await apiRequest<{ user: User }>('/auth/login', {
    method: 'POST',
    body: input,
    expectUnauthorized: true,
  });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.user;
}
