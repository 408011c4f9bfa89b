import { z } from 'zod/mini';
import { RegisterIn } from '@/config/api-constraints';
import { emailField } from '@/features/auth/lib/fields';
import { apiRequest } from '@/lib/api-client';
import { stringChecks } from '@/lib/validation';
import type { ResponseBody, User } from '@/types/api';

export const registerInputSchema = z.object({
  username: z.string().check(
    z.trim(),
    ...stringChecks(RegisterIn.username, {
      tooShort: (min) => `At least ${min} characters.`,
      tooLong: (max) => `At most ${max} characters.`,
      pattern: 'Use visible characters (spaces are allowed inside).',
    }),
  ),
  email: emailField,
  password: z.string().check(
    ...stringChecks(RegisterIn.password, {
      tooShort: (min) => `At least ${min} characters.`,
      tooLong: (max) => `At most ${max} characters.`,
    }),
  ),
});

export type RegisterInput = z.infer<typeof registerInputSchema>;

export async function register(input: RegisterInput): Promise<User> {
  const response = await apiRequest<ResponseBody<'/api/v1/auth/register', 'post', 201>>('/auth/register', { method: 'POST', body: input });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.user;
}
