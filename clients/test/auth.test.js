// Access control as a phone app meets it (SPEC §4.1), with the real client libraries:
// Apollo Client with an auth link per role, graphql-ws with `connectionParams`, a revoked
// token's subscription ending, and trusted documents from an Apollo manifest sent by hash.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { ApolloClient, InMemoryCache, HttpLink, gql } from '@apollo/client/core/index.js';
import { setContext } from '@apollo/client/link/context/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';
import { addTypenameToDocument } from '@apollo/client/utilities/index.js';
import { print } from 'graphql';
import { BACKENDS, startServer } from '../lib/server.js';
import { createEvent, bakeable, unique } from '../lib/data.js';
import { collector } from '../lib/streams.js';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/**
 * The GraphQL errors and HTTP status of an operation that must fail. A refusal carries no
 * data, so under `application/graphql-response+json` it has a 4xx status, which Apollo
 * reports as a network error holding the body; a 200 answer reports them as `errors`.
 */
async function refusal(operation) {
  try {
    const result = await operation;
    assert.ok(result.errors?.length, `expected a refusal, got ${JSON.stringify(result)}`);
    return { status: 200, errors: result.errors, data: result.data ?? null };
  } catch (error) {
    const network = error.networkError;
    assert.ok(network?.result?.errors, `expected GraphQL errors, got ${error}`);
    return { status: network.statusCode, errors: network.result.errors, data: network.result.data ?? null };
  }
}

/** An Apollo client whose every operation carries the token (none when `token` is null). */
function apollo(server, token, { persisted = false, fetch: fetchFn = fetch } = {}) {
  const auth = setContext((_, { headers }) => ({
    headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
  }));
  const http = new HttpLink({ uri: server.url, fetch: fetchFn });
  const link = persisted
    ? createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(auth).concat(http)
    : auth.concat(http);
  return new ApolloClient({
    link,
    cache: new InMemoryCache(),
    defaultOptions: { query: { fetchPolicy: 'no-cache' }, mutate: { fetchPolicy: 'no-cache' } },
  });
}

const RECORD = gql`mutation Record($input: RecordProductionInput!) {
  recordProduction(input: $input) { productionRun { id numBatches recordedBy } } }`;
const CREATE_EVENT = gql`mutation NewEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }`;
const VIEWER = gql`query Me { viewer { name role } }`;
const PROGRESS = `subscription($eventId: ID!) { eventProgress(eventId: $eventId) { productionTargetsCount } }`;

/** The close event of a graphql-ws client's socket, or of its first failed connection. */
function wsClient(server, connectionParams) {
  let closed;
  const closedEvent = new Promise((resolve) => {
    closed = resolve;
  });
  const client = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams,
    on: { closed: (event) => closed(event) },
  });
  return { client, closedEvent };
}

for (const backend of BACKENDS) {
  describe(`access control with real clients (${backend})`, () => {
    let server;
    let tokens;
    let item;
    let event;
    before(async () => {
      server = await startServer(backend, { args: ['--subscription-poll-ms', '200'] });
      tokens = {
        viewer: server.createToken('phone-viewer', 'viewer'),
        baker: server.createToken('phone-baker', 'baker'),
      };
      item = await bakeable(server);
      event = await createEvent(server);
    });
    after(() => server?.stop());

    const input = () => ({
      recipeId: item.recipe.id,
      finishedUnitId: item.unit.id,
      numBatches: 1,
      actualYield: 24,
      eventId: event.id,
    });

    test('Apollo with a baker token records production under the token\'s name', async () => {
      const client = apollo(server, tokens.baker);
      const me = await client.query({ query: VIEWER });
      assert.deepEqual(me.data.viewer, { __typename: 'Viewer', name: 'phone-baker', role: 'BAKER' });
      const recorded = await client.mutate({ mutation: RECORD, variables: { input: input() } });
      assert.equal(recorded.data.recordProduction.productionRun.recordedBy, 'phone-baker');
      // A baker does not edit the catalog: FORBIDDEN, with the role it takes.
      const refused = await refusal(
        client.mutate({
          mutation: CREATE_EVENT,
          variables: { input: { name: unique('Baker Event'), eventDate: '2026-12-24' } },
          errorPolicy: 'all',
        }),
      );
      assert.equal(refused.data, null);
      assert.equal(refused.errors[0].extensions?.code, 'FORBIDDEN', JSON.stringify(refused.errors));
      assert.equal(refused.errors[0].extensions.requiredRole, 'manager');
    });

    test('Apollo with a viewer token reads but cannot record', async () => {
      const client = apollo(server, tokens.viewer);
      const me = await client.query({ query: VIEWER });
      assert.equal(me.data.viewer.role, 'VIEWER');
      const refused = await refusal(client.mutate({ mutation: RECORD, variables: { input: input() }, errorPolicy: 'all' }));
      assert.equal(refused.errors[0].extensions?.code, 'FORBIDDEN', JSON.stringify(refused.errors));
      assert.equal(refused.errors[0].extensions.requiredRole, 'baker');
    });

    test('Apollo without a token gets 401 and UNAUTHENTICATED', async () => {
      const client = apollo(server, null);
      await assert.rejects(client.query({ query: VIEWER }), (error) => {
        assert.equal(error.networkError?.statusCode, 401, String(error));
        assert.equal(error.networkError.result?.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
        return true;
      });
    });

    test('graphql-ws: connectionParams carry the token; without one the socket closes with 4401', async () => {
      const anonymous = wsClient(server, undefined);
      const refused = collector('anonymous');
      anonymous.client.subscribe({ query: PROGRESS, variables: { eventId: event.id } }, refused.sink);
      const closedAnonymous = await anonymous.closedEvent;
      assert.equal(closedAnonymous.code, 4401, `closed with ${closedAnonymous.code} ${closedAnonymous.reason}`);
      await anonymous.client.dispose();

      const viewer = wsClient(server, { Authorization: `Bearer ${tokens.viewer}` });
      const progress = collector('viewer');
      const stop = viewer.client.subscribe({ query: PROGRESS, variables: { eventId: event.id } }, progress.sink);
      await progress.until(() => progress.values.length >= 1);
      assert.deepEqual(progress.errors, []);
      assert.equal(typeof progress.values[0].data.eventProgress.productionTargetsCount, 'number');
      stop();
      await viewer.client.dispose();
    });

    test('revoking a token ends its open subscription and refuses its next request', async () => {
      const name = unique('revoked').replace(/\s/g, '-');
      const token = server.createToken(name, 'viewer');
      const { client, closedEvent } = wsClient(server, { Authorization: `Bearer ${token}` });
      const progress = collector('revoked');
      client.subscribe({ query: PROGRESS, variables: { eventId: event.id } }, progress.sink);
      await progress.until(() => progress.values.length >= 1);
      server.revokeToken(name);
      const closed = await closedEvent;
      assert.ok([4401, 4403].includes(closed.code), `closed with ${closed.code} ${closed.reason}`);
      await client.dispose();
      await assert.rejects(apollo(server, token).query({ query: VIEWER }), (error) => {
        assert.equal(error.networkError?.statusCode, 401, String(error));
        return true;
      });
    });
  });

  describe(`trusted documents from an Apollo manifest (${backend})`, () => {
    // The manifest lists the documents exactly as Apollo Client sends them (printed, with
    // __typename added), under their SHA-256, as Apollo's manifest generator writes them.
    const LISTED = gql`query Me { viewer { name role } }`;
    const UNLISTED = gql`query Events { events(first: 1) { totalCount } }`;
    const body = print(addTypenameToDocument(LISTED));
    let server;
    let dir;
    let tokens;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'bakeplan-trusted-'));
      const manifest = join(dir, 'persisted-query-manifest.json');
      writeFileSync(
        manifest,
        JSON.stringify({
          format: 'apollo-persisted-query-manifest',
          version: 1,
          operations: [{ id: sha256(body), body, name: 'Me', type: 'query' }],
        }),
      );
      server = await startServer(backend, { args: ['--trusted-documents', manifest] });
      tokens = { baker: server.createToken('trusted-baker', 'baker') };
    });
    after(async () => {
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('a baker runs the listed document by hash alone and nothing else', async () => {
      const requests = [];
      const recording = async (input, init = {}) => {
        requests.push({ url: String(input), method: init.method ?? 'GET' });
        return fetch(input, init);
      };
      const client = apollo(server, tokens.baker, { persisted: true, fetch: recording });
      const me = await client.query({ query: LISTED });
      assert.equal(me.data.viewer.name, 'trusted-baker');
      assert.equal(requests.length, 1, 'the manifest knows the hash: no PERSISTED_QUERY_NOT_FOUND round trip');
      assert.equal(requests[0].method, 'GET');
      assert.equal(new URL(requests[0].url).searchParams.get('query'), null, 'sent by hash alone');
      const refused = await refusal(client.query({ query: UNLISTED, errorPolicy: 'all' }));
      assert.equal(refused.errors[0].extensions?.code, 'FORBIDDEN', JSON.stringify(refused.errors));
      assert.equal(refused.errors[0].extensions.requiredRole, 'manager');
    });

    test('a manager may run any document', async () => {
      const data = await apollo(server, server.token).query({ query: UNLISTED });
      assert.equal(typeof data.data.events.totalCount, 'number');
    });
  });
}
