// Record pages from the catalog and admin setup: an administrator adds a custom field and fills
// it on a record, edits a record and reads its history, lists with filters, sorts and saved
// views, creates and deletes a record, and uses the users and audit screens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, apiCall, assertAccessible, apiLogin, launchBrowser, logIn, newPage, screenshot, startServer } from './harness.mjs';

let server;
let chrome;
let admin;
let person;

before(async () => {
  server = await startServer();
  chrome = await launchBrowser();
  admin = await apiLogin(server.baseUrl, 'admin');
  const people = await apiCall(server.baseUrl, 'GET', '/api/v1/records/Person?limit=5&sort=-id', { token: admin });
  person = people.json.items[0];
  assert.ok(person, 'the demo has members');
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

async function adminPage(path) {
  const opened = await newPage(chrome.browser);
  await logIn(opened.page, server.baseUrl, 'admin', path);
  return opened;
}

describe('record pages and setup', () => {
  test('an administrator adds a custom field and fills it on a record at once', async () => {
    const { context, page } = await adminPage('/admin/objects/Person');
    await page.getByTestId('fields-table').waitFor();
    const form = page.getByRole('form', { name: 'New field' });
    // A bad name is explained at the field.
    await form.locator('input[name=fieldName]').fill('2bad name');
    await form.getByRole('button', { name: 'Add field' }).click();
    await form.getByRole('alert').waitFor();
    await form.locator('input[name=fieldName]').fill('preferredPharmacy');
    await form.locator('input[name=fieldLabel]').fill('Preferred Pharmacy');
    await form.getByRole('button', { name: 'Add field' }).click();
    await page.getByText('The field Preferred Pharmacy was added').waitFor();
    await page.getByTestId('fields-table').getByText('preferredPharmacy', { exact: true }).waitFor();
    await screenshot(page, 'admin-objects');
    await assertAccessible(page, 'admin-objects');

    // The record page has the new field without a reload.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Members' }).click();
    await page.getByTestId('record-table').waitFor();
    await page.goto(`${server.baseUrl}/o/Person/${person.id}`);
    await page.getByRole('button', { name: 'Edit Preferred Pharmacy' }).click();
    const input = page.getByTestId('edit-preferredPharmacy').locator('input');
    await input.fill('Main Street Pharmacy');
    await input.press('Enter');
    await page.getByTestId('value-preferredPharmacy').getByText('Main Street Pharmacy').waitFor();
    const stored = await apiCall(server.baseUrl, 'GET', `/api/v1/records/Person/${person.id}`, { token: admin });
    assert.equal(stored.json.preferredPharmacy, 'Main Street Pharmacy');
    await context.close();
  });

  test('an edit shows validation at the field, then lands in the history', async () => {
    const { context, page } = await adminPage(`/o/Person/${person.id}`);
    await page.getByRole('button', { name: 'Edit Phone', exact: true }).click();
    const input = page.getByTestId('edit-phone').locator('input');
    await input.fill('call me');
    await page.getByTestId('edit-phone').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('edit-phone').getByText('Not a valid phone number.').waitFor();
    await input.fill('(555) 555-0199');
    await page.getByTestId('edit-phone').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('value-phone').getByText('(555) 555-0199').waitFor();
    await screenshot(page, 'record-detail');
    await assertAccessible(page, 'record-detail');

    await page.getByRole('tab', { name: 'History' }).click();
    const row = page.getByTestId('history').getByRole('row').filter({ hasText: '(555) 555-0199' });
    await row.first().waitFor();
    const cells = await row.first().getByRole('cell').allTextContents();
    assert.equal(cells[1], 'Phone');
    assert.equal(cells[2], person.phone ?? '—');
    assert.equal(cells[3], '(555) 555-0199');
    await screenshot(page, 'record-history');
    await assertAccessible(page, 'record-history');

    await page.getByRole('tab', { name: 'Related' }).click();
    await page.getByText('Member Plans').first().waitFor();
    await context.close();
  });

  test('a list filters, sorts, keeps saved views and explains a bad filter', async () => {
    const { context, page } = await adminPage('/o/Person');
    await page.getByTestId('record-table').waitFor();
    await page.locator('input[name=filter]').fill("lastName startsWith 'h'");
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/filter=/);
    await page.getByRole('columnheader', { name: /Last Name/ }).getByRole('button').click();
    await page.waitForURL(/sort=lastName/);
    await page.getByRole('columnheader', { name: /Last Name/ }).and(page.locator('[aria-sort=ascending]')).waitFor();
    const table = page.getByTestId('record-table');
    await table.getByRole('row').nth(1).waitFor();
    const header = await table.getByRole('columnheader').allTextContents();
    const lastColumn = header.findIndex((text) => text.startsWith('Last Name'));
    const names = [];
    for (const row of await table.getByRole('row').all()) {
      const cells = await row.getByRole('cell').allTextContents();
      if (cells.length > 0) names.push(cells[lastColumn]);
    }
    assert.ok(names.length > 0);
    assert.ok(names.every((name) => name.toLowerCase().startsWith('h')), names.join(', '));
    assert.deepEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })), names);

    await page.getByLabel('Save this view as').fill('H members');
    await page.getByRole('button', { name: 'Save view' }).click();
    await screenshot(page, 'record-list');
    await assertAccessible(page, 'record-list');
    await page.goto(`${server.baseUrl}/o/Person`);
    await page.getByRole('combobox', { name: 'Saved views' }).click();
    await page.getByRole('option', { name: 'H members' }).click();
    await page.waitForURL(/filter=lastName/);
    // The view brings back its filter and sort.
    await page.waitForFunction(() => document.querySelector('input[name=filter]')?.value === "lastName startsWith 'h'");
    await page.getByRole('columnheader', { name: /Last Name/ }).and(page.locator('[aria-sort=ascending]')).waitFor();

    await page.locator('input[name=filter]').fill("lastNme = 'x'");
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/unknown field/).waitFor();
    await context.close();
  });

  test('a record is created from the catalog form and deleted', async () => {
    const { context, page } = await adminPage('/o/Task/new');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Some fields need attention' }).waitFor();
    // Each required field says so at the field.
    const subject = page.locator('input[data-field=subject]');
    assert.equal(await subject.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByText('This field is required.').count(), 3);
    await assertAccessible(page, 'record-create');
    await subject.fill('Call back about the ID card');
    for (const field of ['status', 'priority']) {
      await page.locator(`input[data-field=${field}]`).click();
      await page.getByRole('option').first().click();
    }
    // The member is picked by name, not typed in as an id.
    const fullName = `${person.firstName} ${person.lastName}`;
    await page.locator('input[data-field=relatedPerson]').fill(fullName);
    const option = page.getByRole('option', { name: fullName, exact: true }).first();
    await option.waitFor();
    await screenshot(page, 'reference-picker');
    await assertAccessible(page, 'reference picker');
    await option.click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('record-detail').waitFor();
    const id = page.url().split('/').pop();
    assert.match(id, /^[a-z]+_/);
    const stored = await apiCall(server.baseUrl, 'GET', `/api/v1/records/Task/${id}`, { token: admin });
    assert.equal(stored.status, 200);
    const picked = await apiCall(server.baseUrl, 'GET', `/api/v1/records/Person/${stored.json.relatedPerson}`, { token: admin });
    assert.equal(`${picked.json.firstName} ${picked.json.lastName}`, fullName);
    // The detail page names the member it links to.
    await page.getByTestId('record-detail').getByRole('link', { name: fullName }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/\/o\/Task$/);
    assert.equal((await apiCall(server.baseUrl, 'GET', `/api/v1/records/Task/${id}`, { token: admin })).status, 404);
    await context.close();
  });

  test('users, permission sets and the access audit', async () => {
    const { context, page } = await adminPage('/admin/users');
    await page.getByTestId('users-table').getByText('agent', { exact: true }).waitFor();
    await page.getByRole('cell', { name: 'member-service', exact: true }).waitFor();
    await screenshot(page, 'admin-users');
    await assertAccessible(page, 'admin-users');

    await page.goto(`${server.baseUrl}/admin/audit?personId=${person.id}`);
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    assert.ok((await table.getByRole('row').count()) > 1, 'the reads and the edit above were audited');
    await screenshot(page, 'audit');
    await assertAccessible(page, 'audit');
    await context.close();
  });

  test('an administrator changes a role and the user has the new rights on the next request', async () => {
    const created = await apiCall(server.baseUrl, 'POST', '/api/v1/users', {
      token: admin,
      body: { username: 'deputy', password: PASSWORD, role: 'agent' },
    });
    assert.equal(created.status, 201, created.text);
    const deputy = await apiLogin(server.baseUrl, 'deputy');
    const listUsers = async () => (await apiCall(server.baseUrl, 'GET', '/api/v1/users', { token: deputy })).status;
    assert.equal(await listUsers(), 403);

    const { context, page } = await adminPage('/admin/users');
    const roleOf = (username) => page.getByRole('combobox', { name: `Role of ${username}` });
    // Picks a role in the user's row; answers the status of the change it sent.
    async function chooseRole(username, label) {
      await roleOf(username).click();
      const answer = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/v1/users/'));
      await page.getByRole('option', { name: label, exact: true }).click();
      return (await answer).status();
    }
    // The row shows the answer once React has drawn it.
    async function shownRole(username, label) {
      await page.waitForFunction(
        ([name, expected]) => document.querySelector(`input[aria-label="Role of ${name}"]`)?.value === expected,
        [username, label],
      );
    }

    assert.equal(await roleOf('deputy').inputValue(), 'Member service agent');
    assert.equal(await chooseRole('deputy', 'Administrator'), 200);
    await shownRole('deputy', 'Administrator');
    assert.equal(await listUsers(), 200);

    // Back to agent; then the only admin left cannot step down, and the row says why.
    assert.equal(await chooseRole('deputy', 'Member service agent'), 200);
    assert.equal(await listUsers(), 403);
    assert.equal(await chooseRole('admin', 'Auditor'), 409);
    await page.getByRole('alert').filter({ hasText: 'last active admin' }).waitFor();
    assert.equal(await roleOf('admin').inputValue(), 'Administrator');
    await context.close();
  });

  test('keyboard: the search opens with "/" and focus is visible', async () => {
    const { context, page } = await adminPage('/');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused element shows a focus ring');
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('/');
    await page.getByPlaceholder(/Search members by name/).waitFor();
    await context.close();
  });
});
