// The routes the console calls answer what docs/openapi.yaml says they answer: real answers of a
// server with demo data, as an administrator, an agent and a care manager see them, validated
// against the documented response schemas (errors against the problem schema).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { PASSWORD, apiCall, apiLogin, startServer } from './harness.mjs';
import { loadContract } from './openapi-contract.mjs';

let server;
let contract;
const tokens = {};

before(async () => {
  contract = loadContract();
  server = await startServer();
  for (const username of ['admin', 'agent', 'nurse']) tokens[username] = await apiLogin(server.baseUrl, username);
});

after(async () => {
  await server?.stop();
});

/** Calls `target` as `username` and checks the answer against `route`'s description. */
async function checked(username, method, route, target, body) {
  const answer = await apiCall(server.baseUrl, method, target, { token: tokens[username], body });
  contract.check(method, route, answer);
  return answer;
}

describe('answers match docs/openapi.yaml', () => {
  test('the description itself compiles', () => {
    assert.throws(() => contract.check('GET', '/api/v1/no-such-route', { status: 200 }), /not in docs\/openapi.yaml/);
    // A wrong answer is caught, so the checks below can fail.
    assert.throws(
      () => contract.check('GET', '/api/v1/users', { status: 200, contentType: 'application/json', json: { items: [{ id: 1 }] } }),
      /does not match/,
    );
    // So is a member the description does not list.
    const extra = { status: 200, contentType: 'application/json', json: { items: [{ name: 'x', description: 'y', phi: false, since: 'now' }] } };
    assert.throws(() => contract.check('GET', '/api/v1/permission-sets', extra), /additional properties: since/);
  });

  test('login, refresh and logout', async () => {
    const login = await apiCall(server.baseUrl, 'POST', '/api/v1/auth/login', { body: { username: 'agent', password: PASSWORD } });
    contract.check('POST', '/api/v1/auth/login', login);
    const refused = await apiCall(server.baseUrl, 'POST', '/api/v1/auth/login', { body: { username: 'agent', password: 'wrong-password!' } });
    assert.equal(refused.status, 401);
    contract.check('POST', '/api/v1/auth/login', refused);
    const refreshed = await apiCall(server.baseUrl, 'POST', '/api/v1/auth/refresh', { token: login.json.token });
    contract.check('POST', '/api/v1/auth/refresh', refreshed);
    contract.check('POST', '/api/v1/auth/logout', await apiCall(server.baseUrl, 'POST', '/api/v1/auth/logout', { token: refreshed.json.token }));
  });

  test('objects and their descriptions', async () => {
    const objects = await checked('agent', 'GET', '/api/v1/objects', '/api/v1/objects');
    assert.ok(objects.json.items.length > 5);
    for (const name of ['Person', 'Case', 'MemberPlan', 'Claim', 'Condition', 'Interaction', 'Task']) {
      await checked('admin', 'GET', '/api/v1/objects/{object}', `/api/v1/objects/${name}`);
      await checked('agent', 'GET', '/api/v1/objects/{object}', `/api/v1/objects/${name}`);
    }
    await checked('agent', 'GET', '/api/v1/objects/{object}', '/api/v1/objects/NoSuchThing');
  });

  test('record lists, records and their history', async () => {
    for (const name of ['Person', 'Case', 'MemberPlan', 'Claim', 'Condition', 'Interaction', 'Task']) {
      const page = await checked('admin', 'GET', '/api/v1/records/{object}', `/api/v1/records/${name}?limit=20`);
      assert.equal(page.status, 200, `${name}: ${page.text}`);
      for (const item of page.json.items.slice(0, 3)) {
        await checked('admin', 'GET', '/api/v1/records/{object}/{id}', `/api/v1/records/${name}/${item.id}`);
        await checked('agent', 'GET', '/api/v1/records/{object}/{id}', `/api/v1/records/${name}/${item.id}`);
        await checked('admin', 'GET', '/api/v1/records/{object}/{id}/history', `/api/v1/records/${name}/${item.id}/history`);
      }
    }
    const next = await checked('agent', 'GET', '/api/v1/records/{object}', '/api/v1/records/Person?limit=2&sort=-lastName');
    if (next.json.nextCursor) {
      await checked('agent', 'GET', '/api/v1/records/{object}', `/api/v1/records/Person?limit=2&sort=-lastName&cursor=${encodeURIComponent(next.json.nextCursor)}`);
    }
    const narrow = await checked('agent', 'GET', '/api/v1/records/{object}/{id}', `/api/v1/records/Person/${next.json.items[0].id}?fields=firstName,lastName`);
    assert.equal(narrow.status, 200, narrow.text);
    const anonymous = await apiCall(server.baseUrl, 'GET', '/api/v1/records/Person');
    assert.equal(anonymous.status, 401);
    contract.check('GET', '/api/v1/records/{object}', anonymous);
    const bad = await checked('agent', 'GET', '/api/v1/records/{object}', `/api/v1/records/Person?filter=${encodeURIComponent("lastNme = 'x'")}`);
    assert.equal(bad.status, 400);
  });

  test('record writes', async () => {
    const created = await checked('admin', 'POST', '/api/v1/records/{object}', '/api/v1/records/Task', {
      subject: 'Call back about the ID card',
      status: 'not-started',
      priority: 'normal',
    });
    assert.equal(created.status, 201, created.text);
    const target = `/api/v1/records/Task/${created.json.id}`;
    const edited = await checked('admin', 'PATCH', '/api/v1/records/{object}/{id}', target, { subject: 'Call back today' });
    assert.equal(edited.status, 200, edited.text);
    const invalid = await checked('admin', 'PATCH', '/api/v1/records/{object}/{id}', target, { priority: 'someday' });
    assert.equal(invalid.status, 400);
    assert.equal((await checked('admin', 'DELETE', '/api/v1/records/{object}/{id}', target)).status, 204);
  });

  test('search and the member 360', async () => {
    const people = await apiCall(server.baseUrl, 'GET', '/api/v1/records/Person?limit=5', { token: tokens.admin });
    const person = people.json.items[0];
    const found = await checked('agent', 'GET', '/api/v1/search', `/api/v1/search?q=${encodeURIComponent(person.lastName)}`);
    assert.ok(found.json.members.length > 0, found.text);
    for (const { id } of people.json.items) {
      for (const username of ['agent', 'nurse', 'admin']) {
        const view = await checked(username, 'GET', '/api/v1/members/{personId}/360', `/api/v1/members/${id}/360?timelineLimit=5`);
        const cursor = view.json.timeline?.nextCursor;
        if (cursor) {
          await checked(username, 'GET', '/api/v1/members/{personId}/360', `/api/v1/members/${id}/360?timelineLimit=5&timelineCursor=${encodeURIComponent(cursor)}`);
        }
      }
    }
    await checked('agent', 'GET', '/api/v1/members/{personId}/360', '/api/v1/members/per_missing/360');
    await checked('agent', 'GET', '/api/v1/search', '/api/v1/search?q=');
  });

  test('users, permission sets and the audit', async () => {
    const users = await checked('admin', 'GET', '/api/v1/users', '/api/v1/users');
    await checked('agent', 'GET', '/api/v1/users', '/api/v1/users');
    await checked('admin', 'GET', '/api/v1/permission-sets', '/api/v1/permission-sets');
    const agent = users.json.items.find((user) => user.username === 'agent');
    const route = '/api/v1/users/{id}';
    assert.equal((await checked('admin', 'PATCH', route, `/api/v1/users/${agent.id}`, { role: 'supervisor' })).status, 200);
    assert.equal((await checked('admin', 'PATCH', route, `/api/v1/users/${agent.id}`, { role: 'agent' })).status, 200);
    assert.equal((await checked('admin', 'PATCH', route, `/api/v1/users/${agent.id}`, { role: 'owner' })).status, 400);
    const sets = await checked('admin', 'PUT', '/api/v1/users/{id}/permission-sets', `/api/v1/users/${agent.id}/permission-sets`, { permissionSets: [] });
    assert.equal(sets.status, 200);
    const person = (await apiCall(server.baseUrl, 'GET', '/api/v1/records/Person?limit=1', { token: tokens.admin })).json.items[0];
    await checked('admin', 'GET', '/api/v1/audit', `/api/v1/audit?personId=${person.id}`);
  });
});
