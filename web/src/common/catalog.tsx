// The catalog as the signed-in user sees it: which objects exist and what their role may do
// with each, and the described fields of each object (hidden fields already left out by the
// server). Administrators' changes call `invalidate` so every page sees new fields at once.
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

import { api, call } from '../api/client';
import type { ObjectDescription, ObjectSummary } from '../api/types';
import { useLoad } from './useLoad';

interface CatalogState {
  objects: ObjectSummary[] | undefined;
  objectsError: unknown;
  describe: (name: string) => Promise<ObjectDescription>;
  invalidate: () => void;
  version: number;
}

const CatalogContext = createContext<CatalogState | null>(null);

export function CatalogProvider({ children }: { children: ReactNode }) {
  const [version, setVersion] = useState(0);
  const described = useRef(new Map<string, Promise<ObjectDescription>>());
  const objects = useLoad(async () => (await call(api.GET('/api/v1/objects'))).items, [version]);

  const describe = useCallback((name: string) => {
    let pending = described.current.get(name);
    if (!pending) {
      pending = call(api.GET('/api/v1/objects/{object}', { params: { path: { object: name } } }));
      pending.catch(() => described.current.delete(name));
      described.current.set(name, pending);
    }
    return pending;
  }, []);

  const invalidate = useCallback(() => {
    described.current.clear();
    setVersion((value) => value + 1);
  }, []);

  const value = useMemo(
    () => ({ objects: objects.data, objectsError: objects.error, describe, invalidate, version }),
    [objects.data, objects.error, describe, invalidate, version],
  );
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>;
}

export function useCatalog(): CatalogState {
  const state = useContext(CatalogContext);
  if (!state) throw new Error('useCatalog outside CatalogProvider');
  return state;
}

/** The described object, reloaded when the catalog changes. */
export function useDescribe(name: string) {
  const { describe, version } = useCatalog();
  return useLoad(() => describe(name), [name, version]);
}
