import { defineHandlers, nowIso } from '../context';
import { assertCompanyVisible, deleteContact, getContactPhoto, getVisibleContact, insertContact, searchCompanies, searchContacts, setContactPhoto, updateContact } from './store';

export const contactsHandlers = defineHandlers({
  'contacts.search': (input, ctx) => searchContacts(ctx.db, ctx.user, input.query, input.limit, input.offset),

  'contacts.get': (input, ctx) => getVisibleContact(ctx.db, ctx.user, input.id),

  'contacts.create': (input, ctx) => {
    assertCompanyVisible(ctx.db, ctx.user, input.companyId, 'companyId');
    const id = insertContact(ctx.db, input, nowIso(ctx));
    ctx.emit('onContactsChanged', { ids: [id] });
    return getVisibleContact(ctx.db, ctx.user, id);
  },

  'contacts.update': (input, ctx) => {
    if (input.patch.companyId !== undefined) assertCompanyVisible(ctx.db, ctx.user, input.patch.companyId, 'patch.companyId');
    const changed = updateContact(ctx.db, ctx.user, input.id, input.patch, nowIso(ctx));
    if (changed.length > 0) ctx.emit('onContactsChanged', { ids: [input.id] });
    return getVisibleContact(ctx.db, ctx.user, input.id);
  },

  'contacts.delete': (input, ctx) => {
    deleteContact(ctx.db, ctx.user, input.id, nowIso(ctx));
    ctx.emit('onContactsChanged', { ids: [input.id] });
    return { id: input.id };
  },

  'contacts.setPhoto': (input, ctx) => {
    if (setContactPhoto(ctx.db, ctx.user, input.id, input.photo, nowIso(ctx))) ctx.emit('onContactsChanged', { ids: [input.id] });
    return getVisibleContact(ctx.db, ctx.user, input.id);
  },

  'contacts.photo': (input, ctx) => getContactPhoto(ctx.db, ctx.user, input.id),

  'companies.search': (input, ctx) => searchCompanies(ctx.db, ctx.user, input.query, input.limit),
});
