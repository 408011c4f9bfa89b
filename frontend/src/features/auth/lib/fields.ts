import { z } from 'zod/mini';

/** The email field as sign-in and sign-up both validate it. */
export const emailField = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'Enter your email address.'),
    z.email('Enter a valid email address.'),
  );
