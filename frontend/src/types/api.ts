/**
 * Names for the API's shapes, derived from the generated `api-schema.ts` (openapi-typescript) by
 * path and method rather than by schema name, so that renaming a schema on the server does not
 * break the client while the contract (paths, fields) stays the same.
 */
import type { paths } from '@/types/api-schema';

type Method = 'get' | 'post' | 'patch' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON body an operation answers with, for one status code (200 unless said). */
export type ResponseBody<P extends keyof paths, M extends Method, S extends number = 200> =
  Operation<P, M> extends { responses: infer Responses }
    ? S extends keyof Responses
      ? Json<Responses[S]>
      : never
    : never;

/** The JSON body an operation takes. */
export type RequestBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: infer Body } ? Json<NonNullable<Body>> : never;

/** The query parameters an operation takes. */
export type QueryParams<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Query } } ? NonNullable<Query> : never;

/** The signed-in person, as the profile and sign-in answers carry it. */
export type User = ResponseBody<'/api/v1/auth/profile', 'get'>['user'];
