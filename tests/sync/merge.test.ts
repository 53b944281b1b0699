import { describe, expect, it } from 'vitest';
import type { SyncedFields } from '../../electron/core/sync/agenda/mapping';
import { mergeFields } from '../../electron/core/sync/agenda/merge';

const base: SyncedFields = {
  title: 'RDV',
  location: 'Paris',
  period: { allDay: false, start: '2027-01-05T09:00:00.000Z', end: '2027-01-05T10:00:00.000Z' },
  private: false,
  reminder: { enabled: false, minutesBefore: 15 },
  description: '',
};
const at = { crmUpdatedAt: 1000, googleUpdatedAt: 2000 };

describe('the field-by-field merge', () => {
  it('takes each side\'s changes to different fields', () => {
    const r = mergeFields(base, { ...base, title: 'RDV client' }, { ...base, location: 'Lyon' }, { rule: 'newest', ...at });
    expect(r.merged).toEqual({ ...base, title: 'RDV client', location: 'Lyon' });
    expect(r.toGoogle).toEqual(['title']);
    expect(r.toCrm).toEqual(['location']);
    expect(r.conflicts).toEqual([]);
  });

  it('decides a field changed on both sides by the rule, and reports it', () => {
    const crm = { ...base, title: 'Titre CRM' };
    const google = { ...base, title: 'Titre Google' };
    expect(mergeFields(base, crm, google, { rule: 'newest', ...at })).toMatchObject({ merged: { title: 'Titre Google' }, toCrm: ['title'], conflicts: [{ field: 'title', winner: 'google' }] });
    expect(mergeFields(base, crm, google, { rule: 'newest', crmUpdatedAt: 3000, googleUpdatedAt: 2000 })).toMatchObject({ merged: { title: 'Titre CRM' }, toGoogle: ['title'] });
    expect(mergeFields(base, crm, google, { rule: 'crm', ...at }).merged.title).toBe('Titre CRM');
    expect(mergeFields(base, crm, google, { rule: 'google', crmUpdatedAt: 9, googleUpdatedAt: 1 }).merged.title).toBe('Titre Google');
  });

  it('does nothing when both sides made the same change', () => {
    const moved = { ...base, period: { allDay: true as const, startDate: '2027-01-06', endDate: '2027-01-06' } };
    const r = mergeFields(base, moved, moved, { rule: 'newest', ...at });
    expect(r).toEqual({ merged: moved, toGoogle: [], toCrm: [], conflicts: [] });
  });

  it('treats a first sync without snapshot as a conflict on every differing field', () => {
    const r = mergeFields(null, { ...base, title: 'A' }, { ...base, title: 'B' }, { rule: 'crm', ...at });
    expect(r.conflicts).toHaveLength(1);
    expect(r.toGoogle).toEqual(['title']);
  });
});
