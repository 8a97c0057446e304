/**
 * Writes the `.env`-style templates of the Secrets an environment needs (scripts/secrets.ts):
 *
 *   npm run secrets-template -- --env production [--out secrets/production]
 *
 * One `<name>.env.example` per Secret, with exactly the keys the enabled receivers and the other
 * workloads read, and the kubectl command that creates it. The output directory defaults to
 * `secrets/<environment>/`, which .gitignore covers. Filled copies (`<name>.env`) are never
 * overwritten: only the value-free templates are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../charts/load-config';
import { ConfigError } from '../charts/lib/schema';
import { defaultSecretsDir, envTemplate, pullSecretCommand, pullSecretsOf, secretsOf } from './secrets';

const USAGE = 'usage: npm run secrets-template -- [--env <environment>] [--out <dir>]';

function main(argv: string[]): number {
  let env = 'production';
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--env' && argv[i + 1]) env = argv[++i];
    else if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
    else {
      console.error(`unknown argument '${argv[i]}'; ${USAGE}`);
      return 2;
    }
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  const dir = out ?? defaultSecretsDir(env);
  fs.mkdirSync(dir, { recursive: true });
  for (const s of secretsOf(config)) {
    const file = path.join(dir, `${s.file}.env.example`);
    fs.writeFileSync(file, envTemplate(s, env, dir));
    console.log(`${file}: Secret ${s.name} in ${s.namespace}, keys ${s.keys.map((k) => k.key).join(', ')}`);
  }
  // Registry credentials are not an env file: kubectl builds the .dockerconfigjson from flags.
  for (const p of pullSecretsOf(config)) {
    console.log(`image pull Secret ${p.name} in ${p.namespace} (backend.imagePullSecrets), with a registry token in ${dir}/${p.name}.token:`);
    console.log(`  ${pullSecretCommand(p).replace(/<env>/g, env)}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
