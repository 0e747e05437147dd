// graphql-js: the committed schema.graphql builds and validates, and equals what the
// running server introspects.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  buildClientSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  validateSchema,
} from 'graphql';
import { BACKENDS, startServer } from '../lib/server.js';
import { lineDiff } from '../lib/diff.js';

const sdl = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../schema.graphql'), 'utf8');

test('schema.graphql builds and validates', () => {
  const schema = buildSchema(sdl);
  assert.deepEqual(validateSchema(schema).map(String), []);
  for (const root of ['QueryRoot', 'MutationRoot', 'SubscriptionRoot']) {
    assert.ok(schema.getType(root), root);
  }
});

for (const backend of BACKENDS) {
  describe(`introspection (${backend})`, () => {
    let server;
    before(async () => {
      server = await startServer(backend);
    });
    after(() => server?.stop());

    test('the live schema equals schema.graphql', async () => {
      const query = getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        inputValueDeprecation: true,
      });
      const response = await server.post(query);
      assert.equal(response.errors, undefined, JSON.stringify(response.errors));
      const live = buildClientSchema(response.data);
      assert.deepEqual(validateSchema(live).map(String), []);
      const print = (schema) => printSchema(lexicographicSortSchema(schema));
      const [fromServer, fromFile] = [print(live), print(buildSchema(sdl))];
      assert.ok(
        fromServer === fromFile,
        `the introspected schema (+) differs from schema.graphql (-):\n${lineDiff(fromServer, fromFile)}`,
      );
    });
  });
}
