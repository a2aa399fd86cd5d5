/// <reference types="vite-plugin-pwa/client" />
import { useEffect, useRef, useState, type RefObject } from 'react';
import { registerSW } from 'virtual:pwa-register';

/**
 * Where offline use stands: the service worker is copying the app (`preparing`), holds a full
 * copy (`ready`), has a new version waiting for the user (`update`), or cannot run here
 * (`unavailable`, with why).
 */
type OfflineState =
  | { readonly kind: 'preparing' }
  | { readonly kind: 'ready' }
  | { readonly kind: 'update' }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** How often a long-open page asks the server for a new version (ms): once an hour. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/** Switches to the waiting version (the page reloads when it takes over). */
type Activate = () => Promise<void>;

/** Where offline use starts: nothing to say in dev (no service worker is built). */
function initialState(): OfflineState | null {
  if (!import.meta.env.PROD) return null;
  if (!('serviceWorker' in navigator)) {
    return { kind: 'unavailable', reason: 'this browser has no service workers' };
  }
  return { kind: 'preparing' };
}

/** Registers the service worker once (production builds only) and follows its life. */
function useServiceWorker(): { state: OfflineState | null; activate: RefObject<Activate | null> } {
  const [state, setState] = useState(initialState);
  const activate = useRef<Activate | null>(null);

  useEffect(() => {
    if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const update = registerSW({
      immediate: true,
      onOfflineReady: () => setState((s) => (s?.kind === 'update' ? s : { kind: 'ready' })),
      onNeedRefresh: () => setState({ kind: 'update' }),
      // The reload is ours (activate, below): workbox-window signals it only to a page that
      // was already controlled when it loaded, not to one open since the first install.
      onNeedReload: () => undefined,
      onRegisteredSW: (_url, registration) => {
        if (!registration) return;
        // A worker already active (from an earlier visit) holds a full copy, even while a new
        // version installs beside it; no event says so.
        if (registration.active) {
          setState((s) => (s?.kind === 'preparing' ? { kind: 'ready' } : s));
        }
        timer = setInterval(() => {
          if (navigator.onLine) registration.update().catch(() => undefined);
        }, UPDATE_CHECK_MS);
      },
      onRegisterError: (err: unknown) =>
        setState({
          kind: 'unavailable',
          reason: err instanceof Error ? err.message : 'the service worker did not register',
        }),
    });
    activate.current = () => {
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), {
        once: true,
      });
      return update(true);
    };
    return () => clearInterval(timer);
  }, []);

  return { state, activate };
}

/** The offline badge in the header, and the prompt to reload when a new version is waiting. */
export function OfflineStatus() {
  const { state, activate } = useServiceWorker();
  if (state === null) return null;
  return (
    <span
      className="badge"
      role="status"
      data-testid="offline-status"
      data-state={state.kind}
      title={state.kind === 'unavailable' ? `Offline use is off: ${state.reason}` : undefined}
    >
      {state.kind === 'preparing' && 'Preparing offline use…'}
      {state.kind === 'ready' && (
        <>
          <span aria-hidden="true">✓</span> Ready to work offline
        </>
      )}
      {state.kind === 'unavailable' && 'Offline use unavailable'}
      {state.kind === 'update' && (
        <>
          A new version is available —
          <button
            type="button"
            className="badge-button"
            data-testid="offline-reload"
            aria-label="Reload to use the new version"
            onClick={() => void activate.current?.()}
          >
            Reload
          </button>
        </>
      )}
    </span>
  );
}
