// The alert as the alerter's API keeps and streams it: the published alert plus when.
import type { PublishedAlert } from '@sequent/alerting';

export type StoredAlert = PublishedAlert & {
  /** When the alerter published it (ms since epoch). */
  publishedAt: number;
};
