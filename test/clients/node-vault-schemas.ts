// node-vault ships a JSON schema for the response of many commands (src/commands.js, `schema.res`)
// but 0.10.x validates only requests with them; the suite checks responses against them itself.
import { requireFromNodeVault } from './node-vault-client.js';

interface Tv4 {
  validate(data: unknown, schema: object): boolean;
  error: { message: string; dataPath: string } | null;
}

const tv4 = requireFromNodeVault('tv4') as Tv4;
const commands = requireFromNodeVault('./commands.js') as Record<string, { schema?: { res?: object } }>;

/** undefined when `response` satisfies `command`'s response schema, else what tv4 objected to. */
export function schemaViolation(command: string, response: unknown): string | undefined {
  const schema = commands[command]?.schema?.res;
  if (!schema) throw new Error(`node-vault has no response schema for ${command}`);
  if (tv4.validate(response, schema)) return undefined;
  return `${command} response breaks node-vault's schema at "${tv4.error?.dataPath}": ${tv4.error?.message}\n${JSON.stringify(response)}`;
}
