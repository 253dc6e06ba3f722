import { Alert, Button, Card, Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';

import { ApiError, api, call, errorMessage } from '../api/client';
import { useCatalog, useDescribe } from '../common/catalog';
import { ErrorNotice, Loading } from '../common/Status';
import { FieldInput } from './FieldInput';

export default function RecordCreatePage() {
  const { object = '' } = useParams();
  const navigate = useNavigate();
  const { objects } = useCatalog();
  const summary = objects?.find((o) => o.name === object);
  const described = useDescribe(object);
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (described.loading && !described.data) return <Loading />;
  if (described.error || !described.data) return <ErrorNotice error={described.error} onRetry={described.reload} />;
  const fields = described.data.fields.filter((f) => !f.system && f.editable);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    const body = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null && value !== undefined));
    try {
      const created = await call(api.POST('/api/v1/records/{object}', { params: { path: { object } }, body }));
      navigate(object === 'Person' ? `/members/${created.id}` : `/o/${object}/${created.id}`, { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.problem?.errors?.length) {
        setErrors(error.fieldErrors());
        setFailure('Some fields need attention.');
      } else {
        setFailure(errorMessage(error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack maw={1100}>
      <Title order={1} size="h2">
        New {summary?.label ?? object}
      </Title>
      <form onSubmit={submit} noValidate>
        <Card withBorder padding="md">
          <Stack>
            {failure && (
              <Alert color="red" role="alert" title="The record was not saved">
                {failure}
              </Alert>
            )}
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
              {fields.map((field) => (
                <FieldInput
                  key={field.name}
                  field={field}
                  value={values[field.name]}
                  error={errors[field.name]}
                  onChange={(value) => setValues((all) => ({ ...all, [field.name]: value }))}
                />
              ))}
            </SimpleGrid>
            <Group>
              <Button type="submit" loading={busy}>
                Save
              </Button>
              <Button variant="default" component={Link} to={`/o/${object}`}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </Card>
      </form>
    </Stack>
  );
}
