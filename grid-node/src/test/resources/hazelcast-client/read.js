// Reads a profile from the grid with Hazelcast's own Node.js client (the npm package `hazelcast-client`, installed
// by the test, unchanged), without any ProfileGrid class: the key is a Compact record of type
// `profilegrid.ProfileKey` {project, profileId}, the value arrives as a Compact generic record. Then it tracks one
// more event over HTTP and reads the profile again until the new event shows (or 30 s pass). Prints one JSON object.
//
// Environment: HZ_MEMBER (host:port), HZ_CLUSTER, PROJECT, WRITE_KEY, PROFILE_ID, ANONYMOUS_ID, EVENT,
// PROFILEGRID_URL, SDK_DIR (where `hazelcast-client` is installed).
'use strict';
const path = require('path');
const { Client, GenericRecords, Fields } = require(path.join(process.env.SDK_DIR, 'node_modules', 'hazelcast-client'));

const project = process.env.PROJECT;
const event = process.env.EVENT;

function count(profile) {
  if (profile == null) {
    return null;
  }
  const names = profile.getArrayOfString('eventNames');
  const counts = profile.getArrayOfInt64('eventCounts');
  const i = names.indexOf(event);
  return i < 0 ? 0 : Number(counts[i]);
}

async function track(messageId) {
  const answer = await fetch(new URL('/v1/track', process.env.PROFILEGRID_URL), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: 'Basic ' + Buffer.from(process.env.WRITE_KEY + ':').toString('base64'),
    },
    body: JSON.stringify({ userId: process.env.PROFILE_ID.replace(/^user:/, ''), event, messageId }),
  });
  return answer.status;
}

(async () => {
  const client = await Client.newHazelcastClient({
    clusterName: process.env.HZ_CLUSTER,
    network: { clusterMembers: [process.env.HZ_MEMBER] },
    properties: { 'hazelcast.logging.level': 'ERROR' },
  });
  try {
    const key = GenericRecords.compact('profilegrid.ProfileKey',
      { project: Fields.STRING, profileId: Fields.STRING },
      { project, profileId: process.env.PROFILE_ID });
    // the generation readers use: the project's own, else the shared one, else 0 (README, "Other Hazelcast clients")
    const meta = await client.getMap('profilegrid-meta');
    const generation = (await meta.get('generation:' + project)) ?? (await meta.get('generation')) ?? 0;
    const profiles = await client.getMap(generation ? `profiles-g${generation}` : 'profiles');
    const ids = await client.getMap(generation ? `profile-ids-g${generation}` : 'profile-ids');

    const first = await profiles.get(key);
    const result = {
      generation,
      profileId: first && first.getString('profileId'),
      userId: first && first.getString('userId'),
      anonymousIds: first && first.getArrayOfString('anonymousIds'),
      countBefore: count(first),
      profileOfAnonymousId: await ids.get(project + '\u001f' + 'anon:' + process.env.ANONYMOUS_ID),
    };
    result.trackStatus = await track('hz-node-client-' + Date.now());
    const deadline = Date.now() + 30000;
    let now = count(first);
    while (now === result.countBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      now = count(await profiles.get(key));
    }
    result.countAfter = now;
    console.log(JSON.stringify(result));
  } finally {
    await client.shutdown();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
