import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Contact, ContactSummary } from '../../../shared/contract';
import { ErrorLine } from '../components/ErrorLine';
import { ChevronIcon } from '../components/Icons';
import { Fields, SidePanel } from '../components/SidePanel';
import { fmt, formatNumber } from '../lib/dates';
import { PAGE_SIZE, useContacts } from '../stores/contacts';
import { useSession } from '../stores/session';

const DEBOUNCE_MS = 200;

export function ContactsView() {
  const { t } = useTranslation();
  const s = useContacts();
  const [text, setText] = useState(s.query);

  useEffect(() => {
    if (!useContacts.getState().loaded) void useContacts.getState().reload();
  }, []);

  // Debounced search: the store (and the request) follow the box 200 ms after the last key.
  useEffect(() => {
    if (text === useContacts.getState().query) return;
    const timer = setTimeout(() => useContacts.getState().setQuery(text), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const from = s.total === 0 ? 0 : s.offset + 1;
  const to = Math.min(s.offset + s.items.length, s.total);
  const closeDetail = useCallback(() => void useContacts.getState().open(null), []);

  return (
    <div className="page-with-panel">
      <div className="page">
        <div className="page-head">
          <h1>{t('nav.contacts')}</h1>
          <div className="search">
            <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" className="search-icon">
              <circle cx="7" cy="7" r="4.5" stroke="currentColor" strokeWidth="1.6" fill="none" />
              <path d="M10.5 10.5L14 14" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
            </svg>
            <input
              type="search"
              aria-label={t('contacts.search')}
              placeholder={t('contacts.searchPlaceholder')}
              value={text}
              onChange={(e) => setText(e.target.value)}
              data-testid="contacts-search"
              maxLength={100}
            />
          </div>
        </div>
        <div className="pager">
          <span className="muted" data-testid="contacts-total" aria-live="polite">
            {t('contacts.range', { from: formatNumber(from), to: formatNumber(to), total: formatNumber(s.total) })}
          </span>
          <div className="button-group">
            <button type="button" className="button icon" disabled={s.offset === 0} onClick={() => s.setPage(s.offset - PAGE_SIZE)} aria-label={t('contacts.previousPage')} title={t('contacts.previousPage')} data-testid="contacts-prev">
              <ChevronIcon dir="left" />
            </button>
            <button type="button" className="button icon" disabled={s.offset + PAGE_SIZE >= s.total} onClick={() => s.setPage(s.offset + PAGE_SIZE)} aria-label={t('contacts.nextPage')} title={t('contacts.nextPage')} data-testid="contacts-next">
              <ChevronIcon dir="right" />
            </button>
          </div>
        </div>
        <ErrorLine error={s.error} onRetry={() => void s.reload()} />
        <ContactTable items={s.items} selectedId={s.selectedId} onOpen={(id) => void s.open(id)} testId="contacts-table" busy={s.loading} compact={s.selectedId !== null} />
        {s.loaded && s.items.length === 0 && !s.error ? (
          <p className="empty" data-testid="contacts-empty">
            {s.query.trim() ? t('contacts.empty', { query: s.query.trim() }) : t('contacts.emptyAll')}
          </p>
        ) : null}
      </div>
      {s.selectedId !== null ? (
        <SidePanel title={s.selected ? contactName(s.selected) : t('contacts.detailTitle')} onClose={closeDetail} testId="contact-detail">
          <ErrorLine error={s.detailError} />
          {s.selected ? <ContactDetail contact={s.selected} /> : !s.detailError ? <p className="muted">{t('common.loading')}</p> : null}
        </SidePanel>
      ) : null}
    </div>
  );
}

export function contactName(c: Pick<Contact, 'civility' | 'firstName' | 'lastName'>): string {
  return [c.civility, c.firstName, c.lastName].filter(Boolean).join(' ');
}

interface TableProps {
  items: ContactSummary[];
  selectedId?: number | null;
  onOpen?: (id: number) => void;
  testId: string;
  busy?: boolean;
  /** Narrower table (a side panel is open): the job title and city columns are hidden. */
  compact?: boolean;
}

/** The contact table shared by Contacts and Synchronisation. */
export function ContactTable({ items, selectedId = null, onOpen, testId, busy = false, compact = false }: TableProps) {
  const { t } = useTranslation();
  return (
    <div className={`table-wrap${busy ? ' busy' : ''}${compact ? ' compact' : ''}`}>
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t('contacts.lastName')}</th>
            <th scope="col">{t('contacts.firstName')}</th>
            <th scope="col">{t('contacts.company')}</th>
            <th scope="col" className="col-opt">{t('contacts.jobTitle')}</th>
            <th scope="col">{t('contacts.email')}</th>
            <th scope="col">{t('contacts.phone')}</th>
            <th scope="col" className="col-opt">{t('contacts.city')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr
              key={c.id}
              className={`${onOpen ? 'clickable' : ''}${c.id === selectedId ? ' selected' : ''}`}
              tabIndex={onOpen ? 0 : undefined}
              onClick={onOpen ? () => onOpen(c.id) : undefined}
              onKeyDown={
                onOpen
                  ? (e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        onOpen(c.id);
                      }
                    }
                  : undefined
              }
              aria-selected={onOpen ? c.id === selectedId : undefined}
              data-contact-id={c.id}
            >
              <td className="strong">{c.lastName}</td>
              <td>{c.firstName}</td>
              <td>{c.companyName}</td>
              <td className="col-opt">{c.jobTitle}</td>
              <td className="nowrap">{c.email}</td>
              <td className="nowrap">{c.phone || c.mobile}</td>
              <td className="col-opt">{c.city}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ContactDetail({ contact: c }: { contact: Contact }) {
  const { t } = useTranslation();
  const timeZone = useSession((s) => s.timeZone);
  const a = c.address;
  const address = [a.line1, a.line2, a.line3, [a.postalCode, a.city].filter(Boolean).join(' '), a.country].filter(Boolean).join('\n');
  return (
    <>
      <Fields
        rows={[
          [t('contacts.civility'), c.civility],
          [t('contacts.lastName'), c.lastName],
          [t('contacts.firstName'), c.firstName],
          [t('contacts.company'), c.companyName],
          [t('contacts.jobTitle'), c.jobTitle],
          [t('contacts.email'), c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : ''],
          [t('contacts.phone'), c.phone],
          [t('contacts.mobile'), c.mobile],
          [t('contacts.address'), address ? <span className="pre">{address}</span> : ''],
          [t('contacts.photo'), c.hasPhoto ? t('contacts.hasPhoto') : t('contacts.noPhoto')],
        ]}
      />
      {c.comment ? (
        <section className="detail-block">
          <h3>{t('contacts.comment')}</h3>
          <p className="pre">{c.comment}</p>
        </section>
      ) : null}
      <p className="muted small">{t('contacts.updatedAt', { date: fmt(Date.parse(c.updatedAt), t('formats.dateTime'), timeZone) })}</p>
    </>
  );
}
