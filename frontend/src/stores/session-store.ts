import { create } from 'zustand';
import type { User } from '@/types/api';

export type SessionStatus = 'unknown' | 'authenticated' | 'anonymous';

interface SessionState {
  user: User | null;
  status: SessionStatus;
  setUser: (user: User) => void;
  clear: () => void;
}

/** Who is signed in. The token itself lives only in an HttpOnly cookie. */
export const useSessionStore = create<SessionState>()((set) => ({
  user: null,
  status: 'unknown',
  setUser: (user) => set({ user, status: 'authenticated' }),
  clear: () => set({ user: null, status: 'anonymous' }),
}));
