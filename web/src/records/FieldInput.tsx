// One input for a catalog field, chosen by its type, with its label and any error at the field.
import { MultiSelect, NumberInput, Select, Textarea, TextInput } from '@mantine/core';

import type { Field } from '../api/types';
import { ReferencePicker } from './ReferencePicker';

export interface FieldInputProps {
  field: Field;
  value: unknown;
  onChange: (value: unknown) => void;
  error?: string | undefined;
  autoFocus?: boolean;
  hideLabel?: boolean;
  onKeyDown?: (event: React.KeyboardEvent) => void;
}

function choices(field: Field) {
  return (field.values ?? []).filter((choice) => choice.active !== false).map((choice) => ({ value: choice.value, label: choice.label }));
}

export function FieldInput({ field, value, onChange, error, autoFocus, hideLabel, onKeyDown }: FieldInputProps) {
  const common = {
    label: field.label,
    'aria-label': hideLabel ? field.label : undefined,
    labelProps: hideLabel ? { style: { display: 'none' } } : undefined,
    description: hideLabel ? undefined : field.description,
    error,
    required: field.required,
    autoFocus,
    onKeyDown,
    'data-field': field.name,
  };
  const textValue = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
  switch (field.type) {
    case 'longText':
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          maxLength={field.maxLength}
          value={textValue}
          onChange={(event) => onChange(event.currentTarget.value === '' ? null : event.currentTarget.value)}
        />
      );
    case 'number':
    case 'currency':
    case 'percent':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          decimalScale={field.scale}
          prefix={field.type === 'currency' ? '$' : undefined}
          suffix={field.type === 'percent' ? '%' : undefined}
          thousandSeparator=","
          onChange={(next) => onChange(typeof next === 'number' ? next : null)}
        />
      );
    case 'date':
      return (
        <TextInput
          {...common}
          type="date"
          value={textValue.slice(0, 10)}
          onChange={(event) => onChange(event.currentTarget.value === '' ? null : event.currentTarget.value)}
        />
      );
    case 'datetime':
      return (
        <TextInput
          {...common}
          type="datetime-local"
          value={textValue ? textValue.slice(0, 16) : ''}
          onChange={(event) =>
            onChange(event.currentTarget.value === '' ? null : new Date(event.currentTarget.value).toISOString())
          }
        />
      );
    case 'boolean':
      return (
        <Select
          {...common}
          data={[
            { value: 'true', label: 'Yes' },
            { value: 'false', label: 'No' },
          ]}
          clearable
          value={value === true ? 'true' : value === false ? 'false' : null}
          onChange={(next) => onChange(next === null ? null : next === 'true')}
        />
      );
    case 'picklist':
      return (
        <Select
          {...common}
          data={choices(field)}
          clearable
          searchable
          value={typeof value === 'string' ? value : null}
          onChange={(next) => onChange(next)}
        />
      );
    case 'multiPicklist':
      return (
        <MultiSelect
          {...common}
          data={choices(field)}
          clearable
          searchable
          value={Array.isArray(value) ? (value as string[]) : []}
          onChange={(next) => onChange(next.length === 0 ? null : next)}
        />
      );
    case 'reference':
      return field.referenceTo ? (
        <ReferencePicker
          {...common}
          object={field.referenceTo}
          placeholder={hideLabel ? undefined : `Search by name`}
          value={textValue || null}
          onChange={onChange}
        />
      ) : (
        <TextInput {...common} value={textValue} onChange={(event) => onChange(event.currentTarget.value.trim() || null)} />
      );
    default:
      return (
        <TextInput
          {...common}
          type={field.type === 'email' ? 'email' : field.type === 'url' ? 'url' : field.type === 'phone' ? 'tel' : 'text'}
          maxLength={field.maxLength}
          value={textValue}
          onChange={(event) => onChange(event.currentTarget.value === '' ? null : event.currentTarget.value)}
        />
      );
  }
}
