// Browser run of the operator console (/admin/, docs/console.md): sign in, look at the dashboard,
// block a demo buyer (and see the email go out and the audit entry), end an auction with bids (and
// see the winner's order), export orders as CSV, look at a phone-sized screen, sign out.
//
//   BASE=http://127.0.0.1:18080 MAIL_DIR=… node e2e/console.mjs   (scripts/console.sh starts the
//   server on a fresh database seeded with `seed --demo 300` and makes the admin)
//
// Env: BASE (the server), CHROMIUM (browser binary), MAIL_DIR (the server's mail folder),
// ADMIN_EMAIL / ADMIN_PASSWORD (an admin account), OUT (screenshot folder, default e2e/out/console),
// HEADED=1 to watch, CONSOLE_DEBUG=1 to log the page's requests.
// Exit code 1 on any failure.

import { createHmac } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.BASE || 'http://127.0.0.1:18080').replace(/\/+$/, '');
const MAIL_DIR = process.env.MAIL_DIR;
const ADMIN_EMAIL = process.env.ADMIN_EMAIL || 'console-admin@example.com';
const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD || 'Console-Pass-2026!';
const OUT = process.env.OUT
  ? resolve(process.env.OUT)
  : join(dirname(fileURLToPath(import.meta.url)), 'out', 'console');

// The demo buyer to block (made by `seed --demo`), and how long the worker may take to mail them.
const BUYER = 'demo_buyer_3';
const BUYER_EMAIL = `${BUYER}@demo.madeinpk.pk`;
const BUYER_RE = new RegExp(`${BUYER}(?![0-9])`); // not demo_buyer_30…
const MAIL_TIMEOUT_MS = 15_000;

// The authenticator app: RFC 6238 (HMAC-SHA-1, 6 digits, 30 s) over a base32 secret.
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}
const ORDER_TIMEOUT_MS = 15_000;
const CHART_TIMEOUT_MS = 15_000;
// A flash message (its level, success/error/info, is a further class).
const MESSAGE = '.message';

class Failure extends Error {}
const fail = (msg) => {
  throw new Failure(msg);
};
const check = (cond, msg) => {
  if (!cond) fail(msg);
};
const eq = (actual, expected, what) =>
  check(
    actual === expected,
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const steps = [];
async function step(name, fn) {
  const t0 = performance.now();
  try {
    const result = await fn();
    const ms = performance.now() - t0;
    steps.push({ name, ms, ok: true });
    console.log(`  ok   ${name} (${ms.toFixed(0)} ms)`);
    return result;
  } catch (e) {
    const ms = performance.now() - t0;
    steps.push({ name, ms, ok: false });
    console.log(`  FAIL ${name} (${ms.toFixed(0)} ms)`);
    e.step = name;
    throw e;
  }
}

let page;
// The last main-frame document response (status and URL), for failure messages.
let lastDoc = null;
// What the browser complained about (CSP violations, script errors): printed at the end.
const browserErrors = [];

const path = () => new URL(page.url()).pathname;

// The flash messages on the page.
async function messages() {
  return (await page.locator(MESSAGE).allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' '));
}

// Where the browser is, for failure messages: URL, HTTP status, flash messages, heading.
async function where() {
  const msgs = await messages().catch(() => []);
  const h1 = await page
    .locator('h1')
    .first()
    .innerText({ timeout: 1000 })
    .catch(() => '');
  return (
    `page ${page.url()} (HTTP ${lastDoc?.status ?? '?'})` +
    (h1 ? `, heading ${JSON.stringify(h1.trim())}` : '') +
    (msgs.length ? `, messages ${JSON.stringify(msgs)}` : `, no ${MESSAGE} on the page`)
  );
}

// GET a console page; checks the final document's status.
async function open(pathAndQuery, { expect = 200 } = {}) {
  const r = await page.goto(BASE + pathAndQuery);
  const status = r?.status();
  if (status !== expect) {
    const body = ((await r?.text().catch(() => '')) || '').replace(/\s+/g, ' ').slice(0, 500);
    fail(`GET ${pathAndQuery}: expected HTTP ${expect}, got ${status} at ${page.url()}: ${body}`);
  }
  return r;
}

// Clicks something that submits a form, and waits until the next document has loaded.
async function submit(locator) {
  await Promise.all([page.waitForEvent('load'), locator.click()]);
  check(
    lastDoc && lastDoc.status < 400,
    `the form's answer was HTTP ${lastDoc?.status} at ${lastDoc?.url} (403: a missing or wrong csrf_token); ${await where()}`,
  );
}

// Calls fn every `every` ms until it returns a truthy value or `timeout` ms have passed; returns
// the last value (falsy on timeout).
async function poll(fn, { timeout, every }) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v || Date.now() >= end) return v;
    await sleep(every);
  }
}

// The body rows of the page's tables that hold data (not an "empty" row made of one
// cell spanning the table), as { text, id } where id is the row's checkbox value.
async function dataRows() {
  return page.locator('table tbody tr').evaluateAll((trs) =>
    trs
      .filter((tr) => tr.cells.length > 1)
      .map((tr) => ({
        text: tr.innerText.replace(/\s+/g, ' ').trim(),
        id: tr.querySelector('input[name=ids]')?.value ?? null,
      })),
  );
}

// Picks `action` in the list's bulk-action form, clicks Go, confirms, and returns the messages.
async function bulkAction(action, rowCheckbox) {
  await rowCheckbox.check();
  const select = page.locator('select[name=action]').first();
  check((await select.count()) === 1, `no select[name=action] on the list; ${await where()}`);
  const values = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
  check(values.includes(action), `select[name=action] offers no "${action}" (values ${JSON.stringify(values)})`);
  await select.selectOption({ value: action });
  const go = page.locator('button[name=go]').first();
  check((await go.count()) === 1, `no button[name=go] next to the actions; ${await where()}`);
  await submit(go);
  const sure = page.getByRole('button', { name: "Yes, I'm sure" });
  check(
    (await sure.count()) === 1,
    `after choosing "${action}" and Go: no single "Yes, I'm sure" button (a confirmation page); ${await where()}`,
  );
  await submit(sure);
  return messages();
}

// Checks that a success message (a MESSAGE with a success level class) matches `re`.
async function expectSuccess(re, what) {
  const found = await page.locator(MESSAGE).evaluateAll(
    (els, src) => {
      const re = new RegExp(src);
      return els
        .map((e) => ({ text: e.innerText.replace(/\s+/g, ' ').trim(), cls: e.className }))
        .filter((m) => re.test(m.text));
    },
    re.source,
  );
  check(found.length > 0, `${what}: no ${MESSAGE} matching ${re}; ${await where()}`);
  check(
    found.some((m) => /success/.test(m.cls)),
    `${what}: the message ${JSON.stringify(found[0].text)} is not a success one (class ${JSON.stringify(found[0].cls)})`,
  );
  return found[0].text;
}

// Every file under dir (recursively), skipping dot files (a mail still being written).
async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

async function main() {
  check(MAIL_DIR, 'MAIL_DIR is not set (the folder the server writes emails to)');
  await mkdir(OUT, { recursive: true });
  await rm(join(OUT, 'failure.png'), { force: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
    headless: !process.env.HEADED,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('response', (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) {
      lastDoc = { status: r.status(), url: r.url() };
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') browserErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => browserErrors.push(`${page.url()}: ${e.message}`));
  // The console's script may ask before a destructive action; the test answers yes.
  page.on('dialog', (d) => {
    console.log(`    (dialog "${d.message()}": accepted)`);
    d.accept().catch(() => {});
  });
  if (process.env.CONSOLE_DEBUG) {
    page.on('request', (r) => console.log('   >', r.method(), r.url()));
    page.on('requestfailed', (r) => console.log('   x', r.url(), r.failure()?.errorText));
  }

  const ctx = {};
  const t0 = performance.now();
  console.log(`console run against ${BASE} (mail in ${MAIL_DIR}, screenshots in ${OUT})`);
  try {
    await step('anonymous GET /admin/ ends on the sign-in page', async () => {
      await open('/admin/');
      check(path().startsWith('/admin/login/'), `GET /admin/ without a session: expected the sign-in page /admin/login/…, ended on ${await where()}`);
      for (const sel of ['#email', '#password', 'button[type=submit]']) {
        check((await page.locator(sel).count()) === 1, `the sign-in page has no single ${sel}; ${await where()}`);
      }
    });

    await step(`sign in as ${ADMIN_EMAIL}: enrol two-factor sign-in, the recovery codes, the dashboard`, async () => {
      await page.locator('#email').fill(ADMIN_EMAIL);
      await page.locator('#password').fill(ADMIN_PASSWORD);
      await submit(page.locator('button[type=submit]'));
      check((await page.locator('#totp-secret').count()) === 1, `the first sign-in does not show a key to enrol; ${await where()}`);
      const secret = ((await page.locator('#totp-secret').textContent()) ?? '').trim();
      const link = await page.locator('#otpauth-link').getAttribute('href');
      check(link?.startsWith('otpauth://totp/') && link.includes(`secret=${secret}`), `the enrolment link is ${link}`);
      await page.locator('#code').fill(totp(secret));
      await submit(page.locator('button[type=submit]'));
      const codes = await page.locator('#recovery-codes li').count();
      eq(codes, 10, `recovery codes shown after enrolment (${await where()})`);
      await submit(page.locator('#continue'));
      eq(path(), '/admin/', `after signing in, the path (${await where()})`);
      const text = ((await page.locator('body').textContent()) ?? '').replace(/\s+/g, ' ');
      check(
        text.includes('MadeInPK Administration'),
        `the dashboard does not say "MadeInPK Administration" (title ${JSON.stringify(await page.title())}); ${await where()}`,
      );
    });

    await step('dashboard ?range=365: every chart loads, a table, screenshot at 1280', async () => {
      await open('/admin/?range=365');
      const imgs = page.locator('figure.chart img');
      const n = await imgs.count();
      check(n >= 5, `the dashboard has ${n} figure.chart img, expected at least 5; ${await where()}`);
      // Scrolled into view one by one, so lazily loaded charts load too.
      for (let i = 0; i < n; i++) await imgs.nth(i).scrollIntoViewIfNeeded();
      const state = () =>
        imgs.evaluateAll((els) =>
          els.map((i) => ({ src: i.getAttribute('src'), done: i.complete && i.naturalWidth > 0, complete: i.complete })),
        );
      const all = await poll(async () => (await state()).every((s) => s.done), { timeout: CHART_TIMEOUT_MS, every: 250 });
      if (!all) {
        const bad = (await state()).filter((s) => !s.done);
        const statuses = [];
        for (const b of bad.slice(0, 5)) {
          const r = await page.request.get(new URL(b.src, page.url()).href).catch((e) => ({ status: () => e.message, headers: () => ({}) }));
          statuses.push(`${b.src}: ${b.complete ? 'broken' : 'not loaded'}, GET gives ${r.status()} ${r.headers()['content-type'] ?? ''}`);
        }
        fail(`${bad.length} of ${n} charts did not load within ${CHART_TIMEOUT_MS / 1000} s:\n    ${statuses.join('\n    ')}`);
      }
      const tables = await page.locator('table').count();
      check(tables >= 1, `the dashboard has no table; ${await where()}`);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(OUT, 'dashboard-1280.png'), fullPage: true });
      ctx.charts = n;
    });

    await step(`users: search ${BUYER}, block them; the email goes out and the audit log says so`, async () => {
      let listUrl = `/admin/users/?q=${encodeURIComponent(BUYER)}`;
      await open(listUrl);
      let rows = page.locator('table tbody tr').filter({ hasText: BUYER_RE });
      if ((await rows.count()) === 0) {
        // Not on the first page of demo_buyer_3* (demo_buyer_30…, demo_buyer_300…): by email.
        const seen = (await dataRows()).length;
        listUrl = `/admin/users/?q=${encodeURIComponent(BUYER_EMAIL)}`;
        await open(listUrl);
        rows = page.locator('table tbody tr').filter({ hasText: BUYER_RE });
        check(
          (await rows.count()) > 0,
          `GET /admin/users/?q=${BUYER} shows no row with ${BUYER} (${seen} rows), nor does ?q=${BUYER_EMAIL}; ${await where()}`,
        );
      }
      const row = rows.first();
      const box = row.locator('input[name=ids]');
      check((await box.count()) === 1, `the row of ${BUYER} has no single input[name=ids] checkbox: ${JSON.stringify(await row.innerText())}`);
      ctx.buyerId = await box.getAttribute('value');

      const before = new Set(await filesUnder(MAIL_DIR));
      await bulkAction('block', box);
      ctx.blocked = await expectSuccess(/(^|\D)1 blocked/, 'blocking one user');

      // The worker sends the "account blocked" email: a new file in MAIL_DIR naming the buyer.
      let forBuyer = [];
      const mail = await poll(
        async () => {
          forBuyer = [];
          for (const f of await filesUnder(MAIL_DIR)) {
            if (before.has(f)) continue;
            const text = await readFile(f, 'utf8').catch(() => '');
            if (!text.includes(BUYER_EMAIL)) continue;
            const subject = /^Subject:[ \t]*(.*)$/im.exec(text)?.[1]?.trim() ?? '';
            forBuyer.push({ f, subject });
            if (/blocked/i.test(subject)) return { f, subject };
          }
          return null;
        },
        { timeout: MAIL_TIMEOUT_MS, every: 250 },
      );
      if (!mail) {
        const all = await filesUnder(MAIL_DIR);
        fail(
          forBuyer.length
            ? `no "account blocked" email to ${BUYER_EMAIL} within ${MAIL_TIMEOUT_MS / 1000} s; new emails to them: ${JSON.stringify(forBuyer.map((m) => m.subject))}`
            : `no email to ${BUYER_EMAIL} appeared in ${MAIL_DIR} within ${MAIL_TIMEOUT_MS / 1000} s (${all.length} files there, ${all.length - before.size} new)`,
        );
      }
      ctx.mail = mail;

      await open('/admin/audit/?entity=users');
      const audit = page.locator('table tbody tr').filter({ hasText: /block/i }).filter({ hasText: BUYER_RE });
      if ((await audit.count()) === 0) {
        const seen = (await dataRows()).slice(0, 5).map((r) => r.text);
        fail(`GET /admin/audit/?entity=users has no row with "block" and ${BUYER}; first rows: ${JSON.stringify(seen)}`);
      }

      await open(listUrl);
      await page.screenshot({ path: join(OUT, 'users-1280.png'), fullPage: true });
    });

    await step('auctions: end an active auction with bids; the winner gets an order', async () => {
      const listUrl = '/admin/auctions/?status=active&has_bids=yes';
      await open(listUrl);
      const first = (await dataRows())[0];
      check(first, `GET ${listUrl} lists no auction; ${await where()}`);
      check(first.id, `the first auction row has no input[name=ids] checkbox: ${JSON.stringify(first.text)}`);
      ctx.auctionId = first.id;

      await open(`/admin/auctions/${encodeURIComponent(first.id)}/`);
      const dd = page.locator('dt').filter({ hasText: /^\s*Product\s*$/ }).first().locator('xpath=following-sibling::dd[1]');
      check((await dd.count()) === 1, `the detail page of auction ${first.id} has no <dt>Product</dt> followed by a <dd>; ${await where()}`);
      ctx.product = (await dd.innerText()).trim();
      check(ctx.product, `auction ${first.id}: the Product <dd> is empty`);

      const ordersUrl = `/admin/orders/?type=auction&q=${encodeURIComponent(ctx.product)}`;
      await open(ordersUrl);
      // Orders already there (other auctions of a product of the same or a longer name).
      const before = new Set((await dataRows()).map((r) => r.text));

      await open(listUrl);
      const box = page.locator(`table tbody tr input[name=ids][value="${first.id}"]`);
      check((await box.count()) === 1, `auction ${first.id} is no longer on ${listUrl}; ${await where()}`);
      await bulkAction('end', box);
      ctx.ended = await expectSuccess(/(^|\D)1 ended/, `ending auction ${first.id}`);

      let rows = [];
      const found = await poll(
        async () => {
          await open(ordersUrl);
          rows = await dataRows();
          return rows.some((r) => !before.has(r.text));
        },
        { timeout: ORDER_TIMEOUT_MS, every: 1000 },
      );
      check(
        found,
        `no new order on GET ${ordersUrl} within ${ORDER_TIMEOUT_MS / 1000} s of ending auction ${first.id} ` +
          `(${rows.length} rows, ${before.size} before${before.size >= 50 ? ': a full page, the new one may be on another' : ''})`,
      );
      ctx.order = rows.find((r) => !before.has(r.text)).text;
    });

    await step('orders export.csv with the session', async () => {
      // No redirects followed: a 303 to the sign-in page is reported as such.
      const r = await page.request.get(`${BASE}/admin/orders/export.csv`, { maxRedirects: 0 });
      const body = await r.text();
      check(
        r.status() === 200,
        `GET /admin/orders/export.csv: HTTP ${r.status()}${r.headers().location ? ` to ${r.headers().location}` : ''}: ${JSON.stringify(body.slice(0, 200))}`,
      );
      const type = r.headers()['content-type'] ?? '';
      check(type.startsWith('text/csv'), `GET /admin/orders/export.csv: content-type ${JSON.stringify(type)}, expected text/csv`);
      check(!body.startsWith('\uFEFF'), 'the CSV starts with a byte order mark');
      const lines = body.split(/\r?\n/).filter((l) => l !== '');
      eq(lines[0], 'number,buyer,seller,type,amount,status,date', 'the CSV header line');
      check(lines.length > 1, `the CSV has no data lines after the header (${body.length} bytes)`);
      ctx.csvLines = lines.length - 1;
    });

    await step('a 390 px wide screen: dashboard and orders, no sideways scrolling', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await open('/admin/');
      const imgs = page.locator('figure.chart img');
      const n = await imgs.count();
      for (let i = 0; i < n; i++) await imgs.nth(i).scrollIntoViewIfNeeded();
      await poll(() => imgs.evaluateAll((els) => els.every((i) => i.complete && i.naturalWidth > 0)), { timeout: CHART_TIMEOUT_MS, every: 250 });
      await page.evaluate(() => window.scrollTo(0, 0));
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      await page.screenshot({ path: join(OUT, 'dashboard-390.png'), fullPage: true });
      check(width <= 391, `at 390 px the dashboard is ${width} px wide: the page scrolls sideways (see dashboard-390.png)`);
      await open('/admin/orders/');
      await page.screenshot({ path: join(OUT, 'orders-390.png'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    await step('sign out: /admin/ asks to sign in again', async () => {
      await open('/admin/');
      const out = page.getByRole('button', { name: 'Sign out' });
      check((await out.count()) === 1, `no single "Sign out" button on the dashboard; ${await where()}`);
      await submit(out);
      await open('/admin/');
      check(path().startsWith('/admin/login/'), `after signing out, GET /admin/ ended on ${await where()}, not the sign-in page`);
    });
  } catch (e) {
    await page.screenshot({ path: join(OUT, 'failure.png'), fullPage: true }).catch(() => {});
    console.error(`\nCONSOLE RUN FAILED in step "${e.step ?? '?'}":\n    ${e instanceof Failure ? e.message : e.stack}`);
    console.error(`  page: ${page.url()}; screenshot ${join(OUT, 'failure.png')}`);
    for (const b of browserErrors.slice(-10)) console.error(`  browser: ${b}`);
    await browser.close();
    process.exitCode = 1;
    return;
  }
  await browser.close();
  const total = performance.now() - t0;
  if (browserErrors.length) {
    console.log(`\nthe browser reported ${browserErrors.length} error(s) (CSP violations, script errors):`);
    for (const b of browserErrors.slice(0, 20)) console.log(`    ${b}`);
  }
  console.log(
    `\nCONSOLE PASSED: ${steps.length} steps in ${(total / 1000).toFixed(2)} s; ${ctx.charts} charts; ` +
      `"${ctx.blocked}" (user #${ctx.buyerId}, mail "${ctx.mail.subject}"); "${ctx.ended}" (auction #${ctx.auctionId}, ${ctx.product}; ` +
      `order: ${ctx.order}); CSV ${ctx.csvLines} orders; screenshots in ${OUT}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
