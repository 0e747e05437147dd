// Relay pagination walked as a client does (`first`/`after` forward, `last`/`before`
// backward) while rows are inserted and deleted between pages: no item is repeated or
// skipped, whatever changed elsewhere in the list.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, startServer } from '../lib/server.js';
import { createIngredient, deleteIngredient } from '../lib/data.js';

const PAGE = `query($search: String!, $first: Int, $after: String, $last: Int, $before: String) {
  ingredients(search: $search, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }`;

function assertNoRepeats(seen) {
  const repeated = seen.filter((name, i) => seen.indexOf(name) !== i);
  assert.deepEqual(repeated, [], `items repeated in the walk ${JSON.stringify(seen)}`);
}

for (const backend of BACKENDS) {
  describe(`Relay pagination (${backend})`, () => {
    let server;
    before(async () => {
      server = await startServer(backend);
    });
    after(() => server?.stop());

    /** Creates ingredients "<prefix> NN" and returns their ids by number. */
    async function seed(prefix, numbers) {
      const ids = {};
      for (const n of numbers) ids[n] = (await createIngredient(server, `${prefix} ${n}`)).id;
      return ids;
    }
    const page = async (variables) => (await server.gql(PAGE, variables)).ingredients;
    const names = (connection) => connection.edges.map((e) => e.node.name);

    test('forward with first/after, rows inserted and deleted between pages', async () => {
      const prefix = 'Fwd';
      const ids = await seed(prefix, ['01', '02', '03', '04', '05', '06', '07', '08']);
      const seen = [];
      let connection = await page({ search: prefix, first: 2 });
      seen.push(...names(connection));
      assert.deepEqual(seen, ['Fwd 01', 'Fwd 02']);
      const changes = [
        // before the cursor: an offset cursor would now repeat "Fwd 02"
        () => createIngredient(server, `${prefix} 00`),
        // before the cursor, already seen: an offset cursor would now skip an item
        async () => {
          await deleteIngredient(server, ids['01']);
          await deleteIngredient(server, ids['02']);
        },
        // after the cursor: the new row must be seen in its place, the deleted one not
        async () => {
          await createIngredient(server, `${prefix} 065`);
          await deleteIngredient(server, ids['08']);
        },
      ];
      let step = 0;
      while (connection.pageInfo.hasNextPage) {
        if (step < changes.length) await changes[step]();
        step += 1;
        connection = await page({ search: prefix, first: 2, after: connection.pageInfo.endCursor });
        // A page may be empty only at the end (rows after the cursor were deleted).
        assert.ok(connection.edges.length > 0 || !connection.pageInfo.hasNextPage, `an empty page after ${seen.at(-1)}`);
        assert.equal(connection.pageInfo.hasPreviousPage, true);
        seen.push(...names(connection));
        assert.ok(step < 20, 'the walk must end');
      }
      assertNoRepeats(seen);
      assert.deepEqual(seen, [
        'Fwd 01', 'Fwd 02', 'Fwd 03', 'Fwd 04', 'Fwd 05', 'Fwd 06', 'Fwd 065', 'Fwd 07',
      ]);
    });

    test('backward with last/before, rows inserted and deleted between pages', async () => {
      const prefix = 'Bwd';
      const ids = await seed(prefix, ['01', '02', '03', '04', '05', '06', '07', '08']);
      const seen = [];
      let connection = await page({ search: prefix, last: 2 });
      seen.unshift(...names(connection));
      assert.deepEqual(seen, ['Bwd 07', 'Bwd 08']);
      const changes = [
        // after the cursor (already passed): an offset cursor is unaffected, a keyset too
        () => createIngredient(server, `${prefix} 09`),
        // ahead of the walk (earlier in the list): must be seen, in its place; an offset
        // cursor would now skip "Bwd 04"
        () => createIngredient(server, `${prefix} 00`),
        // already seen (must not make the walk skip or repeat) and ahead of the walk (must
        // not be seen)
        async () => {
          await deleteIngredient(server, ids['07']);
          await deleteIngredient(server, ids['08']);
          await deleteIngredient(server, ids['02']);
        },
      ];
      let step = 0;
      while (connection.pageInfo.hasPreviousPage) {
        if (step < changes.length) await changes[step]();
        step += 1;
        connection = await page({ search: prefix, last: 2, before: connection.pageInfo.startCursor });
        assert.ok(connection.edges.length > 0 || !connection.pageInfo.hasPreviousPage, `an empty page before ${seen[0]}`);
        assert.equal(connection.pageInfo.hasNextPage, true);
        seen.unshift(...names(connection));
        assert.ok(step < 20, 'the walk must end');
      }
      assertNoRepeats(seen);
      assert.deepEqual(seen, [
        'Bwd 00', 'Bwd 01', 'Bwd 03', 'Bwd 04', 'Bwd 05', 'Bwd 06', 'Bwd 07', 'Bwd 08',
      ]);
    });

    test('a cursor of a deleted row still continues after its place', async () => {
      const prefix = 'Gone';
      const ids = await seed(prefix, ['01', '02', '03', '04']);
      const first = await page({ search: prefix, first: 2 });
      await deleteIngredient(server, ids['02']);
      const next = await page({ search: prefix, first: 2, after: first.pageInfo.endCursor });
      assert.deepEqual(names(next), ['Gone 03', 'Gone 04']);
      const back = await page({ search: prefix, last: 2, before: next.pageInfo.startCursor });
      assert.deepEqual(names(back), ['Gone 01']);
    });
  });
}
