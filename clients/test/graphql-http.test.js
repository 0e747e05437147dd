// The GraphQL-over-HTTP audit of the `graphql-http` package, against POST and GET
// /graphql: every MUST and SHOULD audit is a test that must pass; MAY audits are logged.
// Authentication is required; the audits' requests carry a manager token.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serverAudits } from 'graphql-http';
import { BACKENDS, startServer } from '../lib/server.js';

for (const backend of BACKENDS) {
  describe(`graphql-http server audit (${backend})`, () => {
    let server;
    before(async () => {
      server = await startServer(backend);
    });
    after(() => server?.stop());

    // The audits are listed before the server exists; each asks for the URL when it runs.
    for (const audit of serverAudits({ url: () => server.url, fetchFn: (input, init) => server.fetchWithToken(input, init) })) {
      const level = audit.name.split(' ')[0];
      test(`${audit.id} ${audit.name}`, async (t) => {
        const result = await audit.fn();
        if (result.status === 'ok') return;
        let body = '';
        try {
          body = await result.response.text();
        } catch {
          // the body was already read by the audit
        }
        const detail = `${result.reason}\nstatus ${result.response?.status}, content-type ${result.response?.headers?.get('content-type')}\n${body.slice(0, 500)}`;
        if (level === 'MAY') {
          t.diagnostic(`MAY audit not met (allowed): ${detail}`);
          return;
        }
        assert.fail(`${audit.name}: ${detail}`);
      });
    }
  });
}
