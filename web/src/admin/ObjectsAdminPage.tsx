// Setup: objects and their fields. Adding a field or an object takes effect at once on every
// record page (the catalog is reloaded).
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Grid,
  Group,
  NavLink,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';

import { ApiError, api, call, errorMessage } from '../api/client';
import type { FieldType, NewField } from '../api/types';
import { useCatalog, useDescribe } from '../common/catalog';
import { ErrorNotice, Loading } from '../common/Status';

const FIELD_TYPES: Array<{ value: FieldType; label: string }> = [
  { value: 'text', label: 'Text' },
  { value: 'longText', label: 'Long text' },
  { value: 'number', label: 'Number' },
  { value: 'currency', label: 'Currency' },
  { value: 'percent', label: 'Percent' },
  { value: 'date', label: 'Date' },
  { value: 'datetime', label: 'Date and time' },
  { value: 'boolean', label: 'Yes / no' },
  { value: 'picklist', label: 'Picklist' },
  { value: 'multiPicklist', label: 'Multi-select picklist' },
  { value: 'email', label: 'Email' },
  { value: 'phone', label: 'Phone' },
  { value: 'url', label: 'URL' },
  { value: 'reference', label: 'Reference (lookup)' },
  { value: 'externalId', label: 'External id' },
];

interface FieldDraft {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  phi: boolean;
  tracked: boolean;
  indexed: boolean;
  values: string;
  referenceTo: string | null;
}

const EMPTY_FIELD: FieldDraft = {
  name: '',
  label: '',
  type: 'text',
  required: false,
  phi: false,
  tracked: true,
  indexed: false,
  values: '',
  referenceTo: null,
};

function toNewField(draft: FieldDraft): NewField {
  const field: NewField = {
    name: draft.name.trim(),
    type: draft.type,
    required: draft.required,
    phi: draft.phi,
    tracked: draft.tracked,
    indexed: draft.indexed,
  };
  if (draft.label.trim()) field.label = draft.label.trim();
  if (draft.type === 'picklist' || draft.type === 'multiPicklist') {
    field.values = draft.values
      .split(',')
      .map((value) => value.trim())
      .filter(Boolean);
  }
  if (draft.type === 'reference' && draft.referenceTo) field.referenceTo = draft.referenceTo;
  return field;
}

function FieldForm({ objectNames, onSubmit, submitLabel }: { objectNames: string[]; onSubmit: (field: NewField) => Promise<void>; submitLabel: string }) {
  const [draft, setDraft] = useState<FieldDraft>(EMPTY_FIELD);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<FieldDraft>) => setDraft((all) => ({ ...all, ...change }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      await onSubmit(toNewField(draft));
      setDraft(EMPTY_FIELD);
    } catch (error) {
      const at = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(at);
      setFailure(Object.keys(at).length > 0 ? 'Some settings need attention.' : errorMessage(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="New field">
      <Stack gap="sm">
        {failure && (
          <Alert color="red" role="alert">
            {failure}
          </Alert>
        )}
        <Group grow align="flex-start">
          <TextInput
            label="API name"
            description="Letters and digits, starting with a lowercase letter"
            required
            value={draft.name}
            onChange={(event) => set({ name: event.currentTarget.value })}
            error={errors.name}
            name="fieldName"
          />
          <TextInput label="Label" value={draft.label} onChange={(event) => set({ label: event.currentTarget.value })} error={errors.label} name="fieldLabel" />
          <Select
            label="Type"
            data={FIELD_TYPES}
            value={draft.type}
            onChange={(type) => type && set({ type: type as FieldType })}
            error={errors.type}
            allowDeselect={false}
          />
        </Group>
        {(draft.type === 'picklist' || draft.type === 'multiPicklist') && (
          <TextInput
            label="Values"
            description="Separated by commas"
            value={draft.values}
            onChange={(event) => set({ values: event.currentTarget.value })}
            error={errors.values}
          />
        )}
        {draft.type === 'reference' && (
          <Select label="Refers to" data={objectNames} value={draft.referenceTo} onChange={(name) => set({ referenceTo: name })} error={errors.referenceTo} searchable />
        )}
        <Group>
          <Checkbox label="Required" checked={draft.required} onChange={(event) => set({ required: event.currentTarget.checked })} />
          <Checkbox label="PHI (protected health information)" checked={draft.phi} onChange={(event) => set({ phi: event.currentTarget.checked })} />
          <Checkbox label="Track history" checked={draft.tracked} onChange={(event) => set({ tracked: event.currentTarget.checked })} />
          <Checkbox label="Indexed" checked={draft.indexed} onChange={(event) => set({ indexed: event.currentTarget.checked })} />
        </Group>
        <Group>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ObjectFields({ object }: { object: string }) {
  const { objects, invalidate } = useCatalog();
  const described = useDescribe(object);
  const [added, setAdded] = useState<string | null>(null);
  if (described.loading && !described.data) return <Loading />;
  if (described.error || !described.data) return <ErrorNotice error={described.error} onRetry={described.reload} />;
  const data = described.data;

  return (
    <Stack>
      <Group justify="space-between">
        <div>
          <Title order={2} size="h3">
            {data.label}{' '}
            {data.custom && (
              <Badge variant="light" size="sm">
                Custom
              </Badge>
            )}
          </Title>
          <Text size="sm" c="gray.7" ff="monospace">
            {data.name}
          </Text>
        </div>
        <Anchor component={Link} to={`/o/${data.name}`}>
          Open {data.pluralLabel}
        </Anchor>
      </Group>
      <Card withBorder padding={0}>
        <Table.ScrollContainer minWidth={600}>
          <Table striped fz="sm" data-testid="fields-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Label</Table.Th>
                <Table.Th>API name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Flags</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.fields.map((field) => (
                <Table.Tr key={field.name}>
                  <Table.Td>{field.label}</Table.Td>
                  <Table.Td ff="monospace">{field.name}</Table.Td>
                  <Table.Td>
                    {FIELD_TYPES.find((t) => t.value === field.type)?.label ?? field.type}
                    {field.referenceTo ? ` → ${field.referenceTo}` : ''}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {(
                        [
                          ['required', field.required],
                          ['unique', field.unique],
                          ['PHI', field.phi],
                          ['history', field.tracked],
                          ['system', field.system],
                          ['custom', field.custom],
                        ] as const
                      )
                        .filter(([, on]) => on)
                        .map(([name]) => (
                          <Badge key={name} size="xs" variant="light" color={name === 'PHI' ? 'orange' : 'gray'}>
                            {name}
                          </Badge>
                        ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Card withBorder padding="md" component="section" aria-labelledby="add-field">
        <Title order={3} size="h4" id="add-field" mb="sm">
          Add a custom field
        </Title>
        {added && (
          <Alert color="green" mb="sm" role="status">
            The field {added} was added. It is on every {data.label} page now.
          </Alert>
        )}
        <FieldForm
          objectNames={(objects ?? []).map((o) => o.name)}
          submitLabel="Add field"
          onSubmit={async (field) => {
            const created = await call(api.POST('/api/v1/objects/{object}/fields', { params: { path: { object } }, body: field }));
            setAdded(created.label);
            invalidate();
          }}
        />
      </Card>
    </Stack>
  );
}

function NewObjectForm() {
  const { invalidate } = useCatalog();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [plural, setPlural] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setFailure(null);
    try {
      await call(
        api.POST('/api/v1/objects', {
          body: {
            name: name.trim(),
            label: label.trim() || name.trim(),
            pluralLabel: plural.trim() || `${label.trim() || name.trim()}s`,
            fields: [{ name: 'name', label: 'Name', type: 'text', required: true }],
          },
        }),
      );
      invalidate();
      navigate(`/admin/objects/${name.trim()}`);
    } catch (error) {
      const at = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(at);
      setFailure(Object.keys(at).length > 0 ? 'Some settings need attention.' : errorMessage(error));
    }
  }

  return (
    <form onSubmit={submit} aria-label="New custom object">
      <Stack gap="sm">
        <Text size="sm" c="gray.7">
          A new object starts with a required Name field; add more fields once it exists. Only administrators can use it until a
          permission set grants it.
        </Text>
        {failure && (
          <Alert color="red" role="alert">
            {failure}
          </Alert>
        )}
        <Group grow align="flex-start">
          <TextInput label="API name" description="e.g. WellnessReward" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} />
          <TextInput label="Label" value={label} onChange={(e) => setLabel(e.currentTarget.value)} error={errors.label} />
          <TextInput label="Plural label" value={plural} onChange={(e) => setPlural(e.currentTarget.value)} error={errors.pluralLabel} />
        </Group>
        <Group>
          <Button type="submit">Create object</Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function ObjectsAdminPage() {
  const { object } = useParams();
  const { objects, objectsError } = useCatalog();
  if (objectsError) return <ErrorNotice error={objectsError} />;
  if (!objects) return <Loading />;
  return (
    <Stack>
      <Title order={1} size="h2">
        Objects and fields
      </Title>
      <Grid>
        <Grid.Col span={{ base: 12, md: 3 }}>
          <Card withBorder padding={4}>
            <ScrollArea.Autosize mah={560}>
              <nav aria-label="Objects">
                <NavLink component={Link} to="/admin/objects" label="New custom object" active={!object} />
                {objects.map((o) => (
                  <NavLink
                    key={o.name}
                    component={Link}
                    to={`/admin/objects/${o.name}`}
                    label={o.label}
                    description={o.custom ? 'Custom' : undefined}
                    active={o.name === object}
                  />
                ))}
              </nav>
            </ScrollArea.Autosize>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 9 }}>
          {object ? (
            <ObjectFields key={object} object={object} />
          ) : (
            <Card withBorder padding="md">
              <Title order={2} size="h4" mb="sm">
                New custom object
              </Title>
              <NewObjectForm />
            </Card>
          )}
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
