// Browsers on other origins, in Debian's headless Chromium: a page on an origin that is not
// in --cors-origins cannot make the server write (whatever the content type) nor open a
// subscription; a page on a listed origin uses the API (query, mutation, WebSocket).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { BACKENDS, startServer } from '../lib/server.js';
import { launch } from '../lib/browser.js';

/** A tiny web server on another loopback port serving an empty page. */
async function pageServer() {
  const http = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>elsewhere</title><p>another site</p>');
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${http.address().port}`,
    close: () => new Promise((r) => http.close(r)),
  };
}

const mutation = (name) => `mutation { createIngredient(input: { name: "${name}", unit: "g" }) { id } }`;

/** Runs in the page: tries the API with several request shapes and a WebSocket. */
async function tryTheApi({ url, wsUrl, mutationText, authorization }) {
  const outcomes = {};
  const attempt = async (label, init) => {
    try {
      const response = await fetch(url, init);
      outcomes[label] = { status: response.status, body: response.type === 'opaque' ? null : await response.text() };
    } catch (error) {
      outcomes[label] = { error: String(error) };
    }
  };
  const body = JSON.stringify({ query: mutationText });
  await attempt('text/plain', { method: 'POST', headers: { 'content-type': 'text/plain', authorization }, body });
  await attempt('text/plain no-cors', {
    method: 'POST',
    mode: 'no-cors',
    headers: { 'content-type': 'text/plain' },
    body,
  });
  await attempt('application/json', { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
  await attempt('query', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query: '{ ingredients { totalCount } }' }),
  });
  outcomes.websocket = await new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    const timer = setTimeout(() => resolve('timeout'), 5000);
    socket.onopen = () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: authorization } }));
    socket.onmessage = (event) => {
      clearTimeout(timer);
      resolve(JSON.parse(event.data).type);
      socket.close();
    };
    socket.onerror = () => {
      clearTimeout(timer);
      resolve('error');
    };
  });
  return outcomes;
}

for (const backend of BACKENDS) {
  describe(`browser origins (${backend})`, () => {
    let server;
    let browser;
    let stranger;
    let friend;
    before(async () => {
      stranger = await pageServer();
      friend = await pageServer();
      server = await startServer(backend, { corsOrigins: [friend.origin] });
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await server?.stop();
      await stranger?.close();
      await friend?.close();
    });

    test('a page on an unlisted origin cannot write nor subscribe', async () => {
      const page = await browser.context.newPage();
      await page.goto(`${stranger.origin}/`);
      const outcomes = await page.evaluate(tryTheApi, {
        url: server.url,
        wsUrl: server.wsUrl,
        mutationText: mutation('Cross Site Flour'),
        authorization: server.authHeaders.authorization,
      });
      await page.close();
      for (const label of ['text/plain', 'application/json', 'query']) {
        assert.ok(outcomes[label].error, `${label}: the browser must not hand the page a response: ${JSON.stringify(outcomes[label])}`);
      }
      assert.equal(outcomes.websocket, 'error', 'the WebSocket upgrade must be refused');
      const data = await server.gql('{ ingredients(search: "Cross Site") { totalCount } }');
      assert.equal(data.ingredients.totalCount, 0, 'nothing may have been written');
      // The server refused them itself (403), not only the browser.
      const direct = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: stranger.origin, ...server.authHeaders },
        body: JSON.stringify({ query: mutation('Cross Site Sugar') }),
      });
      assert.equal(direct.status, 403);
      assert.equal((await direct.json()).errors[0].extensions.code, 'FORBIDDEN');
    });

    test('a page on a listed origin uses the API', async () => {
      const page = await browser.context.newPage();
      await page.goto(`${friend.origin}/`);
      const outcomes = await page.evaluate(tryTheApi, {
        url: server.url,
        wsUrl: server.wsUrl,
        mutationText: mutation('Friendly Flour'),
        authorization: server.authHeaders.authorization,
      });
      await page.close();
      const json = outcomes['application/json'];
      assert.equal(json.status, 200, JSON.stringify(outcomes));
      assert.ok(JSON.parse(json.body).data.createIngredient.id, json.body);
      assert.equal(outcomes.query.status, 200, JSON.stringify(outcomes.query));
      assert.ok(JSON.parse(outcomes.query.body).data.ingredients.totalCount >= 1);
      assert.equal(outcomes.websocket, 'connection_ack');
      // Only JSON bodies are read, from any origin: the text/plain POST was refused (415).
      assert.equal(outcomes['text/plain'].status, 415, JSON.stringify(outcomes['text/plain']));
      const data = await server.gql('{ ingredients(search: "Friendly Flour") { totalCount } }');
      assert.equal(data.ingredients.totalCount, 1);
    });
  });
}
