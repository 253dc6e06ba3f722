// The list of any object's records: a filter (the filter language, or built from simple
// conditions), sort by column, a choice of columns, saved views, and pages on demand.
//
// Views live in this browser's local storage: the server has no store for them yet.
import {
  Anchor,
  Button,
  Card,
  Group,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';

import { ApiError, api, call } from '../api/client';
import type { ApiRecord, Field } from '../api/types';
import { useCatalog, useDescribe } from '../common/catalog';
import { Empty, ErrorNotice, Loading } from '../common/Status';
import { FieldValue } from './FieldValue';
import { filterText, OPERATOR_LABELS, operatorsFor, type Condition, type Operator } from './filters';

const PAGE = 50;

interface SavedView {
  name: string;
  filter: string;
  sort: string;
  columns: string[];
}

function viewsKey(object: string) {
  return `payer360.views.${object}`;
}

function loadViews(object: string): SavedView[] {
  try {
    return JSON.parse(localStorage.getItem(viewsKey(object)) ?? '[]') as SavedView[];
  } catch {
    return [];
  }
}

function storeViews(object: string, views: SavedView[]) {
  localStorage.setItem(viewsKey(object), JSON.stringify(views));
}

/** The columns shown before the user chooses: the first few fields that say what a record is. */
function defaultColumns(fields: Field[]): string[] {
  const useful = fields.filter((f) => !f.system && f.type !== 'longText' && f.type !== 'multiPicklist');
  const preferred = useful.filter((f) => f.required || f.externalId || f.searchable || f.type === 'picklist');
  return [...preferred, ...useful.filter((f) => !preferred.includes(f))].slice(0, 6).map((f) => f.name);
}

function FilterBuilder({ fields, onApply }: { fields: Field[]; onApply: (filter: string) => void }) {
  const filterable = fields.filter((f) => f.type !== 'longText');
  const [conditions, setConditions] = useState<Condition[]>([]);
  const update = (index: number, change: Partial<Condition>) =>
    setConditions((all) => all.map((c, i) => (i === index ? { ...c, ...change } : c)));

  return (
    <Stack gap="xs">
      {conditions.map((condition, index) => {
        const field = fields.find((f) => f.name === condition.field);
        const operators = operatorsFor(field);
        const needsValue = condition.operator !== 'is null' && condition.operator !== 'is not null';
        return (
          <Group key={index} gap="xs" align="flex-end" wrap="wrap">
            <Select
              label="Field"
              searchable
              data={filterable.map((f) => ({ value: f.name, label: f.label }))}
              value={condition.field}
              onChange={(name) => name && update(index, { field: name, operator: operatorsFor(fields.find((f) => f.name === name))[0] ?? '=' })}
              w={200}
            />
            <Select
              label="Condition"
              data={operators.map((op) => ({ value: op, label: OPERATOR_LABELS[op] }))}
              value={condition.operator}
              onChange={(op) => op && update(index, { operator: op as Operator })}
              w={160}
            />
            {needsValue &&
              (field?.type === 'picklist' || field?.type === 'multiPicklist' || field?.type === 'boolean' ? (
                <Select
                  label="Value"
                  data={
                    field.type === 'boolean'
                      ? [
                          { value: 'true', label: 'Yes' },
                          { value: 'false', label: 'No' },
                        ]
                      : (field.values ?? []).map((v) => ({ value: v.value, label: v.label }))
                  }
                  value={condition.value || null}
                  onChange={(value) => update(index, { value: value ?? '' })}
                  w={200}
                />
              ) : (
                <TextInput
                  label="Value"
                  type={field?.type === 'date' ? 'date' : 'text'}
                  value={condition.value}
                  onChange={(event) => update(index, { value: event.currentTarget.value })}
                  w={200}
                />
              ))}
            <Button variant="subtle" color="red" onClick={() => setConditions((all) => all.filter((_, i) => i !== index))}>
              Remove
            </Button>
          </Group>
        );
      })}
      <Group gap="xs">
        <Button
          variant="light"
          size="xs"
          onClick={() =>
            setConditions((all) => [...all, { field: filterable[0]?.name ?? 'id', operator: operatorsFor(filterable[0])[0] ?? '=', value: '' }])
          }
        >
          Add condition
        </Button>
        {conditions.length > 0 && (
          <Button size="xs" onClick={() => onApply(filterText(conditions, fields))}>
            Use these conditions
          </Button>
        )}
      </Group>
    </Stack>
  );
}

export default function RecordListPage() {
  const { object = '' } = useParams();
  const { objects } = useCatalog();
  const summary = objects?.find((o) => o.name === object);
  const described = useDescribe(object);
  const [params, setParams] = useSearchParams();
  const filter = params.get('filter') ?? '';
  const sort = params.get('sort') ?? '';
  const [draft, setDraft] = useState(filter);
  const [rows, setRows] = useState<ApiRecord[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [views, setViews] = useState<SavedView[]>(() => loadViews(object));
  const [viewName, setViewName] = useState('');
  const [showBuilder, setShowBuilder] = useState(false);

  const fields = useMemo(() => described.data?.fields ?? [], [described.data]);
  const columnsParam = params.get('columns');
  const columns = useMemo(() => {
    const chosen = columnsParam ? columnsParam.split(',').filter((name) => fields.some((f) => f.name === name)) : [];
    return chosen.length > 0 ? chosen : defaultColumns(fields);
  }, [columnsParam, fields]);

  useEffect(() => setViews(loadViews(object)), [object]);
  useEffect(() => setDraft(filter), [filter]);
  useEffect(() => {
    document.title = `${summary?.pluralLabel ?? object} · payer360`;
  }, [summary, object]);

  useEffect(() => {
    if (fields.length === 0) return undefined;
    let live = true;
    setLoading(true);
    setError(null);
    setFilterError(null);
    const query = { limit: PAGE, fields: columns.join(','), ...(filter ? { filter } : {}), ...(sort ? { sort } : {}) };
    call(api.GET('/api/v1/records/{object}', { params: { path: { object }, query } }))
      .then((page) => {
        if (!live) return;
        setRows(page.items);
        setCursor(page.nextCursor);
      })
      .catch((failure: unknown) => {
        if (!live) return;
        setRows([]);
        setCursor(null);
        const at = failure instanceof ApiError ? failure.fieldErrors() : {};
        if (failure instanceof ApiError && (failure.status === 400 || failure.status === 403) && (at.filter || at.sort || failure.problem?.detail)) {
          setFilterError(at.filter ?? at.sort ?? failure.message);
        } else {
          setError(failure);
        }
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [object, filter, sort, columns, fields.length]);

  function update(changes: Record<string, string | null>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  }

  async function more() {
    if (!cursor) return;
    const query = { limit: PAGE, cursor, fields: columns.join(','), ...(filter ? { filter } : {}), ...(sort ? { sort } : {}) };
    try {
      const page = await call(api.GET('/api/v1/records/{object}', { params: { path: { object }, query } }));
      setRows((all) => [...all, ...page.items]);
      setCursor(page.nextCursor);
    } catch (failure) {
      setError(failure);
    }
  }

  function toggleSort(name: string) {
    const next = sort === name ? `-${name}` : sort === `-${name}` ? '' : name;
    update({ sort: next || null });
  }

  function saveView() {
    const name = viewName.trim();
    if (!name) return;
    const next = [...views.filter((v) => v.name !== name), { name, filter, sort, columns }];
    storeViews(object, next);
    setViews(next);
    setViewName('');
  }

  if (described.loading && !described.data) return <Loading />;
  if (described.error) return <ErrorNotice error={described.error} onRetry={described.reload} />;
  if (summary && !summary.access.read) {
    return <ErrorNotice error={new ApiError(403, { type: '', title: '', status: 403, detail: 'Your role does not give access to these records.' })} />;
  }
  const fieldOf = (name: string) => fields.find((f) => f.name === name);
  const sortableFields = fields.filter((f) => f.type !== 'longText' && f.type !== 'multiPicklist');

  return (
    <Stack data-testid="record-list">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {object === 'Person' ? 'Members' : (summary?.pluralLabel ?? object)}
        </Title>
        {summary?.access.create && (
          <Button component={Link} to={`/o/${object}/new`}>
            New {summary.label}
          </Button>
        )}
      </Group>
      <Card withBorder padding="sm">
        <Stack gap="sm">
          <form
            onSubmit={(event) => {
              event.preventDefault();
              update({ filter: draft.trim() || null });
            }}
          >
            <Group align="flex-end" gap="xs" wrap="wrap">
              <TextInput
                label="Filter"
                description="For example: lastName startsWith 'sm' and birthDate >= 1980-01-01"
                value={draft}
                onChange={(event) => setDraft(event.currentTarget.value)}
                error={filterError}
                style={{ flex: '1 1 360px' }}
                ff="monospace"
                name="filter"
              />
              <Button type="submit">Apply</Button>
              <Button variant="default" onClick={() => setShowBuilder((v) => !v)} aria-expanded={showBuilder}>
                {showBuilder ? 'Hide builder' : 'Build a filter'}
              </Button>
              {filter && (
                <Button variant="subtle" onClick={() => update({ filter: null })}>
                  Clear
                </Button>
              )}
            </Group>
          </form>
          {showBuilder && (
            <FilterBuilder
              fields={fields}
              onApply={(text) => {
                setDraft(text);
                update({ filter: text || null });
              }}
            />
          )}
          <Group align="flex-end" gap="xs" wrap="wrap">
            <MultiSelect
              label="Columns"
              data={fields.map((f) => ({ value: f.name, label: f.label }))}
              value={columns}
              onChange={(next) => update({ columns: next.length > 0 ? next.join(',') : null })}
              searchable
              style={{ flex: '1 1 320px' }}
              maxValues={12}
            />
            <Select
              label="Sort by"
              data={[
                { value: '', label: 'Default order' },
                ...sortableFields.flatMap((f) => [
                  { value: f.name, label: `${f.label} (ascending)` },
                  { value: `-${f.name}`, label: `${f.label} (descending)` },
                ]),
              ]}
              value={sort}
              onChange={(next) => update({ sort: next || null })}
              searchable
              w={240}
            />
          </Group>
          <Group align="flex-end" gap="xs" wrap="wrap">
            <Select
              label="Saved views"
              placeholder={views.length === 0 ? 'No saved views yet' : 'Choose a view'}
              data={views.map((v) => v.name)}
              value={null}
              onChange={(name) => {
                const view = views.find((v) => v.name === name);
                if (view) update({ filter: view.filter || null, sort: view.sort || null, columns: view.columns.join(',') });
              }}
              disabled={views.length === 0}
              w={220}
            />
            <TextInput label="Save this view as" value={viewName} onChange={(event) => setViewName(event.currentTarget.value)} w={220} />
            <Button variant="light" onClick={saveView} disabled={!viewName.trim()}>
              Save view
            </Button>
            {views.length > 0 && (
              <Button
                variant="subtle"
                color="red"
                onClick={() => {
                  storeViews(object, []);
                  setViews([]);
                }}
              >
                Forget saved views
              </Button>
            )}
          </Group>
        </Stack>
      </Card>
      {error ? (
        <ErrorNotice error={error} />
      ) : filterError ? null : loading ? (
        <Loading label="Loading records…" />
      ) : rows.length === 0 ? (
        <Empty>{filter ? 'No records match this filter.' : 'There are no records yet.'}</Empty>
      ) : (
        <Card withBorder padding={0}>
          <Table.ScrollContainer minWidth={640}>
            <Table striped highlightOnHover stickyHeader fz="sm" data-testid="record-table">
              <Table.Thead>
                <Table.Tr>
                  {columns.map((name) => {
                    const direction = sort === name ? 'ascending' : sort === `-${name}` ? 'descending' : 'none';
                    const field = fieldOf(name);
                    const sortable = field && field.type !== 'longText' && field.type !== 'multiPicklist';
                    return (
                      <Table.Th key={name} aria-sort={direction}>
                        {sortable ? (
                          <UnstyledButton onClick={() => toggleSort(name)} fw={700} fz="sm">
                            {field.label}
                            {direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''}
                          </UnstyledButton>
                        ) : (
                          (field?.label ?? name)
                        )}
                      </Table.Th>
                    );
                  })}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row) => (
                  <Table.Tr key={row.id}>
                    {columns.map((name, index) => (
                      <Table.Td key={name}>
                        {index === 0 ? (
                          <Anchor component={Link} to={`/o/${object}/${row.id}`}>
                            {row[name] === null || row[name] === undefined || row[name] === '' ? row.id : <FieldValue field={fieldOf(name)} value={row[name]} />}
                          </Anchor>
                        ) : (
                          <FieldValue field={fieldOf(name)} value={row[name]} />
                        )}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      <Group>
        <Text size="sm" c="gray.7" role="status">
          {rows.length} {rows.length === 1 ? 'record' : 'records'} shown{cursor ? ', more available' : ''}
        </Text>
        {cursor && (
          <Button variant="light" onClick={() => void more()}>
            Load more
          </Button>
        )}
        {object === 'Person' && rows.length > 0 && (
          <Text size="sm" c="gray.7">
            Open a member&apos;s 360 from their record, or with search.
          </Text>
        )}
      </Group>
    </Stack>
  );
}
