import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CLI } from '../helpers/cli.ts';
import { makeTestPki, type TestPki } from '../helpers/certs.ts';
import { startVendorReceiver, type VendorReceiver } from '../helpers/receivers.ts';
import { startSmtpServer, type SmtpReceiver } from '../helpers/smtp.ts';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'dm-channels-cli-'));
const settings = join(dir, 'settings.json');
const secretsFile = join(dir, 'channel-secrets.json');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [CLI, 'channels', ...args, '--settings', settings],
      {
        env,
        timeout: 30_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const SECRET = 'SECplanted-cli-dingtalk-secret';

describe('dify-monitor channels add|list|test|remove, as shipped', { timeout: 120_000 }, () => {
  let ding: VendorReceiver;
  let pki: TestPki;
  let smtp: SmtpReceiver;
  before(async () => {
    ding = await startVendorReceiver('dingtalk', { secret: SECRET, keyword: '告警' });
    pki = await makeTestPki(join(dir, 'pki'));
    smtp = await startSmtpServer({ pki, user: 'alerts', password: 'planted-cli-smtp-password' });
  });
  after(async () => {
    await ding.close();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add keeps the URL and secret out of the settings, in an owner-only file; list shows the masked target', async () => {
    const added = await cli([
      'add',
      'ding',
      '--kind',
      'dingtalk',
      '--url',
      ding.url,
      '--secret',
      SECRET,
      '--keyword',
      '告警',
    ]);
    assert.equal(added.code, 0, added.stderr);
    const text = readFileSync(settings, 'utf8');
    assert.ok(!text.includes('dingtalktokenplanted') && !text.includes(SECRET), 'no secret in settings.json');
    assert.equal(statSync(secretsFile).mode & 0o777, 0o600);
    assert.match(readFileSync(secretsFile, 'utf8'), /dingtalktokenplanted/);
    const listed = await cli(['list']);
    assert.match(listed.stdout, /http:\/\/127\.0\.0\.1:\d+\/…nted/);
    assert.ok(!listed.stdout.includes('dingtalktokenplanted'));
  });

  it('test sends a test message and prints the receiver’s exact answer', async () => {
    const ok = await cli(['test', 'ding']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'HTTP 200 OK\n{"errcode":0,"errmsg":"ok"}\n');
    assert.deepEqual(ding.received.at(-1)?.problems, []);
    assert.match(ding.received.at(-1)?.raw ?? '', /test message for ding/);

    const wrong = await cli([
      'add',
      'ding',
      '--kind',
      'dingtalk',
      '--url',
      ding.url,
      '--secret',
      'SECwrong',
      '--replace',
    ]);
    assert.equal(wrong.code, 0, wrong.stderr);
    const refused = await cli(['test', 'ding']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout,
      /^HTTP 200 OK\n\{"errcode":310000,"errmsg":"keywords not in content; sign not match"\}/,
    );
    assert.match(refused.stderr, /refused: errcode 310000/);
  });

  it('e-mail over STARTTLS with a login, trusting a private CA through NODE_EXTRA_CA_CERTS', async () => {
    const added = await cli([
      'add',
      'mail',
      '--kind',
      'email',
      '--smtp-host',
      '127.0.0.1',
      '--smtp-port',
      String(smtp.port),
      '--user',
      'alerts',
      '--password',
      'planted-cli-smtp-password',
      '--from',
      'monitor@example.com',
      '--to',
      'oncall@example.com',
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.ok(!readFileSync(settings, 'utf8').includes('planted-cli-smtp-password'));
    const sent = await cli(['test', 'mail'], { ...process.env, NODE_EXTRA_CA_CERTS: pki.ca });
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /^250 /);
    assert.equal(smtp.mails.at(-1)?.secure, true);
  });

  it('bad input gets a clear message and saves nothing', async () => {
    const before = readFileSync(settings, 'utf8');
    const cases: [string[], RegExp][] = [
      [
        ['add', 'x', '--kind', 'slack', '--url', 'ftp://example.com/hook'],
        /must start with https:\/\/ or http:\/\//,
      ],
      [
        ['add', 'x', '--kind', 'slack', '--url', 'https://hooks.slack.com/x', '--secret', 's'],
        /slack channel takes no --secret/,
      ],
      [
        ['add', 'x', '--kind', 'webhook', '--url', 'https://example.com/', '--rule', 'oom'],
        /--rule oom is not a rule/,
      ],
      [['add', 'x', '--kind', 'email', '--smtp-host', 'smtp.example.com', '--to', 'a@b.c'], /needs --from/],
      [
        ['add', 'ding', '--kind', 'wecom', '--url', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k'],
        /already saved; pass --replace/,
      ],
      [['test', 'nope'], /No channel is named "nope"/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(readFileSync(settings, 'utf8'), before);
  });

  it('remove forgets the channel and its secrets', async () => {
    const removed = await cli(['remove', 'ding']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(!readFileSync(secretsFile, 'utf8').includes('dingtalktokenplanted'));
    assert.doesNotMatch((await cli(['list'])).stdout, /dingtalk/);
  });
});
