import { describe, expect, it } from 'vitest';
import { registerInputSchema } from '@/features/auth/api/register';

const valid = { username: 'ada.l_2', email: 'ada@example.com', password: 'correct horse' };

describe('registerInputSchema (same limits as the server)', () => {
  it('accepts a valid sign-up', () => {
    expect(registerInputSchema.safeParse(valid).success).toBe(true);
  });

  it('wants a 3-30 character username (trimmed), as the API schema says', () => {
    for (const username of ['ab', '   ab   ', 'x'.repeat(31)]) {
      expect(registerInputSchema.safeParse({ ...valid, username }).success).toBe(false);
    }
    expect(registerInputSchema.safeParse({ ...valid, username: 'x'.repeat(30) }).success).toBe(true);
    const parsed = registerInputSchema.safeParse({ ...valid, username: ' Ada Lovelace ' });
    expect(parsed.success && parsed.data.username).toBe('Ada Lovelace');
  });

  it('wants an email and an 8-128 character password', () => {
    expect(registerInputSchema.safeParse({ ...valid, email: 'not-an-email' }).success).toBe(false);
    expect(registerInputSchema.safeParse({ ...valid, password: 'short' }).success).toBe(false);
    expect(registerInputSchema.safeParse({ ...valid, password: 'x'.repeat(129) }).success).toBe(false);
    expect(registerInputSchema.safeParse({ ...valid, password: 'x'.repeat(128) }).success).toBe(true);
  });
});
