/**
 * What a step of the collection ladder can do (PRODUCT §7): the vocabulary of `product.collections`,
 * on its own so both the product (product.ts) and its schema (product-schema.ts) import it without
 * importing each other.
 */
export const COLLECTION_ACTIONS = [
  'SUSPEND_OVERDUE',
  'START_PENALTY',
  'SMS_OVERDUE_NOTICE',
  'IN_APP_OVERDUE_NOTICE',
  'SMS_REMINDER',
  'IN_APP_REMINDER',
  'FLAG_STAFF_FOLLOW_UP',
  'COLLECTIONS_QUEUE',
  'SMS_FINAL_NOTICE',
  'IN_APP_FINAL_NOTICE',
  'CHARGE_OFF',
] as const;
export type CollectionAction = (typeof COLLECTION_ACTIONS)[number];
