export const API_BASE = '/api/v1';

export const paths = {
  home: '/',
  signIn: '/sign-in',
  signUp: '/sign-up',
  notes: '/notes',
  note: '/notes/:noteId',
  noteHistory: '/notes/:noteId/history',
  trash: '/trash',
} as const;

export function noteUrl(noteId: string): string {
  return `/notes/${encodeURIComponent(noteId)}`;
}

export function noteHistoryUrl(noteId: string): string {
  return `${noteUrl(noteId)}/history`;
}

/** Only same-site, absolute paths may be used as a post-sign-in destination. */
export function safeRedirectTarget(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return paths.home;
  }
  return value;
}

export function signInUrl(redirectTo?: string): string {
  if (!redirectTo || redirectTo === paths.home || redirectTo.startsWith(paths.signIn)) {
    return paths.signIn;
  }
  return `${paths.signIn}?redirect=${encodeURIComponent(redirectTo)}`;
}
