import type { ApiRecord, Field } from '../api/types';

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const number = new Intl.NumberFormat('en-US');

export function formatMoney(value: unknown): string {
  return typeof value === 'number' ? money.format(value) : '—';
}

/** YYYY-MM-DD as "Mar 4, 1980", without moving across time zones. */
export function formatDate(value: unknown): string {
  if (typeof value !== 'string' || value.length < 10) return '—';
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  if (!year || !month || !day) return value;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function formatDateTime(value: unknown): string {
  if (typeof value !== 'string') return '—';
  if (value.length === 10) return formatDate(value);
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : date.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

export function ageFrom(birthDate: unknown, today = new Date()): number | null {
  if (typeof birthDate !== 'string' || birthDate.length < 10) return null;
  const [year, month, day] = birthDate.slice(0, 10).split('-').map(Number);
  if (!year || !month || !day) return null;
  let age = today.getFullYear() - year;
  if (today.getMonth() + 1 < month || (today.getMonth() + 1 === month && today.getDate() < day)) age -= 1;
  return age;
}

/** A field's value as text (references are shown by RecordLink instead). */
export function formatValue(field: Field | undefined, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  switch (field?.type) {
    case 'currency':
      return formatMoney(value);
    case 'percent':
      return typeof value === 'number' ? `${number.format(value)}%` : String(value);
    case 'number':
      return typeof value === 'number' ? number.format(value) : String(value);
    case 'date':
      return formatDate(value);
    case 'datetime':
      return formatDateTime(value);
    case 'boolean':
      return value === true ? 'Yes' : value === false ? 'No' : '—';
    case 'picklist':
      return field.values?.find((choice) => choice.value === value)?.label ?? String(value);
    case 'multiPicklist':
      return Array.isArray(value)
        ? value.map((item) => field.values?.find((choice) => choice.value === item)?.label ?? String(item)).join(', ')
        : String(value);
    default:
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
  }
}

/** camelCase → "Camel case", for keys without a catalog label. */
export function humanize(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function text(record: ApiRecord | undefined, key: string): string {
  const value = record?.[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** A short human name for any record: a person's name, a case number, a plan's name… */
export function recordTitle(record: ApiRecord | undefined): string {
  if (!record) return '';
  const person = [text(record, 'firstName'), text(record, 'lastName')].filter(Boolean).join(' ');
  if (person) return person;
  for (const key of ['name', 'organizationName', 'caseNumber', 'claimNumber', 'memberId', 'subject', 'planCode', 'code']) {
    const value = text(record, key);
    if (value) return value;
  }
  return record.id;
}
