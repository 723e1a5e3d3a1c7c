// Browser smoke run: two sellers list a product each, a buyer puts both in the cart, checks out,
// pays on the dev gateway's checkout page by clicking Pay, and sees the order paid.
// The browser drives the API itself (same-origin fetches from a page the app serves).
//
//   BASE=http://127.0.0.1:18070 node e2e/smoke.mjs      (scripts/smoke.sh starts the server)
//
// Env: BASE (the server), FRONTEND_URL (where the server sends the browser after paying; the
// front end is not part of this repo, so a loopback FRONTEND_URL gets a stub listening there),
// CHROMIUM (browser binary), HEADED=1 to watch, SMOKE_DEBUG=1 to log the page's requests.
// Exit code 1 on any failure; screenshots go to e2e/out/.

import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';

const BASE = (process.env.BASE || 'http://127.0.0.1:18070').replace(/\/+$/, '');
const FRONTEND = (process.env.FRONTEND_URL || 'http://127.0.0.1:18071').replace(/\/+$/, '');
const OUT = join(dirname(fileURLToPath(import.meta.url)), 'out');
const RUN = Date.now().toString(36);
const PASSWORD = 'Smoke-Pass-2026!';

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

// A check beyond the required flow: a failure is printed as a warning (the run still passes)
// unless SMOKE_STRICT=1.
const warnings = [];
async function softStep(name, fn) {
  if (process.env.SMOKE_STRICT) return step(name, fn);
  const t0 = performance.now();
  try {
    await fn();
    const ms = performance.now() - t0;
    steps.push({ name, ms, ok: true });
    console.log(`  ok   ${name} (${ms.toFixed(0)} ms)`);
  } catch (e) {
    const ms = performance.now() - t0;
    steps.push({ name, ms, ok: false });
    warnings.push({ name, message: e instanceof Failure ? e.message : e.stack });
    console.log(`  WARN ${name} (${ms.toFixed(0)} ms)`);
  }
}

let page;
let stub;

// A stand-in for the web front end on FRONTEND_URL's port (only for a loopback FRONTEND_URL).
async function frontendStub() {
  const u = new URL(FRONTEND);
  if (!['127.0.0.1', 'localhost'].includes(u.hostname)) return null;
  const server = createServer((req, res) => {
    const path = new URL(req.url, FRONTEND).pathname;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Front end stub</title><h1 id="stub">Front end stub: ${path}</h1><pre>${FRONTEND}${req.url}</pre>`);
  });
  await new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`front end stub on ${FRONTEND}: ${e.message}`)));
    server.listen(Number(u.port || 80), '127.0.0.1', resolve);
  });
  return server;
}

// One API call made by the page with fetch; checks the status and returns the parsed body.
async function api(method, path, { token, body, expect = 200 } = {}) {
  const res = await page.evaluate(
    async ({ method, url, token, body }) => {
      const headers = { Accept: 'application/json' };
      if (token) headers.Authorization = `Token ${token}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const r = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
      });
      return {
        status: r.status,
        text: await r.text(),
        type: r.headers.get('content-type'),
        requestId: r.headers.get('x-request-id'),
      };
    },
    { method, url: BASE + path, token, body },
  );
  let json;
  try {
    json = res.text === '' ? null : JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  const call = `${method} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`;
  if (res.status !== expect) {
    fail(
      `${call}\n    expected HTTP ${expect}, got ${res.status} (${res.type}, x-request-id ${res.requestId})\n` +
        `    response: ${res.text.slice(0, 2000)}`,
    );
  }
  if (json === undefined) fail(`${call}\n    HTTP ${res.status} but not JSON: ${res.text.slice(0, 500)}`);
  return json;
}

const money = (s) => Math.round(Number.parseFloat(s) * 100);
const rupees = (paisa) => (paisa / 100).toFixed(2);

async function register(name) {
  const username = `smoke_${name}_${RUN}`;
  const res = await api('POST', '/api/auth/register/', {
    expect: 201,
    body: {
      username,
      email: `${username}@smoke.test`,
      password: PASSWORD,
      password_confirm: PASSWORD,
      first_name: name,
    },
  });
  check(typeof res.token === 'string' && res.token.length > 0, `register ${username}: no token in ${JSON.stringify(res)}`);
  check(res.user && Number.isInteger(res.user.id), `register ${username}: no user.id`);
  return { username, token: res.token, id: res.user.id, role: res.user.role };
}

async function becomeSeller(user, brand) {
  const elig = await api('GET', '/api/auth/become-seller/', { token: user.token });
  eq(elig.can_become_seller, true, `GET auth/become-seller/ for ${user.username}: can_become_seller`);
  const res = await api('POST', '/api/auth/become-seller/', {
    token: user.token,
    expect: 201,
    body: { brand_name: brand, biography: `Handmade by ${brand}.` },
  });
  eq(res.message, 'Successfully upgraded to seller', 'become-seller message');
  eq(res.user?.role, 'both', `${user.username}'s role after become-seller`);
  eq(res.seller_profile?.brand_name, brand, 'seller_profile.brand_name');
}

async function listProduct(seller, { name, category, price, quantity }) {
  const product = await api('POST', '/api/products/', {
    token: seller.token,
    expect: 201,
    body: { name, description: `${name}, made by hand (smoke run ${RUN}).`, condition: 'new', category },
  });
  check(Number.isInteger(product.id), `POST products/: no id in ${JSON.stringify(product)}`);
  eq(product.seller, seller.id, 'product.seller');
  const listing = await api('POST', '/api/listings/', {
    token: seller.token,
    expect: 201,
    body: { product_id: product.id, price, quantity },
  });
  check(Number.isInteger(listing.id), `POST listings/: no id in ${JSON.stringify(listing)}`);
  eq(listing.status, 'active', 'new listing status');
  eq(listing.price, price, 'listing.price');
  eq(listing.quantity, quantity, 'listing.quantity');
  eq(listing.product?.id, product.id, 'listing.product.id');
  return { product, listing, price, quantity };
}

async function main() {
  await mkdir(OUT, { recursive: true });
  await rm(join(OUT, 'failure.png'), { force: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'],
    headless: !process.env.HEADED,
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  if (process.env.SMOKE_DEBUG) {
    page.on('request', (r) => console.log('   >', r.method(), r.url()));
    page.on('requestfailed', (r) => console.log('   x', r.url(), r.failure()?.errorText));
  }

  // The front end the server redirects to after paying is not part of this repo: when
  // FRONTEND_URL is a loopback address, a stub of it listens there (scripts/smoke.sh sets that
  // up). Playwright's request routing does not catch redirected navigations, hence a real one.
  stub = await frontendStub();

  const t0 = performance.now();
  const ctx = {};
  try {
    await step(`open ${BASE}/healthz (same origin for the API calls)`, async () => {
      const r = await page.goto(`${BASE}/healthz`);
      eq(r?.status(), 200, 'GET /healthz status');
      const health = await api('GET', '/healthz');
      eq(health.status, 'ok', '/healthz body status');
    });

    await step('reference data: categories and cities', async () => {
      const cats = await api('GET', '/api/categories/');
      check(Array.isArray(cats.results) && cats.results.length > 0, `GET /api/categories/: no categories (${JSON.stringify(cats).slice(0, 300)})`);
      const cities = await api('GET', '/api/cities/');
      check(Array.isArray(cities.results) && cities.results.length > 0, `GET /api/cities/: no cities (${JSON.stringify(cities).slice(0, 300)})`);
      ctx.category = cats.results[0].id;
      ctx.city = cities.results[0].id;
    });

    await step('register two sellers and a buyer', async () => {
      ctx.sellerA = await register('seller_a');
      ctx.sellerB = await register('seller_b');
      ctx.buyer = await register('buyer');
      eq(ctx.buyer.role, 'buyer', 'default role on register');
    });

    await step('both sellers become sellers (auth/become-seller/)', async () => {
      await becomeSeller(ctx.sellerA, `Smoke Crafts A ${RUN}`);
      await becomeSeller(ctx.sellerB, `Smoke Crafts B ${RUN}`);
    });

    await step('each seller creates a product and a fixed-price listing', async () => {
      ctx.a = await listProduct(ctx.sellerA, { name: 'Smoke Ajrak Shawl', category: ctx.category, price: '1500.00', quantity: 5 });
      ctx.b = await listProduct(ctx.sellerB, { name: 'Smoke Multani Pottery Vase', category: ctx.category, price: '2200.00', quantity: 3 });
    });

    await step('buyer adds a shipping address', async () => {
      const addr = await api('POST', '/api/addresses/', {
        token: ctx.buyer.token,
        expect: 201,
        body: { street_address: '12 Smoke Street', city: ctx.city, postal_code: '54000', is_default: true },
      });
      check(Number.isInteger(addr.id), `POST addresses/: no id in ${JSON.stringify(addr)}`);
      eq(addr.city, ctx.city, 'address.city');
      ctx.address = addr.id;
    });

    await step('buyer adds one item of each listing to the cart', async () => {
      for (const l of [ctx.a, ctx.b]) {
        const line = await api('POST', '/api/cart/add_item/', {
          token: ctx.buyer.token,
          expect: 201,
          body: { listing_id: l.listing.id, quantity: 1 },
        });
        eq(line.listing_id, l.listing.id, 'cart line listing_id');
        eq(line.quantity, 1, 'cart line quantity');
      }
    });

    await step('cart shows 2 lines from 2 sellers', async () => {
      const cart = await api('GET', '/api/cart/', { token: ctx.buyer.token });
      check(Array.isArray(cart.items), `GET cart/: no items array in ${JSON.stringify(cart).slice(0, 500)}`);
      eq(cart.items.length, 2, 'cart lines');
      eq(cart.total_items, 2, 'cart.total_items');
      eq(cart.total_price, rupees(money(ctx.a.price) + money(ctx.b.price)), 'cart.total_price');
      const sellers = (cart.sellers || []).map((s) => s.id).sort((x, y) => x - y);
      eq(JSON.stringify(sellers), JSON.stringify([ctx.sellerA.id, ctx.sellerB.id].sort((x, y) => x - y)), 'cart.sellers ids');
      const lineSellers = cart.items.map((i) => i.seller_id).sort((x, y) => x - y);
      eq(JSON.stringify(lineSellers), JSON.stringify(sellers), 'cart items seller_id');
    });

    ctx.total = money(ctx.a.price) + money(ctx.b.price);
    await step('checkout the cart (cart/checkout/)', async () => {
      const order = await api('POST', '/api/cart/checkout/', {
        token: ctx.buyer.token,
        expect: 201,
        body: { shipping_address_id: ctx.address },
      });
      check(Number.isInteger(order.id), `checkout: no order id in ${JSON.stringify(order).slice(0, 500)}`);
      check(/^CART-[0-9A-F]{12}$/.test(order.order_number), `checkout: order_number ${JSON.stringify(order.order_number)} is not CART- plus 12 uppercase hex`);
      eq(order.order_type, 'cart', 'order.order_type');
      eq(order.status, 'pending_payment', 'order.status after checkout');
      eq(order.total_amount, rupees(ctx.total), 'order.total_amount');
      eq(order.platform_fee, rupees(Math.round(ctx.total * 0.02)), 'order.platform_fee (2%)');
      eq(order.is_multi_seller, true, 'order.is_multi_seller');
      eq(order.shipping_address, ctx.address, 'order.shipping_address');
      eq(order.items?.length, 2, 'order.items length');
      const prefix = `${BASE}/api/payments/dev/checkout/cs_dev_`;
      check(
        typeof order.payment_url === 'string' && order.payment_url.startsWith(prefix),
        `order.payment_url ${JSON.stringify(order.payment_url)} does not start with ${prefix} (it must open this server's dev checkout page)`,
      );
      check(
        order.stripe_payment_intent_id && order.payment_url.includes(order.stripe_payment_intent_id),
        `order.stripe_payment_intent_id ${JSON.stringify(order.stripe_payment_intent_id)} is not the session in payment_url`,
      );
      ctx.order = order;
      ctx.session = order.stripe_payment_intent_id;
    });

    await step('open payment_url: the dev checkout page', async () => {
      const r = await page.goto(ctx.order.payment_url);
      eq(r?.status(), 200, `GET ${ctx.order.payment_url} status`);
      const h1 = await page.locator('h1').innerText();
      check(h1.includes(ctx.order.order_number), `checkout page heading ${JSON.stringify(h1)} does not name ${ctx.order.order_number}`);
      const total = await page.locator('#total').innerText();
      check(total.includes(rupees(ctx.total)), `checkout page total ${JSON.stringify(total)}, expected Rs. ${rupees(ctx.total)}`);
      const rows = await page.locator('table tr').allInnerTexts();
      for (const l of [ctx.a, ctx.b]) {
        check(rows.some((t) => t.includes(l.product.name)), `checkout page lists no ${l.product.name}: ${JSON.stringify(rows)}`);
      }
      await page.screenshot({ path: join(OUT, 'checkout.png'), fullPage: true });
    });

    await step('click Pay and land on the success page', async () => {
      const pay = page.getByRole('button', { name: /^Pay\b/ });
      check((await pay.count()) === 1, 'no single "Pay" button on the checkout page');
      const landed = page.waitForRequest((r) => r.url().startsWith(`${FRONTEND}/order-success`));
      await Promise.all([page.waitForURL((u) => u.href.startsWith(`${FRONTEND}/order-success`)), pay.click()]);
      const url = new URL(page.url());
      eq(url.searchParams.get('order_id'), String(ctx.order.id), 'success page order_id');
      // The chain: POST …/pay/ -> 303 /api/payments/success/?order_id&session_id -> 302 front end.
      const landing = await landed;
      if (stub) check((await page.locator('#stub').count()) === 1, `the success page is not the front end stub: ${await page.content()}`);
      const viaSuccess = landing?.redirectedFrom();
      check(viaSuccess, `the front end's success page was not reached by a redirect (url ${page.url()})`);
      const s = new URL(viaSuccess.url());
      eq(`${s.origin}${s.pathname}`, `${BASE}/api/payments/success/`, 'redirect after Pay goes through');
      eq(s.searchParams.get('order_id'), String(ctx.order.id), 'payments/success order_id');
      eq(s.searchParams.get('session_id'), ctx.session, 'payments/success session_id');
      const payReq = viaSuccess.redirectedFrom();
      check(payReq && payReq.method() === 'POST' && payReq.url().endsWith(`/${ctx.session}/pay/`), `the Pay button did not POST to …/${ctx.session}/pay/ (${payReq?.method()} ${payReq?.url()})`);
      await page.screenshot({ path: join(OUT, 'success.png'), fullPage: true });
    });

    await step("buyer's orders show the order paid with both sellers' items", async () => {
      await page.goto(`${BASE}/healthz`);
      const list = await api('GET', '/api/orders/?role=buyer', { token: ctx.buyer.token });
      const listed = (list.results || []).find((o) => o.id === ctx.order.id);
      check(listed, `GET /api/orders/?role=buyer does not list order ${ctx.order.id}: ${JSON.stringify(list).slice(0, 500)}`);
      eq(listed.status, 'paid', 'order status in GET /api/orders/');
      const order = await api('GET', `/api/orders/${ctx.order.id}/`, { token: ctx.buyer.token });
      eq(order.status, 'paid', `GET /api/orders/${ctx.order.id}/ status`);
      check(order.paid_at, `GET /api/orders/${ctx.order.id}/ paid_at is ${JSON.stringify(order.paid_at)}`);
      eq(order.total_amount, rupees(ctx.total), 'paid order total_amount');
      eq(order.items?.length, 2, 'paid order items');
      for (const [seller, l] of [[ctx.sellerA, ctx.a], [ctx.sellerB, ctx.b]]) {
        const item = order.items.find((i) => i.seller_id === seller.id);
        check(item, `paid order has no item of ${seller.username} (seller_id ${seller.id}): ${JSON.stringify(order.items)}`);
        eq(item.product, l.product.id, `${seller.username}'s item product`);
        eq(item.quantity, 1, `${seller.username}'s item quantity`);
        eq(item.subtotal, l.price, `${seller.username}'s item subtotal`);
        eq(item.seller_username, seller.username, `${seller.username}'s item seller_username`);
      }
      eq(order.all_items_shipped, false, 'paid order all_items_shipped');
    });

    await step('each seller sees the paid order with only their own line', async () => {
      for (const [seller, l] of [[ctx.sellerA, ctx.a], [ctx.sellerB, ctx.b]]) {
        const order = await api('GET', `/api/orders/${ctx.order.id}/?role=seller`, { token: seller.token });
        eq(order.status, 'paid', `${seller.username}'s view: status`);
        eq(order.items?.length, 1, `${seller.username}'s view: items`);
        eq(order.items[0].seller_id, seller.id, `${seller.username}'s view: item seller_id`);
        eq(order.seller_amount, rupees(money(l.price) - Math.round(money(l.price) * 0.02)), `${seller.username}'s view: seller_amount`);
        eq(order.my_items_shipped, false, `${seller.username}'s view: my_items_shipped`);
      }
    });

    await step('stock dropped by the sold units', async () => {
      for (const l of [ctx.a, ctx.b]) {
        const listing = await api('GET', `/api/listings/${l.listing.id}/`);
        eq(listing.quantity, l.quantity - 1, `listing ${l.listing.id} quantity after the sale`);
      }
    });

    await softStep('paying the same session again is refused with 410, not a second payment', async () => {
      await page.goto(`${BASE}/healthz`);
      const r = await page.evaluate(async (url) => {
        const res = await fetch(url, { method: 'POST', redirect: 'manual' });
        return { status: res.status, text: await res.text() };
      }, `${ctx.order.payment_url}pay/`);
      check(r.status === 410, `POST ${ctx.order.payment_url}pay/ after paying: expected 410 (session closed), got ${r.status}: ${r.text.slice(0, 300)}`);
      const order = await api('GET', `/api/orders/${ctx.order.id}/`, { token: ctx.buyer.token });
      eq(order.status, 'paid', 'order status after a second Pay');
    });

    await softStep('payment_url of the paid order shows the checkout closed', async () => {
      const r = await page.goto(ctx.order.payment_url);
      const status = r?.status();
      check(status === 200, `GET ${ctx.order.payment_url} after paying: expected 200 (the page's "This checkout is closed (order paid)"), got ${status}: ${(await r?.text())?.slice(0, 300)}`);
      const closed = await page.locator('#closed').innerText();
      check(closed.includes('paid'), `closed checkout page says ${JSON.stringify(closed)}, expected it to name the paid order`);
      check((await page.getByRole('button', { name: /^Pay\b/ }).count()) === 0, 'the Pay button is still offered after paying');
    });
    await page.screenshot({ path: join(OUT, 'final.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(OUT, 'failure.png'), fullPage: true }).catch(() => {});
    console.error(`\nSMOKE FAILED in step "${e.step ?? '?'}":\n    ${e instanceof Failure ? e.message : e.stack}`);
    console.error(`  page: ${page.url()}; screenshot ${join(OUT, 'failure.png')}`);
    await browser.close();
    stub?.close();
    process.exitCode = 1;
    return;
  }
  await browser.close();
  stub?.close();
  const total = performance.now() - t0;
  for (const w of warnings) console.log(`\nWARNING (${w.name}):\n    ${w.message}`);
  console.log(
    `\nSMOKE PASSED${warnings.length ? ` with ${warnings.length} warning(s)` : ''}: ${steps.length} steps in ${(total / 1000).toFixed(2)} s; ` +
      `order ${ctx.order.order_number} (Rs. ${rupees(ctx.total)}, sellers ${ctx.sellerA.username} + ${ctx.sellerB.username}) paid; ` +
      `screenshots in ${OUT}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
