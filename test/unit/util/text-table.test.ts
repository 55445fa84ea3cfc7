import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cutEnd,
  cutMiddle,
  layoutTextTable,
  textWidth,
  type TextColumn,
} from '../../../src/util/text-table.ts';

const COLUMNS: readonly TextColumn[] = [
  { title: 'NAME', drop: 0, cut: { at: 'middle', minWidth: 8 } },
  { title: 'ROLE', drop: 1 },
  { title: 'CPU %', drop: 0 },
  { title: 'NET I/O', drop: 2 },
  { title: 'STATUS', drop: 0, cut: { at: 'end', minWidth: 6 } },
];
const ROWS = [
  ['dify-production-api-1', 'api', '0.25%', '1.2kB / 3kB', 'OK'],
  ['dify-production-plugin_daemon-1', 'plugin_daemon', '12.50%', '--', 'WARNING: Memory high'],
];

describe('cutting text', () => {
  it('keeps both ends of a name, the end a little more, in exactly the width', () => {
    assert.equal(cutMiddle('docker-plugin_daemon-1', 12), 'docke…emon-1');
    assert.equal(cutMiddle('docker-api-1', 12), 'docker-api-1');
    assert.equal(cutMiddle('docker-api-1', 2), '…1');
    assert.equal(cutMiddle('docker-api-1', 1), 'd');
    for (let width = 1; width < 22; width++)
      assert.equal(textWidth(cutMiddle('docker-plugin_daemon-1', width)), width);
  });

  it('cuts the end with an ellipsis', () => {
    assert.equal(cutEnd('CRITICAL: Memory critical', 12), 'CRITICAL: M…');
    assert.equal(cutEnd('OK', 12), 'OK');
  });
});

describe('laying out a text table', () => {
  it('shows everything in full without a width, the last column unpadded', () => {
    const table = layoutTextTable(COLUMNS, ROWS, null);
    assert.equal(table.header, 'NAME                             ROLE           CPU %   NET I/O      STATUS');
    assert.equal(table.rows[0], 'dify-production-api-1            api            0.25%   1.2kB / 3kB  OK');
    assert.equal(table.rows[1]?.endsWith('--           WARNING: Memory high'), true);
  });

  it('drops columns, highest drop first, before it cuts a name', () => {
    const full = Math.max(...layoutTextTable(COLUMNS, ROWS, null).rows.map(textWidth));
    const noNet = layoutTextTable(COLUMNS, ROWS, full - 1);
    assert.equal(noNet.header, 'NAME                             ROLE           CPU %   STATUS');
    const noRole = layoutTextTable(COLUMNS, ROWS, Math.max(...noNet.rows.map(textWidth)) - 1);
    assert.equal(noRole.header, 'NAME                             CPU %   STATUS');
    assert.equal(noRole.rows[1], 'dify-production-plugin_daemon-1  12.50%  WARNING: Memory high');
  });

  it('then cuts names in the middle, then the status at the end, never past their minimum', () => {
    const cutName = layoutTextTable(COLUMNS, ROWS, 40);
    assert.deepEqual(cutName.rows, ['dify…api-1  0.25%   OK', 'dify…mon-1  12.50%  WARNING: Memory high']);
    const cutBoth = layoutTextTable(COLUMNS, ROWS, 26);
    assert.deepEqual(cutBoth.rows, ['dif…pi-1  0.25%   OK', 'dif…on-1  12.50%  WARNING…']);
    for (const width of [10, 20, 30, 40, 60, 80])
      for (const line of [...layoutTextTable(COLUMNS, ROWS, width).rows])
        assert.ok(textWidth(line) <= width, `${width}: ${line}`);
  });
});
