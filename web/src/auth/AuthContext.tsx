// The signed-in user: login, logout, and keeping the session alive with the refresh endpoint
// while the console is open. A 401 anywhere ends the session and returns to the login page,
// which comes back to the same page after logging in again.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';

import { api, call, getSession, setSession, subscribeSession, userEndsSession } from '../api/client';
import type { Session, SessionUser } from '../api/types';

// Refresh this long before the token expires.
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

interface AuthState {
  user: SessionUser | null;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setState] = useState<Session | null>(getSession());
  const navigate = useNavigate();

  // A session the server ends (401) clears the user; the routes then go to the login page.
  useEffect(() => subscribeSession(setState), []);

  // Keep the session alive: refresh a few minutes before the token runs out.
  useEffect(() => {
    if (!session) return undefined;
    const due = Date.parse(session.expiresAt) - Date.now() - REFRESH_MARGIN_MS;
    const timer = window.setTimeout(
      () => {
        call(api.POST('/api/v1/auth/refresh'))
          .then((renewed) => setSession(renewed))
          .catch(() => {
            // A 401 has already ended the session; other failures retry at the next render.
          });
      },
      Math.max(due, 1000),
    );
    return () => window.clearTimeout(timer);
  }, [session]);

  const login = useCallback(async (username: string, password: string) => {
    const renewed = await call(api.POST('/api/v1/auth/login', { body: { username, password } }));
    setSession(renewed);
  }, []);

  const logout = useCallback(async () => {
    userEndsSession();
    try {
      await call(api.POST('/api/v1/auth/logout'));
    } catch {
      // Logging out of a session that already ended is fine.
    }
    setSession(null);
    navigate('/login', { replace: true });
  }, [navigate]);

  const value = useMemo(() => ({ user: session?.user ?? null, login, logout }), [session, login, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

/** Roles as people know them. */
export const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrator',
  agent: 'Member service agent',
  supervisor: 'Service supervisor',
  care_manager: 'Care manager',
  sales: 'Sales',
  marketing: 'Marketing',
  network_manager: 'Provider network',
  auditor: 'Auditor',
  portal_member: 'Member',
};
