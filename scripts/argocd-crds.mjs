#!/usr/bin/env node
// The Argo CD CRDs that are not committed, taken from Argo CD's own Go module through the Go module
// proxy (the way gen-schemas.mjs takes Kubernetes' OpenAPI document from k8s.io/kubernetes), pinned
// to the release of the committed Application CRD and to the file's sha256.
//
// Usage: node scripts/argocd-crds.mjs            copies each into .tools/crds/ and prints the paths
//        import { argocdCrdFiles } from './argocd-crds.mjs'
//
// Used by `npm run import` (cdk8s.yaml imports .tools/crds/argocd-appproject-crd.yaml), by
// scripts/checks/10-kubeconform/gen-schemas.mjs (kubeconform's schema) and by the API server check
// (which installs it).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Argo CD release of tools/kubeconform/crds/argocd-application-crd.yaml. */
export const ARGOCD_MODULE = 'github.com/argoproj/argo-cd/v3@v3.4.4';
/** File in the module -> where it is copied, and its sha256 (a changed file is an error, never used). */
export const ARGOCD_CRDS = [
  {
    file: 'manifests/crds/appproject-crd.yaml',
    copy: '.tools/crds/argocd-appproject-crd.yaml',
    sha256: '7b99337686905b444864c84b1305938a7bfbca9b5f4e2c5d5d2de4acae16ceb3',
  },
];

/** Downloads the module (cached by Go), checks each file's hash, copies it under .tools/crds/; returns the copies' paths. */
export function argocdCrdFiles() {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-crds-'));
  let info;
  try {
    info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', ARGOCD_MODULE], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    throw new Error(`argocd-crds: cannot download ${ARGOCD_MODULE} through the Go module proxy: ${e.stderr || e.message}`);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
  if (info.Error) throw new Error(`argocd-crds: ${ARGOCD_MODULE}: ${info.Error}`);
  return ARGOCD_CRDS.map((c) => {
    const text = fs.readFileSync(path.join(info.Dir, c.file));
    const sha = createHash('sha256').update(text).digest('hex');
    if (sha !== c.sha256) throw new Error(`argocd-crds: ${ARGOCD_MODULE} ${c.file} has sha256 ${sha}, expected ${c.sha256}`);
    const out = path.join(repo, c.copy);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (!fs.existsSync(out) || !fs.readFileSync(out).equals(text)) fs.writeFileSync(out, text);
    return out;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const f of argocdCrdFiles()) console.log(f);
}
