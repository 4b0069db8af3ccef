/** Loading a page's data, again every `refreshMs` while the page is shown, with when it last came. */
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly updatedAt: Date | undefined;
  readonly loading: boolean;
  reload(): void;
}

export function useData<T>(load: () => Promise<T>, deps: readonly unknown[], refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; updatedAt?: Date; loading: boolean }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      setState((s) => ({ ...s, loading: true }));
      try {
        const data = await load();
        if (alive) setState({ data, updatedAt: new Date(), loading: false });
      } catch (error) {
        if (alive)
          setState((s) => ({
            ...s,
            error: error instanceof Error ? error : new Error(String(error)),
            loading: false,
          }));
      } finally {
        if (alive && refreshMs) timer = setTimeout(run, refreshMs);
      }
    };
    void run();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [...deps, round, refreshMs]);
  return { ...state, data: state.data, error: state.error, updatedAt: state.updatedAt, reload };
}
