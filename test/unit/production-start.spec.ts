import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRODUCTION_NODE_FLAGS } from '../support/server-process';

const ROOT = join(__dirname, '..', '..');

describe('production start', () => {
  it('npm start, the Docker image and the benchmarks run Node with the same flags', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    expect(scripts.start).toBe(`npm run build && node ${PRODUCTION_NODE_FLAGS.join(' ')} dist/main.js`);
    const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(
      `CMD ${JSON.stringify(['node', ...PRODUCTION_NODE_FLAGS, 'dist/main.js']).replace(/","/g, '", "')}`,
    );
  });
});
