/** The same limits the server enforces. */
export const LIMITS = {
  titleMax: 200,
  descriptionMax: 100_000,
  usernameMin: 3,
  usernameMax: 30,
  passwordMin: 8,
  passwordMax: 128,
  pageSize: 20,
} as const;

export const DELETE_UNDO_MS = 5000;
export const SEARCH_DEBOUNCE_MS = 300;
