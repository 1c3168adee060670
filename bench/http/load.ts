// The load generator, run as its own process so it never shares an event loop with a server:
// autocannon with the given target, printing its summary as one JSON line.
import autocannon from 'autocannon';

interface LoadRequest {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSec: number;
  warmupSec: number;
}

const request = JSON.parse(process.argv[2]!) as LoadRequest;
const target = { url: request.url, headers: request.headers, connections: request.connections, pipelining: 1 };
// Warm-up: JIT, connection setup and the servers' caches, not measured.
await autocannon({ ...target, duration: request.warmupSec });
const result = await autocannon({ ...target, duration: request.durationSec });
process.stdout.write(
  `${JSON.stringify({ requestsPerSec: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts })}\n`,
);
