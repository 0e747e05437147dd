// graphql-ws (graphql-transport-ws) and subscriptions-transport-ws (legacy graphql-ws)
// against the real server: eventProgress and productionRecorded are pushed once per
// commit, in order, and eventProgress ends when its event is deleted.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import transportWs from 'subscriptions-transport-ws';
import { BACKENDS, startServer, sleep } from '../lib/server.js';
import { createEvent, bakeable, recordProduction } from '../lib/data.js';
import { collector } from '../lib/streams.js';

const { SubscriptionClient } = transportWs;

const PROGRESS = `subscription($eventId: ID!) { eventProgress(eventId: $eventId) {
  productionTargetsCount productionCompleteCount productionComplete } }`;
const RECORDED = `subscription($eventId: ID) { productionRecorded(eventId: $eventId) {
  id numBatches actualYield event { id } } }`;

/** The two client libraries behind one `subscribe(query, variables, sink) → unsubscribe`. */
const LIBRARIES = {
  'graphql-ws': (server) => {
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { Authorization: `Bearer ${server.token}` },
    });
    return {
      subscribe: (query, variables, sink) => client.subscribe({ query, variables }, sink),
      close: () => client.dispose(),
    };
  },
  'subscriptions-transport-ws': (server) => {
    const client = new SubscriptionClient(
      server.wsUrl,
      { reconnect: false, connectionParams: { authorization: `Bearer ${server.token}` } },
      WebSocket,
    );
    return {
      subscribe(query, variables, sink) {
        const subscription = client.request({ query, variables }).subscribe({
          next: (value) => sink.next(value),
          error: (error) => sink.error(error),
          complete: () => sink.complete(),
        });
        return () => subscription.unsubscribe();
      },
      close: () => client.close(),
    };
  },
};

async function setTarget(server, eventId, recipeId, targetBatches) {
  await server.gql(
    `mutation($input: SetProductionTargetInput!) { setProductionTarget(input: $input) { id } }`,
    { input: { eventId, recipeId, targetBatches } },
  );
}

for (const backend of BACKENDS) {
  describe(`subscriptions (${backend})`, () => {
    let server;
    before(async () => {
      server = await startServer(backend, { args: ['--subscription-poll-ms', '200'] });
    });
    after(() => server?.stop());

    for (const [library, connect] of Object.entries(LIBRARIES)) {
      test(`${library}: each recorded run is pushed once, in order, on both subscriptions`, async () => {
        const event = await createEvent(server);
        const other = await createEvent(server);
        const items = [await bakeable(server), await bakeable(server), await bakeable(server)];
        for (const item of items) await setTarget(server, event.id, item.recipe.id, 1);
        const client = connect(server);
        try {
          const progress = collector(`${library} eventProgress`);
          const recorded = collector(`${library} productionRecorded`);
          const stops = [
            client.subscribe(PROGRESS, { eventId: event.id }, progress.sink),
            client.subscribe(RECORDED, { eventId: event.id }, recorded.sink),
          ];
          await progress.until(() => progress.values.length === 1);
          await sleep(300); // productionRecorded has no first value; let it start listening
          const runs = [];
          for (const [index, item] of items.entries()) {
            // A run of another event is not pushed to this event's subscribers.
            if (index === 1) await recordProduction(server, item, other.id, 5);
            runs.push(await recordProduction(server, item, event.id, 1));
            // eventProgress is a state: commits that land faster than it re-reads are
            // sent as one newer state, so wait for each before the next commit.
            await progress.until(() => progress.values.length >= index + 2);
            await recorded.until(() => recorded.values.length >= index + 1);
          }
          await progress.exactly(4);
          await recorded.exactly(3);
          assert.deepEqual(
            progress.values.map((v) => v.data.eventProgress.productionCompleteCount),
            [0, 1, 2, 3],
          );
          assert.equal(progress.values.at(-1).data.eventProgress.productionComplete, true);
          assert.deepEqual(
            recorded.values.map((v) => v.data.productionRecorded.id),
            runs.map((r) => r.id),
          );
          for (const value of recorded.values) {
            assert.equal(value.errors, undefined);
            assert.equal(value.data.productionRecorded.event.id, event.id);
          }
          for (const stop of stops) stop();
        } finally {
          client.close();
        }
      });

      test(`${library}: productionRecorded gets back-to-back runs once each, in order`, async () => {
        const event = await createEvent(server);
        const item = await bakeable(server);
        const client = connect(server);
        try {
          const recorded = collector(`${library} productionRecorded`);
          client.subscribe(RECORDED, { eventId: event.id }, recorded.sink);
          await sleep(300); // no first value to wait for; let it start listening
          const runs = [];
          for (let batches = 1; batches <= 5; batches += 1) {
            runs.push(await recordProduction(server, item, event.id, batches));
          }
          await recorded.exactly(5);
          assert.deepEqual(
            recorded.values.map((v) => [v.data.productionRecorded.id, v.data.productionRecorded.numBatches]),
            runs.map((r) => [r.id, r.numBatches]),
          );
        } finally {
          client.close();
        }
      });

      test(`${library}: eventProgress ends when the event is deleted`, async () => {
        const event = await createEvent(server);
        const item = await bakeable(server);
        const client = connect(server);
        try {
          const progress = collector(`${library} eventProgress`);
          client.subscribe(PROGRESS, { eventId: event.id }, progress.sink);
          await progress.until(() => progress.values.length === 1);
          await setTarget(server, event.id, item.recipe.id, 2);
          await progress.until(() => progress.values.length === 2);
          assert.deepEqual(
            progress.values.map((v) => v.data.eventProgress.productionTargetsCount),
            [0, 1],
          );
          await server.gql(`mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }`, { id: event.id });
          await progress.until(() => progress.completed);
          assert.equal(progress.values.length, 2, JSON.stringify(progress.values));
          assert.deepEqual(progress.errors, []);
        } finally {
          client.close();
        }
      });
    }
  });
}
