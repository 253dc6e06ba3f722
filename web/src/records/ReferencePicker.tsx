// A reference field's input: type part of the referenced record's name and pick it, instead of
// typing its id. Members are found as the global search finds them (name, birth date, member id,
// phone); other objects by the start of any of their name fields.
import { Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';

import { api, call } from '../api/client';
import type { ApiRecord, ObjectDescription } from '../api/types';
import { useCatalog } from '../common/catalog';
import { recordTitle } from '../common/format';
import { titleOf } from '../common/RecordLink';
import { quote } from './filters';

const MATCHES = 10;
// The fields that name a record, in the order recordTitle() prefers them.
const NAME_FIELDS = ['lastName', 'name', 'organizationName', 'caseNumber', 'claimNumber', 'memberId', 'subject', 'planCode', 'code'];

// The name fields the caller may read (describe leaves out the others).
function nameFieldsOf(object: ObjectDescription): string[] {
  return NAME_FIELDS.filter((name) => object.fields.some((field) => field.name === name && (field.type === 'text' || field.type === 'externalId')));
}

async function findRecords(object: string, typed: string, describe: (name: string) => Promise<ObjectDescription>): Promise<ApiRecord[]> {
  if (object === 'Person') {
    const found = await call(api.GET('/api/v1/search', { params: { query: { q: typed, limit: MATCHES } } }));
    return found.members ?? [];
  }
  const nameFields = nameFieldsOf(await describe(object));
  if (nameFields.length === 0) return [];
  const filter = nameFields.map((name) => `${name} startsWith ${quote(typed)}`).join(' or ');
  const page = await call(
    api.GET('/api/v1/records/{object}', { params: { path: { object }, query: { filter, sort: nameFields[0], limit: MATCHES } } }),
  );
  return page.items;
}

type PickerProps = Omit<SelectProps, 'data' | 'value' | 'onChange' | 'searchValue' | 'onSearchChange'> & {
  object: string;
  value: string | null;
  onChange: (id: string | null) => void;
};

export function ReferencePicker({ object, value, onChange, ...inputProps }: PickerProps) {
  const { describe } = useCatalog();
  const [search, setSearch] = useState('');
  const [typed] = useDebouncedValue(search.trim(), 250);
  // Every record offered so far, so the chosen one keeps its name while other matches come and go.
  const [known, setKnown] = useState<Map<string, string>>(new Map());
  const [matches, setMatches] = useState<string[]>([]);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (!value || known.has(value)) return;
    let live = true;
    titleOf(object, value).then((title) => live && setKnown((all) => new Map(all).set(value, title)));
    return () => {
      live = false;
    };
  }, [object, value, known]);

  useEffect(() => {
    if (typed.length < 2 || (value && known.get(value) === typed)) return;
    let live = true;
    findRecords(object, typed, describe).then(
      (records) => {
        if (!live) return;
        setFailure(null);
        setKnown((all) => {
          const next = new Map(all);
          for (const record of records) next.set(record.id, recordTitle(record));
          return next;
        });
        setMatches(records.map((record) => record.id));
      },
      () => live && setFailure('The search failed; try again.'),
    );
    return () => {
      live = false;
    };
    // `known` and `value` only decide whether to search; a change to them alone searches nothing new.
  }, [object, typed, describe]);

  const ids = value && !matches.includes(value) ? [value, ...matches] : matches;
  return (
    <Select
      {...inputProps}
      searchable
      clearable
      data={ids.map((id) => ({ value: id, label: known.get(id) ?? id }))}
      filter={({ options }) => options}
      value={value}
      onChange={(id) => onChange(id)}
      searchValue={search}
      onSearchChange={setSearch}
      nothingFoundMessage={typed.length < 2 ? 'Type two letters or more' : 'No match'}
      error={inputProps.error ?? failure}
    />
  );
}
