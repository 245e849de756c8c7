// Drives Segment's own Node.js client (the npm package `@segment/analytics-node`, installed by the test, unchanged)
// against a ProfileGrid node, and prints what became of each call as one JSON object on stdout.
//
// Environment: PROFILEGRID_URL (the node, http://host:port), WRITE_KEY (the project's write key), SDK_DIR (where the
// package is installed). The client is pointed at the node with its own `host` option, as a Segment user would
// point it at ProfileGrid.
'use strict';
const path = require('path');

const { Analytics } = require(path.join(process.env.SDK_DIR, 'node_modules', '@segment', 'analytics-node'));

async function main() {
  const analytics = new Analytics({
    writeKey: process.env.WRITE_KEY,
    host: process.env.PROFILEGRID_URL,
    maxEventsInBatch: 2,
    flushInterval: 200,
  });
  const results = { delivered: [], failed: [], errors: [] };
  analytics.on('error', (error) => results.errors.push(String(error && (error.reason || error.message || error.code))));
  const done = [];
  function call(method, params) {
    done.push(new Promise((resolve) => {
      analytics[method](params, (error) => {
        (error ? results.failed : results.delivered).push(method + (error ? ': ' + String(error.message || error) : ''));
        resolve();
      });
    }));
  }

  call('page', { anonymousId: 'anon-linus', name: 'Docs', properties: { path: '/docs' } });
  // an app that passes an empty user id for a guest: the client sends it (it checks only that some id is not null),
  // in the same batch as the page view above
  call('track', { userId: '', anonymousId: 'anon-guest', event: 'Viewed Pricing' });
  call('identify', { userId: 'u-linus', anonymousId: 'anon-linus',
    traits: { email: 'linus@example.com', name: 'Linus', plan: 'pro' } });
  call('track', { userId: 'u-linus', event: 'Signed Up', properties: { source: 'docs' } });
  call('track', { userId: 'u-linus', event: 'Signed Up', properties: { source: 'again' } });
  call('alias', { userId: 'u-linus', previousId: 'legacy-linus' });
  await Promise.all(done);
  await analytics.closeAndFlush({ timeout: 20000 });
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
