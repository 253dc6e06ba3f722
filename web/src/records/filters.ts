// The simple filter builder's conditions, written out in the server's filter language.
import type { Field } from '../api/types';

export type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'startsWith' | 'like' | 'is null' | 'is not null' | 'includes';

export interface Condition {
  field: string;
  operator: Operator;
  value: string;
}

export const OPERATOR_LABELS: Record<Operator, string> = {
  '=': 'is',
  '!=': 'is not',
  '<': 'is less than',
  '>': 'is greater than',
  '<=': 'is at most',
  '>=': 'is at least',
  startsWith: 'starts with',
  like: 'contains',
  'is null': 'is empty',
  'is not null': 'is not empty',
  includes: 'includes',
};

export function operatorsFor(field: Field | undefined): Operator[] {
  switch (field?.type) {
    case 'number':
    case 'currency':
    case 'percent':
    case 'date':
    case 'datetime':
      return ['=', '!=', '<', '>', '<=', '>=', 'is null', 'is not null'];
    case 'boolean':
    case 'picklist':
    case 'reference':
      return ['=', '!=', 'is null', 'is not null'];
    case 'multiPicklist':
      return ['includes', 'is null', 'is not null'];
    default:
      return ['=', '!=', 'startsWith', 'like', 'is null', 'is not null'];
  }
}

export function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function literal(field: Field | undefined, value: string): string {
  switch (field?.type) {
    case 'number':
    case 'currency':
    case 'percent':
      return String(Number(value));
    case 'date':
      return value;
    case 'boolean':
      return value === 'true' ? 'true' : 'false';
    case 'datetime':
      return quote(value);
    default:
      return quote(value);
  }
}

/** One condition in the filter language, or null when it is not complete. */
export function conditionText(condition: Condition, fields: Field[]): string | null {
  const field = fields.find((f) => f.name === condition.field);
  if (!field) return null;
  if (condition.operator === 'is null' || condition.operator === 'is not null') {
    return `${field.name} ${condition.operator}`;
  }
  if (condition.value.trim() === '') return null;
  if (condition.operator === 'like') {
    const escaped = condition.value.replace(/[\\%_]/g, (c) => `\\${c}`);
    return `${field.name} like ${quote(`%${escaped}%`)}`;
  }
  return `${field.name} ${condition.operator} ${literal(field, condition.value)}`;
}

export function filterText(conditions: Condition[], fields: Field[]): string {
  return conditions
    .map((condition) => conditionText(condition, fields))
    .filter((text): text is string => text !== null)
    .join(' and ');
}
