// @apollo/client against the real server: mutations update the normalized cache with no
// refetch, `errorPolicy: 'all'` gets partial data, and Automatic Persisted Queries with
// `useGETForQueries` end in short hash-only GETs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
// Apollo Client 3 has no "exports" map; its ESM entry points are the index.js files.
import { ApolloClient, InMemoryCache, HttpLink, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';
import { setContext } from '@apollo/client/link/context/index.js';
import { BACKENDS, startServer } from '../lib/server.js';
import { createIngredient } from '../lib/data.js';

/** A fetch that records every request it makes (method, URL, parsed body). */
function recordingFetch() {
  const requests = [];
  const fetchFn = async (input, init = {}) => {
    const url = new URL(typeof input === 'string' ? input : input.url);
    const method = (init.method || 'GET').toUpperCase();
    const body = init.body ? JSON.parse(init.body) : undefined;
    const response = await fetch(input, init);
    const copy = response.clone();
    const record = { method, url, body, status: response.status, response: await copy.json().catch(() => null) };
    requests.push(record);
    return response;
  };
  return { requests, fetchFn };
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Apollo's auth link: every operation carries `Authorization: Bearer TOKEN`. */
const authLink = (token) =>
  setContext((_, { headers }) => ({ headers: { ...headers, authorization: `Bearer ${token}` } }));

for (const backend of BACKENDS) {
  describe(`Apollo Client (${backend})`, () => {
    let server;
    before(async () => {
      server = await startServer(backend);
    });
    after(() => server?.stop());

    test('a mutation updates the normalized cache without a refetch', async () => {
      const flour = await createIngredient(server, 'Apollo Flour');
      await createIngredient(server, 'Apollo Sugar');
      const { requests, fetchFn } = recordingFetch();
      const client = new ApolloClient({
        link: authLink(server.token).concat(new HttpLink({ uri: server.url, fetch: fetchFn })),
        cache: new InMemoryCache(),
      });
      const LIST = gql`query List { ingredients(first: 10, search: "Apollo") { nodes { id name category } } }`;
      const listed = await client.query({ query: LIST });
      assert.deepEqual(
        listed.data.ingredients.nodes.map((n) => n.name),
        ['Apollo Flour', 'Apollo Sugar'],
      );
      const UPDATE = gql`mutation Rename($input: UpdateIngredientInput!) {
        updateIngredient(input: $input) { id name category } }`;
      const updated = await client.mutate({
        mutation: UPDATE,
        variables: { input: { id: flour.id, name: 'Apollo Bread Flour', category: 'Flour' } },
      });
      assert.equal(updated.data.updateIngredient.id, flour.id);
      assert.equal(requests.length, 2, 'one query and one mutation, nothing else');

      // The list in the cache shows the new values: the mutation's object was merged by id.
      const cached = client.readQuery({ query: LIST });
      assert.deepEqual(cached.ingredients.nodes[0], {
        __typename: 'Ingredient',
        id: flour.id,
        name: 'Apollo Bread Flour',
        category: 'Flour',
      });
      const again = await client.query({ query: LIST });
      assert.equal(again.data.ingredients.nodes[0].name, 'Apollo Bread Flour');
      assert.equal(requests.length, 2, 'served from the cache, no refetch');
      const fragment = client.readFragment({
        id: client.cache.identify({ __typename: 'Ingredient', id: flour.id }),
        fragment: gql`fragment F on Ingredient { name category }`,
      });
      assert.deepEqual(fragment, { __typename: 'Ingredient', name: 'Apollo Bread Flour', category: 'Flour' });
    });

    test("errorPolicy 'all' gets partial data: the failed nullable field is null", async () => {
      const client = new ApolloClient({
        link: authLink(server.token).concat(new HttpLink({ uri: server.url })),
        cache: new InMemoryCache(),
      });
      const result = await client.query({
        query: gql`query Partial { bad: node(id: "not-an-id") { id } events(first: 1) { totalCount } }`,
        errorPolicy: 'all',
      });
      assert.ok(result.data, `partial data expected, got ${JSON.stringify(result)}`);
      assert.equal(result.data.bad, null);
      assert.equal(typeof result.data.events.totalCount, 'number');
      assert.equal(result.errors?.length, 1, JSON.stringify(result.errors));
      assert.equal(result.errors[0].extensions.code, 'BAD_USER_INPUT');
      assert.deepEqual(result.errors[0].path, ['bad']);
    });

    test('persisted queries: hash first, the document once, then hash-only GETs', async () => {
      const { requests, fetchFn } = recordingFetch();
      const makeClient = () =>
        new ApolloClient({
          link: createPersistedQueryLink({ sha256 })
            .concat(authLink(server.token))
            .concat(new HttpLink({ uri: server.url, fetch: fetchFn, useGETForQueries: true })),
          cache: new InMemoryCache(),
        });
      const QUERY = gql`query Persisted { events(first: 3) { totalCount } }`;
      const first = await makeClient().query({ query: QUERY });
      assert.equal(typeof first.data.events.totalCount, 'number');
      assert.equal(requests.length, 2, JSON.stringify(requests.map((r) => r.url.search)));
      const [miss, register] = requests;
      assert.equal(miss.method, 'GET');
      assert.equal(miss.url.searchParams.get('query'), null, 'the first request carries only the hash');
      const hash = JSON.parse(miss.url.searchParams.get('extensions')).persistedQuery.sha256Hash;
      assert.match(hash, /^[0-9a-f]{64}$/);
      assert.equal(miss.response?.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_FOUND', JSON.stringify(miss.response));
      const registered = register.method === 'GET' ? register.url.searchParams.get('query') : register.body?.query;
      assert.ok(registered, 'the retry carries the document');
      assert.equal(sha256(registered), hash);

      // From now on the hash alone is enough, from any client: short, cacheable GETs.
      for (let i = 0; i < 2; i += 1) {
        const before = requests.length;
        const later = await makeClient().query({ query: QUERY });
        assert.equal(later.data.events.totalCount, first.data.events.totalCount);
        assert.equal(requests.length, before + 1);
        const request = requests.at(-1);
        assert.equal(request.method, 'GET');
        assert.equal(request.url.searchParams.get('query'), null);
        assert.equal(request.status, 200);
      }

      // The hash alone works over POST too; a hash that does not match its document is refused.
      const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
      const post = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...server.authHeaders },
        body: JSON.stringify({ extensions }),
      }).then((r) => r.json());
      assert.equal(post.errors, undefined, JSON.stringify(post));
      assert.equal(typeof post.data.events.totalCount, 'number');
      const mismatch = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...server.authHeaders },
        body: JSON.stringify({
          query: '{ __typename }',
          extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ somethingElse }') } },
        }),
      }).then((r) => r.json());
      assert.equal(mismatch.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(mismatch));
      assert.equal(mismatch.data, undefined);
    });
  });
}
