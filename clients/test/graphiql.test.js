// GraphiQL in Debian's headless Chromium with the network to the outside blocked: it
// renders, runs a query and a subscription using only the server's own origin, with
// authentication required and a token pasted into its headers editor, as the README says.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS, startServer } from '../lib/server.js';
import { launch } from '../lib/browser.js';
import { createEvent, bakeable, recordProduction } from '../lib/data.js';

const artifacts = resolve(dirname(fileURLToPath(import.meta.url)), '../artifacts');

for (const backend of BACKENDS) {
  describe(`GraphiQL offline (${backend})`, () => {
    let server;
    let browser;
    before(async () => {
      server = await startServer(backend);
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
    });

    /** A page whose requests to anything but the server are refused and recorded. */
    async function isolatedPage() {
      const outside = [];
      const problems = [];
      const page = await browser.context.newPage();
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (new URL(url).origin === server.origin) return route.continue();
        outside.push(url);
        return route.abort('blockedbyclient');
      });
      page.on('websocket', (ws) => {
        if (!ws.url().startsWith(server.wsUrl.replace(/\/graphql$/, '/'))) outside.push(ws.url());
      });
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(String(error)));
      return { page, outside, problems };
    }

    /**
     * Pastes the manager token into GraphiQL's headers editor, as a user would, and
     * re-fetches the schema with it. Before that, the page's introspection was refused
     * (401, which Chromium logs as a console error): those are the only problems allowed,
     * and they are taken out of `problems`.
     */
    async function pasteToken(page, problems) {
      await page.getByText('Headers', { exact: true }).click();
      const editor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').last();
      await editor.click();
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${server.token}` }));
      // The editor hands its text to GraphiQL after a short debounce: re-fetch the schema
      // until an introspection goes through with the token.
      let introspected = false;
      for (let attempt = 0; attempt < 10 && !introspected; attempt += 1) {
        await page.waitForTimeout(200);
        const answered = page.waitForResponse(
          (r) => r.url() === server.url && (r.request().postData() ?? '').includes('IntrospectionQuery'),
          { timeout: 5_000 },
        );
        await page.locator('[aria-label="Re-fetch GraphQL schema"]').click();
        introspected = (await answered).status() === 200;
      }
      assert.ok(introspected, 'GraphiQL introspected with the pasted token');
      const refused = problems.splice(0, problems.length);
      for (const problem of refused) assert.match(problem, /status of 401/, 'only the tokenless introspection may fail');
    }

    test('renders, runs a query and shows the result, with no outside request', async () => {
      const { createEvent: event } = await server.gql(
        `mutation { createEvent(input: { name: "Browser Party", eventDate: "2026-12-24" }) { id } }`,
      );
      assert.ok(event.id);
      const { page, outside, problems } = await isolatedPage();
      const query = '{ events(first: 5) { totalCount nodes { name eventDate } } }';
      await page.goto(`${server.origin}/graphiql?query=${encodeURIComponent(query)}`);
      await page.locator('.graphiql-container').waitFor({ timeout: 20_000 });
      await pasteToken(page, problems);
      await page.locator('.graphiql-execute-button').click();
      const result = page.locator('.result-window');
      await result.getByText('Browser Party').waitFor({ timeout: 20_000 });
      const text = await result.innerText();
      assert.match(text, /"totalCount": 1/);
      // The docs explorer opens on the schema the server introspected.
      await page.locator('[aria-label="Show Documentation Explorer"]').click();
      await page.locator('.graphiql-doc-explorer').getByText('QueryRoot').first().waitFor({ timeout: 10_000 });
      mkdirSync(artifacts, { recursive: true });
      const path = resolve(artifacts, backend === 'sqlite' ? 'graphiql.png' : `graphiql-${backend}.png`);
      await page.screenshot({ path });
      console.log(`screenshot: ${path}`);
      assert.deepEqual(outside, [], 'no request may leave the server\'s origin');
      assert.deepEqual(problems, [], 'no console error (a CSP violation would be one)');
      await page.close();
    });

    test('runs a subscription and sees a recorded production', async () => {
      const event = await createEvent(server);
      const item = await bakeable(server);
      const { page, outside, problems } = await isolatedPage();
      const subscription = `subscription { productionRecorded(eventId: "${event.id}") { numBatches actualYield } }`;
      await page.goto(`${server.origin}/graphiql?query=${encodeURIComponent(subscription)}`);
      await page.locator('.graphiql-container').waitFor({ timeout: 20_000 });
      await pasteToken(page, problems);
      const sockets = [];
      page.on('websocket', (ws) => sockets.push(ws.url()));
      const opened = page.waitForEvent('websocket', { timeout: 10_000 });
      await page.locator('.graphiql-execute-button').click();
      // The subscription is open once the socket is; then record a run over HTTP.
      await opened.catch(() => {
        throw new Error('GraphiQL opened no WebSocket');
      });
      await new Promise((r) => setTimeout(r, 500));
      await recordProduction(server, item, event.id, 3);
      await page.locator('.result-window').getByText('"actualYield": 72').waitFor({ timeout: 15_000 });
      assert.deepEqual(sockets, [server.wsUrl]);
      assert.deepEqual(outside, []);
      assert.deepEqual(problems, []);
      await page.close();
    });
  });
}
