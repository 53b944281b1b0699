import { describe, expect, it } from 'vitest';
import { nearestEventColor } from '../../electron/core/sync/agenda/colors';
import { readableDescription, sameDescription } from '../../electron/core/sync/agenda/description';
import { crmIdOf, eventIdFor, eventOfFields, fieldsOfEvent, type SyncedFields } from '../../electron/core/sync/agenda/mapping';

const timed: SyncedFields = {
  title: 'Rendez-vous — Durand SA',
  location: 'Lyon',
  period: { allDay: false, start: '2027-03-26T09:00:00.000Z', end: '2027-03-26T10:00:00.000Z' },
  private: true,
  reminder: { enabled: true, minutesBefore: 10 },
  description: 'Apporter le devis',
};

describe('action ↔ event mapping', () => {
  it('round-trips a timed action through an event body', () => {
    const body = eventOfFields(timed, { actionId: 42, timeZone: 'Europe/Paris', colorId: '9' });
    expect(body).toMatchObject({
      summary: timed.title,
      location: 'Lyon',
      visibility: 'private',
      colorId: '9',
      start: { dateTime: '2027-03-26T09:00:00.000Z', timeZone: 'Europe/Paris' },
      reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] },
      extendedProperties: { private: { crmActionId: '42' } },
    });
    expect(fieldsOfEvent(body, 15)).toEqual(timed);
    expect(crmIdOf(body)).toBe(42);
  });

  it('turns the CRM\'s inclusive all-day end into Google\'s exclusive one, and back', () => {
    const allDay: SyncedFields = { ...timed, period: { allDay: true, startDate: '2027-03-27', endDate: '2027-03-29' } };
    const body = eventOfFields(allDay, { actionId: 1, timeZone: 'America/Los_Angeles' });
    expect(body.start).toEqual({ date: '2027-03-27' });
    expect(body.end).toEqual({ date: '2027-03-30' });
    expect(fieldsOfEvent(body, 15)).toEqual(allDay);
    expect(fieldsOfEvent({ ...body, end: { date: '2027-12-31' }, start: { date: '2027-12-31' } }, 15)).toMatchObject({ period: { startDate: '2027-12-31', endDate: '2027-12-31' } });
  });

  it('keeps Google reminders the CRM cannot represent', () => {
    const existing = { reminders: { useDefault: false, overrides: [{ method: 'email', minutes: 1440 }, { method: 'popup', minutes: 30 }, { method: 'popup', minutes: 5 }] } };
    expect(fieldsOfEvent(existing as never, 15)).toBeInstanceOf(Object);
    const body = eventOfFields({ ...timed, reminder: { enabled: true, minutesBefore: 15 } }, { actionId: 1, timeZone: 'Europe/Paris', existing });
    expect(body.reminders?.overrides).toEqual([
      { method: 'popup', minutes: 15 },
      { method: 'email', minutes: 1440 },
      { method: 'popup', minutes: 30 },
    ]);
    // The CRM's reminder off: no popup may stay, or Google would read the event as "on".
    const off = eventOfFields({ ...timed, reminder: { enabled: false, minutesBefore: 15 } }, { actionId: 1, timeZone: 'Europe/Paris', existing });
    expect(off.reminders?.overrides).toEqual([{ method: 'email', minutes: 1440 }]);
    expect(fieldsOfEvent(off, 15)).toMatchObject({ reminder: { enabled: false } });
    // A kept popup shorter than the CRM's would become the CRM's reminder when read back: dropped.
    const later = eventOfFields({ ...timed, reminder: { enabled: true, minutesBefore: 45 } }, { actionId: 1, timeZone: 'Europe/Paris', existing });
    expect(later.reminders?.overrides).toEqual([{ method: 'popup', minutes: 45 }, { method: 'email', minutes: 1440 }]);
    expect(fieldsOfEvent(later, 15)).toMatchObject({ reminder: { enabled: true, minutesBefore: 45 } });
  });

  it('reads the first popup as the CRM reminder, and none as "off" with the CRM\'s delay', () => {
    const event = { summary: 'x', start: { dateTime: '2027-01-05T10:00:00+01:00' }, end: { dateTime: '2027-01-05T11:00:00+01:00' } };
    expect(fieldsOfEvent({ ...event, reminders: { overrides: [{ method: 'popup', minutes: 60 }, { method: 'popup', minutes: 10 }] } }, 15)).toMatchObject({ reminder: { enabled: true, minutesBefore: 10 } });
    expect(fieldsOfEvent({ ...event, reminders: { useDefault: true } }, 25)).toMatchObject({ reminder: { enabled: false, minutesBefore: 25 }, period: { start: '2027-01-05T09:00:00.000Z' } });
  });

  it('does not sync recurring or cancelled events', () => {
    const base = { start: { date: '2027-01-05' }, end: { date: '2027-01-06' } };
    expect(fieldsOfEvent({ ...base, recurrence: ['RRULE:FREQ=WEEKLY'] }, 15)).toEqual({ skip: 'recurring' });
    expect(fieldsOfEvent({ ...base, recurringEventId: 'abc' }, 15)).toEqual({ skip: 'recurring' });
    expect(fieldsOfEvent({ ...base, status: 'cancelled' }, 15)).toEqual({ skip: 'cancelled' });
  });

  it('makes valid, stable, base32hex event ids', () => {
    expect(eventIdFor(1)).toBe('crm1g0');
    expect(eventIdFor(123456789, 3)).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(eventIdFor(123456789, 3)).toBe(eventIdFor(123456789, 3));
    expect(eventIdFor(5, 1)).not.toBe(eventIdFor(5, 0));
  });
});

describe('descriptions', () => {
  it('reads Google\'s HTML as text, so it does not ping-pong', () => {
    const html = 'Ordre du jour :<br><b>Devis</b> n° 12<br><a href="https://exemple.fr/devis">https://exemple.fr/devis</a>';
    expect(readableDescription(html)).toBe('Ordre du jour :\nDevis n° 12\nhttps://exemple.fr/devis');
    expect(sameDescription('Ordre du jour :\nDevis n° 12\nhttps://exemple.fr/devis  ', html)).toBe(true);
    expect(readableDescription('Plain < text & 3 > 2')).toBe('Plain < text & 3 > 2');
  });
});

describe('colours', () => {
  it('maps action type colours to the perceptually nearest Google event colour', () => {
    expect(nearestEventColor('#dc2127')).toBe('11');
    expect(nearestEventColor('#1e88e5')).toBe('9'); // blue → Blueberry
    expect(nearestEventColor('#43a047')).toBe('10'); // green → Basil
    expect(nearestEventColor('#fdd835')).toBe('5'); // yellow → Banana
    expect(nearestEventColor('#8e24aa')).toBe('3'); // purple → Grape
    expect(nearestEventColor('#00897b')).toBe('7'); // teal → Peacock
    expect(nearestEventColor('#757575')).toBe('8'); // grey → Graphite
    expect(nearestEventColor('not a colour')).toBeNull();
  });
});
