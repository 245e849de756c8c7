// Drives Woopra's own Node.js SDK (the npm package `woopra`, installed by the test, unchanged) against a
// ProfileGrid node, and prints what each call was answered as one JSON object on stdout.
//
// Environment: PROFILEGRID_URL (the node, http://host:port), WOOPRA_KEY (the project key the SDK is given),
// T0 (an event time, milliseconds since the epoch), SDK_DIR (where `woopra` is installed).
//
// The SDK sends every request to www.woopra.com and has no setting for another host, so this script points that
// name at the node, as a DNS entry or a forward proxy would for an application that runs it. Nothing else of the
// SDK is touched: `ssl: false` is the SDK's own option.
'use strict';
const http = require('http');
const path = require('path');

const node = new URL(process.env.PROFILEGRID_URL);
const realGet = http.get;
http.get = function (options, callback) {
  if (options && options.hostname === 'www.woopra.com') {
    options = Object.assign({}, options, { hostname: node.hostname, port: node.port });
  }
  return realGet.call(http, options, callback);
};

const Woopra = require(path.join(process.env.SDK_DIR, 'node_modules', 'woopra'));
const key = process.env.WOOPRA_KEY;
const t0 = Number(process.env.T0);
const MINUTE = 60 * 1000;

/** Calls one SDK method with a callback and resolves with the answer's status and body (or the error). */
function call(method) {
  return new Promise((resolve) => {
    method((error, response) => {
      if (error) {
        resolve({ error: error.message });
        return;
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
  });
}

async function main() {
  const results = {};

  // Ada: a cookie, her own id and e-mail; a ping 20 minutes after her first action and another action 25 minutes
  // after the ping: one visit (the inactivity gap is 30 minutes) only thanks to the ping
  const ada = new Woopra(key, { ssl: false });
  ada.client({ cookie: 'ck-ada', ip: '203.0.113.9' });
  ada.identify({ id: 'u-ada', email: 'Ada@Example.com', name: 'Ada Lovelace' });
  results.adaPush = await call((cb) => ada.push(cb));
  results.adaSignup = await call((cb) => ada.track('signup', { plan: 'pro' }, { timestamp: t0 }, cb));
  results.adaPing = await call((cb) => ada.ping({ timestamp: t0 + 20 * MINUTE }, cb));
  results.adaUpgrade = await call((cb) => ada.track('upgrade', { seats: 5 }, { timestamp: t0 + 45 * MINUTE }, cb));

  // Bob: the same two actions, no ping between them; identified by e-mail (the SDK's identify(email, props))
  const bob = new Woopra(key, { ssl: false });
  bob.client({ cookie: 'ck-bob' });
  bob.identify('bob@example.com', { name: 'Bob' });
  results.bobSignup = await call((cb) => bob.track('signup', { plan: 'free' }, { timestamp: t0 }, cb));
  results.bobUpgrade = await call((cb) => bob.track('upgrade', {}, { timestamp: t0 + 45 * MINUTE }, cb));

  // Carol: no cookie, no id, an e-mail address only (the SDK allows it)
  const carol = new Woopra(key, { ssl: false });
  carol.identify('carol@example.com', { company: 'Analytical Engines' });
  results.carolView = await call((cb) => carol.track('view', { page: '/pricing' }, cb));

  // a tracker configured as Woopra's documentation shows: the site's domain as the project key
  const domain = new Woopra('example.com', { ssl: false });
  domain.client({ cookie: 'ck-domain' });
  results.domainKey = await call((cb) => domain.track('signup', {}, cb));

  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\n');
  process.exit(1);
});
