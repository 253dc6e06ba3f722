// The access audit: who read or changed a member's protected health information, when and why.
import { Button, Card, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';

import { api, call } from '../api/client';
import type { AuditEntry } from '../api/types';
import { formatDateTime } from '../common/format';
import { RecordLink } from '../common/RecordLink';
import { Empty, ErrorNotice, Loading } from '../common/Status';
import { useLoad } from '../common/useLoad';

export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const personId = params.get('personId') ?? '';
  const [draft, setDraft] = useState(personId);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [before, setBefore] = useState<string | null>(null);
  const audit = useLoad(async () => {
    setOlder([]);
    if (!personId) return null;
    const page = await call(api.GET('/api/v1/audit', { params: { query: { personId, limit: 50 } } }));
    setBefore(page.nextBefore);
    return page;
  }, [personId]);

  async function more() {
    if (!before) return;
    const page = await call(api.GET('/api/v1/audit', { params: { query: { personId, limit: 50, before } } }));
    setOlder((all) => [...all, ...page.items]);
    setBefore(page.nextBefore);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setParams(draft.trim() ? { personId: draft.trim() } : {});
  }

  const items = [...(audit.data?.items ?? []), ...older];
  return (
    <Stack>
      <Title order={1} size="h2">
        Access audit
      </Title>
      <Text c="gray.7" size="sm">
        Every read and change of a member&apos;s protected health information: who, when, what and why.
      </Text>
      <form onSubmit={submit}>
        <Group align="flex-end">
          <TextInput
            label="Member (Person id)"
            description="Open a member and copy the record id, e.g. per_01J…"
            value={draft}
            onChange={(event) => setDraft(event.currentTarget.value)}
            w={360}
            name="personId"
          />
          <Button type="submit">Show accesses</Button>
        </Group>
      </form>
      {!personId ? null : audit.loading ? (
        <Loading label="Loading the audit…" />
      ) : audit.error ? (
        <ErrorNotice error={audit.error} onRetry={audit.reload} />
      ) : items.length === 0 ? (
        <Empty>No recorded access to this member.</Empty>
      ) : (
        <Card withBorder padding={0}>
          <Text size="sm" p="sm">
            Member: <RecordLink object="Person" id={personId} />
          </Text>
          <Table.ScrollContainer minWidth={800}>
            <Table striped fz="sm" data-testid="audit-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Record</Table.Th>
                  <Table.Th>PHI fields</Table.Th>
                  <Table.Th>Purpose</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((entry) => (
                  <Table.Tr key={entry.id}>
                    <Table.Td>{formatDateTime(entry.at)}</Table.Td>
                    <Table.Td>
                      {entry.username ?? '—'} <Text span size="xs" c="gray.7">({entry.role})</Text>
                    </Table.Td>
                    <Table.Td>{entry.action}</Table.Td>
                    <Table.Td>
                      {entry.object} <Text span size="xs" ff="monospace">{entry.recordId}</Text>
                    </Table.Td>
                    <Table.Td>{entry.fields.join(', ')}</Table.Td>
                    <Table.Td>{entry.purpose}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      {before && (
        <Group>
          <Button variant="light" onClick={() => void more()}>
            Show older accesses
          </Button>
        </Group>
      )}
    </Stack>
  );
}
