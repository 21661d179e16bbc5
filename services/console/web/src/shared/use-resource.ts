// Loads one thing from the API and, when asked, keeps it fresh by polling. Polls are chained
// (the next starts after the previous answered), so a slow server never piles up requests, and
// a failed poll keeps the last good data on screen next to the error.
import { useCallback, useEffect, useRef, useState } from 'react';
import { asApiFailure } from './api-client';
import type { ApiFailure } from './api-client';

export interface Resource<T> {
  data: T | undefined;
  error: ApiFailure | undefined;
  loading: boolean;
  /** Loads again now (after an action, or from a 刷新 button). */
  reload: () => void;
  /** Replaces the data with what an action returned, without a round trip. */
  replace: (data: T) => void;
}

/**
 * @param key identifies what is loaded; a new key drops the old data. `undefined` loads nothing.
 * @param refreshMs poll interval, or undefined to load once.
 */
export function useResource<T>(
  key: string | undefined,
  load: () => Promise<T>,
  refreshMs?: number,
): Resource<T> {
  const [state, setState] = useState<{
    key: string | undefined;
    data: T | undefined;
    error: ApiFailure | undefined;
    loading: boolean;
  }>({ key, data: undefined, error: undefined, loading: key !== undefined });
  const [generation, setGeneration] = useState(0);
  // The latest loader, so a re-render with a new closure does not restart the polling.
  const loadRef = useRef(load);
  loadRef.current = load;

  if (state.key !== key) {
    setState({ key, data: undefined, error: undefined, loading: key !== undefined });
  }

  useEffect(() => {
    if (key === undefined) return undefined;
    let cancelled = false;
    let timer: number | undefined;
    const run = async () => {
      try {
        const data = await loadRef.current();
        if (!cancelled) setState({ key, data, error: undefined, loading: false });
      } catch (error: unknown) {
        if (!cancelled) {
          setState((previous) => ({
            key,
            data: previous.key === key ? previous.data : undefined,
            error: asApiFailure(error),
            loading: false,
          }));
        }
      }
      if (!cancelled && refreshMs !== undefined) {
        timer = window.setTimeout(() => void run(), refreshMs);
      }
    };
    void run();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [key, refreshMs, generation]);

  const reload = useCallback(() => {
    setGeneration((value) => value + 1);
  }, []);
  const replace = useCallback(
    (data: T) => {
      setState({ key, data, error: undefined, loading: false });
    },
    [key],
  );

  const current = state.key === key ? state : undefined;
  return {
    data: current?.data,
    error: current?.error,
    loading: current?.loading ?? key !== undefined,
    reload,
    replace,
  };
}

/** The current time, re-read every `intervalMs` (for countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => {
      setNow(Date.now());
    }, intervalMs);
    return () => {
      window.clearInterval(timer);
    };
  }, [intervalMs]);
  return now;
}
