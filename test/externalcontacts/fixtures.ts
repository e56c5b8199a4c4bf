/** A contact with every identity kind Gatehouse stores. */
export const FULL_CONTACT = {
  firstName: 'Marisol',
  lastName: 'Quintanilla',
  title: 'Buyer',
  workPhone: { userInput: '(415) 555-0142' },
  cellPhone: { display: '+44 20 7946 0958' },
  homePhone: { e164: '+1 415 555 0143' },
  workEmail: 'Marisol.Q@Example.com',
  personalEmail: 'marisol@home.example',
  address: { address1: '12 Harbour Lane', city: 'Portsmouth', postalCode: 'PO1 2AB', countryCode: 'GB' },
  twitterId: { id: '908172635', screenName: '@MarisolQ', name: 'Marisol Q' },
  instagramId: { ids: [{ scopedId: 'ig-scoped-5511' }], handle: 'Marisol.Grams' },
  facebookId: { ids: [{ scopedId: 'fb-scoped-7734' }], displayName: 'Marisol Quintanilla' },
  appleOpaqueIds: [{ value: 'urn:mbid:AQAAY-opaque-9921' }],
  whatsAppId: { phoneNumber: { userInput: '415.555.0144' }, displayName: 'Mari' },
  externalIds: [{ externalSource: { name: 'CRM' }, value: 'crm-marisol-001' }],
};
