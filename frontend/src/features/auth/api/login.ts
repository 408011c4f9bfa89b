import { z } from 'zod/mini';
import { LoginIn } from '@/config/api-constraints';
import { emailField } from '@/features/auth/lib/fields';
import { apiRequest } from '@/lib/api-client';
import { stringChecks } from '@/lib/validation';
import type { ResponseBody, User } from '@/types/api';

export const loginInputSchema = z.object({
  email: emailField,
  password: z.string().check(
    ...stringChecks(LoginIn.password, {
      tooShort: () => 'Enter your password.',
      tooLong: (max) => `At most ${max} characters.`,
    }),
  ),
});

export type LoginInput = z.infer<typeof loginInputSchema>;

/** Sets the HttpOnly session cookie; the token in the body is deliberately ignored. */
export async function login(input: LoginInput): Promise<User> {
  const response = await apiRequest<ResponseBody<'/api/v1/auth/login', 'post'>>('/auth/login', {
    method: 'POST',
    body: input,
    expectUnauthorized: true,
  });
  if (!response.data) throw new Error('The server sent an empty answer.');
  return response.data.user;
}
