/**
 * The images in the manifests and the binaries the tests run are the same releases: each image with a
 * `goModule` in versions.ts must match what tools/<dir>/go.mod builds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IMAGES, PinnedImage } from '../charts/versions';
import { ROOT } from './util';

const withModules = Object.entries(IMAGES as Record<string, PinnedImage>).filter(([, i]) => i.goModule);

describe('pinned versions', () => {
  test('no image tag floats', () => {
    for (const i of Object.values(IMAGES as Record<string, PinnedImage>)) {
      expect(i.tag).toMatch(/^v?[0-9]+\.[0-9]+\.[0-9]+$/);
    }
  });

  test.each(withModules)('%s: the image tag and tools/ go.mod build the same release', (_name, image) => {
    const mod = image.goModule!;
    const gomod = fs.readFileSync(path.join(ROOT, 'tools', mod.dir, 'go.mod'), 'utf8');
    const required = new RegExp(`^\\s*(require\\s+)?${mod.path.replace(/[.]/g, '\\.')}\\s+(v\\S+)`, 'm').exec(gomod);
    expect(required?.[2]).toBe(mod.version);
    // Prometheus publishes v3.x.y as Go module v0.3xx.y; the others use the tag as the module version.
    const expectedTag = mod.path === 'github.com/prometheus/prometheus' ? mod.version.replace(/^v0\.3(\d\d)\.(\d+)$/, (_m, minor, patch) => `v3.${Number(minor)}.${patch}`) : mod.version;
    expect(image.tag).toBe(expectedTag);
  });
});
