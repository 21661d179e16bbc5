// Who is signed in. The session itself is an HttpOnly cookie the browser sends with every call;
// the app only keeps the staff record from GET /api/session to decide what to show.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type {
  SessionResponse,
  SignInRequest,
  Staff,
  StaffRole,
} from '../../../src/api/console-api';
import { ApiFailure, api, onUnauthorized } from '../shared/api-client';
import { navigate } from '../shared/router';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; session: SessionResponse };

interface SessionValue {
  state: SessionState;
  signIn: (request: SignInRequest) => Promise<SessionResponse>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export const SIGN_IN_PATH = '/login';

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    api
      .get<SessionResponse>('/api/session')
      .then((session) => {
        if (!cancelled) setState({ status: 'signed-in', session });
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        // Anything but "not signed in" still lands on the sign-in page, which says what failed.
        if (!(error instanceof ApiFailure) || error.status !== 401) console.error(error);
        setState({ status: 'signed-out' });
      });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(
    () =>
      onUnauthorized(() => {
        setState({ status: 'signed-out' });
        const { pathname, search } = window.location;
        if (pathname !== SIGN_IN_PATH) {
          navigate(`${SIGN_IN_PATH}?next=${encodeURIComponent(pathname + search)}`, {
            replace: true,
          });
        }
      }),
    [],
  );

  const signIn = useCallback(async (request: SignInRequest) => {
    const session = await api.post<SessionResponse>('/api/session', request);
    setState({ status: 'signed-in', session });
    return session;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.delete('/api/session');
    } finally {
      setState({ status: 'signed-out' });
      navigate(SIGN_IN_PATH, { replace: true });
    }
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (value === undefined) throw new Error('useSession() needs a <SessionProvider> above it.');
  return value;
}

/** The signed-in staff member; only for screens behind the sign-in. */
export function useStaff(): Staff {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useStaff() is only for signed-in screens.');
  return state.session.staff;
}

/** Where each role starts after signing in. */
export function homePath(role: StaffRole): string {
  switch (role) {
    case 'CLERK':
      return '/desk/new';
    case 'REVIEWER':
    case 'APPROVER':
      return '/review';
    case 'OPERATOR':
      return '/operations';
  }
}

/** The part of the app each role works in. */
const ROLE_AREAS: Record<StaffRole, string> = {
  CLERK: '/desk',
  REVIEWER: '/review',
  APPROVER: '/review',
  OPERATOR: '/operations',
};

/** Whether `path` lies in the role's part of the app (a ?next= left by someone else may not). */
export function isPathOfRole(role: StaffRole, path: string): boolean {
  const area = ROLE_AREAS[role];
  return path === area || path.startsWith(`${area}/`) || path.startsWith(`${area}?`);
}
