// The one way the console talks to the server: typed calls (openapi-fetch over the generated
// paths), the session's bearer token, and errors turned into ApiError with plain-language text.
import createClient, { type Middleware } from 'openapi-fetch';

import type { paths } from './schema.gen';
import type { Problem, Session } from './types';

const SESSION_KEY = 'payer360.session';

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined) {
    super(plainMessage(status, problem));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** Field-level messages by field name (from problem+json `errors[]`). */
  fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const error of this.problem?.errors ?? []) {
      errors[error.field] = error.message;
    }
    return errors;
  }
}

function plainMessage(status: number, problem: Problem | undefined): string {
  switch (status) {
    case 0:
      return 'The server cannot be reached. Check your connection and try again.';
    case 401:
      return 'Your session has ended. Please log in again.';
    case 403:
      return problem?.detail ?? 'Your role does not allow this.';
    case 404:
      return 'This record does not exist, or you do not have access to it.';
    case 409:
      return problem?.detail ?? 'This conflicts with existing data.';
    case 412:
      return 'Someone else changed this record while you were editing. Reload it and try again.';
    case 429:
      return problem?.detail ?? 'Too many attempts. Wait a moment and try again.';
    default:
      if (status >= 500) {
        return 'Something went wrong on the server. Try again; if it keeps happening, tell your administrator.';
      }
      return problem?.detail ?? problem?.title ?? `The request failed (${status}).`;
  }
}

// ---- The session, kept per browser tab -------------------------------------------------------

let current: Session | null = readStoredSession();
const listeners = new Set<(session: Session | null) => void>();
// Whether the last session ended because the server refused it (expired or revoked).
let endedByServer = false;
// Set while the user logs out: requests still in flight are refused once the server has ended
// the session, and that is not the server ending it.
let endingByUser = false;

function readStoredSession(): Session | null {
  try {
    const text = sessionStorage.getItem(SESSION_KEY);
    if (!text) return null;
    const session = JSON.parse(text) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  if (session) endedByServer = false;
  if (session) endingByUser = false;
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
  for (const listener of listeners) listener(session);
}

export function subscribeSession(listener: (session: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The user is logging out: refusals of the ending session no longer mean it expired. */
export function userEndsSession(): void {
  endingByUser = true;
}

/** Whether the user logged out (rather than the server ending the session). */
export function sessionEndedByUser(): boolean {
  return endingByUser;
}

/** Whether the server ended the session (a 401 to a signed-in request), not the user. */
export function sessionEndedByServer(): boolean {
  return endedByServer;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (current) request.headers.set('Authorization', `Bearer ${current.token}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization') && current && !endingByUser) {
      endedByServer = true;
      setSession(null);
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/** Unwraps an openapi-fetch answer: the data, or an ApiError. */
export async function call<T>(
  promise: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await promise;
  } catch {
    throw new ApiError(0, undefined);
  }
  if (!result.response.ok) {
    const problem =
      result.error && typeof result.error === 'object' ? (result.error as Problem) : undefined;
    throw new ApiError(result.response.status, problem);
  }
  return result.data as T;
}

/** The message to show for anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return 'Something unexpected happened. Reload the page and try again.';
}
