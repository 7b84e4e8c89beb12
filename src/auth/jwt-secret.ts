import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Reads the deployment's JWT secret, generating `<dataDir>/jwt-secret` on first use when no file is configured. */
export function loadJwtSecret(file: string, dataDir: string): string {
  const target = file !== '' ? file : path.join(dataDir, 'jwt-secret');
  if (!fs.existsSync(target)) {
    if (file !== '') throw new Error(`JWT secret file ${file} does not exist`);
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(target, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  const secret = fs.readFileSync(target, 'utf8').trim();
  if (secret.length < 16) throw new Error(`JWT secret in ${target} is too short (16 characters at least)`);
  return secret;
}
