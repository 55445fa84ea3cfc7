import type { hosts as en } from '../en/hosts.ts';
import type { Translation } from '../translation.ts';

export const hosts: Translation<typeof en> = {
  cliHint: '请用 `dify-monitor hosts add` 添加',
  noHost: '缺少主机名',
  badHost: '“{{host}}”不是主机名或 IP 地址',
  badPort: '“{{port}}”不是 1 到 65535 之间的端口',
  notText: '地址必须是文本',
  empty: '请填写地址：tcp://主机:端口 或 ssh://用户@主机[:端口]',
  tooLong: '地址超过 {{max}} 个字符',
  spaces: '地址中不能有空格或控制字符',
  filePath: '这里不能用文件路径作为引擎地址；unix 套接字{{hint}}',
  socket: '{{scheme}}:// 套接字是本地文件；{{hint}}',
  scheme: '请使用 tcp://主机:端口 或 ssh://用户@主机[:端口]（TLS 和套接字：dify-monitor hosts add）',
  characters: '地址中含有主机名、用户名和端口都不会用到的字符',
  path: '引擎地址不含路径',
  tcpUser: 'tcp:// 地址不带用户名',
  tcpPort: '请填写端口：tcp://主机:端口（明文 TCP 为 2375）',
  sshUser: '请填写用户：ssh://用户@主机[:端口]',
  badUser: '“{{user}}”不是用户名',
};
