// Dates, durations and sizes as a Chinese clerk reads them. Times are shown in China Standard
// Time whatever the browser's time zone, like the case numbers and receipts.
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "2026-11-24 09:30:12" (China time), or "—" when there is no time. */
export function formatDateTime(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '—';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return new Date(time + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** "2026-11-24" (China time). */
export function formatDate(iso: string | undefined): string {
  return formatDateTime(iso).slice(0, 10);
}

const pad = (value: number): string => String(value).padStart(2, '0');

/** A length of time in words: "2 天 3 小时 12 分 5 秒" (larger units only when non-zero). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / SECOND));
  if (total === 0) return '0 秒';
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days} 天`);
  if (hours > 0) parts.push(`${hours} 小时`);
  if (minutes > 0) parts.push(`${minutes} 分`);
  if (seconds > 0 && days === 0) parts.push(`${seconds} 秒`);
  return parts.join(' ');
}

/** A countdown clock: "2 天 03:12:05", or "03:12:05" under a day. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / SECOND));
  const days = Math.floor(total / 86_400);
  const clock = `${pad(Math.floor((total % 86_400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days} 天 ${clock}` : clock;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** 0…1 as "93.5%". */
export function formatPercent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** "—" for an empty text, so a table never shows a blank that looks like a bug. */
export function orDash(text: string | undefined): string {
  return text === undefined || text.trim() === '' ? '—' : text;
}

/** 138****5678: staff see who they are calling, the screen behind them does not. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : phone;
}

/** 411***********1234: first 3 and last 4 characters, as the API masks applicants. */
export function maskIdentifier(identifier: string): string {
  if (identifier.length <= 7 || identifier.includes('*')) return identifier;
  return `${identifier.slice(0, 3)}${'*'.repeat(identifier.length - 7)}${identifier.slice(-4)}`;
}

/** The local "YYYY-MM-DDTHH:mm" a datetime-local input shows for an instant. */
export function toDateTimeLocal(time: number): string {
  const local = new Date(time - new Date(time).getTimezoneOffset() * MINUTE);
  return local.toISOString().slice(0, 16);
}

export const DURATION = { SECOND, MINUTE, HOUR, DAY };
