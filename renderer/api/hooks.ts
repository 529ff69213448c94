// Small hooks over `call`: a query that loads on mount and on demand, an action with busy/error state,
// and the progress stream of one long channel.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChannelName, ChannelReply, ChannelRequest, IpcProgressEvent, LongChannelName } from '../../shared/ipc.ts';
import { asCallError, call, type CallError } from './call.ts';

export interface Query<T> {
  data: T | undefined;
  error: CallError | undefined;
  loading: boolean;
  reload: () => void;
}

/** `enabled: false` holds the call back (e.g. until more urgent data has loaded). */
export function useQuery<K extends ChannelName>(
  name: K,
  request: ChannelRequest<K>,
  deps: unknown[] = [],
  enabled = true,
): Query<ChannelReply<K>> {
  const [state, setState] = useState<{ data?: ChannelReply<K>; error?: CallError; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const requestRef = useRef(request);
  requestRef.current = request;
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    call(name, requestRef.current).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error: asCallError(error), loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name, generation, enabled, ...deps]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface Action<A extends unknown[], T> {
  run: (...args: A) => Promise<T | undefined>;
  busy: boolean;
  error: CallError | undefined;
  result: T | undefined;
  reset: () => void;
}

export function useAction<A extends unknown[], T>(perform: (...args: A) => Promise<T>): Action<A, T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CallError>();
  const [result, setResult] = useState<T>();
  const performRef = useRef(perform);
  performRef.current = perform;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      const value = await performRef.current(...args);
      setResult(value);
      return value;
    } catch (caught) {
      setError(asCallError(caught));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const reset = useCallback(() => {
    setError(undefined);
    setResult(undefined);
  }, []);
  return { run, busy, error, result, reset };
}

export function useProgress(channel: LongChannelName): [IpcProgressEvent | undefined, () => void] {
  const [progress, setProgress] = useState<IpcProgressEvent>();
  useEffect(
    () =>
      window.byok.onProgress((event) => {
        if (event.channel === channel) setProgress(event);
      }),
    [channel],
  );
  return [progress, useCallback(() => setProgress(undefined), [])];
}
