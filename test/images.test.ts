/** Every image of the stack is a released tag, optionally pinned to its digest, in a valid reference. */
import { IMAGE_REPOSITORY, IMAGE_TAG, isFloatingVersionTag } from '../charts/lib/settings';
import { IMAGES, PinnedImage, imageRefOf } from '../charts/versions';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

test.each(Object.entries(IMAGES) as [string, PinnedImage][])('%s: repository, released tag and (if pinned) digest are valid', (_, i) => {
  expect(i.repository).toMatch(IMAGE_REPOSITORY);
  expect(i.tag).toMatch(IMAGE_TAG);
  expect(isFloatingVersionTag(i.tag)).toBe(false);
  if (i.digest !== undefined) expect(i.digest).toMatch(DIGEST);
  expect(imageRefOf(i)).toBe(`${i.repository}:${i.tag}${i.digest ? `@${i.digest}` : ''}`);
});

test('a digest pins the reference as repository:tag@sha256:...', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  expect(imageRefOf({ repository: 'quay.io/prometheus/prometheus', tag: 'v3.14.0', digest })).toBe(`quay.io/prometheus/prometheus:v3.14.0@${digest}`);
  expect(imageRefOf({ repository: 'quay.io/prometheus/prometheus', tag: 'v3.14.0' })).toBe('quay.io/prometheus/prometheus:v3.14.0');
  expect(`v3.14.0@${digest}`).toMatch(IMAGE_TAG); // the form the backend's image.tag accepts
  expect(`v3.14.0@sha256:${'AB'.repeat(32)}`).not.toMatch(IMAGE_TAG);
});
