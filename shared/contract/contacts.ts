import { z } from 'zod';
import { Id, IsoDateTime, OptionalEmail, channel } from './common';

export const CompanyKind = z.enum(['client', 'prospect', 'supplier']);
export type CompanyKind = z.infer<typeof CompanyKind>;

export const Company = z.object({
  id: Id,
  code: z.string(),
  kind: CompanyKind,
  name: z.string(),
  salesRepId: Id.nullable(),
  city: z.string(),
});
export type Company = z.infer<typeof Company>;

export const Civility = z.enum(['', 'M.', 'Mme']);

export const Address = z
  .object({
    line1: z.string().max(200),
    line2: z.string().max(200),
    line3: z.string().max(200),
    postalCode: z.string().max(20),
    city: z.string().max(100),
    country: z.string().max(100),
  })
  .strict();
export type Address = z.infer<typeof Address>;

const Phone = z.string().max(40).regex(/^[0-9+().\s-]*$/, 'may hold only digits, spaces and + ( ) . -');

export const Contact = z.object({
  id: Id,
  companyId: Id.nullable(),
  companyName: z.string(),
  civility: Civility,
  lastName: z.string(),
  firstName: z.string(),
  jobTitle: z.string(),
  email: z.string(),
  phone: z.string(),
  mobile: z.string(),
  address: Address,
  comment: z.string(),
  hasPhoto: z.boolean(),
  updatedAt: IsoDateTime,
});
export type Contact = z.infer<typeof Contact>;

export const ContactSummary = Contact.pick({
  id: true,
  companyId: true,
  companyName: true,
  civility: true,
  lastName: true,
  firstName: true,
  jobTitle: true,
  email: true,
  phone: true,
  mobile: true,
}).extend({ city: z.string() });
export type ContactSummary = z.infer<typeof ContactSummary>;

const ContactFields = {
  companyId: Id.nullable(),
  civility: Civility,
  lastName: z.string().trim().min(1, 'must not be empty').max(100),
  firstName: z.string().trim().max(100),
  jobTitle: z.string().max(100),
  email: OptionalEmail,
  phone: Phone,
  mobile: Phone,
  address: Address,
  comment: z.string().max(10_000),
};

export const ContactDraft = z
  .object({
    ...ContactFields,
    companyId: ContactFields.companyId.default(null),
    civility: Civility.default(''),
    firstName: ContactFields.firstName.default(''),
    jobTitle: ContactFields.jobTitle.default(''),
    email: OptionalEmail.default(''),
    phone: Phone.default(''),
    mobile: Phone.default(''),
    address: Address.default({ line1: '', line2: '', line3: '', postalCode: '', city: '', country: 'France' }),
    comment: ContactFields.comment.default(''),
  })
  .strict();
export type ContactDraft = z.input<typeof ContactDraft>;

export const ContactPatch = z
  .object(ContactFields)
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');
export type ContactPatch = z.infer<typeof ContactPatch>;

/** Largest photo the CRM keeps (the sync re-encodes it to what Google takes, far smaller). */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

export const ContactPhoto = z
  .object({
    mimeType: z.enum(['image/jpeg', 'image/png'], { error: 'must be image/jpeg or image/png' }),
    /** The image bytes, base64. */
    data: z
      .string()
      .min(1, 'must not be empty')
      .max(Math.ceil(MAX_PHOTO_BYTES / 3) * 4, 'is larger than 5 MB')
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
  })
  .strict();
export type ContactPhoto = z.infer<typeof ContactPhoto>;

export const contactsChannels = {
  'contacts.search': channel(
    'user',
    z
      .object({
        query: z.string().max(100).default(''),
        limit: z.number().int().min(1).max(200).default(50),
        offset: z.number().int().min(0).max(1_000_000).default(0),
      })
      .strict(),
    z.object({ total: z.number().int().min(0), items: z.array(ContactSummary) }),
  ),
  'contacts.get': channel('user', z.object({ id: Id }).strict(), Contact),
  'contacts.create': channel('user', ContactDraft, Contact),
  'contacts.update': channel('user', z.object({ id: Id, patch: ContactPatch }).strict(), Contact),
  'contacts.delete': channel('user', z.object({ id: Id }).strict(), z.object({ id: Id })),
  /** Sets (or, with null, removes) a contact's photo: JPEG or PNG, up to 5 MB. */
  'contacts.setPhoto': channel('user', z.object({ id: Id, photo: ContactPhoto.nullable() }).strict(), Contact),
  'contacts.photo': channel('user', z.object({ id: Id }).strict(), ContactPhoto.nullable()),
  'companies.search': channel(
    'user',
    z.object({ query: z.string().max(100).default(''), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    z.array(Company),
  ),
} as const;
