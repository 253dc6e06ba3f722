// The console frame: header with search and the user's menu, navigation by what the role may
// use, and the page.
import { AppShell, Burger, Button, Group, Kbd, Menu, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';

import { ROLE_LABELS, useAuth } from '../auth/AuthContext';
import { useCatalog } from '../common/catalog';
import { Loading } from '../common/Status';
import { GlobalSearch, openSearch } from '../search/GlobalSearch';

// The objects people work with every day, first in the navigation.
const MAIN_OBJECTS = ['Person', 'Case', 'Claim', 'MemberPlan', 'Provider', 'Account', 'Plan', 'Task'];

export default function Shell() {
  const { user, logout } = useAuth();
  const { objects } = useCatalog();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const readable = (objects ?? []).filter((object) => object.access.read);
  const main = MAIN_OBJECTS.flatMap((name) => readable.filter((object) => object.name === name));
  const isAdmin = user?.role === 'admin';
  const mayAudit = isAdmin || user?.role === 'auditor';
  const active = (path: string) => location.pathname === path || location.pathname.startsWith(`${path}/`);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap" gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label="Toggle navigation" />
            <Text component={Link} to="/" fw={700} size="lg" c="blue.9" td="none">
              payer360
            </Text>
          </Group>
          <Button
            variant="default"
            onClick={() => openSearch()}
            aria-keyshortcuts="Control+K /"
            rightSection={<Kbd size="xs">Ctrl K</Kbd>}
            style={{ flex: '0 1 420px' }}
            justify="space-between"
            data-testid="open-search"
          >
            <Text c="gray.7" size="sm">
              Search members, providers, cases…
            </Text>
          </Button>
          <Menu position="bottom-end">
            <Menu.Target>
              <UnstyledButton data-testid="account-menu" p={4}>
                <Text size="sm" fw={600}>
                  {user?.username}
                </Text>
                <Text size="xs" c="gray.7" visibleFrom="sm">
                  {ROLE_LABELS[user?.role ?? ''] ?? user?.role}
                </Text>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item onClick={() => void logout()}>Log out</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          <NavLink component={Link} to="/" label="Home" active={location.pathname === '/'} onClick={close} />
          {main.map((object) => (
            <NavLink
              key={object.name}
              component={Link}
              to={`/o/${object.name}`}
              label={object.name === 'Person' ? 'Members' : object.pluralLabel}
              active={active(`/o/${object.name}`)}
              onClick={close}
            />
          ))}
          {readable.length > 0 && (
            <NavLink component={Link} to="/o" label="All objects" active={location.pathname === '/o'} onClick={close} />
          )}
          {(isAdmin || mayAudit) && (
            <Text size="xs" fw={700} c="gray.7" tt="uppercase" mt="md" mb={4} px="sm">
              Setup
            </Text>
          )}
          {isAdmin && (
            <>
              <NavLink component={Link} to="/admin/objects" label="Objects and fields" active={active('/admin/objects')} onClick={close} />
              <NavLink component={Link} to="/admin/users" label="Users and roles" active={active('/admin/users')} onClick={close} />
            </>
          )}
          {mayAudit && (
            <NavLink component={Link} to="/admin/audit" label="Access audit" active={active('/admin/audit')} onClick={close} />
          )}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
      <GlobalSearch />
    </AppShell>
  );
}
