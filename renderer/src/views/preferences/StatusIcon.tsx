/** A check's outcome as an icon (the text next to it says it for screen readers). */
export function StatusIcon({ status }: { status: 'pass' | 'fail' | 'warn' | 'skipped' }) {
  return (
    <span className={`status-icon ${status}`} aria-hidden="true">
      <svg viewBox="0 0 16 16" width="16" height="16">
        {status === 'pass' ? <path d="M3.5 8.5l3 3 6-7" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" strokeLinejoin="round" /> : null}
        {status === 'fail' ? <path d="M4.5 4.5l7 7m0-7l-7 7" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" /> : null}
        {status === 'warn' ? <path d="M8 3.5v5.5M8 12v.5" stroke="currentColor" strokeWidth="2.2" fill="none" strokeLinecap="round" /> : null}
        {status === 'skipped' ? <path d="M4.5 8h7" stroke="currentColor" strokeWidth="2" fill="none" strokeLinecap="round" /> : null}
      </svg>
    </span>
  );
}
