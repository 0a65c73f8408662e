// Runs the TypeScript sources in a child process (crash tests, benchmarks) without a build: swc compiles each file.
const { transformSync } = require('@swc/core');
const { readFileSync } = require('node:fs');
const swcOptions = require('./swc-options');

require.extensions['.ts'] = function compile(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};
