// The member 360: everything about one member the signed-in user may see, from one call.
// Parts the role may not see are absent from the answer and are not shown at all.
import '@mantine/charts/styles.css';

import { BarChart } from '@mantine/charts';
import {
  Accordion,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';

import { api, call, errorMessage } from '../api/client';
import type { ApiRecord, Member360, TimelineEntry } from '../api/types';
import { ageFrom, formatDate, formatDateTime, formatMoney, humanize, recordTitle, text } from '../common/format';
import { RecordLink, recordPath } from '../common/RecordLink';
import { Empty, ErrorNotice, Loading } from '../common/Status';
import { useLoad } from '../common/useLoad';

const TIMELINE_PAGE = 15;

function Section({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={id} h="100%">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id={id}>
          {title}
        </Title>
        {action}
      </Group>
      {children}
    </Card>
  );
}

/** A small table of records: one row each, the named columns, a link on the first. */
function RecordTable({
  object,
  records,
  columns,
  empty,
}: {
  object: string;
  records: ApiRecord[];
  columns: Array<[string, string, ((record: ApiRecord) => ReactNode)?]>;
  empty: string;
}) {
  if (records.length === 0) return <Empty>{empty}</Empty>;
  return (
    <Table.ScrollContainer minWidth={360}>
      <Table striped highlightOnHover fz="sm">
        <Table.Thead>
          <Table.Tr>
            {columns.map(([key, label]) => (
              <Table.Th key={key}>{label}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {records.map((record) => (
            <Table.Tr key={record.id}>
              {columns.map(([key, , render], index) => (
                <Table.Td key={key}>
                  {index === 0 ? (
                    <Anchor component={Link} to={recordPath(object, record.id)}>
                      {render ? render(record) : text(record, key) || '—'}
                    </Anchor>
                  ) : render ? (
                    render(record)
                  ) : (
                    text(record, key) || '—'
                  )}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const date = (key: string) => (record: ApiRecord) => formatDate(record[key]);
const money = (key: string) => (record: ApiRecord) => formatMoney(record[key]);
const label = (key: string) => (record: ApiRecord) => (text(record, key) ? humanize(text(record, key)) : '—');

function alertsOf(view: Member360): Array<{ label: string; color: string }> {
  const profile = view.profile;
  const alerts: Array<{ label: string; color: string }> = [];
  if (profile.deceased === true) alerts.push({ label: 'Deceased', color: 'gray' });
  if (profile.doNotContact === true) alerts.push({ label: 'Do not contact', color: 'red' });
  if (profile.interpreterNeeded === true) {
    alerts.push({ label: `Interpreter needed${profile.preferredLanguage ? ` (${text(profile, 'preferredLanguage')})` : ''}`, color: 'orange' });
  }
  const open = view.cases?.open ?? [];
  if (open.some((c) => c.isExpedited === true)) alerts.push({ label: 'Expedited case open', color: 'red' });
  if (view.coverages && !view.coverages.some((c) => text(c, 'status') === 'active')) {
    alerts.push({ label: 'No active coverage', color: 'red' });
  }
  return alerts;
}

function HeaderCard({ view }: { view: Member360 }) {
  const profile = view.profile;
  const coverage = view.coverages?.find((c) => text(c, 'status') === 'active') ?? view.coverages?.[0];
  const age = ageFrom(profile.birthDate);
  const name =
    [text(profile, 'firstName'), text(profile, 'middleName'), text(profile, 'lastName'), text(profile, 'suffix')]
      .filter(Boolean)
      .join(' ') || profile.id;
  const pcp = text(profile, 'primaryCareProvider') || text(coverage, 'primaryCareProvider');
  const alerts = alertsOf(view);
  const facts: Array<[string, ReactNode]> = [
    ['Age', age === null ? '—' : `${age} (born ${formatDate(profile.birthDate)})`],
    ['Member ID', text(coverage, 'memberId') || '—'],
    ['Plan', coverage?.planRecord ? recordTitle(coverage.planRecord) : '—'],
    ['Lifecycle stage', text(profile, 'lifecycleStage') ? humanize(text(profile, 'lifecycleStage')) : '—'],
    ['Primary care provider', pcp ? <RecordLink object="Provider" id={pcp} /> : '—'],
    ['Phone', text(profile, 'phone') || '—'],
  ];
  return (
    <Card withBorder padding="lg" data-testid="member-header">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2" data-testid="member-name">
            {name}
          </Title>
          <Text c="gray.7" size="sm">
            {[text(profile, 'gender') && humanize(text(profile, 'gender')), text(profile, 'city'), text(profile, 'state')]
              .filter(Boolean)
              .join(' · ')}
          </Text>
        </div>
        <Group gap="xs">
          <Button variant="default" size="xs" component={Link} to={`/o/Person/${profile.id}`}>
            Open record
          </Button>
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} mt="md" spacing="md">
        {facts.map(([term, value]) => (
          <div key={term}>
            <Text size="xs" c="gray.7" tt="uppercase" fw={600}>
              {term}
            </Text>
            <Text size="sm" fw={500} data-testid={`fact-${term.toLowerCase().replace(/\s+/g, '-')}`}>
              {value}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      {alerts.length > 0 && (
        <Group gap="xs" mt="md" aria-label="Alerts">
          {alerts.map((alert) => (
            <Badge key={alert.label} color={alert.color} variant="light">
              {alert.label}
            </Badge>
          ))}
        </Group>
      )}
    </Card>
  );
}

function ClaimsSection({ claims }: { claims: NonNullable<Member360['claims']> }) {
  const { summary } = claims;
  const withAmounts = summary.byMonth.some((month) => month.paid !== undefined);
  const data = summary.byMonth.map((month) => ({
    month: new Date(`${month.month}-15T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', year: '2-digit', timeZone: 'UTC' }),
    Claims: month.count,
    Paid: month.paid ?? 0,
  }));
  return (
    <Section title="Claims, last 12 months">
      <Group gap="xl" mb="sm">
        <div>
          <Text size="xs" c="gray.7">
            Claims
          </Text>
          <Text fw={700} data-testid="claims-count">
            {summary.count}
            {summary.complete ? '' : '+'}
          </Text>
        </div>
        {summary.billed !== undefined && (
          <div>
            <Text size="xs" c="gray.7">
              Billed
            </Text>
            <Text fw={700}>{formatMoney(summary.billed)}</Text>
          </div>
        )}
        {summary.paid !== undefined && (
          <div>
            <Text size="xs" c="gray.7">
              Paid
            </Text>
            <Text fw={700}>{formatMoney(summary.paid)}</Text>
          </div>
        )}
        {summary.topDiagnoses && summary.topDiagnoses.length > 0 && (
          <div>
            <Text size="xs" c="gray.7">
              Top diagnoses
            </Text>
            <Text fw={500} size="sm">
              {summary.topDiagnoses.map((d) => `${d.code} (${d.claims})`).join(', ')}
            </Text>
          </div>
        )}
      </Group>
      <div role="img" aria-label={`Bar chart of ${withAmounts ? 'paid amounts' : 'claims'} by month`}>
        <BarChart
          h={180}
          data={data}
          dataKey="month"
          series={[withAmounts ? { name: 'Paid', color: 'blue.7' } : { name: 'Claims', color: 'blue.7' }]}
          valueFormatter={withAmounts ? (value) => formatMoney(value) : undefined}
          tickLine="y"
          withTooltip
        />
      </div>
      <VisuallyHidden>
        <table>
          <caption>Claims by month</caption>
          <tbody>
            {summary.byMonth.map((month) => (
              <tr key={month.month}>
                <th>{month.month}</th>
                <td>{month.count} claims</td>
                <td>{month.paid !== undefined ? formatMoney(month.paid) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
      <Text fw={600} size="sm" mt="md" mb={4}>
        Recent claims
      </Text>
      <RecordTable
        object="Claim"
        records={claims.recent}
        empty="No claims."
        columns={[
          ['claimNumber', 'Claim'],
          ['serviceFromDate', 'Service date', date('serviceFromDate')],
          ['status', 'Status', label('status')],
          ['billedAmount', 'Billed', money('billedAmount')],
          ['paidAmount', 'Paid', money('paidAmount')],
        ]}
      />
    </Section>
  );
}

function CoverageSection({ coverages }: { coverages: NonNullable<Member360['coverages']> }) {
  if (coverages.length === 0) {
    return (
      <Section title="Coverage and benefits">
        <Empty>No coverage on file.</Empty>
      </Section>
    );
  }
  return (
    <Section title="Coverage and benefits">
      <Accordion variant="separated" defaultValue={coverages[0]?.id}>
        {coverages.map((coverage) => (
          <Accordion.Item key={coverage.id} value={coverage.id}>
            <Accordion.Control>
              <Group gap="xs">
                <Text fw={600} size="sm">
                  {coverage.planRecord ? recordTitle(coverage.planRecord) : 'Plan'}
                </Text>
                <Badge size="sm" variant="light" color={text(coverage, 'status') === 'active' ? 'green' : 'gray'}>
                  {humanize(text(coverage, 'status') || 'unknown')}
                </Badge>
              </Group>
              <Text size="xs" c="gray.7">
                {[
                  text(coverage, 'memberId') && `Member ID ${text(coverage, 'memberId')}`,
                  text(coverage, 'lineOfBusiness') && humanize(text(coverage, 'lineOfBusiness')),
                  `${formatDate(coverage.effectiveDate)} – ${coverage.terminationDate ? formatDate(coverage.terminationDate) : 'ongoing'}`,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
            </Accordion.Control>
            <Accordion.Panel>
              {coverage.planRecord && (
                <Text size="sm" mb="xs">
                  Deductible {formatMoney(coverage.planRecord.individualDeductible)} · Out-of-pocket maximum{' '}
                  {formatMoney(coverage.planRecord.individualOutOfPocketMax)}
                </Text>
              )}
              <RecordTable
                object="Benefit"
                records={coverage.benefits ?? []}
                empty="No benefits listed for this plan."
                columns={[
                  ['name', 'Benefit'],
                  ['isCovered', 'Covered', (r) => (r.isCovered === true ? 'Yes' : r.isCovered === false ? 'No' : '—')],
                  ['inNetworkCopay', 'Copay', money('inNetworkCopay')],
                  ['coinsurance', 'Coinsurance', (r) => (typeof r.coinsurance === 'number' ? `${r.coinsurance}%` : '—')],
                  ['requiresPriorAuth', 'Prior auth', (r) => (r.requiresPriorAuth === true ? 'Required' : '—')],
                ]}
              />
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
    </Section>
  );
}

function HouseholdSection({ household }: { household: NonNullable<Member360['household']> }) {
  const members = household.members ?? [];
  return (
    <Section title="Household">
      {household.household && (
        <Text size="sm" mb="xs">
          <RecordLink object="Household" id={household.household.id} />
        </Text>
      )}
      {members.length === 0 && (household.relationships ?? []).length === 0 ? (
        <Empty>No household on file.</Empty>
      ) : (
        <Stack gap={4}>
          {members.map((member) => (
            <Group key={member.id} justify="space-between" wrap="nowrap">
              {member.personRecord ? (
                <Anchor component={Link} to={`/members/${member.personRecord.id}`} size="sm">
                  {recordTitle(member.personRecord)}
                </Anchor>
              ) : (
                <Text size="sm">A member you may not see</Text>
              )}
              <Text size="xs" c="gray.7">
                {text(member, 'role') ? humanize(text(member, 'role')) : ''}
              </Text>
            </Group>
          ))}
          {(household.relationships ?? []).map((relationship) => (
            <Group key={relationship.id} justify="space-between" wrap="nowrap">
              <RecordLink object="Person" id={text(relationship, 'relatedPerson')} />
              <Text size="xs" c="gray.7">
                {humanize(text(relationship, 'relationshipType') || 'related')}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </Section>
  );
}

function timelineTitle(entry: TimelineEntry): string {
  const record = entry.record;
  switch (entry.object) {
    case 'Claim':
      return `Claim ${text(record, 'claimNumber')} ${text(record, 'status') && `· ${humanize(text(record, 'status'))}`}`;
    case 'Case':
      return `Case ${text(record, 'caseNumber')} · ${text(record, 'subject') || humanize(text(record, 'type') || 'case')}`;
    case 'Interaction':
      return `${humanize(text(record, 'channel') || 'interaction')} ${text(record, 'direction')}`.trim();
    case 'Condition':
      return `Condition ${text(record, 'code')} ${text(record, 'description')}`.trim();
    case 'Medication':
      return `Medication ${text(record, 'name')}`.trim();
    case 'Consent':
      return `Consent · ${humanize(text(record, 'purpose') || 'consent')} (${text(record, 'status')})`;
    case 'LifeEvent':
      return `Life event · ${humanize(text(record, 'eventType') || 'event')}`;
    case 'MemberPlan':
      return `Coverage starts · ${text(record, 'memberId')}`;
    default:
      return `${entry.object} ${recordTitle(record)}`;
  }
}

function TimelineSection({ personId, first }: { personId: string; first: Member360['timeline'] }) {
  const [items, setItems] = useState<TimelineEntry[]>(first.items);
  const [cursor, setCursor] = useState<string | null>(first.nextCursor);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function more() {
    if (!cursor) return;
    setBusy(true);
    try {
      const page = await call(
        api.GET('/api/v1/members/{personId}/360', {
          params: { path: { personId }, query: { timelineLimit: TIMELINE_PAGE, timelineCursor: cursor } },
        }),
      );
      setItems((previous) => [...previous, ...page.timeline.items]);
      setCursor(page.timeline.nextCursor);
      setError(null);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Timeline">
      {items.length === 0 ? (
        <Empty>Nothing on the timeline yet.</Empty>
      ) : (
        <Timeline bulletSize={14} lineWidth={2} data-testid="timeline">
          {items.map((entry) => (
            <Timeline.Item
              key={`${entry.object}/${entry.id}`}
              title={
                <Anchor component={Link} to={recordPath(entry.object, entry.id)} size="sm" fw={600}>
                  {timelineTitle(entry)}
                </Anchor>
              }
            >
              <Text size="xs" c="gray.7">
                {formatDateTime(entry.at)}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
      {error && (
        <Text c="red.8" size="sm" role="alert">
          {error}
        </Text>
      )}
      {cursor && (
        <Button variant="light" mt="sm" onClick={() => void more()} loading={busy}>
          Show older entries
        </Button>
      )}
    </Section>
  );
}

export default function Member360Page() {
  const { id = '' } = useParams();
  const view = useLoad(
    () => call(api.GET('/api/v1/members/{personId}/360', { params: { path: { personId: id }, query: { timelineLimit: TIMELINE_PAGE } } })),
    [id],
  );

  useEffect(() => {
    if (view.data) {
      document.title = `${recordTitle(view.data.profile)} · payer360`;
      performance.mark('p360:member-360-rendered');
    }
  }, [view.data]);

  if (view.loading && !view.data) return <Loading label="Loading the member…" />;
  if (view.error || !view.data) return <ErrorNotice error={view.error} onRetry={view.reload} />;
  const data = view.data;

  return (
    <Stack data-testid="member-360">
      <HeaderCard view={data} />
      <Grid>
        {data.coverages && (
          <Grid.Col span={{ base: 12, lg: 7 }}>
            <CoverageSection coverages={data.coverages} />
          </Grid.Col>
        )}
        {data.household && (
          <Grid.Col span={{ base: 12, lg: 5 }}>
            <HouseholdSection household={data.household} />
          </Grid.Col>
        )}
        {data.claims && (
          <Grid.Col span={{ base: 12, lg: 7 }}>
            <ClaimsSection claims={data.claims} />
          </Grid.Col>
        )}
        {data.cases && (
          <Grid.Col span={{ base: 12, lg: 5 }}>
            <Section title="Open cases">
              <RecordTable
                object="Case"
                records={data.cases.open}
                empty="No open cases."
                columns={[
                  ['caseNumber', 'Case'],
                  ['subject', 'Subject'],
                  ['status', 'Status', label('status')],
                  ['priority', 'Priority', label('priority')],
                ]}
              />
            </Section>
          </Grid.Col>
        )}
        {data.conditions && (
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Section title="Conditions">
              <RecordTable
                object="Condition"
                records={data.conditions}
                empty="No conditions recorded."
                columns={[
                  ['code', 'Code'],
                  ['description', 'Description'],
                  ['clinicalStatus', 'Status', label('clinicalStatus')],
                  ['recordedDate', 'Recorded', date('recordedDate')],
                ]}
              />
            </Section>
          </Grid.Col>
        )}
        {data.medications && (
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Section title="Medications">
              <RecordTable
                object="Medication"
                records={data.medications}
                empty="No medications recorded."
                columns={[
                  ['name', 'Medication'],
                  ['dosage', 'Dosage'],
                  ['status', 'Status', label('status')],
                  ['startDate', 'Started', date('startDate')],
                ]}
              />
            </Section>
          </Grid.Col>
        )}
        {data.consents && (
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Section title="Consents">
              <RecordTable
                object="Consent"
                records={data.consents}
                empty="No consents recorded."
                columns={[
                  ['purpose', 'Purpose', label('purpose')],
                  ['channel', 'Channel', label('channel')],
                  ['status', 'Status', label('status')],
                  ['effectiveDate', 'Since', date('effectiveDate')],
                ]}
              />
            </Section>
          </Grid.Col>
        )}
        {data.careTeam && (
          <Grid.Col span={{ base: 12, md: 6 }}>
            <Section title="Care team">
              <RecordTable
                object="CareTeamMember"
                records={data.careTeam}
                empty="No care team."
                columns={[
                  ['teamRole', 'Role', label('teamRole')],
                  ['userId', 'User'],
                  ['startDate', 'Since', date('startDate')],
                ]}
              />
            </Section>
          </Grid.Col>
        )}
        <Grid.Col span={12}>
          <TimelineSection key={id} personId={id} first={data.timeline} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
