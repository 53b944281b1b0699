export function LockIcon({ size = 12 }: { size?: number }) {
  return (
    <svg className="icon-lock" viewBox="0 0 16 16" width={size} height={size} aria-hidden="true">
      <path
        d="M4.5 7V5a3.5 3.5 0 017 0v2M3.5 7h9a.5.5 0 01.5.5v6a.5.5 0 01-.5.5h-9a.5.5 0 01-.5-.5v-6a.5.5 0 01.5-.5z"
        stroke="currentColor"
        strokeWidth="1.5"
        fill="none"
        strokeLinejoin="round"
      />
    </svg>
  );
}

export function ChevronIcon({ dir }: { dir: 'left' | 'right' }) {
  return (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d={dir === 'left' ? 'M10 3L5 8l5 5' : 'M6 3l5 5-5 5'} stroke="currentColor" strokeWidth="1.8" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** Two arrows in a circle: sync both ways. */
export function SyncIcon({ size = 16, spinning = false }: { size?: number; spinning?: boolean }) {
  return (
    <svg className={spinning ? 'icon-sync spinning' : 'icon-sync'} viewBox="0 0 16 16" width={size} height={size} aria-hidden="true">
      <path d="M13 6.5A5.2 5.2 0 003.6 4.4L2.5 5.6M3 9.5a5.2 5.2 0 009.4 2.1l1.1-1.2" stroke="currentColor" strokeWidth="1.6" fill="none" strokeLinecap="round" />
      <path d="M2.3 2.6v3.2h3.2M13.7 13.4v-3.2h-3.2" stroke="currentColor" strokeWidth="1.6" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** The agenda sync badge's glyphs (shared/contract ActionSyncState), drawn at 10 px in a disc. */
export function SyncStateIcon({ state, size = 10 }: { state: 'synced' | 'pending' | 'deletion' | 'error'; size?: number }) {
  const common = { stroke: 'currentColor', strokeWidth: 2, fill: 'none', strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const };
  return (
    <svg className="icon-sync-state" viewBox="0 0 12 12" width={size} height={size} aria-hidden="true">
      {state === 'synced' ? <path d="M2.5 6.2l2.3 2.3 4.7-5" {...common} /> : null}
      {state === 'pending' ? <path d="M6 9.5V3M3.2 5.6L6 2.8l2.8 2.8" {...common} /> : null}
      {state === 'deletion' ? <path d="M3 3.5h6M4.2 3.5l.4 6h2.8l.4-6M5 3.5V2.5h2v1" {...common} strokeWidth={1.5} /> : null}
      {state === 'error' ? <path d="M6 2.5v4.2M6 9.3v.2" {...common} strokeWidth={2.2} /> : null}
    </svg>
  );
}
