/**
 * The one rule for an email address the product reads (configuration, a vendor contact) and sends to:
 * local@domain.tld, at most 254 characters, no spaces and none of < > " , ; (which would let one field
 * name several recipients or a display name). The request form keeps zod's stricter `z.email()`.
 */
export const MAX_EMAIL_LENGTH = 254;

const EMAIL_PATTERN = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

export function isEmailAddress(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL_PATTERN.test(value);
}

/** An address inside a sentence: local@labels.tld, ending before the punctuation around it. */
const ADDRESS_IN_TEXT = /[^\s@<>",;:()[\]]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+/g;

export const ADDRESS_WITHHELD = '[address withheld]';

/** The text with every email address in it replaced by ADDRESS_WITHHELD. */
export function withoutEmailAddresses(text: string): string {
  return text.replace(ADDRESS_IN_TEXT, ADDRESS_WITHHELD);
}
