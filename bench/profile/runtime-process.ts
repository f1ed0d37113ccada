/**
 * The local runtime alone in its own process, for bench/profile.ts: started as the bench starts it
 * (Wait states skipped, the fake SSL Labs ready at the first poll), it prints `{"baseUrl", "port"}` as
 * one JSON line, then obeys lines on stdin:
 *   start            start the V8 CPU profiler (node:inspector) in this process
 *   stop <file>      stop it, write the .cpuprofile to <file>, answer `{"cpuMs"}`: the CPU time
 *                    (user + system) this process used meanwhile, which other processes on a busy
 *                    machine do not inflate as they do the profile's sampled wall time
 *   exit             stop the runtime and exit
 * Profiling from inside (instead of `node --cpu-prof`, which covers the whole life of the process)
 * keeps the start-up and the scenario's preparation out of the profile.
 */
import '#shared/core/runtime/promise-with-resolvers.ts';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { startLocalRuntime } from '../../local/runtime.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('Usage: runtime-process.ts <dataDir>');

const runtime = await startLocalRuntime({
  port: 0,
  dataDir,
  waitTimeOverrides: { WaitForSslScan: 0, WaitForSslRetest: 0 },
  fakeSslPollsUntilReady: 1,
});
const session = new Session();
session.connect();
await session.post('Profiler.enable');
// 1 ms between samples: a scenario of a few seconds gives thousands of samples.
await session.post('Profiler.setSamplingInterval', { interval: 1000 });
console.log(JSON.stringify({ baseUrl: runtime.baseUrl, port: runtime.port }));

let cpuAtStart = process.cpuUsage();
for await (const line of createInterface({ input: process.stdin })) {
  const [command, file] = line.trim().split(/\s+/, 2);
  if (command === 'start') {
    await session.post('Profiler.start');
    cpuAtStart = process.cpuUsage();
    console.log('started');
  } else if (command === 'stop' && file) {
    const used = process.cpuUsage(cpuAtStart);
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    console.log(JSON.stringify({ cpuMs: (used.user + used.system) / 1000 }));
  } else if (command === 'exit') {
    break;
  }
}
session.disconnect();
await runtime.stop();
process.exit(0);
