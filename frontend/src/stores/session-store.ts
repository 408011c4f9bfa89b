import { create } from 'zustand';
import type { User } from '@/types/api';

export type SessionStatus = 'unknown' | 'authenticated' | 'anonymous';
/** How the last session ended: the sign-in page greets the person accordingly. */
export type SessionEnd = 'signed-out' | 'expired';

interface SessionState {
  user: User | null;
  status: SessionStatus;
  ended: SessionEnd | null;
  setUser: (user: User) => void;
  /** No session (none found at start-up, or it ended for the given reason). */
  clear: (ended?: SessionEnd) => void;
}

/** Who is signed in. The token itself lives only in an HttpOnly cookie. */
export const useSessionStore = create<SessionState>()((set) => ({
  user: null,
  status: 'unknown',
  ended: null,
  setUser: (user) => set({ user, status: 'authenticated', ended: null }),
  clear: (ended) => set({ user: null, status: 'anonymous', ended: ended ?? null }),
}));
