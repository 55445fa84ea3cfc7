'use strict';
/* global require, fetch, AbortSignal */
/* eslint-disable @typescript-eslint/no-require-imports -- run by node as it is, in the image */
// Healthy when serve answers its dashboard; it asks for the token it keeps in the data folder.
const { readFileSync } = require('node:fs');

const port = process.env.DIFY_MONITOR_PORT || '7878';
const tokenFile = process.env.DIFY_MONITOR_TOKEN_FILE || '/var/lib/dify-monitor/token';
let token = '';
try {
  token = readFileSync(tokenFile, 'utf8').trim();
} catch {
  // No token file: a serve started without --token-file on loopback needs none.
}
fetch(`http://127.0.0.1:${port}/`, {
  method: 'HEAD',
  headers: token === '' ? {} : { Authorization: `Bearer ${token}` },
  signal: AbortSignal.timeout(4000),
}).then(
  (answer) => process.exit(answer.ok ? 0 : 1),
  () => process.exit(1),
);
