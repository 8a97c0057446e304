/**
 * Writes the alertmanager-config ConfigMap of an environment with config overrides, as synthesized,
 * for amtool checks of configurations no environment file has (a heartbeat, email turned off).
 *
 *   npx ts-node --transpile-only scripts/checks/40-amtool/write-config.ts --env production \
 *     --set '{"alertmanager":{"heartbeat":{"enabled":true}}}' --out <dir>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentConfig, synthStack } from '../../environment';

function main(argv: string[]): void {
  let env = 'production';
  let overrides: Record<string, unknown> = {};
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1]) env = argv[++i];
    else if (argv[i] === '--set' && argv[i + 1]) overrides = JSON.parse(argv[++i]);
    else if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
    else throw new Error(`unknown argument '${argv[i]}'; usage: write-config.ts [--env <name>] [--set <json>] --out <dir>`);
  }
  if (!out) throw new Error('usage: write-config.ts [--env <name>] [--set <json>] --out <dir>');
  const cm = synthStack(environmentConfig(env, overrides)).charts.alertmanager.find(
    (m) => m.kind === 'ConfigMap' && m.metadata?.name === 'alertmanager-config',
  );
  if (!cm) throw new Error(`${env}: the alertmanager chart has no ConfigMap alertmanager-config`);
  fs.mkdirSync(out, { recursive: true });
  for (const [key, value] of Object.entries<string>(cm.data)) fs.writeFileSync(path.join(out, key), value);
}

main(process.argv.slice(2));
