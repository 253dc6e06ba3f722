// Global search: Ctrl+K (⌘K) or "/" anywhere opens it; results come from the server's search as
// you type — members by name, birth date, member id or phone; providers; cases.
import { Badge, Group, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Spotlight, spotlight } from '@mantine/spotlight';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';

import { api, call, errorMessage } from '../api/client';
import type { SearchResults } from '../api/types';
import { formatDate, text } from '../common/format';

const MATCH_LABELS: Record<string, string> = {
  id: 'record id',
  memberId: 'member id',
  birthDate: 'date of birth',
  phone: 'phone',
  name: 'name',
};

export const openSearch = spotlight.open;

/** Marks when a search result was chosen, for the member 360 render measurement. */
export function markSearchSelection() {
  performance.clearMarks('p360:search-selected');
  performance.mark('p360:search-selected');
}

export function GlobalSearch() {
  const navigate = useNavigate();
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 150);
  const [results, setResults] = useState<SearchResults | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (debounced.length < 2) {
      setResults(null);
      setError(null);
      return undefined;
    }
    let live = true;
    setLoading(true);
    call(api.GET('/api/v1/search', { params: { query: { q: debounced, limit: 8 } } }))
      .then((answer) => {
        if (!live) return;
        setResults(answer);
        setError(null);
      })
      .catch((failure: unknown) => live && setError(errorMessage(failure)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [debounced]);

  const go = (path: string) => {
    markSearchSelection();
    navigate(path);
  };

  const members = results?.members ?? [];
  const providers = results?.providers ?? [];
  const cases = results?.cases ?? [];
  const nothing = results && members.length + providers.length + cases.length === 0;

  return (
    <Spotlight.Root
      query={query}
      onQueryChange={setQuery}
      shortcut={['mod + K', '/']}
      scrollable
      maxHeight={480}
    >
      <Spotlight.Search
        placeholder="Search members by name, date of birth, member id or phone; providers; cases"
        aria-label="Search members, providers and cases"
      />
      <Spotlight.ActionsList aria-busy={loading}>
        {query.trim().length < 2 && (
          <Spotlight.Empty>Type at least two characters. Try a name, 1980-03-04, a member id or a phone.</Spotlight.Empty>
        )}
        {error && <Spotlight.Empty>{error}</Spotlight.Empty>}
        {nothing && !loading && <Spotlight.Empty>No members, providers or cases match “{debounced}”.</Spotlight.Empty>}
        {members.length > 0 && (
          <Spotlight.ActionsGroup label="Members">
            {members.map((member) => (
              <Spotlight.Action key={member.id} onClick={() => go(`/members/${member.id}`)} data-testid="search-member">
                <Group wrap="nowrap" justify="space-between" w="100%" gap="sm">
                  <div>
                    <Text fw={600}>
                      {[text(member, 'lastName'), text(member, 'firstName')].filter(Boolean).join(', ') || member.id}
                    </Text>
                    <Text size="sm" c="gray.7">
                      {[
                        member.birthDate ? `Born ${formatDate(member.birthDate)}` : '',
                        member.memberId ? `Member ID ${member.memberId}` : '',
                        text(member, 'phone'),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </Text>
                  </div>
                  <Badge variant="light" color="gray" style={{ flexShrink: 0 }}>
                    {member.matchedOn.map((match) => MATCH_LABELS[match] ?? match).join(', ')}
                  </Badge>
                </Group>
              </Spotlight.Action>
            ))}
          </Spotlight.ActionsGroup>
        )}
        {providers.length > 0 && (
          <Spotlight.ActionsGroup label="Providers">
            {providers.map((provider) => (
              <Spotlight.Action
                key={provider.id}
                onClick={() => go(`/o/Provider/${provider.id}`)}
                label={
                  text(provider, 'organizationName') ||
                  [text(provider, 'firstName'), text(provider, 'lastName'), text(provider, 'credentials')]
                    .filter(Boolean)
                    .join(' ')
                }
                description={[text(provider, 'specialty'), provider.npi ? `NPI ${text(provider, 'npi')}` : '']
                  .filter(Boolean)
                  .join(' · ')}
              />
            ))}
          </Spotlight.ActionsGroup>
        )}
        {cases.length > 0 && (
          <Spotlight.ActionsGroup label="Cases">
            {cases.map((serviceCase) => (
              <Spotlight.Action
                key={serviceCase.id}
                onClick={() => go(`/o/Case/${serviceCase.id}`)}
                label={`${text(serviceCase, 'caseNumber')} ${text(serviceCase, 'subject')}`.trim()}
                description={[text(serviceCase, 'status'), text(serviceCase, 'priority')].filter(Boolean).join(' · ')}
              />
            ))}
          </Spotlight.ActionsGroup>
        )}
      </Spotlight.ActionsList>
    </Spotlight.Root>
  );
}
