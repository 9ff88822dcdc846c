#!/usr/bin/env node
// npm run test:browser: the web console and the SDK's browser build in headless Chromium, against
// real brokers (the built server in a child process). Clicks through the console (create a topic,
// browse its messages, tail it, see a group's lag, reset offsets with the preview, delete with a
// confirmation, keyboard navigation), runs the playground's two-tab consumer group (split, records
// from the form, hand-over on close), signs in on a broker with principals, and checks that a
// page of another origin cannot open the broker's WebSocket. Screenshots of each page go to
// BROOK_SCREENSHOTS (default ./browser-screenshots).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Brook, logLevel } from '@brook/client';
import { startChildBroker } from './lib/broker.mjs';
import { ensureChromium, eventually, launch, watchErrors } from './browser/chromium.mjs';

const shots = resolve(process.env.BROOK_SCREENSHOTS ?? 'browser-screenshots');
mkdirSync(shots, { recursive: true });
const executablePath = ensureChromium();
const enc = new TextEncoder();

let browser;
before(async () => {
  browser = await launch(executablePath);
});
after(async () => browser?.close());

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

const rows = (page, tableId) => page.locator(`#${tableId} tbody tr`);
const textOf = async (locator) => (await locator.allTextContents()).join('\n');

describe('the console', () => {
  let broker;
  let brook;
  let page;
  let errors;
  before(async () => {
    broker = await startChildBroker('brook-browser-');
    brook = new Brook({ url: broker.url, clientId: 'browser-test', logLevel: logLevel.NOTHING });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await page?.close();
    await broker?.stop();
  });

  it('redirects / to the overview, which shows the broker', async () => {
    await page.goto(`${broker.httpUrl}/`);
    assert.equal(new URL(page.url()).pathname, '/ui');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await eventually(async () => (await textOf(page.locator('.stat'))).includes('0.1.0'), 'the version');
    assert.match(await textOf(page.locator('.stat')), new RegExp(`HTTP and WebSocket port\\s*${broker.port}`));
    await shot(page, 'overview');
  });

  it('creates a topic through the form, with a config', async () => {
    await page.getByRole('link', { name: 'Topics' }).click();
    await page.getByRole('heading', { name: 'Topics' }).waitFor();
    await page.getByText('Create a topic').click();
    await page.getByLabel('Name').fill('ui-orders');
    await page.getByLabel('Partitions').fill('3');
    await page.getByLabel(/Configs/).fill('retention.ms=3600000');
    await page.getByRole('button', { name: 'Create topic' }).click();
    await page.getByRole('status').filter({ hasText: 'Created ui-orders' }).waitFor();
    await eventually(async () => (await textOf(rows(page, 'topics-table'))).includes('ui-orders'), 'the new topic in the list');
    const described = await (await fetch(`${broker.httpUrl}/api/topics/ui-orders`)).json();
    assert.equal(described.partitions.length, 3);
    assert.equal(described.config['retention.ms'], 3600000);
  });

  it('browses messages: JSON pretty, text as text, other bytes as hex, headers too', async () => {
    const producer = brook.producer();
    await producer.connect();
    await producer.send({
      topic: 'ui-orders',
      messages: [
        { partition: 0, key: 'order-1', value: JSON.stringify({ id: 1, item: 'tea' }), headers: { source: 'web' } },
        { partition: 0, key: 'order-2', value: 'plain words' },
        { partition: 0, key: null, value: new Uint8Array([0xff, 0xfe, 0x00]) },
      ],
    });
    await page.getByRole('link', { name: 'ui-orders' }).click();
    await page.getByRole('heading', { name: /Topic ui-orders/ }).waitFor();
    await eventually(async () => (await textOf(rows(page, 'partitions-table'))).match(/^\s*0\s*0\s*3/m), 'partition 0 with end offset 3');
    await page.getByRole('button', { name: 'Show messages' }).click();
    await eventually(async () => (await rows(page, 'records-table').count()) === 3, 'three records');
    const shown = await textOf(rows(page, 'records-table'));
    assert.match(shown, /"item": "tea"/, 'JSON is pretty-printed');
    assert.match(shown, /plain words/);
    assert.match(shown, /ff fe 00/, 'bytes that are not UTF-8 are hex');
    assert.match(shown, /source\s*web/, 'headers are shown');
    await shot(page, 'topic');
    // From an offset:
    await page.getByRole('textbox', { name: 'Offset', exact: true }).fill('2');
    await page.getByRole('button', { name: 'Show messages' }).click();
    await eventually(async () => (await rows(page, 'records-table').count()) === 1, 'one record from offset 2');

    // The tail's request held back a moment: "Following" must wait for the broker's answer, or a
    // record produced meanwhile would fall before the tail's start (CI caught that race)
    await page.route('**/partitions/0/tail', async (route) => {
      await new Promise((r) => setTimeout(r, 300));
      await route.continue();
    });
    await page.getByRole('button', { name: 'Start tail' }).click();
    await page.getByText('Following partition 0').waitFor();
    await page.unroute('**/partitions/0/tail');
    await producer.send({ topic: 'ui-orders', messages: [{ partition: 0, value: 'live one' }] });
    await eventually(async () => (await textOf(rows(page, 'tail-table'))).includes('live one'), 'the tailed record');
    await page.getByRole('button', { name: 'Stop tail' }).click();
    await producer.disconnect();
  });

  it("shows a group's lag, and resets its offsets with a preview", async () => {
    const admin = brook.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'ui-billing', topic: 'ui-orders', partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '0' }, { partition: 2, offset: '0' }] });
    await admin.disconnect();
    await page.getByRole('link', { name: 'Groups' }).click();
    await eventually(async () => (await textOf(rows(page, 'groups-table'))).match(/ui-billing\s*empty\s*0\s*\S*\s*3/), 'ui-billing with lag 3');
    await shot(page, 'groups');
    await page.getByRole('link', { name: 'ui-billing' }).click();
    await eventually(async () => (await page.getByTestId('total-lag').textContent()) === '3', 'total lag 3');
    // uPlot draws once the lag history has a point: wait for it, then there is exactly one chart
    await page.locator('.chart canvas').first().waitFor();
    assert.equal(await page.locator('.chart canvas').count(), 1, 'the lag chart is drawn');
    await shot(page, 'group');

    await page.locator('select[name=target]').selectOption('earliest');
    await page.getByRole('button', { name: 'Preview' }).click();
    await eventually(async () => (await rows(page, 'reset-preview').count()) === 3, 'the preview');
    assert.match(await textOf(rows(page, 'reset-preview')), /^\s*0\s*1\s*0/m, 'partition 0: committed 1, after 0');
    await page.getByRole('button', { name: 'Apply reset' }).click();
    await page.getByRole('status').filter({ hasText: 'Reset 3 partitions' }).waitFor();
    await eventually(async () => (await page.getByTestId('total-lag').textContent()) === '4', 'lag 4 after the reset to earliest');
  });

  it('refuses a reset while the group has members', async () => {
    const consumer = brook.consumer({ groupId: 'ui-live' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['ui-orders'], fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    try {
      await page.goto(`${broker.httpUrl}/ui/groups/ui-live`);
      await eventually(async () => (await textOf(rows(page, 'members-table'))).includes('browser-test'), 'the member');
      await page.getByText(/active member/).waitFor();
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByRole('alert').filter({ hasText: 'NON_EMPTY_GROUP' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Apply reset' }).isDisabled(), true);
    } finally {
      await consumer.disconnect();
    }
  });

  it('deletes a topic only after the confirmation, and the keyboard reaches everything', async () => {
    await fetch(`${broker.httpUrl}/api/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ui-doomed', partitions: 1 }) });
    await page.goto(`${broker.httpUrl}/ui`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // Tab from the top: the skip link first, then the navigation; Enter follows a link.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'Topics'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Topics' }).waitFor();
    // focus moves in an effect after the page renders
    await eventually(async () => (await page.evaluate(() => document.activeElement?.tagName)) === 'H1', 'focus on the new page\'s heading');
    await eventually(async () => (await textOf(rows(page, 'topics-table'))).includes('ui-doomed'), 'ui-doomed listed');
    await shot(page, 'topics');
    const del = page.getByRole('button', { name: 'Delete ui-doomed' });
    await del.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.keyboard.press('Escape'); // cancels
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await fetch(`${broker.httpUrl}/api/topics/ui-doomed`)).status, 200, 'nothing deleted without the confirmation');
    await del.click();
    await dialog.getByRole('button', { name: 'Delete topic' }).click();
    await eventually(async () => !(await textOf(rows(page, 'topics-table'))).includes('ui-doomed'), 'ui-doomed gone');
    assert.equal((await fetch(`${broker.httpUrl}/api/topics/ui-doomed`)).status, 404);
  });

  it('is readable on a phone, and dark', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    try {
      await phone.goto(`${broker.httpUrl}/ui/topics/ui-orders`);
      await phone.getByRole('heading', { name: /Topic ui-orders/ }).waitFor();
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `the page does not scroll sideways on a phone (${overflow}px too wide)`);
      const bg = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, 'rgb(15, 18, 22)', 'dark colors follow the system');
      await shot(phone, 'topic-phone-dark');
    } finally {
      await phone.close();
    }
  });

  it('reported no script errors and no content-policy violations', () => {
    assert.deepEqual(errors, []);
  });
});

describe('the playground: browser tabs as one consumer group', () => {
  let broker;
  let context;
  before(async () => {
    broker = await startChildBroker('brook-browser-pg-');
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await context?.close();
    await broker?.stop();
  });

  const assigned = async (page) => (await page.locator('[data-testid=assigned] li').evaluateAll((els) => els.map((e) => Number(e.dataset.partition)))).sort((a, b) => a - b);
  const processedCount = (page) => page.locator('[data-testid=processed] li').count();

  async function openTab() {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${broker.httpUrl}/ui/playground`);
    await page.getByRole('button', { name: 'Join group' }).click();
    await page.getByRole('button', { name: 'Leave group' }).waitFor();
    return { page, errors };
  }

  it('two tabs split the partitions, records from the form arrive, closing one hands its partitions to the other', async () => {
    const a = await openTab();
    await eventually(async () => (await assigned(a.page)).length === 6, 'the first tab owning all 6 partitions');
    const b = await openTab();
    const split = await eventually(async () => {
      const [pa, pb] = [await assigned(a.page), await assigned(b.page)];
      return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 6 && [...pa, ...pb].sort().join() === '0,1,2,3,4,5' ? { pa, pb } : null;
    }, 'the two tabs splitting 6 partitions', 30_000);
    await eventually(async () => (await textOf(rows(a.page, 'playground-members'))).match(/this tab/) && (await rows(a.page, 'playground-members').count()) === 2, 'both members in the group table');
    await shot(a.page, 'playground');

    await a.page.getByRole('spinbutton', { name: 'Records' }).fill('12');
    await a.page.getByRole('button', { name: 'Send' }).click();
    await a.page.getByRole('status').filter({ hasText: 'Sent 12 records' }).waitFor();
    await eventually(async () => (await processedCount(a.page)) + (await processedCount(b.page)) === 12, 'all 12 records processed by the two tabs');
    assert.ok((await processedCount(a.page)) > 0 && (await processedCount(b.page)) > 0, 'both tabs processed some');
    await shot(a.page, 'playground-records');

    await b.page.close();
    await eventually(async () => (await assigned(a.page)).join() === '0,1,2,3,4,5', 'the remaining tab owning all partitions', 30_000);
    // The group's lag falls to 0 once the tab has committed what it processed.
    await eventually(async () => {
      const g = await (await fetch(`${broker.httpUrl}/api/groups/playground`)).json();
      return g.totalLag === '0' && g.offsets.every((o) => o.committedOffset !== null || o.endOffset === '0');
    }, 'the group lag at 0', 30_000);
    assert.deepEqual(a.errors, []);
    assert.ok(split.pa.every((p) => !split.pb.includes(p)), 'no partition owned twice');
  });
});

describe('a broker with principals', () => {
  let broker;
  before(async () => {
    const authFile = join(tmpdir(), `brook-browser-auth-${process.pid}.json`);
    writeFileSync(
      authFile,
      JSON.stringify({
        principals: [
          { name: 'ops', secret: 'ops-secret', acls: [{ resource: 'cluster', operations: ['admin'] }, { resource: 'topic', name: '', patternType: 'prefixed', operations: ['all'] }] },
          { name: 'billing', secret: 'billing-secret', acls: [{ resource: 'topic', name: 'billing-', patternType: 'prefixed', operations: ['consume'] }] },
        ],
      }),
    );
    broker = await startChildBroker('brook-browser-auth-', ['--auth-file', authFile]);
    for (const name of ['billing-invoices', 'payroll']) {
      await fetch(`${broker.httpUrl}/api/topics`, { method: 'POST', headers: { authorization: 'Bearer ops:ops-secret', 'content-type': 'application/json' }, body: JSON.stringify({ name, partitions: 1 }) });
    }
  });
  after(async () => broker?.stop());

  it('asks for credentials, and shows a principal only what it may describe', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${broker.httpUrl}/ui/topics`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('Principal').fill('billing');
      await page.getByLabel('Secret').fill('wrong');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Wrong name or secret.').waitFor();
      await page.getByLabel('Secret').fill('billing-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('billing (read only)').waitFor();
      await eventually(async () => (await textOf(rows(page, 'topics-table'))).includes('billing-invoices'), 'its topic');
      assert.ok(!(await textOf(rows(page, 'topics-table'))).includes('payroll'), 'not the topics it may not describe');
      assert.equal(await page.getByText('Create a topic').count(), 0, 'no create form without admin rights');
    } finally {
      await page.close();
    }
  });
});

describe('pages of other origins', () => {
  let broker;
  let other;
  before(async () => {
    broker = await startChildBroker('brook-browser-origin-');
    other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>another site</title>'));
    await new Promise((r) => other.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    other?.close();
    await broker?.stop();
  });

  it("cannot open the broker's WebSocket or read its API; the broker's own pages can", async () => {
    const page = await browser.newPage();
    try {
      const tryIt = () =>
        page.evaluate(
          ({ ws, api }) =>
            Promise.all([
              new Promise((resolve) => {
                const s = new WebSocket(ws);
                s.onopen = () => (s.close(), resolve('open'));
                s.onerror = () => resolve('refused');
              }),
              fetch(api).then((r) => r.status, () => 'blocked'),
            ]),
          { ws: broker.url, api: `${broker.httpUrl}/api/topics` },
        );
      await page.goto(`http://127.0.0.1:${other.address().port}/`);
      assert.deepEqual(await tryIt(), ['refused', 'blocked']);
      await page.goto(`${broker.httpUrl}/ui`);
      assert.deepEqual(await tryIt(), ['open', 200]);
    } finally {
      await page.close();
    }
  });
});
