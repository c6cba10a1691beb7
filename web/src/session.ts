import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, unwrap } from './api/client.js';

/** The signed-in caller as `/api/v1/auth/me` describes it. */
export interface Me {
  kind: 'user' | 'api_key';
  id: number;
  name: string;
  role: 'viewer' | 'operator' | 'admin' | 'owner';
  tenant: string;
  actor: string;
}

const ROLE_ORDER = ['viewer', 'operator', 'admin', 'owner'];

/** Whether `role` is at least `required`. */
export function hasRole(role: string, required: Me['role']): boolean {
  return ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(required);
}

/** The caller, or null when nobody is signed in (a 401 is an answer, not an error). */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async (): Promise<Me | null> => {
      try {
        return await unwrap(api.GET('/api/v1/auth/me'));
      } catch (error) {
        if (ApiError.isInstance(error) && error.code === 'unauthenticated') return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** Sign-in and sign-out, refreshing the caller afterwards. */
export function useSession() {
  const client = useQueryClient();
  return {
    async login(email: string, password: string): Promise<void> {
      const answer = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
      client.setQueryData(['me'], answer.me);
    },
    async logout(): Promise<void> {
      await unwrap(api.POST('/api/v1/auth/logout'));
      // Signed out first, so the shell swaps to the sign-in page at once; only then drop every
      // other query (clearing `me` with them would refetch it and keep the old page on screen).
      client.setQueryData(['me'], null);
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
    },
  };
}
