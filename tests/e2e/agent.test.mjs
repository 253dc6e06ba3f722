// A member service agent's day: log in, find a caller, see their 360 — and only what the role
// may see; sessions that end send the user back to the login page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { apiCall, assertAccessible, apiLogin, launchBrowser, logIn, newPage, screenshot, startServer } from './harness.mjs';

let server;
let chrome;
let admin;
// A member with coverage, claims and an open case, as the administrator sees them.
let target;

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
  admin = await apiLogin(server.baseUrl, 'admin');
  const cases = await apiCall(server.baseUrl, 'GET', `/api/v1/records/Case?limit=200&filter=${encodeURIComponent("status != 'closed'")}`, { token: admin });
  for (const serviceCase of cases.json.items) {
    const view = await apiCall(server.baseUrl, 'GET', `/api/v1/members/${serviceCase.person}/360`, { token: admin });
    if (view.status === 200 && view.json.claims?.summary.count > 0 && view.json.coverages?.length > 0 && view.json.conditions?.length > 0) {
      target = view.json;
      break;
    }
  }
  assert.ok(target, 'the demo has a member with coverage, claims, conditions and an open case');
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

describe('the agent console', () => {
  test('first load shows the login page, and a wrong password is explained', async () => {
    const { context, page, problems } = await newPage(chrome.browser);
    const started = Date.now();
    await page.goto(`${server.baseUrl}/`);
    await page.locator('input[name=username]').waitFor();
    const firstLoad = Date.now() - started;
    const navigation = await page.evaluate(() => {
      const [entry] = performance.getEntriesByType('navigation');
      return entry ? Math.round(entry.loadEventEnd) : null;
    });
    console.log(`figure: console first load ${firstLoad} ms to the login form (load event at ${navigation} ms)`);
    assert.match(page.url(), /\/login$/);
    await screenshot(page, 'login');
    await assertAccessible(page, 'login');
    // The check itself catches low contrast (grey #999 on white is 2.8:1).
    await page.evaluate(() => {
      const faint = Object.assign(document.createElement('p'), { textContent: 'faint', id: 'faint' });
      faint.style.color = '#999';
      document.body.append(faint);
    });
    await assert.rejects(assertAccessible(page, 'login with faint text'), /color-contrast[\s\S]*#faint/);
    await page.evaluate(() => document.getElementById('faint').remove());

    await page.locator('input[name=username]').fill('agent');
    await page.locator('input[name=password]').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    assert.match(page.url(), /\/login$/);
    // Only the refused login answered with an error.
    assert.deepEqual(problems.filter((p) => !p.includes('401')), []);
    await context.close();
  });

  test('an agent searches a member by name and opens the 360 screen', async () => {
    const { context, page } = await newPage(chrome.browser);
    await logIn(page, server.baseUrl, 'agent');
    await page.getByRole('heading', { name: 'Welcome, agent' }).waitFor();
    await screenshot(page, 'home');
    await assertAccessible(page, 'home');

    const profile = target.profile;
    await page.keyboard.press('Control+K');
    const box = page.getByPlaceholder(/Search members by name/);
    await box.waitFor();
    await box.fill(`${profile.firstName} ${profile.lastName}`);
    const result = page.getByTestId('search-member').filter({ hasText: `${profile.lastName}, ${profile.firstName}` });
    await result.first().waitFor();
    await screenshot(page, 'search');
    await assertAccessible(page, 'search');
    // Keyboard only: the first result is selected; Enter opens it.
    const answered = page.waitForResponse((response) => response.url().includes(`/api/v1/members/${profile.id}/360`));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('member-header').waitFor();
    // The browser asks for zstd, so the 360 travels compressed, and the browser reads it back.
    const view = await answered;
    assert.equal((await view.allHeaders())['content-encoding'], 'zstd');
    assert.equal((await view.json()).profile.id, profile.id);
    const rendered = await page.evaluate(
      () => performance.measure('p360:member-360', 'p360:search-selected', 'p360:member-360-rendered').duration,
    );
    console.log(`figure: member 360 rendered ${Math.round(rendered)} ms after the search result was chosen`);
    assert.match(page.url(), new RegExp(`/members/${profile.id}$`));

    const name = await page.getByTestId('member-name').textContent();
    assert.ok(name.includes(profile.firstName) && name.includes(profile.lastName), name);
    const coverage = target.coverages.find((c) => c.status === 'active') ?? target.coverages[0];
    assert.equal(await page.getByTestId('fact-member-id').textContent(), coverage.memberId);
    assert.equal(await page.getByTestId('fact-plan').textContent(), coverage.planRecord.name);
    assert.equal(await page.getByTestId('claims-count').textContent(), String(target.claims.summary.count));
    assert.ok(await page.locator('.recharts-surface').first().isVisible(), 'the claims chart is drawn');
    for (const section of ['Coverage and benefits', 'Household', 'Claims, last 12 months', 'Open cases', 'Timeline']) {
      await page.getByRole('heading', { name: section, exact: true }).waitFor();
    }
    // The agent's role sees no clinical records and no diagnoses.
    assert.equal(await page.getByRole('heading', { name: 'Conditions', exact: true }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Medications', exact: true }).count(), 0);
    assert.equal(await page.getByText('Top diagnoses').count(), 0);
    await screenshot(page, 'member-360');
    await assertAccessible(page, 'member-360');

    // The timeline pages on.
    const entries = page.getByTestId('timeline').locator('.mantine-Timeline-item');
    const before = await entries.count();
    if (target.timeline.nextCursor) {
      await page.getByRole('button', { name: 'Show older entries' }).click();
      await page.waitForFunction(
        (count) => document.querySelectorAll('[data-testid="timeline"] .mantine-Timeline-item').length > count,
        before,
      );
    }
    await context.close();
  });

  test('the member 360 works at tablet width', async () => {
    const { context, page } = await newPage(chrome.browser, { width: 820, height: 1180 });
    await logIn(page, server.baseUrl, 'agent', `/members/${target.profile.id}`);
    await page.getByTestId('member-header').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling at tablet width (overflow ${overflow}px)`);
    await page.getByRole('button', { name: 'Toggle navigation' }).waitFor();
    await screenshot(page, 'member-360-tablet');
    await assertAccessible(page, 'member-360-tablet');
    await context.close();
  });

  test('the care manager sees clinical sections the agent does not', async () => {
    const { context, page } = await newPage(chrome.browser);
    await logIn(page, server.baseUrl, 'admin', `/members/${target.profile.id}`);
    await page.getByTestId('member-header').waitFor();
    await page.getByRole('heading', { name: 'Conditions', exact: true }).waitFor();
    await page.getByText('Top diagnoses').waitFor();
    await assertAccessible(page, 'member-360 with clinical sections');
    await context.close();
  });

  test('a restricted role does not see PHI fields it may not read', async () => {
    const { context, page } = await newPage(chrome.browser);
    // The administrator sees the SSN label on the member's record; the agent's role hides it.
    await logIn(page, server.baseUrl, 'admin', `/o/Person/${target.profile.id}`);
    await page.getByTestId('record-detail').waitFor();
    await page.getByText('SSN', { exact: true }).first().waitFor();
    await context.close();

    const agent = await newPage(chrome.browser);
    await logIn(agent.page, server.baseUrl, 'agent', `/o/Person/${target.profile.id}`);
    await agent.page.getByTestId('record-detail').waitFor();
    await agent.page.getByText('Last Name', { exact: true }).first().waitFor();
    assert.equal(await agent.page.getByText('SSN', { exact: true }).count(), 0);
    if (target.profile.ssn) {
      assert.equal(await agent.page.getByText(target.profile.ssn).count(), 0);
    }
    await screenshot(agent.page, 'record-detail-agent');
    await agent.context.close();

    // The portal member cannot open somebody else's 360 at all.
    const member = await newPage(chrome.browser);
    await logIn(member.page, server.baseUrl, 'member', `/members/${target.profile.id}`);
    await member.page.getByRole('alert').filter({ hasText: 'does not exist, or you do not have access' }).waitFor();
    assert.equal(await member.page.getByTestId('member-header').count(), 0);
    await member.context.close();
  });

  test('an ended session returns to the login page and back after logging in again', async () => {
    const { context, page } = await newPage(chrome.browser);
    await logIn(page, server.baseUrl, 'agent');
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('payer360.session')).token);
    // The session ends on the server (as when an administrator revokes it or it expires).
    assert.equal((await apiCall(server.baseUrl, 'POST', '/api/v1/auth/logout', { token })).status, 204);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Cases' }).click();
    await page.getByText('Your session has ended').waitFor();
    assert.match(page.url(), /\/login\?expired=1&next=%2Fo%2FCase/);
    await page.locator('input[name=username]').fill('agent');
    await page.locator('input[name=password]').fill('payer360-demo-login');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/o\/Case$/);

    // Logging out ends the session on the server too.
    await page.getByTestId('account-menu').click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    const stored = await page.evaluate(() => sessionStorage.getItem('payer360.session'));
    assert.equal(stored, null);
    await context.close();
  });
});
