// Runs hvac_compat.py with Debian's /usr/bin/python3 (where python3-hvac lives, unlike a pyenv
// `python3` on PATH) and reads back its one-line-per-step report.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./hvac_compat.py', import.meta.url));
/** hvac's own request timeout is 30 s; a script still running after this is stuck. */
const SCRIPT_DEADLINE_MS = 25_000;

export interface HvacRun {
  code: number | null;
  /** Step name -> `ok` or the failure's reason, in the order the script ran them. */
  steps: Map<string, string>;
  stdout: string;
  stderr: string;
}

export interface HvacEnv {
  COFFER_ADDR: string;
  COFFER_SECOND_ADDR?: string;
  COFFER_CACERT?: string;
  COFFER_ROOT_TOKEN?: string;
  COFFER_PG_HOST?: string;
  COFFER_PG_PORT?: string;
  COFFER_PG_DATABASE?: string;
  COFFER_PG_ADMIN?: string;
  COFFER_PG_ADMIN_PASSWORD?: string;
  COFFER_PG_STATIC_USER?: string;
  COFFER_PSQL?: string;
}

function parseSteps(stdout: string): Map<string, string> {
  const steps = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const ok = /^ok (.+)$/.exec(line);
    const failed = /^FAIL (.+?): (line \d+: .*)$/.exec(line);
    if (ok) steps.set(ok[1]!, 'ok');
    else if (failed) steps.set(failed[1]!, failed[2]!);
  }
  return steps;
}

export function runHvacScript(mode: 'full' | 'tls', vars: HvacEnv, home: string): Promise<HvacRun> {
  // A clean environment: VAULT_TOKEN, VAULT_CACERT, ~/.vault-token or an HTTP(S)_PROXY from the
  // developer's shell would otherwise change what hvac and requests do.
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1' };
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  const child = spawn(PYTHON, [SCRIPT, mode], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    const watchdog = setTimeout(() => child.kill('SIGKILL'), SCRIPT_DEADLINE_MS);
    child.once('error', (error) => {
      clearTimeout(watchdog);
      reject(new Error(`cannot run ${PYTHON} (is python3-hvac installed? see scripts/ensure-test-dependencies.mjs): ${error.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(watchdog);
      resolve({ code, steps: parseSteps(stdout), stdout, stderr });
    });
  });
}

/** The failure message for one step: its reason, and the whole report when the step never ran. */
export function stepReport(run: HvacRun, step: string): string {
  const outcome = run.steps.get(step);
  if (outcome === 'ok') return 'ok';
  if (outcome !== undefined) return `hvac step "${step}" failed: ${outcome}`;
  return `hvac step "${step}" did not run (exit ${run.code}).\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}
