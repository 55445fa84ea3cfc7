#!/usr/bin/env -S node --max-semi-space-size=1
'use strict';
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, so that any Node parses it */
/*
 * The installed `dify-monitor`. The CLI itself (dist/cli.js) is an ES module: its imports load
 * before any line of it runs, and an old Node cannot even parse it. So this CommonJS file, in
 * syntax any Node reads, checks the version first and only then loads the bundle.
 */
var path = require('path');
var url = require('url');

require('../scripts/check-node.cjs').checkNode(path.join(__dirname, '..', 'package.json'));

var cli = path.join(__dirname, '..', 'dist', 'cli.js');
// Written as a string, so that a Node without import() still parses this file.
var importModule = new Function('specifier', 'return import(specifier)');
importModule(url.pathToFileURL(cli).href).catch(function (error) {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).indexOf(cli) !== -1) {
    process.stderr.write('dify-monitor: ' + cli + ' is missing; run `npm run build` first.\n');
  } else {
    process.stderr.write((error && error.stack) || String(error));
    process.stderr.write('\n');
  }
  process.exitCode = 1;
});
