'use strict';
/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, so that any Node parses it */
/*
 * The first thing every entry point runs (npm start, npm run headless/serve/cli/build, the
 * installed dify-monitor): on a Node older than package.json's engines it prints one line, what is
 * needed, what was found and how to get it, and exits 1. Without it, an old Node dies with a stack
 * trace on the first .ts file or on syntax it cannot parse. So this file is plain ES5 CommonJS,
 * which any Node parses, and it loads nothing but package.json.
 */

var DOWNLOAD = 'https://nodejs.org/en/download (or: nvm install --lts)';

/** `>=22.18` (the only form the guard reads) as [22, 18, 0]; null for anything else. */
function minimumOf(range) {
  var match = /^\s*>=\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(String(range));
  if (match === null) return null;
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

function versionOf(text) {
  var parts = String(text).replace(/^v/, '').split('.');
  return [Number(parts[0]) || 0, Number(parts[1]) || 0, Number(parts[2]) || 0];
}

function atLeast(version, minimum) {
  for (var i = 0; i < 3; i++) {
    if (version[i] !== minimum[i]) return version[i] > minimum[i];
  }
  return true;
}

/**
 * The one line to print when `version` does not satisfy `range`, else null. A range the guard
 * cannot read is said too, so that nobody changes engines without changing this file.
 */
function problem(range, version, execPath) {
  var minimum = minimumOf(range);
  if (minimum === null) {
    return (
      'dify-monitor: scripts/check-node.cjs reads engines.node only as ">=X.Y.Z", not ' +
      JSON.stringify(range)
    );
  }
  if (atLeast(versionOf(version), minimum)) return null;
  return (
    'dify-monitor needs Node.js ' +
    minimum.join('.') +
    ' or newer; this is Node.js ' +
    String(version).replace(/^v/, '') +
    ' (' +
    execPath +
    '). Get a newer one from ' +
    DOWNLOAD +
    '.'
  );
}

/** Exits 1 with the line when this Node is too old for the package.json at `packageJsonPath`. */
function checkNode(packageJsonPath) {
  var engines = require(packageJsonPath).engines || {};
  var line = problem(engines.node, process.versions.node, process.execPath);
  if (line === null) return;
  process.stderr.write(line + '\n');
  process.exit(1);
}

module.exports = { problem: problem, checkNode: checkNode };

if (require.main === module) checkNode(require('path').join(__dirname, '..', 'package.json'));
