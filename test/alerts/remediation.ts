/**
 * The first step of each RUNBOOK.md section's **Remediation**, as plain text: what every alert's
 * `remediation` annotation must say (charts/lib/alert-rules.ts). The first bullet when the part is a
 * list, else the paragraph's first sentence; Markdown reduced to text (code spans unwrapped, links to
 * their words, whitespace collapsed), since notifications show it as plain text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const RUNBOOK_FILE = path.resolve(__dirname, '..', '..', 'RUNBOOK.md');

/** Markdown to the plain text a notification shows. */
export function plainText(md: string): string {
  return md
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/`/g, '')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

/** Alert name (`### ` heading) -> the first step of its Remediation, from a runbook's text. */
export function firstRemediationSteps(markdown: string): Map<string, string> {
  const steps = new Map<string, string>();
  for (const section of markdown.split(/^### /m).slice(1)) {
    const name = section.slice(0, section.indexOf('\n')).trim();
    const at = section.indexOf('**Remediation.**');
    if (at < 0) continue;
    const end = section.indexOf('**Escalation.**', at);
    const body = section.slice(at + '**Remediation.**'.length, end < 0 ? undefined : end).replace(/^[ \n]+|[ \n]+$/g, '');
    const lines = body.split('\n');
    if (lines[0].startsWith('- ')) {
      // The bullet and its indented continuation lines.
      const bullet = [lines[0].slice(2)];
      for (const l of lines.slice(1)) {
        if (!l.startsWith('  ')) break;
        bullet.push(l);
      }
      steps.set(name, plainText(bullet.join(' ')));
    } else {
      const paragraph = plainText(body.split('\n\n')[0]);
      const sentenceEnd = /\.(?=\s+[A-Z])/.exec(paragraph);
      steps.set(name, sentenceEnd ? paragraph.slice(0, sentenceEnd.index + 1) : paragraph);
    }
  }
  return steps;
}

let cached: Map<string, string> | undefined;

/** The first step of an alert's Remediation in the committed RUNBOOK.md; throws when there is none. */
export function runbookRemediation(alert: string): string {
  cached ??= firstRemediationSteps(fs.readFileSync(RUNBOOK_FILE, 'utf8'));
  const step = cached.get(alert);
  if (step === undefined) throw new Error(`RUNBOOK.md has no Remediation under '### ${alert}'`);
  return step;
}
