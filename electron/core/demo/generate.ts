/**
 * The demo CRM: a French small business with sales reps, managers, clients, prospects,
 * suppliers, their contacts and a year of agenda. Deterministic for a given seed and `now`
 * (faker with the French locale), so tests and benchmarks see the same data every run.
 *
 * Demo rows are written straight to the tables, without outbox entries: they are the initial
 * state of the file, not changes made by a user (the first sync compares both sides anyway).
 */
import { TZDate } from '@date-fns/tz';
import { Faker, fr, base } from '@faker-js/faker';
import { addDays, addMinutes, format, startOfDay } from 'date-fns';
import type { Db } from '../db/database';
import { hashPassword } from '../session/password';
import { putSettings } from '../settings/handlers';

export interface DemoOptions {
  seed?: number;
  now?: Date;
  reps?: number;
  managers?: number;
  companies?: number;
  contacts?: number;
  actions?: number;
  /** Contacts put on each rep's contact sync list. */
  syncListSize?: number;
  /** Password of every demo user. */
  password?: string;
}

export interface DemoSummary {
  users: { login: string; role: 'admin' | 'rep' | 'manager'; googleEmail: string | null }[];
  companies: number;
  contacts: number;
  actions: number;
}

const TIME_ZONE = 'Europe/Paris';
export const DEMO_PASSWORD = 'demo';
export const DEMO_CALENDAR = 'Agenda CRM';

/** The action types of the demo file, with colours far apart from each other. */
const ACTION_TYPES = [
  { code: 'RDV', label: 'Rendez-vous', color: '#1e88e5', minutes: [60, 90] },
  { code: 'APP', label: 'Appel', color: '#43a047', minutes: [15, 30] },
  { code: 'VIS', label: 'Visite client', color: '#f4511e', minutes: [90, 120, 180] },
  { code: 'DEM', label: 'Démonstration', color: '#8e24aa', minutes: [60, 120] },
  { code: 'REL', label: 'Relance', color: '#f9a825', minutes: [15, 30] },
  { code: 'SAL', label: 'Salon professionnel', color: '#00897b', minutes: [240, 480] },
  { code: 'ADM', label: 'Administratif', color: '#6d4c41', minutes: [30, 60] },
  { code: 'FOR', label: 'Formation', color: '#d81b60', minutes: [120, 240] },
] as const;

function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]/g, '');
}

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function generateDemo(db: Db, options: DemoOptions = {}): DemoSummary {
  const o = {
    seed: 20141118,
    now: new Date(),
    reps: 3,
    managers: 2,
    companies: 300,
    contacts: 1500,
    actions: 5000,
    syncListSize: 36,
    password: DEMO_PASSWORD,
    ...options,
  };
  const faker = new Faker({ locale: [fr, base], seed: o.seed });
  const at = o.now.toISOString();
  const summary: DemoSummary = { users: [], companies: o.companies, contacts: o.contacts, actions: 0 };

  const phone = (mobile: boolean) => {
    const digits = (mobile ? faker.helpers.arrayElement(['06', '07']) : faker.helpers.arrayElement(['01', '02', '03', '04', '05'])) + faker.string.numeric(8);
    return digits.replace(/(\d{2})(?=\d)/g, '$1 ');
  };

  db.transaction(() => {
    if ((db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n > 0) {
      throw new Error('The demo data goes into an empty database; this one already has users.');
    }
    const ownCompany = faker.company.name();
    const ownDomain = `${slug(ownCompany)}.fr`;
    putSettings(db, { companyName: ownCompany });

    // Users: ADM, then managers and reps with French names.
    const insertUser = db.prepare(
      'INSERT INTO users (login, display_name, email, password_hash, is_admin, time_zone, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertPrefs = db.prepare(
      `INSERT INTO sync_prefs (user_id, google_email, calendar_name, months_before, months_after, automatic_sync, startup_sync, color_transfer, updated_at)
       VALUES (?, ?, ?, 1, 3, 1, 1, 1, ?)`,
    );
    insertUser.run('ADM', 'Administrateur', `admin@${ownDomain}`, hashPassword(o.password), 1, TIME_ZONE, 'fr', at);
    summary.users.push({ login: 'ADM', role: 'admin', googleEmail: null });

    const logins = new Set(['ADM']);
    const makeUser = (role: 'rep' | 'manager') => {
      const sex = faker.person.sexType();
      const first = faker.person.firstName(sex);
      const last = faker.person.lastName(sex);
      let login = (ascii(first).slice(0, 1) + ascii(last)).toUpperCase().slice(0, 16);
      for (let i = 2; logins.has(login); i++) login = `${login.slice(0, 14)}${i}`;
      logins.add(login);
      const googleEmail = `${slug(first)}.${slug(last)}@${ownDomain}`.replace(/-/g, '');
      const id = Number(insertUser.run(login, `${first} ${last}`, googleEmail, hashPassword(o.password), 0, TIME_ZONE, 'fr', at).lastInsertRowid);
      insertPrefs.run(id, googleEmail, DEMO_CALENDAR, at);
      summary.users.push({ login, role, googleEmail });
      return id;
    };
    const managerIds = Array.from({ length: o.managers }, () => makeUser('manager'));
    const repIds = Array.from({ length: o.reps }, () => makeUser('rep'));

    // Teams: reps are shared out among managers, who hold *Agenda* on their team; the first
    // manager also holds *Visible* on the first rep of the team (sees private actions too).
    const insertRight = db.prepare('INSERT INTO user_rights (holder_id, target_id, visible, agenda) VALUES (?, ?, ?, 1)');
    repIds.forEach((repId, i) => {
      const managerId = managerIds[Math.min(Math.floor((i * managerIds.length) / repIds.length), managerIds.length - 1)];
      if (managerId !== undefined) insertRight.run(managerId, repId, managerId === managerIds[0] && i === 0 ? 1 : 0);
    });

    const insertType = db.prepare('INSERT INTO action_types (code, label, color, sort_order) VALUES (?, ?, ?, ?)');
    const typeIds = ACTION_TYPES.map((t, i) => Number(insertType.run(t.code, t.label, t.color, i).lastInsertRowid));
    putSettings(db, { defaultActionTypeId: typeIds[0] ?? null });

    // Companies.
    const insertCompany = db.prepare(
      `INSERT INTO companies (code, kind, name, sales_rep_id, phone, email, address_line1, postal_code, city, country, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'France', ?, ?)`,
    );
    const counters = { client: 0, prospect: 0, supplier: 0 };
    const companies: { id: number; name: string; city: string; postalCode: string; street: string; domain: string; repId: number | null }[] = [];
    for (let i = 0; i < o.companies; i++) {
      const kind = faker.helpers.weightedArrayElement([
        { weight: 55, value: 'client' as const },
        { weight: 35, value: 'prospect' as const },
        { weight: 10, value: 'supplier' as const },
      ]);
      counters[kind] += 1;
      const code = `${{ client: 'C', prospect: 'P', supplier: 'F' }[kind]}${String(counters[kind]).padStart(5, '0')}`;
      const name = faker.company.name();
      const domain = `${slug(name).slice(0, 30)}.fr`;
      const city = faker.location.city();
      const postalCode = faker.location.zipCode();
      const street = faker.location.streetAddress();
      const repId = kind === 'supplier' || faker.datatype.boolean(0.12) ? null : faker.helpers.arrayElement(repIds);
      const id = Number(insertCompany.run(code, kind, name, repId, phone(false), `contact@${domain}`, street, postalCode, city, at, at).lastInsertRowid);
      companies.push({ id, name, city, postalCode, street, domain, repId });
    }

    // Contacts.
    const insertContact = db.prepare(
      `INSERT INTO contacts (company_id, civility, last_name, first_name, job_title, email, phone, mobile, address_line1, address_line2, address_line3,
         postal_code, city, country, comment, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 'France', ?, ?, ?)`,
    );
    const contacts: { id: number; companyId: number | null; repId: number | null; name: string }[] = [];
    const weekday = () => faker.helpers.arrayElement(['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi']);
    for (let i = 0; i < o.contacts; i++) {
      const company = faker.datatype.boolean(0.95) ? faker.helpers.arrayElement(companies) : null;
      const sex = faker.person.sexType();
      const first = faker.person.firstName(sex);
      const last = faker.person.lastName(sex);
      const domain = company?.domain ?? faker.internet.domainName();
      const comment = faker.helpers.maybe(
        () =>
          faker.helpers.arrayElement([
            `Préfère être contacté le ${weekday()} matin.`,
            `Rencontré au salon de ${faker.location.city()}.`,
            `Décideur pour les achats au-delà de ${faker.number.int({ min: 2, max: 50 })} k€.`,
            `Assistante : ${faker.person.firstName('female')} ${faker.person.lastName()}.`,
            `Ne pas appeler avant ${faker.number.int({ min: 9, max: 11 })} h.`,
          ]),
        { probability: 0.3 },
      );
      const id = Number(
        insertContact.run(
          company?.id ?? null,
          sex === 'female' ? 'Mme' : 'M.',
          last,
          first,
          faker.person.jobTitle(),
          `${slug(first)}.${slug(last)}@${domain}`.replace(/-/g, ''),
          phone(false),
          faker.datatype.boolean(0.7) ? phone(true) : '',
          company?.street ?? faker.location.streetAddress(),
          faker.datatype.boolean(0.15) ? `Bâtiment ${faker.string.alpha({ length: 1, casing: 'upper' })}` : '',
          company?.postalCode ?? faker.location.zipCode(),
          company?.city ?? faker.location.city(),
          comment ?? '',
          at,
          at,
        ).lastInsertRowid,
      );
      contacts.push({ id, companyId: company?.id ?? null, repId: company?.repId ?? null, name: `${first} ${last}` });
    }

    // Each rep's contact sync list: a few dozen contacts of their own companies.
    const insertSync = db.prepare('INSERT OR IGNORE INTO contact_sync_list (user_id, contact_id, added_at) VALUES (?, ?, ?)');
    for (const repId of repIds) {
      const own = contacts.filter((c) => c.repId === repId); // once per rep
      for (const c of faker.helpers.arrayElements(own, Math.min(o.syncListSize, own.length))) insertSync.run(repId, c.id, at);
    }

    // Actions over ±6 months around `now`, in working hours (Paris time).
    const insertAction = db.prepare(
      `INSERT INTO actions (owner_id, type_id, title, location, all_day, start_ms, end_ms, start_date, end_date, time_zone, private,
         reminder_enabled, reminder_minutes, description, series_id, contact_id, company_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const owners = [...repIds, ...repIds, ...repIds, ...managerIds];
    const contactsByRep = new Map<number, typeof contacts>();
    for (const c of contacts) {
      if (c.repId === null) continue;
      const list = contactsByRep.get(c.repId);
      if (list) list.push(c);
      else contactsByRep.set(c.repId, [c]);
    }
    const companyById = new Map(companies.map((c) => [c.id, c]));
    const today = startOfDay(new TZDate(o.now.getTime(), TIME_ZONE));
    let made = 0;
    let series = 0;
    /** owner:date → booked [start, end) minutes of that day */
    const busy = new Map<string, [number, number][]>();
    while (made < o.actions) {
      const ownerId = faker.helpers.arrayElement(owners);
      const typeIndex = faker.number.int({ min: 0, max: ACTION_TYPES.length - 1 });
      const type = ACTION_TYPES[typeIndex]!;
      const typeId = typeIds[typeIndex]!;
      const own = contactsByRep.get(ownerId) ?? [];
      const contact = own.length > 0 && faker.datatype.boolean(0.7) ? faker.helpers.arrayElement(own) : null;
      const company = contact?.companyId != null ? companyById.get(contact.companyId) : undefined;
      let day = addDays(today, faker.number.int({ min: -182, max: 182 }));
      while (day.getDay() === 0 || day.getDay() === 6) day = addDays(day, 1);
      const allDay = type.code === 'SAL' || type.code === 'FOR' ? faker.datatype.boolean(0.6) : faker.datatype.boolean(0.03);
      const repeats = !allDay && (type.code === 'ADM' || type.code === 'APP') && faker.datatype.boolean(0.25);
      const occurrences = repeats ? faker.number.int({ min: 4, max: 8 }) : 1;
      const seriesId = repeats ? `SER-${++series}` : null;
      const title = company ? `${type.label} — ${company.name}` : contact ? `${type.label} — ${contact.name}` : type.label;
      const location = type.code === 'APP' || type.code === 'REL' ? '' : type.code === 'VIS' || type.code === 'RDV' ? (company ? `${company.street}, ${company.city}` : 'Visioconférence') : '';
      const priv = faker.datatype.boolean(0.1);
      const reminder = faker.datatype.boolean(0.4);
      const reminderMinutes = faker.helpers.arrayElement([5, 10, 15, 30, 60, 1440]);
      const description = faker.helpers.maybe(() => `Objet : ${faker.commerce.productName()}. ${contact ? `Interlocuteur : ${contact.name}.` : ''}`.trim(), { probability: 0.35 }) ?? '';
      const minutes = faker.helpers.arrayElement(type.minutes);
      // A working day runs 8:00–19:00; try a few slots to avoid double-booking the owner.
      const dayKey = (k: number) => `${ownerId}:${format(addDays(day, k * 7), 'yyyy-MM-dd')}`;
      let startMinute = 0;
      for (let attempt = 0; attempt < 6; attempt++) {
        startMinute = 8 * 60 + 15 * faker.number.int({ min: 0, max: Math.max(0, Math.floor((11 * 60 - minutes) / 15)) });
        const clash = (busy.get(dayKey(0)) ?? []).some(([a, b]) => startMinute < b && a < startMinute + minutes);
        if (!clash) break;
      }
      const hour = Math.floor(startMinute / 60);
      const minute = startMinute % 60;
      const days = allDay ? faker.number.int({ min: 1, max: 3 }) : 1;
      for (let k = 0; k < occurrences && made < o.actions; k++) {
        const d = addDays(day, k * 7);
        let startMs: number;
        let endMs: number;
        let startDate: string | null = null;
        let endDate: string | null = null;
        if (allDay) {
          startDate = format(d, 'yyyy-MM-dd');
          endDate = format(addDays(d, days - 1), 'yyyy-MM-dd');
          startMs = new TZDate(d.getFullYear(), d.getMonth(), d.getDate(), 0, 0, 0, 0, TIME_ZONE).getTime();
          const e = addDays(d, days);
          endMs = new TZDate(e.getFullYear(), e.getMonth(), e.getDate(), 0, 0, 0, 0, TIME_ZONE).getTime();
        } else {
          const key = dayKey(k);
          busy.set(key, [...(busy.get(key) ?? []), [startMinute, startMinute + minutes]]);
          const start = new TZDate(d.getFullYear(), d.getMonth(), d.getDate(), hour, minute, 0, 0, TIME_ZONE);
          startMs = start.getTime();
          endMs = addMinutes(start, minutes).getTime();
        }
        insertAction.run(
          ownerId, typeId, title, location, allDay ? 1 : 0, startMs, endMs, startDate, endDate, TIME_ZONE, priv ? 1 : 0,
          reminder ? 1 : 0, reminderMinutes, description, seriesId, contact?.id ?? null, company?.id ?? null, at, at,
        );
        made += 1;
      }
    }
    summary.actions = made;
  })();
  return summary;
}
