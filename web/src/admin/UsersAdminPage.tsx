// Setup: users, their roles and the permission sets they hold beyond their role's.
import { Alert, Badge, Button, Card, Group, MultiSelect, PasswordInput, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';

import { ApiError, api, call, errorMessage } from '../api/client';
import type { Role, User } from '../api/types';
import { ROLE_LABELS, useAuth } from '../auth/AuthContext';
import { ErrorNotice, Loading } from '../common/Status';
import { useLoad } from '../common/useLoad';

function NewUserForm({ onCreated }: { onCreated: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string | null>('agent');
  const [personId, setPersonId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setFailure(null);
    try {
      await call(
        api.POST('/api/v1/users', {
          body: { username: username.trim(), password, role: role ?? '', ...(personId.trim() ? { personId: personId.trim() } : {}) },
        }),
      );
      setUsername('');
      setPassword('');
      setPersonId('');
      onCreated();
    } catch (error) {
      const at = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(at);
      setFailure(Object.keys(at).length > 0 ? null : errorMessage(error));
    }
  }

  return (
    <form onSubmit={submit} aria-label="New user">
      <Stack gap="sm">
        {failure && (
          <Alert color="red" role="alert">
            {failure}
          </Alert>
        )}
        <Group grow align="flex-start">
          <TextInput label="Username" required value={username} onChange={(e) => setUsername(e.currentTarget.value)} error={errors.username} />
          <PasswordInput
            label="Password"
            description="12 characters or more"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
          />
          <Select
            label="Role"
            data={Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }))}
            value={role}
            onChange={setRole}
            error={errors.role}
            allowDeselect={false}
          />
          {role === 'portal_member' && (
            <TextInput label="Person id" description="The member this login is" value={personId} onChange={(e) => setPersonId(e.currentTarget.value)} error={errors.personId} />
          )}
        </Group>
        <Group>
          <Button type="submit">Create user</Button>
        </Group>
      </Stack>
    </form>
  );
}

// Staff roles an administrator may switch between; a portal member stays bound to their Person.
const STAFF_ROLES = Object.entries(ROLE_LABELS)
  .filter(([value]) => value !== 'portal_member')
  .map(([value, label]) => ({ value, label }));

function UserRow({ user, sets, self, onChanged }: { user: User; sets: string[]; self: boolean; onChanged: (user: User) => void }) {
  const [error, setError] = useState<string | null>(null);
  async function act(work: () => Promise<User>) {
    setError(null);
    try {
      onChanged(await work());
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }
  return (
    <Table.Tr>
      <Table.Td fw={600}>{user.username}</Table.Td>
      <Table.Td miw={200}>
        {user.role === 'portal_member' ? (
          ROLE_LABELS[user.role]
        ) : (
          <Select
            aria-label={`Role of ${user.username}`}
            data={STAFF_ROLES}
            value={user.role}
            allowDeselect={false}
            size="xs"
            onChange={(next) => {
              if (!next || next === user.role) return;
              const role = next as Role;
              void act(() => call(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { role } })));
            }}
          />
        )}
      </Table.Td>
      <Table.Td miw={240}>
        <MultiSelect
          aria-label={`Extra permission sets for ${user.username}`}
          data={sets}
          value={user.permissionSets}
          placeholder="Only the role's"
          onChange={(next) =>
            void act(() => call(api.PUT('/api/v1/users/{id}/permission-sets', { params: { path: { id: user.id } }, body: { permissionSets: next } })))
          }
          size="xs"
        />
        {error && (
          <Text c="red.8" size="xs" role="alert">
            {error}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={`${user.username} may log in`}
          checked={user.active}
          disabled={self}
          onChange={(event) => {
            const active = event.currentTarget.checked;
            void act(() => call(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { active } })));
          }}
          label={user.active ? 'Active' : 'Deactivated'}
        />
      </Table.Td>
    </Table.Tr>
  );
}

export default function UsersAdminPage() {
  const { user: me } = useAuth();
  const users = useLoad(() => call(api.GET('/api/v1/users')), []);
  const sets = useLoad(() => call(api.GET('/api/v1/permission-sets')), []);
  const [changed, setChanged] = useState<Record<string, User>>({});

  if ((users.loading && !users.data) || (sets.loading && !sets.data)) return <Loading />;
  if (users.error) return <ErrorNotice error={users.error} onRetry={users.reload} />;
  if (sets.error) return <ErrorNotice error={sets.error} onRetry={sets.reload} />;
  const setNames = (sets.data?.items ?? []).map((s) => s.name);

  return (
    <Stack>
      <Title order={1} size="h2">
        Users and roles
      </Title>
      <Card withBorder padding={0}>
        <Table.ScrollContainer minWidth={720}>
          <Table striped fz="sm" data-testid="users-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>User</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Extra permission sets</Table.Th>
                <Table.Th>Access</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(users.data?.items ?? []).map((user) => (
                <UserRow
                  key={user.id}
                  user={changed[user.id] ?? user}
                  sets={setNames}
                  self={user.id === me?.id}
                  onChanged={(next) => setChanged((all) => ({ ...all, [next.id]: next }))}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Card>
      <Card withBorder padding="md" component="section" aria-labelledby="permission-sets">
        <Title order={2} size="h4" id="permission-sets" mb="sm">
          Permission sets
        </Title>
        <Table fz="sm">
          <Table.Tbody>
            {(sets.data?.items ?? []).map((set) => (
              <Table.Tr key={set.name}>
                <Table.Td ff="monospace" w={200}>
                  {set.name}
                </Table.Td>
                <Table.Td>{set.description}</Table.Td>
                <Table.Td w={80}>{set.phi && <Badge size="xs" color="orange" variant="light">PHI</Badge>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Card>
      <Card withBorder padding="md" component="section" aria-labelledby="new-user">
        <Title order={2} size="h4" id="new-user" mb="sm">
          New user
        </Title>
        <NewUserForm onCreated={users.reload} />
      </Card>
    </Stack>
  );
}
