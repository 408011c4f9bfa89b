/** UI choices, not server rules (those come from the OpenAPI document: `api-constraints.ts`). */
export const PAGE_SIZE = 20;
export const DELETE_UNDO_MS = 5000;
export const SEARCH_DEBOUNCE_MS = 300;
