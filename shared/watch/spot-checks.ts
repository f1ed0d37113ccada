/**
 * SSL spot checks between renewals (issue 22 item 2): every `sslCheckDays` each Approved resource whose
 * websites were SSL-tested is tested again by a resource-watch execution, with the same SSL Labs steps
 * as the request and the renewal (check-ssl, and the remediation: the vendor is emailed, Cybersecurity
 * decides). A grade below A never revokes on its own.
 */
import type { RegistryDeps } from '../registry/index.ts';
import { approvedResources } from './approved-resources.ts';
import { startWatch, type WatchStarter } from './start-watch.ts';
import { shortHash } from './store.ts';

export interface SpotCheckDeps {
  registry: RegistryDeps;
  watch: WatchStarter;
  now: () => Date;
}

/**
 * `scheduledTime` is when the schedule was due (Scheduler's context attribute): one name per resource
 * and run, so a run retried after a crash starts nothing twice.
 */
export async function startSslSpotChecks(
  scheduled: { scheduledTime?: string | undefined },
  deps: SpotCheckDeps,
): Promise<{ started: number; running: number }> {
  let started = 0;
  let running = 0;
  const run = scheduled.scheduledTime ?? deps.now().toISOString().slice(0, 13);
  for await (const entry of approvedResources(deps.registry)) {
    if (!entry.sslTestedAt) continue;
    const name = `ssl-spot-check-${entry.requestId}-${shortHash(entry.resourceId, run).slice(0, 12)}`;
    const outcome = await startWatch(deps.watch, name, {
      requestId: entry.requestId,
      resourceId: entry.resourceId,
      check: 'ssl',
    });
    if (outcome === 'started') started++;
    else running++;
  }
  return { started, running };
}
