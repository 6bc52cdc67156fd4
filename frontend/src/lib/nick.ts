/** NICK_MAX is the longest nickname, in characters (code points), the UI accepts. */
export const NICK_MAX = 32;

/**
 * checkNick is a quick client-side check of a (trimmed) nickname; it returns an error
 * message, or "" when the nickname looks fine. The Go side has the final word.
 */
export function checkNick(nick: string): string {
  const length = [...nick].length;
  if (length === 0) return 'Pick a nickname so people know who you are.';
  if (length > NICK_MAX) return `Keep it to ${NICK_MAX} characters or fewer.`;
  if (nick.includes(':')) return 'Nicknames can’t contain “:”.';
  if (/[\p{Cc}]/u.test(nick)) return 'Nicknames can’t contain control characters.';
  return '';
}
