import { createHash } from 'crypto';

/**
 * The first `length` hex digits of the SHA-256 of `text`: for names and annotations that must
 * change when a rendered file changes (a Job name, a pod template's config hash).
 */
export function contentHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}
