// Records the version and build time shown by GET /push/service/status.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { version } = require('../package.json');

writeFileSync(
  join(__dirname, '..', 'dist', 'build-info.json'),
  JSON.stringify({ version, buildTime: new Date().toISOString() }),
);
