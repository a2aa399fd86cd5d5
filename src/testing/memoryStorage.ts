/**
 * localStorage as a browser has it, in memory, installed on globalThis for tests of the store
 * (which persists its settings there). Install it from `vi.hoisted`, before the store is
 * imported: `await vi.hoisted(async () => (await import('…/memoryStorage')).installMemoryStorage())`.
 */
export function installMemoryStorage(initial: Iterable<[string, string]> = []): Storage {
  const data = new Map<string, string>(initial);
  const storage: Storage = {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, String(v)),
    removeItem: (k: string) => void data.delete(k),
    clear: () => data.clear(),
    key: (i: number) => [...data.keys()][i] ?? null,
    get length() {
      return data.size;
    },
  };
  (globalThis as { localStorage?: Storage }).localStorage = storage;
  return storage;
}
