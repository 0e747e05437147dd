// Collects what a subscription pushes, so tests can wait for and assert on it.
import { withTimeout, sleep } from './server.js';

export function collector(label) {
  const values = [];
  const errors = [];
  let completed = false;
  let wake = () => {};
  const changed = () => {
    const w = wake;
    wake = () => {};
    w();
  };
  return {
    values,
    errors,
    get completed() {
      return completed;
    },
    sink: {
      next(value) {
        values.push(value);
        changed();
      },
      error(error) {
        errors.push(error);
        changed();
      },
      complete() {
        completed = true;
        changed();
      },
    },
    /** Waits until `predicate()` holds (or fails after `ms`). */
    async until(predicate, ms = 10_000) {
      let gaveUp = false;
      try {
        await withTimeout(
          (async () => {
            while (!predicate() && !gaveUp) {
              if (errors.length) throw new Error(`${label}: ${JSON.stringify(errors.map(describe))}`);
              await new Promise((r) => {
                wake = r;
                setTimeout(r, 100);
              });
            }
          })(),
          ms,
          () => `${label}: still waiting; got ${JSON.stringify(values)}, completed: ${completed}`,
        );
      } finally {
        gaveUp = true; // stop polling, so a timed-out wait does not keep the process alive
      }
    },
    /** Waits for `count` values, then a quiet period in which nothing more arrives. */
    async exactly(count, quietMs = 800) {
      await this.until(() => values.length >= count);
      await sleep(quietMs);
      assert(values.length === count, `${label}: expected ${count} values, got ${JSON.stringify(values)}`);
    },
  };
}

/** An error as text: graphql-ws hands over close events and GraphQL error lists. */
function describe(error) {
  if (error instanceof Error) return String(error);
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    return `closed ${error.code} ${error.reason}`;
  }
  return error;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}
