import { Anchor, Badge, Card, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';

import { useCatalog } from '../common/catalog';
import { ErrorNotice, Loading } from '../common/Status';

export default function ObjectsIndexPage() {
  const { objects, objectsError } = useCatalog();
  if (objectsError) return <ErrorNotice error={objectsError} />;
  if (!objects) return <Loading />;
  const readable = objects.filter((o) => o.access.read);
  return (
    <Stack>
      <Title order={1} size="h2">
        All objects
      </Title>
      <Text c="gray.7" size="sm">
        Every kind of record your role may read, standard and custom.
      </Text>
      <Card withBorder padding={0}>
        <Table striped highlightOnHover fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Object</Table.Th>
              <Table.Th>API name</Table.Th>
              <Table.Th>You may</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {readable.map((object) => (
              <Table.Tr key={object.name}>
                <Table.Td>
                  <Anchor component={Link} to={`/o/${object.name}`}>
                    {object.pluralLabel}
                  </Anchor>{' '}
                  {object.custom && (
                    <Badge size="xs" variant="light">
                      Custom
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td ff="monospace">{object.name}</Table.Td>
                <Table.Td>
                  {(['read', 'create', 'edit', 'delete'] as const).filter((op) => object.access[op]).join(', ')}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
    </Stack>
  );
}
