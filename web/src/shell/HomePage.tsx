import { Button, Card, Group, Kbd, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';

import { ROLE_LABELS, useAuth } from '../auth/AuthContext';
import { useCatalog } from '../common/catalog';
import { openSearch } from '../search/GlobalSearch';

export default function HomePage() {
  const { user } = useAuth();
  const { objects } = useCatalog();
  const readable = (objects ?? []).filter((object) => object.access.read);
  const shortcuts = ['Person', 'Case', 'Claim', 'Provider'].flatMap((name) => readable.filter((o) => o.name === name));

  return (
    <Stack maw={960}>
      <Title order={1} size="h2">
        Welcome, {user?.username}
      </Title>
      <Text c="gray.7">{ROLE_LABELS[user?.role ?? ''] ?? user?.role}</Text>
      <Card withBorder padding="lg">
        <Stack gap="sm" align="flex-start">
          <Title order={2} size="h4">
            Find a member
          </Title>
          <Text size="sm">
            Search by name, date of birth, member id or phone — or find a provider or a case. Press <Kbd>Ctrl</Kbd> +{' '}
            <Kbd>K</Kbd> or <Kbd>/</Kbd> from anywhere.
          </Text>
          <Button onClick={() => openSearch()}>Search</Button>
        </Stack>
      </Card>
      {shortcuts.length > 0 && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
          {shortcuts.map((object) => (
            <Card key={object.name} withBorder component={Link} to={`/o/${object.name}`} padding="md">
              <Group justify="space-between">
                <Text fw={600}>{object.name === 'Person' ? 'Members' : object.pluralLabel}</Text>
                <Text c="blue.8" aria-hidden>
                  →
                </Text>
              </Group>
            </Card>
          ))}
        </SimpleGrid>
      )}
    </Stack>
  );
}
