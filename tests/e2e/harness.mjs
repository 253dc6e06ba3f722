// The end-to-end harness: a real payer360 server on a fresh data directory with demo data and
// the demo logins, serving the built console, and Debian's chromium driven by playwright-core.
//
// Environment:
//   P360_BINARY      the payer360 binary (default build/ci/src/app/payer360)
//   P360_WEB_DIST    the built console (default web/dist)
//   P360_E2E_MEMBERS demo members to generate (default 300)
//   CHROMIUM         the browser (default /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PASSWORD = 'payer360-demo-login';
export const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');

const binary = path.resolve(ROOT, process.env.P360_BINARY ?? 'build/ci/src/app/payer360');
const webDist = path.resolve(ROOT, process.env.P360_WEB_DIST ?? 'web/dist');
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

function run(args, input) {
  const result = spawnSync(binary, args, { input, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`payer360 ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

async function waitForFile(file, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (text) return text;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${file} did not appear`);
}

/** Starts the server with demo data; returns {baseUrl, stop}. */
export async function startServer() {
  for (const [what, file] of [
    ['payer360 binary', binary],
    ['built console', path.join(webDist, 'index.html')],
    ['chromium', browserPath],
  ]) {
    if (!existsSync(file)) throw new Error(`The ${what} is missing: ${file}`);
  }
  const data = mkdtempSync(path.join(tmpdir(), 'p360-e2e-'));
  run(['migrate', '--data', data]);
  run(
    ['demo', '--data', data, '--members', process.env.P360_E2E_MEMBERS ?? '300', '--staff', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  const portFile = path.join(data, 'port');
  const server = spawn(
    binary,
    ['serve', '--data', data, '--port', '0', '--port-file', portFile, '--web', webDist, '--no-access-log'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr.on('data', (chunk) => {
    log += chunk;
  });
  const port = await waitForFile(portFile, 20000);
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    log: () => log,
    async stop() {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

// playwright-core starts chromium on a fresh, empty profile directory of its own each time.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Calls the API directly (for test setup and for checking what the console did). */
export async function apiCall(baseUrl, method, target, { token, body } = {}) {
  const response = await fetch(baseUrl + target, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', json, text };
}

export async function apiLogin(baseUrl, username) {
  const answer = await apiCall(baseUrl, 'POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } });
  if (answer.status !== 200) throw new Error(`login ${username}: ${answer.status} ${answer.text}`);
  return answer.json.token;
}

/** A new page in a fresh browser context at 1280×800 (or `viewport`). */
export async function newPage(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  return { context, page, problems };
}

/** Logs in through the login form and waits for the console. */
export async function logIn(page, baseUrl, username, next = '/') {
  await page.goto(`${baseUrl}/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Rules that may fail on an element, each with the reason it cannot pass: rule id → [selector
// fragment, reason]. Empty while every screen passes.
const KNOWN_AXE_EXCEPTIONS = [];

function isKnownException(rule, node) {
  return KNOWN_AXE_EXCEPTIONS.some(([id, selector]) => id === rule && node.target.join(' ').includes(selector));
}

/**
 * Runs axe-core's WCAG 2.0/2.1 A and AA rules (colour contrast among them) on the page as it is
 * now and fails with every violation, its elements and axe's summary of what is wrong.
 */
export async function assertAccessible(page, screen) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const results = await globalThis.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html.slice(0, 160), summary: n.failureSummary })),
    }));
  });
  const failing = violations
    .map((v) => ({ ...v, nodes: v.nodes.filter((node) => !isKnownException(v.id, node)) }))
    .filter((v) => v.nodes.length > 0);
  const report = failing
    .map((v) => `${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')}  ${n.html}\n    ${n.summary.replace(/\n/g, '\n    ')}`).join('\n')}`)
    .join('\n');
  if (failing.length > 0) throw new Error(`accessibility violations on ${screen}:\n${report}`);
}
