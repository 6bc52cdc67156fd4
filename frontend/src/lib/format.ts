const pad = (n: number) => String(n).padStart(2, '0');

/** clock formats a unix-ms timestamp as local HH:MM (24-hour). */
export function clock(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** isoTime formats a unix-ms timestamp for a <time datetime> attribute. */
export function isoTime(ts: number): string {
  return new Date(ts).toISOString();
}

// One formatter for every tooltip: toLocaleString with options builds a new one per
// call, which costs more than drawing the line it is for.
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** fullTime is the long local form used in tooltips. */
export function fullTime(ts: number): string {
  return fullFormat.format(ts);
}

/** dayKey identifies the local calendar day of a timestamp. */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** dayLabel names a local day relative to now: "Today", "Yesterday" or a short date. */
export function dayLabel(ts: number, now: number): string {
  if (dayKey(ts) === dayKey(now)) return 'Today';
  if (dayKey(ts) === dayKey(now - 86_400_000)) return 'Yesterday';
  return new Date(ts).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
}

/** initial is the first character (not UTF-16 unit) of a name, upper-cased, for avatars. */
export function initial(name: string): string {
  const first = [...name.trim()][0] ?? '?';
  return first.toLocaleUpperCase();
}

/** hue picks a stable hue (0–359) for a name, so each person keeps one avatar colour. */
export function hue(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return h % 360;
}

/** lastUsed says how long ago ts was, briefly: "just now", "12 min ago", "today, 14:05", "yesterday", "Tue, 4 Nov". */
export function lastUsed(ts: number, now: number): string {
  const ago = now - ts;
  if (ago < 60_000) return 'just now';
  if (ago < 3_600_000 && dayKey(ts) === dayKey(now)) return `${Math.floor(ago / 60_000)} min ago`;
  const day = dayLabel(ts, now);
  if (day === 'Today') return `today, ${clock(ts)}`;
  return day === 'Yesterday' ? 'yesterday' : day;
}
