#!/usr/bin/env node
import 'reflect-metadata';
import { runCli } from './cli-runner';

void runCli(process.argv.slice(2)).then((code) => {
  // Set rather than forced, so that stdout is flushed; the timer only ends a process that something (say, a pool
  // left open by a failed start) would keep alive.
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
});
