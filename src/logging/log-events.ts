/**
 * `event` values of log records that a command may show in its own words instead (see createLogger's
 * `omitEvents`): the field, not the message text, is what a reader of the logs can rely on.
 */

/** An item failed for good (no attempt left, or an answer no retry changes); its report row says the same. */
export const ITEM_FAILED_EVENT = 'item_failed';
