// One record of any object: its fields (edited in place, one at a time, with the server's
// validation message at the field), the records that reference it, its field history, delete.
// Fields the role may not read never arrive; fields it may not set show no edit button.
import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';

import { ApiError, api, call, errorMessage } from '../api/client';
import type { ApiRecord, Field, ObjectDescription } from '../api/types';
import { useCatalog, useDescribe } from '../common/catalog';
import { formatDateTime, recordTitle } from '../common/format';
import { Empty, ErrorNotice, Loading } from '../common/Status';
import { useLoad } from '../common/useLoad';
import { FieldInput } from './FieldInput';
import { FieldValue } from './FieldValue';

function FieldRow({
  field,
  record,
  onSaved,
  object,
}: {
  field: Field;
  record: ApiRecord;
  object: string;
  onSaved: (record: ApiRecord) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState<unknown>(record[field.name]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!editing) setValue(record[field.name]);
  }, [record, field.name, editing]);

  async function save() {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await call(
        api.PATCH('/api/v1/records/{object}/{id}', {
          params: { path: { object, id: record.id }, header: { 'If-Match': `"${record.version ?? ''}"` } },
          body: { [field.name]: value ?? null },
        }),
      );
      onSaved(saved);
      setEditing(false);
    } catch (failure) {
      const at = failure instanceof ApiError ? failure.fieldErrors() : {};
      setError(at[field.name] ?? errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  const cancel = () => {
    setEditing(false);
    setError(undefined);
    setValue(record[field.name]);
  };

  if (editing) {
    return (
      <Stack gap={4} data-testid={`edit-${field.name}`}>
        <FieldInput
          field={field}
          value={value}
          onChange={setValue}
          error={error}
          autoFocus
          onKeyDown={(event) => {
            if (event.key === 'Escape') cancel();
            if (event.key === 'Enter' && field.type !== 'longText' && (event.target as HTMLElement).tagName === 'INPUT') {
              event.preventDefault();
              void save();
            }
          }}
        />
        <Group gap="xs">
          <Button size="xs" onClick={() => void save()} loading={busy}>
            Save
          </Button>
          <Button size="xs" variant="default" onClick={cancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <div data-testid={`field-${field.name}`}>
      <Group gap={4} wrap="nowrap" align="center">
        <Text size="xs" c="gray.7" fw={600}>
          {field.label}
        </Text>
        {field.phi && (
          <Badge size="xs" variant="outline" color="gray" title="Protected health information">
            PHI
          </Badge>
        )}
        {field.editable && (
          <Tooltip label={`Edit ${field.label}`}>
            <ActionIcon size="sm" variant="subtle" aria-label={`Edit ${field.label}`} onClick={() => setEditing(true)}>
              ✎
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
      <div data-testid={`value-${field.name}`}>
        <FieldValue field={field} value={record[field.name]} />
      </div>
    </div>
  );
}

/** Records of other objects whose reference fields point at this one. */
function RelatedLists({ object, id }: { object: string; id: string }) {
  const { objects, describe } = useCatalog();
  const related = useLoad(async () => {
    const readable = (objects ?? []).filter((o) => o.access.read);
    const described = await Promise.all(readable.map((o) => describe(o.name).catch(() => null)));
    const links: Array<{ object: ObjectDescription; field: Field }> = [];
    for (const candidate of described) {
      for (const field of candidate?.fields ?? []) {
        if (candidate && field.type === 'reference' && field.referenceTo === object) links.push({ object: candidate, field });
      }
    }
    return Promise.all(
      links.map(async (link) => {
        const page = await call(
          api.GET('/api/v1/records/{object}', {
            params: { path: { object: link.object.name }, query: { filter: `${link.field.name} = '${id}'`, limit: 10 } },
          }),
        ).catch(() => ({ items: [] as ApiRecord[], nextCursor: null }));
        return { ...link, items: page.items, more: page.nextCursor !== null };
      }),
    );
  }, [object, id, objects]);

  if (related.loading) return <Loading label="Loading related records…" />;
  if (related.error) return <ErrorNotice error={related.error} onRetry={related.reload} />;
  const lists = (related.data ?? []).filter((list) => list.items.length > 0);
  if (lists.length === 0) return <Empty>No records refer to this one.</Empty>;
  return (
    <Stack>
      {lists.map((list) => (
        <Card withBorder key={`${list.object.name}.${list.field.name}`} padding="sm" component="section">
          <Group justify="space-between" mb="xs">
            <Title order={3} size="h5">
              {list.object.pluralLabel} <Text span c="gray.7" size="sm">(by {list.field.label})</Text>
            </Title>
            {list.more && (
              <Anchor component={Link} to={`/o/${list.object.name}?filter=${encodeURIComponent(`${list.field.name} = '${id}'`)}`} size="sm">
                See all
              </Anchor>
            )}
          </Group>
          <Stack gap={2}>
            {list.items.map((item) => (
              <Anchor key={item.id} component={Link} to={`/o/${list.object.name}/${item.id}`} size="sm">
                {recordTitle(item)}
              </Anchor>
            ))}
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}

function History({ object, id, fields, version }: { object: string; id: string; fields: Field[]; version: unknown }) {
  const history = useLoad(
    () => call(api.GET('/api/v1/records/{object}/{id}/history', { params: { path: { object, id } } })),
    [object, id, version],
  );
  if (history.loading && !history.data) return <Loading label="Loading history…" />;
  if (history.error) return <ErrorNotice error={history.error} onRetry={history.reload} />;
  const items = history.data?.items ?? [];
  if (items.length === 0) return <Empty>No tracked changes yet.</Empty>;
  const fieldOf = (name: string) => fields.find((f) => f.name === name);
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped fz="sm" data-testid="history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Field</Table.Th>
            <Table.Th>Before</Table.Th>
            <Table.Th>After</Table.Th>
            <Table.Th>By</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((entry, index) => (
            <Table.Tr key={index}>
              <Table.Td>{formatDateTime(entry.changedAt)}</Table.Td>
              <Table.Td>{fieldOf(entry.field)?.label ?? entry.field}</Table.Td>
              <Table.Td>
                <FieldValue field={fieldOf(entry.field)} value={entry.oldValue} />
              </Table.Td>
              <Table.Td>
                <FieldValue field={fieldOf(entry.field)} value={entry.newValue} />
              </Table.Td>
              <Table.Td>{entry.changedBy ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export default function RecordDetailPage() {
  const { object = '', id = '' } = useParams();
  const navigate = useNavigate();
  const { objects } = useCatalog();
  const summary = objects?.find((o) => o.name === object);
  const described = useDescribe(object);
  const loaded = useLoad(() => call(api.GET('/api/v1/records/{object}/{id}', { params: { path: { object, id } } })), [object, id]);
  const [record, setRecord] = useState<ApiRecord | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [tab, setTab] = useState<string | null>('details');

  useEffect(() => setRecord(loaded.data), [loaded.data]);
  useEffect(() => {
    if (record) document.title = `${recordTitle(record)} · payer360`;
  }, [record]);

  if ((loaded.loading && !loaded.data) || (described.loading && !described.data)) return <Loading />;
  if (loaded.error) return <ErrorNotice error={loaded.error} onRetry={loaded.reload} />;
  if (described.error) return <ErrorNotice error={described.error} onRetry={described.reload} />;
  if (!record || !described.data) return <Loading />;
  const fields = described.data.fields;
  const business = fields.filter((f) => !f.system);
  const system = fields.filter((f) => f.system && f.name !== 'id');

  async function remove() {
    setDeleteError(null);
    try {
      await call(
        api.DELETE('/api/v1/records/{object}/{id}', {
          params: { path: { object, id }, header: { 'If-Match': `"${record?.version ?? ''}"` } },
        }),
      );
      navigate(`/o/${object}`, { replace: true });
    } catch (failure) {
      setDeleteError(
        failure instanceof ApiError && failure.status === 409
          ? 'Other records still refer to this one, so it cannot be deleted. Remove or change those first.'
          : errorMessage(failure),
      );
    }
  }

  return (
    <Stack data-testid="record-detail">
      <Group justify="space-between" align="flex-start">
        <div>
          <Text size="sm" c="gray.7">
            <Anchor component={Link} to={`/o/${object}`}>
              {summary?.pluralLabel ?? object}
            </Anchor>
          </Text>
          <Title order={1} size="h2">
            {recordTitle(record)}
          </Title>
        </div>
        <Group gap="xs">
          {object === 'Person' && (
            <Button variant="light" component={Link} to={`/members/${id}`}>
              Member 360
            </Button>
          )}
          {summary?.access.delete && (
            <Button variant="outline" color="red" onClick={() => setConfirming(true)}>
              Delete
            </Button>
          )}
        </Group>
      </Group>
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="details">Details</Tabs.Tab>
          <Tabs.Tab value="related">Related</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="details" pt="md">
          <Card withBorder padding="md">
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" verticalSpacing="md">
              {business.map((field) => (
                <FieldRow key={field.name} field={field} record={record} object={object} onSaved={setRecord} />
              ))}
            </SimpleGrid>
          </Card>
          <Card withBorder padding="md" mt="md">
            <Title order={2} size="h5" mb="xs">
              System
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="xs">
              <div>
                <Text size="xs" c="gray.7" fw={600}>
                  Record id
                </Text>
                <Text size="sm" ff="monospace">
                  {record.id}
                </Text>
              </div>
              {system.map((field) => (
                <FieldRow key={field.name} field={field} record={record} object={object} onSaved={setRecord} />
              ))}
            </SimpleGrid>
          </Card>
        </Tabs.Panel>
        <Tabs.Panel value="related" pt="md">
          <RelatedLists object={object} id={id} />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <History object={object} id={id} fields={fields} version={record.version} />
        </Tabs.Panel>
      </Tabs>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={`Delete ${recordTitle(record)}?`}>
        <Stack>
          <Text size="sm">This cannot be undone. Records that depend on it may be deleted or cleared with it.</Text>
          {deleteError && (
            <Text c="red.8" size="sm" role="alert">
              {deleteError}
            </Text>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
            <Button color="red" onClick={() => void remove()}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
