// sys/health and sys/leader: unauthenticated status probes with Vault's status codes (vault-api.md S6, S7).
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { SysDeps } from './sys-deps.js';

const healthFields = {
  standbyok: field.bool('Answer 200 on a standby.', { default: false }),
  perfstandbyok: field.bool('Answer 200 on a performance standby.', { default: false }),
  activecode: field.any('Status when active (200).'),
  standbycode: field.any('Status when standby (429).'),
  drsecondarycode: field.any('Status for a DR secondary (472).'),
  performancestandbycode: field.any('Status for a performance standby (473).'),
  sealedcode: field.any('Status when sealed (503).'),
  uninitcode: field.any('Status when not initialised (501).'),
  removedcode: field.any('Status when removed from the cluster (530).'),
  haunhealthycode: field.any('Status when the HA connection is unhealthy (474).'),
};

/** Vault parses each override with strconv.Atoi and refuses anything that is not a status code. */
function statusOverride(ctx: PathContext<typeof healthFields>, name: keyof typeof healthFields, fallback: number): number {
  if (!ctx.has(name)) return fallback;
  const raw = ctx.raw[name];
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '';
  if (!/^\d+$/.test(text)) throw VaultError.invalid(`unable to parse ${name} value`);
  const code = Number(text);
  if (code < 1 || code > 999) throw VaultError.invalid(`invalid ${name} value`);
  return code;
}

export function healthPaths(deps: SysDeps) {
  async function health(ctx: PathContext<typeof healthFields>): Promise<HandlerResult> {
    const codes = {
      active: statusOverride(ctx, 'activecode', 200),
      sealed: statusOverride(ctx, 'sealedcode', 503),
      uninit: statusOverride(ctx, 'uninitcode', 501),
    };
    // The remaining overrides are validated even though a single embedded node never uses them.
    statusOverride(ctx, 'standbycode', 429);
    statusOverride(ctx, 'drsecondarycode', 472);
    statusOverride(ctx, 'performancestandbycode', 473);
    statusOverride(ctx, 'removedcode', 530);
    statusOverride(ctx, 'haunhealthycode', 474);
    const initialized = await deps.lifecycle.initialized();
    const sealed = deps.lifecycle.sealed();
    const status = !initialized ? codes.uninit : sealed ? codes.sealed : codes.active;
    const cluster = deps.lifecycle.cluster();
    const body: Record<string, unknown> = {
      initialized,
      sealed,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(deps.clock.now() / 1000),
      version: deps.version,
      enterprise: false,
      echo_duration_ms: 0,
      clock_skew_ms: 0,
      replication_primary_canary_age_ms: 0,
      removed_from_cluster: false,
    };
    if (cluster && !sealed) {
      body.cluster_name = cluster.name;
      body.cluster_id = cluster.id;
    }
    return { raw: body, status };
  }

  function leader(): HandlerResult {
    return {
      raw: {
        ha_enabled: false,
        is_self: false,
        active_time: '0001-01-01T00:00:00Z',
        leader_address: '',
        leader_cluster_address: '',
        performance_standby: false,
        performance_standby_last_remote_wal: 0,
      },
    };
  }

  return [
    definePath({
      pattern: 'health',
      fields: healthFields,
      operations: { read: { summary: 'Health of the vault.', handler: health } },
      help: { synopsis: 'Checks the health status of the Vault.' },
    }),
    definePath({
      pattern: 'leader',
      operations: { read: { summary: 'High-availability status and the active node.', handler: leader } },
      help: { synopsis: 'Check the high availability status and current leader of Vault.' },
    }),
  ];
}
